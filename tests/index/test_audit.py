"""The statistical audit (kechuang.index.audit): COINr's correlation-optimised weights on ASEM, the correlation
ratio on functions with known first-order indices, coherence, structure, added value, links, efficiency and the
year-on-year audit of a single-unit panel under weight noise."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from kechuang.index import audit
from kechuang.index.pipeline import Result, build

ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def grid(levels: np.ndarray) -> np.ndarray:
    return np.array(np.meshgrid(levels, levels, levels, indexing="ij")).reshape(3, -1).T


# ------------------------------------------------------------------ correlation-optimised weights


def test_optimised_weights_reproduce_coinr_on_asem(variant_a: Result,
                                                   reference: Callable[[str], pd.DataFrame]) -> None:
    out = audit.optimise_weights(variant_a, level=3, itarg="equal")
    expected = reference("A_base_optweights_L3.csv")
    got = out.weights.set_index("iCode")
    assert set(got.index) == set(expected.index)
    np.testing.assert_allclose(got.loc[expected.index, "Weight"], expected["Weight"], atol=1e-3)
    table = out.table.set_index("iCode")
    assert table.loc["Conn", "OptWeight"] == pytest.approx(0.390244, abs=1e-3)
    assert table["Obtained"].tolist() == pytest.approx([0.5, 0.5], abs=0.005)
    assert table.loc["Conn", "Nominal"] > table.loc["Sust", "Nominal"] + 0.05, "control: the 1:1 weights are unbalanced"
    assert out.converged


def test_a_tighter_tolerance_goes_on_to_equal_correlations(variant_a: Result) -> None:
    # COINr's toler = 0.1 stops the search early; the exact root of r_Conn = r_Sust lies further on
    exact = audit.optimise_weights(variant_a, level=3, toler=1e-12, maxiter=2000).table.set_index("iCode")
    assert exact.loc["Conn", "Correlation"] == pytest.approx(exact.loc["Sust", "Correlation"], abs=1e-6)
    regenerate = audit._reaggregator(variant_a)
    base = dict(zip(variant_a.weights["iCode"], variant_a.weights["Weight"], strict=True))

    def gap(a: float) -> float:
        s = regenerate({**base, "Conn": a, "Sust": 1 - a})
        return float(np.corrcoef(s["Conn"], s["Index"])[0, 1] - np.corrcoef(s["Sust"], s["Index"])[0, 1])

    assert exact.loc["Conn", "OptWeight"] == pytest.approx(brentq(gap, 0.1, 0.9, xtol=1e-12), abs=1e-5)


def test_given_targets_and_bad_targets(variant_a: Result) -> None:
    out = audit.optimise_weights(variant_a, level=3, itarg={"Conn": 1, "Sust": 2}, toler=1e-10, maxiter=2000)
    assert out.table["Obtained"].tolist() == pytest.approx([1 / 3, 2 / 3], abs=1e-4)
    with pytest.raises(ValueError, match="itarg has 3 values; level 3 has 2 codes"):
        audit.optimise_weights(variant_a, level=3, itarg=[1, 1, 1])


def test_nelder_mead_finds_the_minimum_of_a_quadratic() -> None:
    out = audit.nelder_mead(lambda x: float((x[0] - 1) ** 2 + 3 * (x[1] + 2) ** 2), [0.0, 0.0], reltol=1e-14,
                            maxit=5000)
    assert out.converged
    np.testing.assert_allclose(out.x, [1.0, -2.0], atol=1e-5)


# ------------------------------------------------------------------ correlation ratio


def test_correlation_ratio_is_exact_for_a_linear_model() -> None:
    x = grid((np.arange(16) + 0.5) / 16)  # full factorial: columns exactly uncorrelated
    a = np.array([1.0, 2.0, 3.0])
    y = x @ a
    exact = a**2 / np.sum(a**2)  # η²_i = a_i² Var(x_i) / Var(y), equal variances
    got = [audit.correlation_ratio(x[:, i], y) for i in range(3)]
    np.testing.assert_allclose(got, exact, atol=1e-9)


def test_correlation_ratio_recovers_ishigami_first_order_indices() -> None:
    x = grid(-np.pi + (np.arange(20) + 0.5) * 2 * np.pi / 20)
    y = ishigami(x)
    got = [audit.correlation_ratio(x[:, i], y) for i in range(3)]
    np.testing.assert_allclose(got, ISHIGAMI_S1, atol=0.01)
    assert np.corrcoef(x[:, 1], y)[0, 1] ** 2 < 0.01, "control: x2 acts only non-linearly, r² misses it"
    rng = np.random.default_rng(3)
    sample = rng.uniform(-np.pi, np.pi, size=(2000, 3))
    np.testing.assert_allclose([audit.correlation_ratio(sample[:, i], ishigami(sample)) for i in range(3)],
                               ISHIGAMI_S1, atol=0.05)


def test_correlation_ratio_of_discrete_and_degenerate_inputs() -> None:
    x = np.repeat([0.0, 1.0, 2.0], 10)
    y = x**2 + np.tile(np.linspace(-1, 1, 10), 3)
    means = np.array([np.mean(y[x == v]) for v in (0, 1, 2)])
    expected = np.var(np.repeat(means, 10), ddof=1) / np.var(y, ddof=1)
    assert audit.correlation_ratio(x, y) == pytest.approx(expected)
    assert audit.correlation_ratio(np.ones(10), np.arange(10.0)) == 0.0
    assert np.isnan(audit.correlation_ratio(np.arange(10.0), np.ones(10)))


def _small_index(values: dict[str, np.ndarray]) -> tuple[pd.DataFrame, pd.DataFrame]:
    codes = list(values)
    meta = pd.DataFrame({
        "Level": [1] * len(codes) + [2], "iCode": [*codes, "Index"], "iName": [*codes, "Index"],
        "Direction": 1, "Weight": 1.0, "Parent": ["Index"] * len(codes) + [None],
        "Type": ["Indicator"] * len(codes) + ["Aggregate"],
    })
    n = len(next(iter(values.values())))
    data = pd.DataFrame({"uCode": [f"u{i:03d}" for i in range(n)], **values})
    return data, meta


SPEC = {"steps": [{"step": "normalise", "method": "n_zscore"}, {"step": "aggregate", "method": "a_amean"}]}


def test_importance_flags_a_silent_indicator() -> None:
    rng = np.random.default_rng(0)
    common = rng.normal(size=400)
    data, meta = _small_index({"A": common, "B": common + rng.normal(scale=0.01, size=400),
                               "C": rng.normal(size=400)})
    table = audit.importance(build(data, meta, SPEC)).set_index("iCode")
    # z-scores, A ≈ B: Index ≈ (2A + C)/3, so S_A ≈ S_B ≈ 4/5, S_C ≈ 1/5; shares 4/9, 4/9, 1/9 against 1/3 each
    assert table["S"].tolist() == pytest.approx([0.8, 0.8, 0.2], abs=0.04)
    assert table.loc["C", "Ratio"] == pytest.approx(1 / 3, abs=0.05)
    assert table["Flag"].tolist() == ["", "", "silent"]
    assert table["W_share"].tolist() == pytest.approx([1 / 3] * 3)


# ------------------------------------------------------------------ coherence and structure


def test_coherence_pairs_every_element_with_every_ancestor(variant_a: Result) -> None:
    table = audit.coherence(variant_a)
    assert len(table) == 49 * 3 + 8 * 2 + 2 * 1
    row = table[(table["iCode"] == "TBTs") & (table["Ancestor"] == "Index")].iloc[0]
    scores = variant_a.scores
    assert row["r"] == pytest.approx(np.corrcoef(scores["TBTs"], scores["Index"])[0, 1])
    assert row["Flag"] == "negative"
    flags = table.set_index(["iCode", "Ancestor"])
    assert flags.loc[("Physical", "Conn"), "Flag"] == "", "control: a strong positive correlation is not flagged"
    assert flags.loc[("SusEcFin", "Sust"), "Flag"] == "weak"
    # Social (in Sust) correlates more with Conn than with its own parent
    assert flags.loc[("Social", "Sust"), "Closest"] == "Conn"
    assert flags.loc[("Social", "Sust"), "Flag"] == "closer elsewhere"
    assert set(table["Flag"]) <= {"", "negative", "weak", "closer elsewhere"}


def test_sibling_flags_and_dimension_structure(variant_a: Result) -> None:
    pairs = audit.sibling_flags(variant_a)
    assert set(pairs["Level"]) <= {1, 2, 3}
    assert ((pairs["Flag"] == "Negative") == (pairs["r"] < -0.4)).all()
    structure = audit.dimension_structure(variant_a).set_index("iCode")
    kids = list(variant_a.structure.children["Social"])
    x = variant_a.scores[kids].to_numpy()
    eig = np.sort(np.linalg.eigvalsh(np.corrcoef(x, rowvar=False)))[::-1]
    assert structure.loc["Social", "PC1_share"] == pytest.approx(eig[0] / eig.sum())
    assert structure.loc["Social", "Eigen_gt1"] == (eig > 1).sum()
    cov = np.cov(x, rowvar=False)
    k = len(kids)
    assert structure.loc["Social", "Alpha"] == pytest.approx(k / (k - 1) * (1 - np.trace(cov) / cov.sum()))
    assert "alpha < 0.7" in structure.loc["SusEcFin", "Flag"]


# ------------------------------------------------------------------ added value, links, efficiency


def test_added_value_counts_units_shifting_more_than_the_threshold() -> None:
    data, meta = _small_index({"A": np.arange(30.0), "B": np.arange(30.0)[::-1] * 0.1})
    meta.loc[meta["iCode"] == "B", "Weight"] = 0.5
    result = build(data, meta, {"steps": [{"step": "normalise", "method": "n_minmax"},
                                          {"step": "aggregate", "method": "a_amean"}]})
    table = audit.added_value(result, ["A", "B"], threshold=10).set_index("iCode")
    # Index = (2A' + B')/3 with B' = 100 − A': it follows A, so ranks agree with A and are reversed on B
    assert table.loc["A", "Shifted"] == 0.0
    shift = np.abs(np.arange(1, 31) - np.arange(30, 0, -1))
    assert table.loc["B", "Shifted"] == pytest.approx(np.mean(shift > 10))
    assert table.loc["B", "MaxAbsShift"] == 29


def test_dimension_removal_and_external_links(variant_a: Result) -> None:
    removal = audit.dimension_removal(variant_a)
    assert removal["iCode"].tolist() == ["Conn", "Sust"]
    assert (removal["MeanAbsRankShift"] > 0).all()
    rng = np.random.default_rng(0)
    external = pd.DataFrame({"uCode": variant_a.scores["uCode"], "Copy": variant_a.scores["Index"],
                             "Noise": rng.normal(size=51)})
    links = audit.external_links(variant_a, external.iloc[:40]).set_index(["Measure", "iCode"])
    assert links.loc[("Copy", "Index"), "Pearson"] == pytest.approx(1.0)
    assert links.loc[("Copy", "Index"), "Spearman"] == pytest.approx(1.0)
    assert links.loc[("Copy", "Index"), "N"] == 40
    assert abs(links.loc[("Noise", "Index"), "Pearson"]) < 0.4, "control: noise is not linked"


def test_efficiency_ratio_is_output_over_input(variant_a: Result) -> None:
    out = audit.efficiency_ratio(variant_a, ["Sust"], ["Conn"])
    scores = variant_a.scores
    np.testing.assert_allclose(out["Ratio"], scores["Sust"] / scores["Conn"])
    assert out.loc[out["Ratio"].idxmax(), "Rank"] == 1
    mixed = audit.efficiency_ratio(variant_a, ["Environ", "Social"], ["Physical"])
    np.testing.assert_allclose(mixed["Numerator"], (scores["Environ"] + scores["Social"]) / 2)


# ------------------------------------------------------------------ time series


def _single_unit_panel() -> tuple[pd.DataFrame, pd.DataFrame]:
    """One unit, 2013–2018, base 2013 = 100. 2016: every indicator rises 10 %. Other years: within each
    dimension one indicator rises and the other falls by the same amount, so the nominal index is flat and
    only the weights decide the sign of its change."""
    up, down = [100, 105, 100, 110, 115.5, 110], [100, 95, 100, 110, 104.5, 110]
    data = pd.DataFrame({"uCode": "YP", "Time": range(2013, 2019), "A": up, "B": down, "C": up, "D": down})
    meta = pd.DataFrame({
        "Level": [1, 1, 1, 1, 2, 2, 3], "iCode": ["A", "B", "C", "D", "D1", "D2", "Index"],
        "iName": ["A", "B", "C", "D", "D1", "D2", "Index"], "Direction": 1, "Weight": 1.0,
        "Parent": ["D1", "D1", "D2", "D2", "Index", "Index", None],
        "Type": ["Indicator"] * 4 + ["Aggregate"] * 3,
    })
    return data, meta


def test_planted_rise_is_certain_and_flat_years_are_a_coin_toss() -> None:
    data, meta = _single_unit_panel()
    spec = {"steps": [{"step": "normalise", "method": "n_base_year", "params": {"base_year": 2013}},
                      {"step": "aggregate", "method": "a_amean"}]}
    ua = {"parameters": [{"name": "Weights", "weights": {"noise": "uniform", "spread": 0.25, "levels": [1, 2]}}]}
    out = audit.time_series_audit(data, meta, spec, ua, n=1000, seed=7)
    assert out.n_runs == 1000 and out.n_failed == 0
    table = out.growth.set_index(["code", "Time"])
    for code in ("Index", "D1", "D2"):
        rise = table.loc[(code, 2016)]
        assert rise["P_rise"] == 1.0 and rise["P_fall"] == 0.0
        assert rise["Q05"] == pytest.approx(0.10) and rise["Q95"] == pytest.approx(0.10)
        for year in (2014, 2015, 2017, 2018):
            flat = table.loc[(code, year)]
            assert flat["Nominal"] == pytest.approx(0.0, abs=1e-12)
            assert flat["P_rise"] == pytest.approx(0.5, abs=0.06), (code, year)
            assert flat["P_rise"] + flat["P_fall"] == pytest.approx(1.0)
            assert flat["Q05"] < 0 < flat["Q95"]
    assert table["Runs"].eq(1000).all()


def test_base_year_alternatives_change_the_growth_of_a_mean_of_ratios() -> None:
    data, meta = _single_unit_panel()
    spec = {"steps": [{"step": "normalise", "method": "n_base_year", "params": {"base_year": 2013}},
                      {"step": "aggregate", "method": "a_amean"}]}
    ua = {"parameters": [{"name": "Weights", "weights": {"noise": "uniform", "spread": 0.1, "levels": [2]}}]}
    out = audit.time_series_audit(data, meta, spec, ua, n=16, base_years=[2013, 2014])
    by = out.base_years.set_index(["code", "BaseYear", "Time"])["Growth"]
    assert by[("D1", 2013, 2015)] == pytest.approx(0.0)
    # base 2014: A = 100/105·100, B = 100/95·100 in 2015 → mean 100.125…, against 100 in 2014
    assert by[("D1", 2014, 2015)] == pytest.approx((100 / 105 + 100 / 95) / 2 - 1)


def test_time_series_audit_needs_years(variant_a: Result) -> None:
    data, meta = _small_index({"A": np.arange(5.0), "B": np.arange(5.0)})
    with pytest.raises(ValueError, match="needs a Time column"):
        audit.time_series_audit(data, meta, SPEC, {"parameters": [
            {"name": "W", "weights": {"noise": "uniform", "spread": 0.1, "levels": [1]}}]}, n=4)


def test_survey_noise_is_the_pipeline_on_perturbed_data() -> None:
    data, meta = _single_unit_panel()
    spec = {"steps": [{"step": "normalise", "method": "n_base_year", "params": {"base_year": 2013}},
                      {"step": "aggregate", "method": "a_amean"}]}
    none = audit.survey_noise(data, meta, spec, {"A": 0.0}, n=5).set_index(["code", "Time"])
    np.testing.assert_allclose(none["Q05"], none["Nominal"], atol=1e-12)  # control: no error, no spread
    assert set(none["P_rise"]) <= {0.0, 1.0}
    out = audit.survey_noise(data, meta, spec, {"A": 0.02, "B": 0.02, "C": 0.02, "D": 0.02}, n=2000, seed=4)
    table = out.set_index(["code", "Time"])
    assert table.loc[("Index", 2016), "P_rise"] > 0.99  # +10 % against a ±2 % sampling error
    assert table.loc[("Index", 2015), "P_rise"] == pytest.approx(0.5, abs=0.05)
    # one run by hand: the same draw applied to iData, then build
    rng = np.random.default_rng(np.random.SeedSequence(9))
    e = rng.standard_normal((1, 6, 4))[0] * 0.02
    noisy = data.copy()
    noisy[["A", "B", "C", "D"]] = data[["A", "B", "C", "D"]].to_numpy() * (1 + e)
    index = build(noisy, meta, spec).scores["Index"].to_numpy()
    one = audit.survey_noise(data, meta, spec, {c: 0.02 for c in "ABCD"}, n=1, seed=9, codes=["Index"])
    np.testing.assert_allclose(one["Median"], index[1:] / index[:-1] - 1, rtol=1e-12)
    with pytest.raises(ValueError, match="needs the per-unit normalisation n_base_year, not n_zscore"):
        audit.survey_noise(data, meta, SPEC, {"A": 0.02}, n=4)
    with pytest.raises(ValueError, match="not indicators of the framework: Z"):
        audit.survey_noise(data, meta, spec, {"Z": 0.02}, n=4)
