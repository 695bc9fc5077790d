"""Ranks, growth, CAGR and the decomposition of a composite's change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kechuang.index.pipeline import build
from kechuang.index.results import cagr, decompose_change, decompose_years, growth, growth_rate, ranks
from kechuang.index.spec import parse_spec


def test_cagr_of_the_plan_example() -> None:
    scores = pd.DataFrame({"uCode": ["YP", "YP"], "Time": [2013, 2019], "Index": [100.0, 261.4]})
    rate = cagr(scores, 2013, 2019)
    assert rate.columns.tolist() == ["uCode", "Index"]
    assert round(100 * rate.at[0, "Index"], 1) == 17.4
    assert float(growth_rate(100.0, 261.4, 6)) == pytest.approx(2.614 ** (1 / 6) - 1, rel=1e-15)


def test_cagr_missing_year_gives_nan() -> None:
    scores = pd.DataFrame({"uCode": ["A", "A", "B"], "Time": [2020, 2022, 2022], "x": [100.0, 121.0, 5.0]})
    rate = cagr(scores, 2020, 2022).set_index("uCode")["x"]
    assert rate["A"] == pytest.approx(0.1) and np.isnan(rate["B"])


def test_year_on_year_growth_needs_the_previous_year() -> None:
    scores = pd.DataFrame({"uCode": ["A"] * 4, "Time": [2019, 2020, 2021, 2023], "x": [100.0, 110.0, 99.0, 120.0]})
    np.testing.assert_allclose(growth(scores)["x"], [np.nan, 0.1, -0.1, np.nan])


def test_ranks_highest_first_ties_share_lowest() -> None:
    scores = pd.DataFrame({"uCode": list("ABCDE"), "Time": [2020] * 5, "x": [50.0, 70.0, 50.0, np.nan, 10.0]})
    r = ranks(scores)
    assert r["x"].tolist() == [2, 1, 2, pd.NA, 4]
    assert str(r["x"].dtype) == "Int32"


def test_ranks_are_per_year() -> None:
    scores = pd.DataFrame({"uCode": ["A", "A", "B", "B"], "Time": [1, 2, 1, 2], "x": [1.0, 5.0, 2.0, 3.0]})
    assert ranks(scores)["x"].tolist() == [2, 1, 1, 2]


def test_decomposition_of_an_arithmetic_mean(asem_panel: pd.DataFrame, asem_meta: pd.DataFrame) -> None:
    spec = parse_spec(
        {
            "steps": [
                {"step": "impute", "method": "impute_panel", "params": {"imp_type": "constant"}},
                {"step": "screen", "method": "byNA"},
                {"step": "normalise", "method": "n_minmax", "global": True},
                {"step": "aggregate", "method": "a_amean"},
            ]
        }
    )
    result = build(asem_panel, asem_meta, spec)
    parts = decompose_change(result.scores, result.child_weights("Conn"), "Conn", 2018, 2022)
    assert parts.columns.tolist() == [
        "uCode",
        "iCode",
        "weight",
        "start",
        "end",
        "contribution",
        "share_pct",
        "parent_change",
    ]
    per_unit = parts.groupby("uCode").agg(
        total=("contribution", "sum"), pct=("share_pct", "sum"), delta=("parent_change", "first")
    )
    np.testing.assert_allclose(per_unit["total"], per_unit["delta"], atol=1e-10)
    np.testing.assert_allclose(per_unit["pct"], 100, rtol=1e-9)
    aut = parts[parts["uCode"] == "AUT"].set_index("iCode")
    np.testing.assert_allclose(aut["contribution"], aut["weight"] * (aut["end"] - aut["start"]))
    np.testing.assert_allclose(aut["weight"], 0.2)
    # every consecutive pair at once gives what decompose_change gives pair by pair
    unit = result.scores[result.scores["uCode"] == "AUT"]
    years = decompose_years(unit, result.child_weights("Conn"), "Conn")
    for y0, y1 in ((2018, 2019), (2021, 2022)):
        one = decompose_change(unit, result.child_weights("Conn"), "Conn", y0, y1).set_index("iCode")
        both = years[(years["year_from"] == y0) & (years["year_to"] == y1)].set_index("iCode")
        for col in ("weight", "start", "end", "contribution", "share_pct", "parent_change"):
            np.testing.assert_allclose(both[col], one[col], rtol=1e-12, equal_nan=True)
