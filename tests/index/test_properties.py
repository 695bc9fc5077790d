"""Property tests (hypothesis): bounds, weight sums, monotonicity, base year, exact regeneration."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kechuang.index.aggregate import aggregate_level
from kechuang.index.normalise import n_minmax, normalise
from kechuang.index.pipeline import build, regenerate
from kechuang.index.structure import Structure
from kechuang.index.weights import (
    critic_weights,
    cv_weights,
    entropy_weights,
    normalise_within_parent,
    pca_weights,
)

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0.01, max_value=1e3, allow_nan=False, allow_infinity=False)


@given(
    x=arrays(np.float64, st.tuples(st.integers(2, 30), st.integers(1, 4)), elements=finite),
    lo=st.floats(-100, 100),
    width=st.floats(0.5, 1000),
)
def test_minmax_output_within_bounds(x: np.ndarray, lo: float, width: float) -> None:
    out = n_minmax(x, (lo, lo + width))
    varying = x.max(axis=0) > x.min(axis=0)
    tol = 1e-9 * max(1.0, abs(lo) + width)
    assert np.all(out[:, varying] >= lo - tol)
    assert np.all(out[:, varying] <= lo + width + tol)
    np.testing.assert_allclose(out[:, varying].min(axis=0), lo, atol=tol)
    np.testing.assert_allclose(out[:, varying].max(axis=0), lo + width, atol=tol)


def meta_with_weights(weights: list[float]) -> pd.DataFrame:
    codes = ["a", "b", "c", "d", "e", "P", "Q", "I"]
    return pd.DataFrame(
        {
            "iCode": codes,
            "iName": codes,
            "Level": [1, 1, 1, 1, 1, 2, 2, 3],
            "Parent": ["P", "P", "P", "Q", "Q", "I", "I", None],
            "Direction": [1, -1, 1, 1, -1, 1, 1, 1],
            "Weight": weights,
            "Type": ["Indicator"] * 5 + ["Aggregate"] * 3,
        }
    )


@given(weights=st.lists(st.floats(0.01, 100), min_size=8, max_size=8))
def test_within_parent_weights_sum_to_one(weights: list[float]) -> None:
    structure = Structure.from_meta(meta_with_weights(weights))
    norm = normalise_within_parent(structure.weight, structure)
    for children in structure.children.values():
        assert abs(sum(norm[c] for c in children) - 1) < 1e-12


@given(x=arrays(np.float64, st.tuples(st.integers(3, 30), st.integers(2, 5)), elements=positive))
def test_data_driven_weights_sum_to_one(x: np.ndarray) -> None:
    for fn in (entropy_weights, critic_weights, cv_weights, pca_weights):
        w = fn(x)
        assert np.all(w >= 0)
        assert abs(w.sum() - 1) < 1e-9


@given(
    x=arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(2, 5)), elements=positive),
    w=st.lists(st.floats(0.01, 10), min_size=5, max_size=5),
    child=st.integers(0, 4),
    bump=st.floats(0.001, 100),
    method=st.sampled_from(
        [
            ("a_amean", None),
            ("a_gmean", None),
            ("a_hmean", None),
            ("a_genmean", 2.0),
            ("a_genmean", -1.5),
            ("a_genmean", 0.5),
        ]
    ),
)
def test_aggregates_are_monotone_in_each_child(
    x: np.ndarray, w: list[float], child: int, bump: float, method: tuple[str, float | None]
) -> None:
    m = x.shape[1]
    child %= m
    weights = np.array(w[:m])[:, None]
    name, p = method
    before = aggregate_level(x, weights, name, ["P"], p)
    higher = x.copy()
    higher[:, child] += bump
    after = aggregate_level(higher, weights, name, ["P"], p)
    assert np.all(after >= before * (1 - 1e-12))


@given(
    values=arrays(np.float64, (6, 3, 2), elements=st.floats(0.1, 1e4)),
    base=st.integers(0, 2),
    directions=st.tuples(st.sampled_from([1, -1]), st.sampled_from([1, -1])),
)
def test_base_year_normalisation_is_100_in_base_year(
    values: np.ndarray, base: int, directions: tuple[int, int]
) -> None:
    years = [2019, 2020, 2021]
    frame = pd.DataFrame(
        {
            "uCode": np.repeat([f"U{i}" for i in range(6)], 3),
            "Time": np.tile(years, 6),
            "a": values[:, :, 0].reshape(-1),
            "b": values[:, :, 1].reshape(-1),
        }
    )
    out = normalise(
        frame, ["a", "b"], dict(zip("ab", directions, strict=True)), "n_base_year", {"base_year": years[base]}
    )
    np.testing.assert_allclose(out.loc[out["Time"] == years[base], ["a", "b"]].to_numpy(), 100.0, rtol=1e-12)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=arrays(np.float64, (12, 5), elements=st.one_of(st.just(np.nan), st.floats(0, 1e3))),
    weights=st.lists(st.floats(0.1, 5), min_size=8, max_size=8),
    method=st.sampled_from(["a_amean", "a_genmean"]),
)
def test_regenerate_reproduces_exactly(values: np.ndarray, weights: list[float], method: str) -> None:
    meta = meta_with_weights(weights)
    values[:4] = np.arange(4.0)[:, None] * 10 + np.arange(5.0)  # ≥ 4 distinct values survive winsorising
    data = pd.DataFrame(values, columns=list("abcde"))
    data.insert(0, "uCode", [f"U{i:02d}" for i in range(12)])
    spec = {
        "steps": [
            {"step": "impute", "method": "i_median"},
            {"step": "treat", "method": "winsorise", "params": {"winmax": 2}},
            {"step": "normalise", "method": "n_minmax", "params": {"l_u": [1, 100]}},
            {"step": "weights", "method": "cv"},
            {"step": "aggregate", "method": method, **({"params": {"p": 0.5}} if method == "a_genmean" else {})},
        ]
    }
    first = build(data, meta, spec)
    again = regenerate(first)
    for name, stage in first.stages.items():
        pd.testing.assert_frame_equal(stage, again.stages[name], check_exact=True)
    pd.testing.assert_frame_equal(first.ranks, again.ranks, check_exact=True)
    pd.testing.assert_frame_equal(first.weights, again.weights, check_exact=True)
