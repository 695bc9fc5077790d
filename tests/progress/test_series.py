"""Validation and derived paths of the Series input."""

import math

import pytest
from pydantic import ValidationError

from kechuang.progress import Method, Point, Series


def test_tuples_are_accepted_and_observations_sorted() -> None:
    s = Series(baseline=(2020, 1.0), observations=[(2023, 3.0), (2021, 2.0)], target=(2025, 5.0))
    assert s.observations == (Point(2021, 2.0), Point(2023, 3.0))
    assert s.latest == Point(2023, 3.0)
    assert s.path() == (Point(2020, 1.0), Point(2021, 2.0), Point(2023, 3.0))


def test_inputs_record() -> None:
    s = Series(baseline=(2020, 1.0), observations=[(2022, 2.0)], target=(2025, 5.0), direction=-1)
    assert s.inputs() == {
        "t0": 2020,
        "x0": 1.0,
        "t": 2022,
        "xt": 2.0,
        "T": 2025,
        "X": 5.0,
        "direction": -1,
        "method": "level",
        "binding": "guiding",
    }


@pytest.mark.parametrize(
    "kwargs",
    [
        {"observations": [(2020, 1.0)]},  # not after the baseline
        {"observations": [(2021, 1.0), (2021, 2.0)]},  # duplicate year
        {"target": (2020, 5.0)},  # target year not after the baseline
        {"observations": [(2026, 1.0)], "target": (2025, 5.0)},  # after the target year
        {"observations": [(2021, math.nan)]},  # not finite
        {"annual_targets": [(2021, 1.0)], "target": (2021, 1.0)},  # level method has no annual targets
    ],
)
def test_invalid_series_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Series(baseline=(2020, 1.0), **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"observations": [(2021, 1.0)]},  # no target
        {"observations": [(2021, 1.0)], "target": (2025, 0.0)},  # total not positive
        {"observations": [(2021, 1.0), (2023, 1.0)], "target": (2025, 9.0)},  # gap in the years
        {"observations": [(2022, 1.0)], "target": (2025, 9.0)},  # does not start at t0 + 1
        {"target": (2023, 9.0), "annual_targets": [(2021, 3.0), (2022, 3.0)]},  # 2023 missing
        {"target": (2022, 9.0), "annual_targets": [(2021, -1.0), (2022, 3.0)]},  # negative
        {"target": (2022, 9.0), "annual_targets": [(2021, 0.0), (2022, 0.0)]},  # all zero
    ],
)
def test_invalid_cumulative_series_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Series(baseline=(2020, 0.0), method=Method.CUMULATIVE, **kwargs)


def test_cumulative_path_is_running_totals_from_zero() -> None:
    s = Series(
        baseline=(2020, 70.0),
        observations=[(2021, 90.0), (2022, 110.0)],
        target=(2025, 500.0),
        method="cumulative",
    )
    assert s.path() == (Point(2020, 0.0), Point(2021, 90.0), Point(2022, 200.0))
    assert s.planned_to_date(2022) == pytest.approx(200.0)


def test_planned_to_date_follows_annual_targets() -> None:
    s = Series(
        baseline=(2020, 0.0),
        target=(2023, 300.0),
        method="cumulative",
        annual_targets=[(2023, 150.0), (2021, 50.0), (2022, 100.0)],
    )
    assert [s.planned_to_date(y) for y in (2020, 2021, 2022, 2023)] == [0.0, 50.0, 150.0, 300.0]


def test_planned_to_date_needs_a_target() -> None:
    with pytest.raises(ValueError, match="target"):
        Series(baseline=(2020, 1.0)).planned_to_date(2021)
