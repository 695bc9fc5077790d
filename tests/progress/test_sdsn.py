"""SDSN arrows: r = (X − x0)/(T − t0), g = (xt − x0)/(t − t0), bands at r and 0.5·r."""

import pytest

from kechuang.progress import Colour, ProgressConfig, Series, Status, assess_sdsn


def decade(xt: float, direction: int = 1, x0: float = 0.0, big_x: float = 100.0) -> Series:
    """Observed in 2024, four years after 2020; target year 2030."""
    return Series(baseline=(2020, x0), observations=[(2024, xt)], target=(2030, big_x), direction=direction)


@pytest.mark.parametrize(
    ("xt", "status", "colour"),
    [
        (40.0, Status.ON_TRACK, Colour.GREEN),  # g = 10 = r
        (39.0, Status.MODERATELY_IMPROVING, Colour.YELLOW),
        (21.0, Status.MODERATELY_IMPROVING, Colour.YELLOW),  # g = 5.25 > 0.5·r
        (20.0, Status.STAGNATING, Colour.RED),  # g = 5 = 0.5·r
        (0.0, Status.STAGNATING, Colour.RED),  # g = 0
        (-4.0, Status.DECREASING, Colour.RED),  # g = −1
    ],
)
def test_bands_and_edges(xt: float, status: Status, colour: Colour) -> None:
    a = assess_sdsn(decade(xt))
    assert a.figures["required_rate"] == pytest.approx(10.0)
    assert a.figures["observed_rate"] == pytest.approx(xt / 4)
    assert (a.status, a.colour) == (status, colour)


@pytest.mark.parametrize(
    ("xt", "status"),
    [(8.0, Status.ON_TRACK), (8.5, Status.MODERATELY_IMPROVING), (9.0, Status.STAGNATING), (11.0, Status.DECREASING)],
)
def test_reverse_indicator_flips_signs(xt: float, status: Status) -> None:
    # 10 → 5 by 2030 (lower is better): r = −0.5 a year; 8 by 2024 is g = −0.5 (on track), 9 is g = −0.25.
    a = assess_sdsn(decade(xt, direction=-1, x0=10.0, big_x=5.0))
    assert a.status is status
    assert a.figures["required_rate"] == pytest.approx(-0.5)


def test_target_met_and_held_is_on_track() -> None:
    assert assess_sdsn(decade(50.0, x0=50.0, big_x=50.0)).status is Status.ON_TRACK
    assert assess_sdsn(decade(49.0, x0=50.0, big_x=50.0)).status is Status.DECREASING


def test_moderate_fraction_is_configurable() -> None:
    cfg = ProgressConfig(sdsn_moderate_fraction=0.25)
    assert assess_sdsn(decade(20.0), cfg).status is Status.MODERATELY_IMPROVING
    assert assess_sdsn(decade(10.0), cfg).status is Status.STAGNATING


def test_cumulative_uses_running_totals() -> None:
    s = Series(
        baseline=(2020, 0.0),
        observations=[(2021, 100.0), (2022, 100.0)],
        target=(2025, 500.0),
        method="cumulative",
    )
    a = assess_sdsn(s)
    assert (a.figures["required_rate"], a.figures["observed_rate"], a.status) == (100.0, 100.0, Status.ON_TRACK)


def test_not_applicable_cases() -> None:
    cap = Series(
        baseline=(2020, 0.0), observations=[(2021, 10.0)], target=(2025, 100.0), method="cumulative", direction=-1
    )
    no_target = Series(baseline=(2020, 1.0), observations=[(2021, 2.0)])
    for series in (cap, no_target):
        a = assess_sdsn(series)
        assert (a.status, a.colour) == (Status.NOT_APPLICABLE, Colour.GREY)
    assert "上限" in assess_sdsn(cap).reason_zh
