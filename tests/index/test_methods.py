"""Each verb's methods on small, hand-checkable inputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kechuang.index.aggregate import a_copeland, aggregate, aggregate_level
from kechuang.index.analysis import correlations, data_availability, principal_components, skew_kurt
from kechuang.index.denominate import denominate
from kechuang.index.errors import ComputationError
from kechuang.index.impute import impute
from kechuang.index.normalise import (
    n_borda,
    n_dist2max,
    n_dist2ref,
    n_dist2targ,
    n_fracmax,
    n_goalposts,
    n_minmax,
    n_prank,
    n_rank,
    n_zscore,
    normalise,
    rank_min,
)
from kechuang.index.screen import screen
from kechuang.index.structure import Structure
from kechuang.index.treat import boxcox, log_ct, treat, winsorise
from kechuang.index.weights import (
    ahp_weights,
    critic_weights,
    cv_weights,
    effective_weights,
    entropy_weights,
    normalise_within_parent,
    pca_weights,
)

nan = np.nan


def col(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)[:, None]


def frame(
    values: dict[str, list[float]], units: list[str] | None = None, times: list[int] | None = None
) -> pd.DataFrame:
    n = len(next(iter(values.values())))
    out = pd.DataFrame({"uCode": units or [f"U{i}" for i in range(n)]})
    if times is not None:
        out["Time"] = times
    for code, v in values.items():
        out[code] = np.array(v, dtype=float)
    return out


def small_meta() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "iCode": ["a", "b", "c", "P", "Q", "I"],
            "iName": ["a", "b", "c", "P", "Q", "I"],
            "Level": [1, 1, 1, 2, 2, 3],
            "Parent": ["P", "P", "Q", "I", "I", None],
            "Direction": [1, -1, 1, 1, 1, 1],
            "Weight": [1.0, 3.0, 1.0, 1.0, 1.0, 1.0],
            "Type": ["Indicator"] * 3 + ["Aggregate"] * 3,
            "GPLower": [0.0, 10.0, 20.0, nan, nan, nan],
            "GPUpper": [10.0, 0.0, 10.0, nan, nan, nan],
            "Target": [8.0, 2.0, 5.0, nan, nan, nan],
        }
    )


# --- normalise -------------------------------------------------------------------------------------


def test_normalise_formulas() -> None:
    x = col(1, 2, 3, 5)
    np.testing.assert_allclose(n_minmax(x)[:, 0], [0, 25, 50, 100])
    np.testing.assert_allclose(n_minmax(x, (1, 9))[:, 0], [1, 3, 5, 9])
    np.testing.assert_allclose(n_zscore(col(1, 2, 3))[:, 0], [-1, 0, 1])
    np.testing.assert_allclose(n_zscore(col(1, 2, 3), (10, 2))[:, 0], [8, 10, 12])
    np.testing.assert_allclose(n_dist2max(col(1, 2, 3))[:, 0], [0, 0.5, 1])
    np.testing.assert_allclose(n_dist2ref(x, np.array([3.0]))[:, 0], [0, 0.5, 1, 2])
    np.testing.assert_allclose(n_dist2ref(x, np.array([3.0]), cap_max=True)[:, 0], [0, 0.5, 1, 1])
    np.testing.assert_allclose(n_dist2targ(x, np.array([4.0]))[:, 0], [0, 1 / 3, 2 / 3, 4 / 3])
    np.testing.assert_allclose(n_dist2targ(x, np.array([4.0]), cap_max=True)[:, 0], [0, 1 / 3, 2 / 3, 1])
    np.testing.assert_allclose(n_fracmax(x)[:, 0], [0.2, 0.4, 0.6, 1])


def test_rank_methods_share_lowest_rank_and_keep_missing() -> None:
    x = col(3, 1, 3, nan, 2)
    np.testing.assert_array_equal(n_rank(x)[:, 0], [3, 1, 3, nan, 2])
    np.testing.assert_allclose(n_prank(x)[:, 0], [2 / 3, 0, 2 / 3, nan, 1 / 3])
    np.testing.assert_array_equal(n_borda(x)[:, 0], [2, 0, 2, nan, 1])
    np.testing.assert_array_equal(rank_min(np.array([[2.0, 1.0], [2.0, 1.0], [1.0, 3.0]])), [[2, 1], [2, 1], [1, 3]])


def test_goalposts_censor_and_reverse() -> None:
    x = np.array([[5.0, 5.0], [15.0, 15.0], [25.0, 25.0]])
    lower, upper = np.array([10.0, 20.0]), np.array([20.0, 10.0])
    out = n_goalposts(x, lower, upper, lower > upper)
    np.testing.assert_allclose(out, [[0, 100], [50, 50], [100, 0]])
    np.testing.assert_allclose(n_goalposts(x, lower, upper, lower > upper, trunc=False)[:, 0], [-50, 50, 150])


def test_normalise_applies_direction_and_meta_columns() -> None:
    meta = small_meta()
    data = frame({"a": [0, 5, 10], "b": [0, 5, 10], "c": [10, 15, 25]})
    directions = {"a": 1, "b": -1, "c": 1}
    out = normalise(data, ["a", "b", "c"], directions)
    np.testing.assert_allclose(
        out[["a", "b", "c"]].to_numpy(), np.array([[0, 100, 0], [50, 50, 100 / 3], [100, 0, 100]])
    )
    gp = normalise(data, ["a", "b", "c"], directions, "n_goalposts", meta=meta)
    # a: 0→10 higher better; b: bounds reversed (10 → 0) so lower is better; c: 20 → 10 reversed.
    np.testing.assert_allclose(gp[["a", "b", "c"]].to_numpy(), [[0, 100, 100], [50, 50, 50], [100, 0, 0]])
    targ = normalise(data, ["a"], directions, "n_dist2targ", meta=meta)
    np.testing.assert_allclose(targ["a"], [0, 5 / 8, 10 / 8])
    mixed = normalise(data, ["a", "c"], directions, "n_minmax", indiv={"c": {"method": "n_fracmax", "params": {}}})
    np.testing.assert_allclose(mixed["c"], [0.4, 0.6, 1.0])


def test_normalise_per_year_or_global_and_base_year() -> None:
    data = frame({"a": [1, 3, 2, 6]}, units=["A", "A", "B", "B"], times=[2018, 2019, 2018, 2019])
    per_year = normalise(data, ["a"], {"a": 1})
    np.testing.assert_allclose(per_year["a"], [0, 0, 100, 100])
    pooled = normalise(data, ["a"], {"a": 1}, global_=True)
    np.testing.assert_allclose(pooled["a"], [0, 40, 20, 100])
    base = normalise(data, ["a"], {"a": 1}, "n_base_year", {"base_year": 2018})
    np.testing.assert_allclose(base["a"], [100, 300, 100, 300])
    inverted = normalise(data, ["a"], {"a": -1}, "n_base_year", {"base_year": 2019})
    np.testing.assert_allclose(inverted["a"], [300, 100, 300, 100])
    ref = normalise(data, ["a"], {"a": 1}, "n_dist2ref", {"ref": "B"})
    np.testing.assert_allclose(ref["a"], [0, 0, 1, 1])


def test_undefined_scores_are_refused_not_silently_missing() -> None:
    data = frame({"a": [1, 2, 5, 5], "b": [1, 2, 3, 4]}, units=["A", "B", "A", "B"], times=[2018, 2018, 2019, 2019])
    with pytest.raises(ComputationError) as info:
        normalise(data, ["a", "b"], {"a": 1, "b": 1})
    assert str(info.value).startswith("normalise n_minmax: indicator 'a' in 2019 has undefined scores")
    pooled = normalise(data, ["a", "b"], {"a": 1, "b": 1}, global_=True)
    np.testing.assert_allclose(pooled["a"], [0, 25, 100, 100])
    empty = normalise(frame({"a": [nan, nan], "b": [1, 2]}), ["a", "b"], {"a": 1, "b": 1})
    assert empty["a"].isna().all()
    with pytest.raises(ComputationError, match="indicator 'b' has undefined"):
        normalise(frame({"b": [3, 3, 3]}), ["b"], {"b": 1}, "n_zscore")


# --- denominate, impute, screen ----------------------------------------------------------------------


def test_denominate_divides_and_refuses_zero() -> None:
    data = frame({"a": [10, 20, 30], "b": [1, 2, 3], "pop": [2, 0, nan]})
    out = denominate(data, ["a", "b"], {"a": "pop"})
    np.testing.assert_array_equal(out["a"], [5, nan, nan])
    np.testing.assert_array_equal(out["b"], [1, 2, 3])


def test_cross_section_imputation_per_year_and_group() -> None:
    data = frame(
        {"a": [1, nan, 3, 10, nan, 30, 7]},
        units=["A", "B", "C", "A", "B", "C", "D"],
        times=[2018, 2018, 2018, 2019, 2019, 2019, 2019],
    )
    np.testing.assert_allclose(impute(data, ["a"], "i_mean")["a"], [1, 2, 3, 10, 47 / 3, 30, 7])
    np.testing.assert_allclose(impute(data, ["a"], "i_median")["a"], [1, 2, 3, 10, 10, 30, 7])
    groups = np.array(["x", "x", "y", "x", "y", "y", None], dtype=object)
    out = impute(data, ["a"], "i_mean_grp", groups=groups)
    np.testing.assert_allclose(out["a"], [1, 1, 3, 10, 30, 30, 7])
    missing_group = impute(frame({"a": [nan, 2]}, ["A", "B"]), ["a"], "i_mean_grp", groups=np.array([None, "x"]))
    assert np.isnan(missing_group["a"].iloc[0])


def test_panel_imputation() -> None:
    years = [2001, 2002, 2003, 2004]
    data = frame({"a": [1, nan, nan, 4, nan, 2, nan, 6]}, units=["A"] * 4 + ["B"] * 4, times=years * 2)
    latest = impute(data, ["a"], "impute_panel", imp_type="latest")
    np.testing.assert_array_equal(latest["a"], [1, 1, 1, 4, nan, 2, 2, 6])
    limited = impute(data, ["a"], "impute_panel", imp_type="latest", max_time=1)
    np.testing.assert_array_equal(limited["a"], [1, 1, nan, 4, nan, 2, 2, 6])
    constant = impute(data, ["a"], "impute_panel", imp_type="constant")
    np.testing.assert_array_equal(constant["a"], [1, 1, 1, 4, 2, 2, 2, 6])
    linear = impute(data, ["a"], "impute_panel", imp_type="linear")
    np.testing.assert_allclose(linear["a"], [1, 2, 3, 4, 2, 2, 4, 6])
    # unequal spacing: C has no 2003 row, so 2002 lies a third of the way from 2001 to 2004
    gap = frame({"a": [0, nan, 6, 1, 1, 1]}, units=["C"] * 3 + ["D"] * 3, times=[2001, 2002, 2004, 2001, 2002, 2003])
    np.testing.assert_allclose(impute(gap, ["a"], "impute_panel", imp_type="linear")["a"], [0, 2, 6, 1, 1, 1])


def test_screen_rules_and_forcing() -> None:
    data = frame({"a": [1, nan, 0, 4], "b": [1, nan, 0, nan], "c": [1, 2, 0, nan]}, ["A", "B", "C", "D"])
    kept, summary = screen(data, ["a", "b", "c"], "byNA", dat_thresh=0.5)
    assert kept["uCode"].tolist() == ["A", "C"]
    np.testing.assert_allclose(summary["Dat_Avail"], [1, 1 / 3, 1, 1 / 3])
    np.testing.assert_allclose(summary["Non_Zero"], [1, 1, 0, 1])
    kept, _ = screen(data, ["a", "b", "c"], "byzeros")
    assert kept["uCode"].tolist() == ["A", "B", "D"]
    kept, _ = screen(data, ["a", "b", "c"], "byNAandzeros", dat_thresh=0.5, force_in=["D"], force_out=["A"])
    assert kept["uCode"].tolist() == ["D"]


# --- treat -----------------------------------------------------------------------------------------


def test_transforms() -> None:
    x = col(1, 2, 11)
    np.testing.assert_allclose(log_ct(x)[:, 0], np.log([0.1, 1.1, 10.1]))
    np.testing.assert_allclose(boxcox(x, 0.5)[:, 0], [(math.sqrt(v) - 1) / 0.5 for v in (1, 2, 11)])
    np.testing.assert_allclose(boxcox(x, 0)[:, 0], np.log([1, 2, 11]))


def test_winsorisation_counts_ties_and_stops_at_winmax() -> None:
    x = col(*range(1, 21), 100, 100)
    out, nwin, side = winsorise(x, winmax=5)
    assert nwin[0] == 2  # both tied maxima are replaced at once
    np.testing.assert_array_equal(out[-2:, 0], [20, 20])
    np.testing.assert_array_equal(side[:, 0], [0] * 20 + [1, 1])
    low = col(-100, *range(1, 30))
    out, nwin, side = winsorise(low, winmax=1)
    assert (nwin[0], out[0, 0], side[0, 0]) == (1, 1.0, -1)


def test_log_fallback_on_original_column_when_winsorising_is_not_enough() -> None:
    rng = np.random.default_rng(1)
    heavy = np.exp(rng.normal(0, 2.0, 60))
    data = frame({"h": list(heavy), "n": list(rng.normal(size=60))})
    result = treat(data, ["h", "n"], "winsorise", {"winmax": 1})
    details = result.details.set_index("iCode")
    assert details.at["h", "treatment"] == "winsorise" and details.at["h", "fallback"] == "log_CT"
    assert not details.at["h", "pass_1"] and details.at["h", "n_winsorised"] == 1
    np.testing.assert_allclose(result.data["h"], log_ct(heavy[:, None])[:, 0])
    assert details.at["n", "treatment"] == "" and result.points.empty
    np.testing.assert_array_equal(result.data["n"], data["n"])
    untouched = treat(data, ["h", "n"], indiv={"h": "none"})
    np.testing.assert_array_equal(untouched.data["h"], heavy)
    assert untouched.details.set_index("iCode").at["h", "treatment"] == "none"


def test_skew_and_kurtosis_definitions() -> None:
    x = np.array([1.0, 2, 3, 4, 10])
    d = x - x.mean()
    n = 5
    skew = math.sqrt(n) * (d**3).sum() / (d**2).sum() ** 1.5 * math.sqrt(n * (n - 1)) / (n - 2)
    r = n * (d**4).sum() / (d**2).sum() ** 2
    kurt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    s, k = skew_kurt(np.array([[1.0, nan], [2, 1], [3, 1], [4, 2], [10, nan], [nan, nan]]))
    assert s[0] == pytest.approx(skew, rel=1e-12) and k[0] == pytest.approx(kurt, rel=1e-12)
    assert not np.isnan(s[1]) and np.isnan(k[1])  # 3 values: a skewness, but a kurtosis needs 4


# --- aggregate -------------------------------------------------------------------------------------


def test_means_drop_missing_children() -> None:
    x = np.array([[1.0, 4.0], [1.0, nan]])
    w = np.array([[1.0], [1.0]])
    np.testing.assert_allclose(aggregate_level(x, w, "a_amean", ["P"])[:, 0], [2.5, 1])
    np.testing.assert_allclose(aggregate_level(x, w, "a_gmean", ["P"])[:, 0], [2, 1])
    np.testing.assert_allclose(aggregate_level(x, w, "a_hmean", ["P"])[:, 0], [1.6, 1])
    np.testing.assert_allclose(aggregate_level(x, w, "a_genmean", ["P"], p=2)[:, 0], [math.sqrt(8.5), 1])
    with pytest.raises(ComputationError, match=r"^aggregate a_gmean: zero or negative values among the children of P"):
        aggregate_level(np.array([[0.0, 1.0]]), w, "a_gmean", ["P"])
    with pytest.raises(ComputationError, match="zero values"):
        aggregate_level(np.array([[0.0, 1.0]]), w, "a_hmean", ["P"])


def test_copeland_scores() -> None:
    x = np.array([[3.0, 1.0], [2.0, 2.0], [1.0, 1.0]])
    # U0 vs U1: wins child 1, loses child 2 → 0.5; U0 vs U2: win + tie → 0.75; U1 vs U2: win + win → 1
    np.testing.assert_allclose(a_copeland(x, np.array([1.0, 1.0])), [1.25, 1.5, 0.25])


def test_aggregate_hierarchy_options() -> None:
    structure = Structure.from_meta(small_meta())
    data = frame({"a": [10, nan, 30, 50], "b": [20, 40, nan, 60], "c": [1, 2, 3, nan]}, units=["A", "B", "C", "D"])
    out, used = aggregate(data, structure, structure.weight)
    np.testing.assert_allclose(out["P"], [17.5, 40, 30, 57.5])
    np.testing.assert_allclose(out["I"], [9.25, 21, 16.5, 57.5])
    assert used == {"a": 1.0, "b": 3.0, "c": 1.0, "P": 1.0, "Q": 1.0}
    thresh, _ = aggregate(data, structure, structure.weight, params={"dat_thresh": 0.75})
    np.testing.assert_array_equal(thresh["P"].isna(), [False, True, True, False])
    groups = pd.DataFrame({"G": ["x", "x", "y", "y"]})
    filled, _ = aggregate(
        data, structure, structure.weight, params={"missing": "group_mean", "group": "G"}, groups=groups
    )
    np.testing.assert_allclose(filled["P"], [17.5, (10 + 3 * 40) / 4, (30 + 3 * 60) / 4, 57.5])
    np.testing.assert_allclose(filled["Q"], [1, 2, 3, 3])
    top_geo, _ = aggregate(data, structure, structure.weight, by_level={3: {"method": "a_gmean", "params": {}}})
    np.testing.assert_allclose(top_geo["I"], np.sqrt(out["P"] * out["Q"]).fillna(out["P"]))


# --- weights ---------------------------------------------------------------------------------------


def test_ahp_consistent_matrix() -> None:
    w, cr = ahp_weights(np.array([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]]))
    np.testing.assert_allclose(w, [4 / 7, 2 / 7, 1 / 7])
    assert cr == pytest.approx(0, abs=1e-12)
    _, cr = ahp_weights(np.array([[1, 3, 1 / 3], [1 / 3, 1, 3], [3, 1 / 3, 1]]))
    assert cr > 0.1


def test_data_driven_weights() -> None:
    # p = (1/4, 3/4): e = 0.811…, d = 0.189…; a constant column: e = 1, d = 0; (1, 0): e = 0, d = 1
    d1 = 1 + (0.25 * math.log(0.25) + 0.75 * math.log(0.75)) / math.log(2)
    w = entropy_weights(np.array([[1.0, 1.0, 1.0], [3.0, 1.0, 0.0]]))
    np.testing.assert_allclose(w, [d1 / (d1 + 1), 0, 1 / (d1 + 1)])
    with pytest.raises(ComputationError, match="non-negative"):
        entropy_weights(np.array([[-1.0, 1.0], [1.0, 3.0]]))
    np.testing.assert_allclose(cv_weights(np.array([[1.0, 2.0], [3.0, 6.0]])), [0.5, 0.5])
    np.testing.assert_allclose(critic_weights(np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]])), [0.5, 0.5])
    rng = np.random.default_rng(0)
    base = rng.normal(size=200)
    x = np.column_stack([base + 0.1 * rng.normal(size=200), base + 0.1 * rng.normal(size=200), rng.normal(size=200)])
    w = pca_weights(x)
    assert w.sum() == pytest.approx(1) and w[2] < 0.1 < w[0]


def test_effective_weights_multiply_down_the_tree() -> None:
    structure = Structure.from_meta(small_meta())
    norm = normalise_within_parent(structure.weight, structure)
    assert norm == {"a": 0.25, "b": 0.75, "c": 1.0, "P": 0.5, "Q": 0.5, "I": 1.0}
    eff = effective_weights(structure.weight, structure).set_index("iCode")["EffWeight"]
    assert eff.to_dict() == {"a": 0.125, "b": 0.375, "c": 0.5, "P": 0.5, "Q": 0.5, "I": 1.0}


# --- analysis --------------------------------------------------------------------------------------


def test_analysis_helpers() -> None:
    data = frame({"a": [1, 2, 3, 4], "b": [2, 4, 6, 8], "c": [4, 3, 0, nan]})
    corr = correlations(data, ["a", "b"])
    assert corr.loc["a", "b"] == pytest.approx(1)
    assert correlations(data, ["a", "c"], "spearman").loc["a", "c"] == pytest.approx(-1)
    avail = data_availability(data)
    np.testing.assert_allclose(avail["Dat_Avail"], [1, 1, 1, 2 / 3])
    np.testing.assert_array_equal(avail["N_zero"], [0, 0, 1, 0])
    share, loadings = principal_components(data, ["a", "b"])
    np.testing.assert_allclose(share, [1, 0], atol=1e-12)
    np.testing.assert_allclose(loadings["PC1"], [math.sqrt(0.5)] * 2)


def test_imputation_without_gaps_returns_the_data() -> None:
    data = frame({"a": [1, 2], "b": [3, 4]})
    out = impute(data, ["a", "b"], "i_mean")
    pd.testing.assert_frame_equal(out, data)
    with pytest.raises(ValueError, match="unknown impute method 'i_mode'"):
        impute(data, ["a"], "i_mode")
