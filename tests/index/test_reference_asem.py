"""Variant A of the COINr ASEM reference case, reproduced stage by stage (COINr 1.1.14 outputs)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from kechuang.index.analysis import cronbach_alpha, indicator_stats
from kechuang.index.pipeline import Result

STAGES = [
    ("Raw", "A_base_01_Raw.csv"),
    ("Denominated", "A_base_02_Denominated.csv"),
    ("Imputed", "A_base_03_Imputed.csv"),
    ("Screened", "A_base_04_Screened.csv"),
    ("Treated", "A_base_05_Treated.csv"),
    ("Normalised", "A_base_06_Normalised.csv"),
    ("Aggregated", "A_base_07_Aggregated.csv"),
]
RTOL, ATOL = 1e-9, 1e-12


def assert_values_close(mine: pd.DataFrame, ref: pd.DataFrame) -> None:
    """Same units in the same order, same missing cells, values within 1e-9 (relative)."""
    assert list(mine.index) == list(ref.index)
    a = mine[ref.columns].to_numpy(dtype=float)
    b = ref.to_numpy(dtype=float)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)


@pytest.mark.parametrize(("stage", "file"), STAGES)
def test_stage_matches_coinr(
    variant_a: Result, reference: Callable[[str], pd.DataFrame], stage: str, file: str
) -> None:
    ref = reference(file)
    mine = variant_a.stages[stage].set_index("uCode")
    assert set(mine.columns) - {"Time"} == set(ref.columns)
    assert_values_close(mine, ref)


def test_every_stage_is_kept(variant_a: Result) -> None:
    assert list(variant_a.stages) == [name for name, _ in STAGES]


def test_scores_and_ranks_match_coinr(variant_a: Result, reference: Callable[[str], pd.DataFrame]) -> None:
    scores = reference("A_base_results_scores.csv")
    ranks = reference("A_base_results_ranks.csv")
    mine_scores = variant_a.scores.set_index("uCode").loc[scores.index]
    np.testing.assert_allclose(
        mine_scores[ranks.columns].to_numpy(dtype=float),
        scores[ranks.columns].to_numpy(dtype=float),
        rtol=RTOL,
        atol=ATOL,
    )
    mine_ranks = variant_a.ranks.set_index("uCode").loc[ranks.index, ranks.columns]
    np.testing.assert_array_equal(mine_ranks.to_numpy(dtype=np.int64), ranks.to_numpy(dtype=np.int64))
    np.testing.assert_array_equal(mine_ranks["Index"].to_numpy(dtype=np.int64), scores["Rank"].to_numpy(dtype=np.int64))


def test_treatment_details_match_coinr(variant_a: Result, reference: Callable[[str], pd.DataFrame]) -> None:
    ref = reference("A_base_treat_details.csv")
    assert variant_a.treatment is not None
    mine = variant_a.treatment.details.set_index("iCode").loc[ref.index]
    np.testing.assert_array_equal(mine["pass_0"].to_numpy(dtype=bool), ref["check_SkewKurt0.Pass"].to_numpy())
    np.testing.assert_allclose(mine["skew_0"], ref["check_SkewKurt0.Skew"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(mine["kurt_0"], ref["check_SkewKurt0.Kurt"], rtol=RTOL, atol=ATOL)
    treated = ref["winsorise.nwin"].notna().to_numpy()
    np.testing.assert_array_equal(mine["n_winsorised"].notna().to_numpy(), treated)
    np.testing.assert_array_equal(
        mine.loc[treated, "n_winsorised"].to_numpy(dtype=np.int64),
        ref.loc[treated, "winsorise.nwin"].to_numpy(dtype=np.int64),
    )
    np.testing.assert_array_equal(
        mine.loc[treated, "pass_1"].to_numpy(dtype=bool), ref.loc[treated, "check_SkewKurt1.Pass"].to_numpy()
    )
    np.testing.assert_allclose(
        mine.loc[treated, "skew_1"], ref.loc[treated, "check_SkewKurt1.Skew"], rtol=RTOL, atol=ATOL
    )
    np.testing.assert_allclose(
        mine.loc[treated, "kurt_1"], ref.loc[treated, "check_SkewKurt1.Kurt"], rtol=RTOL, atol=ATOL
    )
    assert set(mine.loc[treated, "treatment"]) == {"winsorise"}
    assert (mine["fallback"] == "").all()  # no indicator needed the log fallback in variant A


def test_treated_points_explain_every_change(variant_a: Result) -> None:
    assert variant_a.treatment is not None
    points = variant_a.treatment.points
    before = variant_a.stages["Screened"].set_index("uCode")
    after = variant_a.stages["Treated"].set_index("uCode")
    changed = before.drop(columns="Time").ne(after.drop(columns="Time")).stack()
    changed = changed[changed]
    assert sorted(zip(points["uCode"], points["iCode"], strict=True)) == sorted(changed.index)
    details = variant_a.treatment.details.set_index("iCode")
    assert points.groupby("iCode").size().to_dict() == details["n_winsorised"].dropna().astype(int).to_dict()
    for row in points.itertuples():
        assert before.at[row.uCode, row.iCode] == row.original
        assert after.at[row.uCode, row.iCode] == row.treated
        assert row.reason == ("winhi" if row.treated < row.original else "winlo")


def test_indicator_statistics_match_coinr(variant_a: Result, reference: Callable[[str], pd.DataFrame]) -> None:
    ref = reference("A_base_stats_raw.csv")
    mine = indicator_stats(variant_a.stages["Raw"], nsignif=3).set_index("iCode").loc[ref.index]
    # COINr counted unique values on its binary data; the CSV export (15 significant digits) merges two
    # pairs of TolMin values that differ in the last bit, so N.Unique/Frc.Unique differ there only.
    unique_cols = ["N.Unique", "Frc.Unique"]
    for column in ref.columns:
        a, b = mine[column], ref[column]
        if column in unique_cols:
            a, b = a.drop("TolMin"), b.drop("TolMin")
        if b.dtype.kind in "fi":
            np.testing.assert_array_equal(a.to_numpy(dtype=float), b.to_numpy(dtype=float), err_msg=column)
        else:
            assert a.tolist() == b.tolist(), column
    assert (mine.at["TolMin", "N.Unique"], ref.at["TolMin", "N.Unique"]) == (40, 42)


def test_statistics_unrounded_agree_with_treatment_check(variant_a: Result) -> None:
    assert variant_a.treatment is not None
    stats = indicator_stats(variant_a.stages["Screened"]).set_index("iCode")
    details = variant_a.treatment.details.set_index("iCode")
    np.testing.assert_allclose(stats["Skew"], details["skew_0"], rtol=1e-12)
    np.testing.assert_allclose(stats["Kurt"], details["kurt_0"], rtol=1e-12)


def test_cronbach_alpha_matches_coinr(variant_a: Result, reference: Callable[[str], pd.DataFrame]) -> None:
    ref = reference("A_base_cronbach.csv").set_index("group")["cronbach_alpha"]
    normalised = variant_a.stages["Normalised"]
    for group, alpha in ref.items():
        codes = variant_a.structure.descendants(group, 1)
        assert cronbach_alpha(normalised, codes) == pytest.approx(alpha, rel=1e-9)


def test_effective_weights_match_coinr(variant_a: Result, reference: Callable[[str], pd.DataFrame]) -> None:
    ref = reference("A_base_effective_weights.csv")
    mine = variant_a.weights.set_index("iCode").loc[ref.index]
    np.testing.assert_array_equal(mine["Level"].to_numpy(), ref["Level"].to_numpy())
    np.testing.assert_allclose(mine["Weight"], ref["Weight"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(mine["EffWeight"], ref["EffWeight"], rtol=1e-12)
    original = reference("A_base_weights_original.csv")
    np.testing.assert_allclose(mine.loc[original.index, "Weight"], original["Weight"], rtol=RTOL, atol=ATOL)


def test_effective_weights_sum_to_one_per_level(variant_a: Result) -> None:
    sums = variant_a.weights.groupby("Level")["EffWeight"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, rtol=1e-12)


def test_data_availability_matches_coinr(variant_a: Result, reference: Callable[[str], pd.DataFrame]) -> None:
    ref = reference("A_base_screen_dataavail.csv")
    assert variant_a.screening is not None
    mine = variant_a.screening.set_index("uCode").loc[ref.index]
    for column in ref.columns:
        if ref[column].dtype == bool:
            np.testing.assert_array_equal(mine[column].to_numpy(dtype=bool), ref[column].to_numpy(), column)
        else:
            np.testing.assert_allclose(
                mine[column].to_numpy(dtype=float),
                ref[column].to_numpy(dtype=float),
                rtol=RTOL,
                atol=ATOL,
                err_msg=column,
            )
