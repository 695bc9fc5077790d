"""Uncertainty and sensitivity analysis on the ASEM reference case: COINr's vignette conclusions, exact
agreement with one-by-one builds, failures reported with their parameters, same numbers on every backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from kechuang.index.backends import DaskBackend, ProcessBackend
from kechuang.index.pipeline import build
from kechuang.index.spec import Spec, example_spec, parse_spec
from kechuang.index.uncertainty import (
    UncertaintyResult,
    example_ua_spec,
    run_spec,
    sample_scores,
    sensitivity_analysis,
    uncertainty_analysis,
)

VARIANT_A = example_spec("asem_variant_a")
DISCRETE = {
    "name": "normalisation × aggregation",
    "pairwise": True,
    "parameters": [
        {"name": "Normalisation", "step": "normalise", "alternatives": [
            {"label": "minmax", "method": "n_minmax", "params": {"l_u": [1, 100]}},
            {"label": "zscore", "method": "n_zscore", "params": {"m_sd": [10, 2]}},
        ]},
        {"name": "Aggregation", "step": "aggregate", "alternatives": [{"method": "a_amean"}, {"method": "a_gmean"}]},
    ],
}


def _shift(result: UncertaintyResult, run: int) -> float:
    """Mean absolute rank shift of one run rebuilt on its own with build()."""
    nominal = result.nominal.ranks[result.design.target].to_numpy(dtype=float, na_value=np.nan)
    rebuilt = build(result.nominal.data, result.nominal.meta, run_spec(result, run))
    diff = np.abs(rebuilt.ranks[result.design.target].to_numpy(dtype=float, na_value=np.nan) - nominal)
    return float(np.nanmean(diff))


def test_vignette_sensitivity_ranks_aggregation_first_and_winsorisation_last(
    asem_data: pd.DataFrame, asem_meta: pd.DataFrame
) -> None:
    sa = sensitivity_analysis(asem_data, asem_meta, VARIANT_A, example_ua_spec(), n=64, seed=1, backend="serial")
    assert sa.n_runs == 64 * 6 and sa.n_failed == 0 and sa.dropped_base_points == 0
    shift = sa.sensitivity[sa.sensitivity["target"] == "mean_abs_rank_shift"].set_index("parameter")  # type: ignore[index]
    st = shift["ST"]
    assert st.idxmax() == "Aggregation" and st.idxmin() == "Winmax", st.to_dict()
    assert (shift["ST_lo"] <= shift["ST"]).all() and (shift["ST"] <= shift["ST_hi"]).all()
    units = sa.sensitivity[(sa.sensitivity["target"] == "rank") & (sa.sensitivity["uCode"] == "CHE")]  # type: ignore[index]
    assert set(units["parameter"]) == {"Winmax", "Normalisation", "Weights", "Aggregation"}
    index = sa.ranks[sa.ranks["code"] == "Index"].set_index("uCode")
    nominal = build(asem_data, asem_meta, VARIANT_A)
    scores = nominal.scores.set_index("uCode")["Index"]
    np.testing.assert_allclose(index.loc[scores.index, "score_nominal"], scores, rtol=0, atol=0)
    assert (index["rank_q05"] <= index["rank_median"]).all() and (index["rank_median"] <= index["rank_q95"]).all()
    assert (index["runs"] == sa.n_runs).all()
    for run in (0, 7, 200):
        assert sa.runs.loc[run, "mean_abs_rank_shift"] == pytest.approx(_shift(sa, run), abs=1e-12)


def test_discrete_runs_equal_one_by_one_builds(asem_data: pd.DataFrame, asem_meta: pd.DataFrame) -> None:
    ua = uncertainty_analysis(asem_data, asem_meta, VARIANT_A, DISCRETE, n=60, seed=3, backend="serial")
    variants = {}
    for norm, agg in ua.runs[["Normalisation", "Aggregation"]].drop_duplicates().itertuples(index=False):
        choice = (["minmax", "zscore"].index(norm), ["a_amean", "a_gmean"].index(agg))
        variants[(norm, agg)] = build(asem_data, asem_meta, ua.design.variant(choice))
    keys = list(zip(ua.runs["Normalisation"], ua.runs["Aggregation"], strict=True))
    scores = np.stack([variants[k].scores["Index"].to_numpy(dtype=float) for k in keys])
    ranks = np.stack([variants[k].ranks["Index"].to_numpy(dtype=float) for k in keys])
    stats = ua.ranks[ua.ranks["code"] == "Index"]
    np.testing.assert_array_equal(stats["rank_mean"], ranks.mean(axis=0))
    for col, p in (("rank_q05", 0.05), ("rank_median", 0.5), ("rank_q95", 0.95)):
        np.testing.assert_array_equal(stats[col], np.quantile(ranks, p, axis=0))
    np.testing.assert_allclose(stats["score_mean"], scores.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(stats["score_sd"], scores.std(axis=0, ddof=1), rtol=1e-9)
    np.testing.assert_allclose(stats["score_min"], scores.min(axis=0), rtol=1e-13)
    for col, p in (("score_q05", 0.05), ("score_median", 0.5), ("score_q95", 0.95)):
        err = np.abs(stats[col].to_numpy() - np.quantile(scores, p, axis=0))
        assert (err <= stats["score_resolution"].to_numpy() + 1e-9).all(), col
    nominal = ua.nominal.ranks["Index"].to_numpy(dtype=float)
    np.testing.assert_allclose(ua.runs["mean_abs_rank_shift"], np.abs(ranks - nominal).mean(axis=1), atol=1e-12)
    pairs = ua.pairwise.set_index(["uCode", "other"])["p_above"]  # type: ignore[union-attr]
    units = ua.nominal.scores["uCode"].tolist()
    above = (ranks[:, :, None] < ranks[:, None, :]).mean(axis=0)
    for u, v in (("CHE", "DNK"), ("DNK", "CHE"), ("AUT", "CHN")):
        assert pairs[(u, v)] == pytest.approx(above[units.index(u), units.index(v)], abs=1e-12)


AGGREGATION_SPEC = parse_spec({
    "steps": [
        {"step": "denominate"},
        {"step": "normalise", "method": "n_minmax", "params": {"l_u": [1, 100]}},
        {"step": "aggregate", "method": "a_amean"},
    ]
}, "no-impute.yaml")


@pytest.mark.parametrize("alternative", [
    {"method": "a_amean", "params": {"missing": "group_mean", "group": "EurAsia_group"}},
    {"method": "a_hmean", "params": {"dat_thresh": 0.7}},
    {"method": "a_genmean", "params": {"p": 2}},
    {"method": "a_copeland"},
])
def test_every_aggregation_with_missing_values_and_weight_noise_matches_build(
    alternative: dict[str, Any], asem_data: pd.DataFrame, asem_meta: pd.DataFrame
) -> None:
    spec_ua = {"parameters": [
        {"name": "Aggregation", "step": "aggregate", "alternatives": [{"label": "plain", "method": "a_amean"},
                                                                       {"label": "other", **alternative}]},
        {"name": "Weights", "weights": {"noise": "uniform", "spread": 0.5, "levels": [1, 2, 3]}},
    ]}
    ua = uncertainty_analysis(asem_data, asem_meta, AGGREGATION_SPEC, spec_ua, n=12, seed=2, backend="serial")
    assert ua.n_failed == 0
    runs = ua.runs[ua.runs["Aggregation"] == "other"].index[:2]
    assert len(runs) == 2
    for run in runs:
        assert ua.runs.loc[run, "mean_abs_rank_shift"] == pytest.approx(_shift(ua, run), abs=1e-12)


def test_a_failing_combination_is_reported_with_its_parameters(asem_data: pd.DataFrame,
                                                               asem_meta: pd.DataFrame) -> None:
    failing = {"parameters": [
        {"name": "Normalisation", "step": "normalise", "alternatives": [
            {"label": "minmax", "method": "n_minmax", "params": {"l_u": [1, 100]}},
            {"label": "zscore", "method": "n_zscore"},
        ]},
        {"name": "Aggregation", "step": "aggregate", "alternatives": [{"method": "a_amean"}, {"method": "a_gmean"}]},
    ]}
    ua = uncertainty_analysis(asem_data, asem_meta, VARIANT_A, failing, n=40, seed=1, backend="serial")
    failed = ua.runs[ua.runs["status"] == "failed"]
    assert len(failed) == ua.n_failed > 0
    assert set(zip(failed["Normalisation"], failed["Aggregation"], strict=True)) == {("zscore", "a_gmean")}
    assert ua.failures[["Normalisation", "Aggregation", "runs"]].values.tolist() == [["zscore", "a_gmean",
                                                                                       ua.n_failed]]
    assert "aggregate a_gmean: zero or negative values among the children of" in ua.failures["error"].iat[0]
    assert failed["mean_abs_rank_shift"].isna().all()
    assert (ua.ranks["runs"] == 40 - ua.n_failed).all(), "failed runs are left out, not counted as missing"
    sa = sensitivity_analysis(asem_data, asem_meta, VARIANT_A, failing, n=16, seed=1, backend="serial")
    assert sa.dropped_base_points > 0 and sa.n_failed > 0
    assert sa.sensitivity is not None and len(sa.sensitivity) == 2 * (1 + 2 * 51)
    shift = sa.sensitivity[sa.sensitivity["target"] == "mean_abs_rank_shift"]
    assert shift["ST"].notna().all() and (sa.sensitivity["note"] != "missing in some runs").all()


def test_panel_ranks_per_year(asem_panel: pd.DataFrame, asem_meta: pd.DataFrame) -> None:
    ua = uncertainty_analysis(asem_panel, asem_meta, VARIANT_A, example_ua_spec(), n=24, seed=5, backend="serial")
    index = ua.ranks[ua.ranks["code"] == "Index"]
    assert len(index) == len(ua.nominal.scores) and index["rank_max"].max() <= 51
    assert set(ua.pairwise["Time"]) == set(asem_panel["Time"])  # type: ignore[index]
    assert ua.runs.loc[3, "mean_abs_rank_shift"] == pytest.approx(_shift(ua, 3), abs=1e-12)


def _same(a: UncertaintyResult, b: UncertaintyResult) -> None:
    pd.testing.assert_frame_equal(a.ranks, b.ranks, check_exact=True)
    pd.testing.assert_frame_equal(a.runs, b.runs, check_exact=True)
    pd.testing.assert_frame_equal(a.pairwise, b.pairwise, check_exact=True)  # type: ignore[arg-type]
    if a.sensitivity is not None:
        pd.testing.assert_frame_equal(a.sensitivity, b.sensitivity, check_exact=True)  # type: ignore[arg-type]


def test_same_seed_same_numbers_on_a_process_pool_and_a_dask_cluster(asem_data: pd.DataFrame,
                                                                     asem_meta: pd.DataFrame) -> None:
    args: dict[str, Any] = {"n": 24, "seed": 7, "block_runs": 24}
    serial = sensitivity_analysis(asem_data, asem_meta, VARIANT_A, example_ua_spec(), backend="serial", **args)
    with ProcessBackend(workers=2) as pool:
        pooled = sensitivity_analysis(asem_data, asem_meta, VARIANT_A, example_ua_spec(), backend=pool, **args)
    assert serial.blocks.count > 4 and pooled.backend == "processes"
    _same(serial, pooled)
    with DaskBackend(workers=2) as cluster:
        assert len(cluster.client.scheduler_info()["workers"]) == 2
        dask = sensitivity_analysis(asem_data, asem_meta, VARIANT_A, example_ua_spec(), backend=cluster, **args)
    assert dask.backend == "dask"
    _same(serial, dask)


def test_run_spec_keeps_a_pipeline_spec(asem_data: pd.DataFrame, asem_meta: pd.DataFrame) -> None:
    ua = uncertainty_analysis(asem_data, asem_meta, VARIANT_A, example_ua_spec(), n=4, seed=1, backend="serial")
    spec = run_spec(ua, 2)
    assert isinstance(spec, Spec) and spec.step("weights").method == "set"  # type: ignore[union-attr]
    conn = spec.weight_sets["run2"]["Conn"]
    assert conn == pytest.approx(ua.runs.loc[2, "Weights:Conn"] * 1.0)
    with pytest.raises(ValueError, match="run must be in 0"):
        run_spec(ua, 4)


RESCALE = {
    "name": "a pure change of scale beside weight noise",
    "parameters": [
        {"name": "Scale", "step": "normalise", "alternatives": [
            {"label": "0-100", "method": "n_minmax", "params": {"l_u": [0, 100]}},
            {"label": "0-10", "method": "n_minmax", "params": {"l_u": [0, 10]}},
        ]},
        {"name": "Weights", "weights": {"noise": "uniform", "spread": 0.25, "levels": [3]}},
    ],
}


def test_per_unit_score_sensitivity_is_scale_free_unless_raw_is_asked(asem_data: pd.DataFrame,
                                                                     asem_meta: pd.DataFrame) -> None:
    def st(raw: bool) -> pd.DataFrame:
        sa = sensitivity_analysis(asem_data, asem_meta, VARIANT_A, RESCALE, n=64, seed=2, backend="serial",
                                  raw_scores=raw)
        table = sa.sensitivity
        assert table is not None
        name = "score" if raw else "score_std"
        assert name in set(table["target"]) and ("score_std" if raw else "score") not in set(table["target"])
        return table[table["target"] == name].groupby("parameter")["ST"].median()

    raw, scale_free = st(True), st(False)
    # [0, 10] is [0, 100] divided by 10: the raw scores mostly measure that; the standardised ones not at all
    assert raw["Scale"] > 0.9
    assert scale_free["Scale"] == pytest.approx(0.0, abs=1e-9)
    assert scale_free["Weights"] == pytest.approx(1.0, abs=0.1)


def test_sampled_scores_are_the_uncertainty_runs(asem_data: pd.DataFrame, asem_meta: pd.DataFrame) -> None:
    ua = uncertainty_analysis(asem_data, asem_meta, VARIANT_A, RESCALE, n=40, seed=5, backend="serial")
    sampled = sample_scores(asem_data, asem_meta, VARIANT_A, RESCALE, n=40, seed=5)
    mean = ua.ranks[ua.ranks["code"] == "Index"]["score_mean"].to_numpy()
    np.testing.assert_allclose(sampled.scores["Index"].mean(axis=0), mean, rtol=1e-12)
    assert sampled.runs["Scale"].tolist() == ua.runs["Scale"].tolist()
