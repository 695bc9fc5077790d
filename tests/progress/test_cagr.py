"""Statistics Canada / Open SDG measure: ratio bands, no-target bands, and "not applicable" instead of NaN."""

import math

import pytest

from kechuang.progress import Colour, Series, Status, assess_cagr


def one_year(xt: float, direction: int = 1) -> Series:
    return Series(baseline=(2020, 100.0), observations=[(2021, xt)], direction=direction)


@pytest.mark.parametrize(
    ("xt", "status", "colour"),
    [
        (101.6, Status.SUBSTANTIAL, Colour.GREEN),
        (101.5, Status.SUBSTANTIAL, Colour.GREEN),  # CAGR = 1.5 % exactly
        (101.4, Status.MODERATE, Colour.YELLOW),
        (100.5, Status.MODERATE, Colour.YELLOW),  # 0.5 %
        (100.4, Status.LIMITED, Colour.RED),
        (100.0, Status.LIMITED, Colour.RED),  # 0
        (99.9, Status.DETERIORATION, Colour.RED),
    ],
)
def test_no_target_bands(xt: float, status: Status, colour: Colour) -> None:
    a = assess_cagr(one_year(xt))
    assert a.figures["cagr_observed"] == pytest.approx(xt / 100 - 1)
    assert (a.figures["cagr_required"], a.figures["ratio"]) == (None, None)
    assert (a.status, a.colour) == (status, colour)


def test_no_target_reverse_indicator() -> None:
    assert assess_cagr(one_year(98.0, direction=-1)).status is Status.SUBSTANTIAL
    assert assess_cagr(one_year(101.0, direction=-1)).status is Status.DETERIORATION


def with_target(xt: float, direction: int = 1, big_x: float = 100 * 1.1**5) -> Series:
    """CAGR_req = 10 % a year from 100 (2020) to X (2025); one year observed."""
    return Series(baseline=(2020, 100.0), observations=[(2021, xt)], target=(2025, big_x), direction=direction)


@pytest.mark.parametrize(
    ("xt", "ratio", "status"),
    [
        (109.5, 0.95, Status.SUBSTANTIAL),
        (109.4, 0.94, Status.MODERATE),
        (106.0, 0.6, Status.MODERATE),
        (105.9, 0.59, Status.LIMITED),
        (100.0, 0.0, Status.LIMITED),
        (99.0, -0.1, Status.DETERIORATION),
    ],
)
def test_ratio_bands(xt: float, ratio: float, status: Status) -> None:
    a = assess_cagr(with_target(xt))
    assert a.figures["cagr_required"] == pytest.approx(0.1)
    assert a.figures["ratio"] == pytest.approx(ratio)
    assert a.status is status


def test_target_achieved() -> None:
    a = assess_cagr(with_target(170.0))
    assert (a.status, a.status_en, a.colour, a.figures["ratio"]) == (
        Status.ACHIEVED,
        "target achieved",
        Colour.GREEN,
        None,
    )


def test_reverse_indicator_with_target() -> None:
    # 100 → 50 by 2025 (lower is better), 80 in 2022: CAGR_obs = 0.8^(1/2) − 1, CAGR_req = 0.5^(1/5) − 1.
    s = Series(baseline=(2020, 100.0), observations=[(2022, 80.0)], target=(2025, 50.0), direction=-1)
    a = assess_cagr(s)
    assert a.figures["ratio"] == pytest.approx((0.8**0.5 - 1) / (0.5**0.2 - 1))
    assert a.figures["ratio"] == pytest.approx(0.8156, abs=1e-4)  # −0.10557 / −0.12945
    assert a.status is Status.MODERATE


def test_missed_target_that_is_no_improvement_is_deterioration() -> None:
    s = Series(baseline=(2020, 100.0), observations=[(2022, 95.0)], target=(2025, 100.0))
    assert assess_cagr(s).status is Status.DETERIORATION


@pytest.mark.parametrize(
    ("series", "mentions"),
    [
        (Series(baseline=(2020, 0.0), observations=[(2022, 5.0)], target=(2025, 10.0)), "x0 = 0"),
        (Series(baseline=(2020, -3.0), observations=[(2022, 5.0)]), "x0 = -3"),
        (Series(baseline=(2020, 3.0), observations=[(2022, -1.0)], target=(2025, 10.0)), "xt = -1"),
        (Series(baseline=(2020, 3.0), observations=[(2022, 4.0)], target=(2025, 0.0)), "X = 0"),
        (Series(baseline=(2020, 3.0), target=(2025, 5.0)), "2020"),
        (
            Series(baseline=(2020, 3.0), observations=[(2021, 4.0)], target=(2025, 50.0), method="cumulative"),
            "累计",
        ),
    ],
)
def test_not_applicable_instead_of_nan(series: Series, mentions: str) -> None:
    a = assess_cagr(series)
    assert (a.status, a.status_zh, a.colour, a.figures) == (Status.NOT_APPLICABLE, "不适用", Colour.GREY, {})
    assert mentions in a.reason_zh
    assert a.reason_en


def test_growth_too_large_to_represent_is_not_applicable() -> None:
    s = Series(baseline=(2020, 1e-300), observations=[(2021, 1e300)])
    a = assess_cagr(s)
    assert a.status is Status.NOT_APPLICABLE
    assert all(v is None or math.isfinite(v) for v in a.figures.values())
