"""The worked check of PROGRESS-METHODS.md: 每万人发明专利拥有量, x0 = 99.04 (2020), X = 150 (2025)."""

import pytest

from kechuang.progress import Colour, Rule, Series, Status, annual_growth_needed, assess


def patents(xt: float) -> Series:
    return Series(baseline=(2020, 99.04), observations=[(2022, xt)], target=(2025, 150))


def test_125_in_2022_is_ahead_of_schedule() -> None:
    a = assess(patents(125), Rule.ELAPSED)
    assert a.figures["achieved_share"] == pytest.approx(0.51, abs=0.005)
    assert a.figures["elapsed_share"] == pytest.approx(0.40)
    assert (a.status, a.status_zh, a.colour) == (Status.AHEAD, "快于预期", Colour.GREEN)
    assert "A = (125 − 99.04)/(150 − 99.04) = 50.9%" in a.reason_zh


def test_125_in_2022_cagr_ratio_and_sdsn_arrow() -> None:
    cagr = assess(patents(125), Rule.CAGR)
    assert cagr.figures["ratio"] == pytest.approx(1.43, abs=0.005)
    assert cagr.status is Status.SUBSTANTIAL
    sdsn = assess(patents(125), Rule.SDSN)
    assert sdsn.figures["observed_rate"] == pytest.approx(12.98)
    assert sdsn.figures["required_rate"] == pytest.approx(10.19, abs=0.005)
    assert sdsn.status is Status.ON_TRACK
    assert sdsn.status_zh.startswith("↑")


def test_105_in_2022_is_lagging_with_limited_progress() -> None:
    a = assess(patents(105), Rule.ELAPSED)
    assert a.figures["achieved_share"] == pytest.approx(0.12, abs=0.005)
    assert (a.status, a.status_zh) == (Status.LAGGING, "滞后")
    assert a.figures["gap_points"] == pytest.approx(28.3, abs=0.05)
    assert a.colour is Colour.YELLOW
    cagr = assess(patents(105), Rule.CAGR)
    assert cagr.figures["ratio"] == pytest.approx(0.34, abs=0.005)
    assert (cagr.status, cagr.status_en) == (Status.LIMITED, "limited progress")


def test_growth_still_needed_from_125() -> None:
    needed = annual_growth_needed(patents(125))
    assert needed.years_left == 3
    assert needed.compound == pytest.approx((150 / 125) ** (1 / 3) - 1)
    assert needed.linear == pytest.approx(25 / 3)
    assert assess(patents(125)).needed == needed
