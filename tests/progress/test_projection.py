"""Projection: time-weighted least squares, hand-worked."""

import pytest

from kechuang.progress import Colour, Point, ProgressConfig, Series, Status, assess_projection, weighted_trend

POINTS = [Point(2020, 0.0), Point(2021, 10.0), Point(2022, 30.0)]


def test_weighted_trend_by_hand() -> None:
    # Half-life 1 year: weights 1/4, 1/2, 1. With u = t − 2020: ū = (0 + 1/2 + 2)/(7/4) = 10/7, v̄ = 35/(7/4) = 20,
    # Σw(u − ū)(v − v̄) = 65 − 50 = 15, Σw(u − ū)² = 4.5 − 25/7 = 13/14, slope = 210/13.
    trend = weighted_trend(POINTS, half_life_years=1.0)
    assert trend.mean_year == pytest.approx(2020 + 10 / 7)
    assert trend.mean_value == pytest.approx(20.0)
    assert trend.slope == pytest.approx(210 / 13)
    assert trend.at(2025) == pytest.approx(20 + 750 / 13)  # 77.69


def test_long_half_life_is_ordinary_least_squares() -> None:
    assert weighted_trend(POINTS, half_life_years=1e9).slope == pytest.approx(15.0)


def series(big_x: float, direction: int = 1) -> Series:
    return Series(baseline=POINTS[0], observations=POINTS[1:], target=(2025, big_x), direction=direction)


def test_status_and_colours() -> None:
    cfg = ProgressConfig(projection_half_life_years=1.0)
    on = assess_projection(series(75.0), cfg)
    assert (on.status, on.colour) == (Status.ON_TRACK, Colour.GREEN)
    near = assess_projection(series(80.0), cfg)  # projected 77.69 = 97.1 % of the planned change
    assert (near.status, near.colour) == (Status.OFF_TRACK, Colour.YELLOW)
    assert near.figures["projected_value"] == pytest.approx(20 + 750 / 13)
    assert near.figures["projected_gap"] == pytest.approx(20 + 750 / 13 - 80)
    assert near.figures["shortfall_points"] == pytest.approx(100 * (1 - (20 + 750 / 13) / 80), abs=1e-8)
    far = assess_projection(series(100.0), cfg)
    assert (far.status, far.colour) == (Status.OFF_TRACK, Colour.RED)
    assert "半衰期 1 年" in far.reason_zh


def test_two_points_give_the_straight_line() -> None:
    s = Series(baseline=(2020, 99.04), observations=[(2022, 125.0)], target=(2025, 150.0))
    a = assess_projection(s)
    assert a.figures["slope"] == pytest.approx(12.98)
    assert a.figures["projected_value"] == pytest.approx(99.04 + 5 * 12.98)
    assert a.status is Status.ON_TRACK


def test_reverse_indicator() -> None:
    s = Series(baseline=(2020, 10.0), observations=[(2021, 9.0), (2022, 8.0)], target=(2025, 6.0), direction=-1)
    assert assess_projection(s).status is Status.ON_TRACK  # projected 5
    s = Series(baseline=(2020, 10.0), observations=[(2021, 9.9), (2022, 9.8)], target=(2025, 6.0), direction=-1)
    assert (assess_projection(s).status, assess_projection(s).colour) == (Status.OFF_TRACK, Colour.RED)


def test_cumulative_projects_the_running_total() -> None:
    s = Series(
        baseline=(2020, 0.0),
        observations=[(2021, 100.0), (2022, 100.0)],
        target=(2025, 500.0),
        method="cumulative",
    )
    a = assess_projection(s)
    assert a.figures["projected_value"] == pytest.approx(500.0)
    assert a.status is Status.ON_TRACK  # exactly on the target counts as on track


def test_missed_target_that_is_no_improvement_is_red() -> None:
    s = Series(baseline=(2020, 100.0), observations=[(2022, 95.0)], target=(2025, 100.0))
    a = assess_projection(s)
    assert (a.status, a.colour, a.figures["projected_share"]) == (Status.OFF_TRACK, Colour.RED, None)


def test_not_applicable_without_target_or_data() -> None:
    assert assess_projection(Series(baseline=(2020, 1.0), observations=[(2021, 2.0)])).colour is Colour.GREY
    assert assess_projection(Series(baseline=(2020, 1.0), target=(2025, 2.0))).status is Status.NOT_APPLICABLE
