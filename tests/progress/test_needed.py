"""Annual growth still needed: compound (X/xt)^(1/(T−t)) − 1 and linear (X − xt)/(T − t)."""

import pytest

from kechuang.progress import Series, annual_growth_needed


def test_from_the_latest_value() -> None:
    needed = annual_growth_needed(Series(baseline=(2020, 80.0), observations=[(2023, 100.0)], target=(2025, 121.0)))
    assert needed.years_left == 2
    assert needed.compound == pytest.approx(0.1)  # 100 · 1.1² = 121
    assert needed.linear == pytest.approx(10.5)
    assert "10.0%" in needed.note_zh and "10.5" in needed.note_en


def test_from_the_baseline_before_any_observation() -> None:
    needed = annual_growth_needed(Series(baseline=(2020, 100.0), target=(2022, 121.0)))
    assert needed.years_left == 2
    assert needed.compound == pytest.approx(0.1)
    assert needed.linear == pytest.approx(10.5)


def test_reverse_target_needs_a_fall() -> None:
    needed = annual_growth_needed(Series(baseline=(2020, 0.5), observations=[(2023, 0.45)], target=(2025, 0.4)))
    assert needed.compound == pytest.approx((0.4 / 0.45) ** 0.5 - 1)
    assert needed.linear == pytest.approx(-0.025)


def test_non_positive_values_have_no_compound_rate() -> None:
    needed = annual_growth_needed(Series(baseline=(2020, -2.0), observations=[(2022, -1.5)], target=(2025, -1.0)))
    assert needed.compound is None
    assert needed.linear == pytest.approx(0.5 / 3)
    assert "复合增速不适用" in needed.note_zh


def test_target_year_reached_or_no_target() -> None:
    at_end = annual_growth_needed(Series(baseline=(2020, 1.0), observations=[(2025, 2.0)], target=(2025, 3.0)))
    assert (at_end.years_left, at_end.compound, at_end.linear) == (0, None, None)
    no_target = annual_growth_needed(Series(baseline=(2020, 1.0), observations=[(2021, 2.0)]))
    assert (no_target.years_left, no_target.compound, no_target.linear) == (None, None, None)
    assert "目标" in no_target.note_zh


def test_cumulative_needs_the_remaining_total_per_year() -> None:
    s = Series(
        baseline=(2020, 0.0),
        observations=[(2021, 90.0), (2022, 110.0)],
        target=(2025, 500.0),
        method="cumulative",
    )
    needed = annual_growth_needed(s)
    assert (needed.years_left, needed.compound) == (3, None)
    assert needed.linear == pytest.approx(100.0)
    assert "累计法" in needed.note_zh
