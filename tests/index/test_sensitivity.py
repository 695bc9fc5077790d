"""Sobol' estimators against SALib and the analytic Ishigami indices; Saltelli sampling in blocks; online
statistics (rank counts, histograms, moments)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from SALib.analyze import sobol as salib_sobol
from SALib.sample import sobol as salib_sample

from kechuang.index._accumulate import Moments, quantiles_from_counts, quantiles_from_histogram, value_counts
from kechuang.index.sampling import Blocks
from kechuang.index.sensitivity import sobol_indices, split_salib

A, B = 7.0, 0.1
# Ishigami f = sin x1 + a sin² x2 + b x3⁴ sin x1 on [−π, π]³: V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2,
# V1 = (1 + bπ⁴/5)²/2, V2 = a²/8, V13 = 8b²π⁸/225 → S1 = (V1, V2, 0)/V, ST = (V1 + V13, V2, V13)/V.
_V = A**2 / 8 + B * np.pi**4 / 5 + B**2 * np.pi**8 / 18 + 0.5
_V1, _V2, _V13 = (1 + B * np.pi**4 / 5) ** 2 / 2, A**2 / 8, 8 * B**2 * np.pi**8 / 225
ISHIGAMI_S1 = np.array([_V1, _V2, 0.0]) / _V
ISHIGAMI_ST = np.array([_V1 + _V13, _V2, _V13]) / _V


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_analytic_ishigami_values() -> None:
    assert ISHIGAMI_S1 == pytest.approx([0.3139, 0.4424, 0.0], abs=1e-4)
    assert ISHIGAMI_ST == pytest.approx([0.5576, 0.4424, 0.2437], abs=1e-4)


def test_same_outputs_give_salib_indices_and_intervals() -> None:
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = salib_sample.sample(problem, 512, calc_second_order=False, seed=3)
    y = ishigami(x)
    theirs = salib_sobol.analyze(problem, y, calc_second_order=False, num_resamples=200, seed=11)
    ours = sobol_indices(*split_salib(y, 3), num_resamples=200, seed=11)
    for key in ("S1", "ST", "S1_conf", "ST_conf"):
        np.testing.assert_allclose(getattr(ours, key), theirs[key], rtol=0, atol=1e-12)
    assert not ours.constant


def test_saltelli_blocks_recover_the_analytic_ishigami_indices() -> None:
    blocks = Blocks.plan("saltelli", 2048, [0, 1, 2], seed=5, block_runs=1000)
    assert blocks.count > 1 and blocks.n_runs == 2048 * 5
    y = np.empty(blocks.n_runs)
    for b in range(blocks.count):
        u, runs = blocks.points(b)
        y[runs] = ishigami(-np.pi + 2 * np.pi * u)
    idx = sobol_indices(*split_salib(y, 3), num_resamples=300, seed=2)
    assert np.all(idx.S1_lo <= ISHIGAMI_S1) and np.all(ISHIGAMI_S1 <= idx.S1_hi), (idx.S1_lo, idx.S1_hi)
    assert np.all(idx.ST_lo <= ISHIGAMI_ST) and np.all(ISHIGAMI_ST <= idx.ST_hi), (idx.ST_lo, idx.ST_hi)
    np.testing.assert_allclose(idx.S1, ISHIGAMI_S1, atol=0.03)
    np.testing.assert_allclose(idx.ST, ISHIGAMI_ST, atol=0.03)


def test_saltelli_blocks_are_the_cross_matrices_of_one_sequence() -> None:
    groups = [0, 1, 1, 2]
    whole = Blocks.plan("saltelli", 40, groups, seed=9, block_runs=10_000)
    split = Blocks.plan("saltelli", 40, groups, seed=9, block_runs=25)
    assert whole.count == 1 and split.count == 8
    u_all, runs_all = whole.points(0)
    parts = [split.points(b) for b in range(split.count)]
    u_split = np.concatenate([p[0] for p in parts])
    runs_split = np.concatenate([p[1] for p in parts])
    np.testing.assert_array_equal(u_all[np.argsort(runs_all)], u_split[np.argsort(runs_split)])
    ordered = u_all[np.argsort(runs_all)].reshape(40, 5, 4)  # SALib layout: A, AB_1 … AB_3, B
    a, b = ordered[:, 0], ordered[:, -1]
    for g in range(3):
        cols = np.array(groups) == g
        np.testing.assert_array_equal(ordered[:, 1 + g][:, cols], b[:, cols])
        np.testing.assert_array_equal(ordered[:, 1 + g][:, ~cols], a[:, ~cols])


def test_monte_carlo_blocks_depend_only_on_seed_and_block() -> None:
    one = Blocks.plan("mc", 1000, [0, 1], seed=4, block_runs=100)
    other = Blocks.plan("mc", 5000, [0, 1], seed=4, block_runs=100)
    np.testing.assert_array_equal(one.points(3)[0], other.points(3)[0])
    assert not np.array_equal(one.points(3)[0], one.points(4)[0])
    child = np.random.SeedSequence(4).spawn(10)[3]
    np.testing.assert_array_equal(one.points(3)[0], np.random.default_rng(child).random((100, 2)))


def test_vectorised_targets_equal_one_by_one_and_constant_targets_are_flagged() -> None:
    rng = np.random.default_rng(0)
    ya, yb, yab = rng.random(64), rng.random(64), rng.random((64, 2))
    many = sobol_indices(np.c_[ya, 3 * ya + 1, np.ones(64)], np.c_[yb, 3 * yb + 1, np.ones(64)],
                         np.stack([yab, 3 * yab + 1, np.ones((64, 2))], axis=-1), seed=1)
    single = sobol_indices(ya, yb, yab, seed=1)
    for key in ("S1", "ST", "S1_conf", "ST_lo", "ST_hi"):
        np.testing.assert_allclose(getattr(many, key)[:, 0], getattr(single, key), atol=1e-12)
        np.testing.assert_allclose(getattr(many, key)[:, 1], getattr(single, key), atol=1e-12)
    assert many.constant.tolist() == [False, False, True] and np.isnan(many.S1[:, 2]).all()


def test_rank_quantiles_from_counts_are_numpys() -> None:
    rng = np.random.default_rng(1)
    ranks = rng.integers(1, 9, size=(37, 5))
    counts = np.stack([np.bincount(ranks[:, j] - 1, minlength=8) for j in range(5)])
    probs = [0.05, 0.25, 0.5, 0.95]
    np.testing.assert_allclose(quantiles_from_counts(counts, probs), np.quantile(ranks, probs, axis=0))


def test_histogram_quantiles_are_within_one_bin() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(50, 5, size=(400, 3))
    lo, hi, bins = np.full(3, 20.0), np.full(3, 80.0), 600
    idx = np.clip(np.floor((x - lo) / (hi - lo) * bins), 0, bins - 1).astype(int)
    counts = np.stack([np.bincount(idx[:, j], minlength=bins) for j in range(3)])
    got = quantiles_from_histogram(counts, lo, hi, x.min(axis=0), x.max(axis=0), [0.05, 0.5, 0.95])
    assert np.abs(got - np.quantile(x, [0.05, 0.5, 0.95], axis=0)).max() <= (hi[0] - lo[0]) / bins


def test_moments_merge_like_one_pass_and_value_counts() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(100, 4))
    x[rng.random(x.shape) < 0.1] = np.nan
    merged = Moments.empty(4).merge(Moments.of(x[:30])).merge(Moments.of(x[30:]))
    np.testing.assert_allclose(merged.mean, np.nanmean(x, axis=0), atol=1e-12)
    np.testing.assert_allclose(merged.sd, np.nanstd(x, axis=0, ddof=1), atol=1e-12)
    np.testing.assert_array_equal(merged.lo, np.nanmin(x, axis=0))
    ids, counts = value_counts(np.array([[0, 2, -1], [0, 1, 1], [3, 2, 1]]), 4)
    assert dict(zip(ids.tolist(), counts.tolist(), strict=True)) == {0: 2, 3: 1, 5: 1, 6: 2, 9: 2}
