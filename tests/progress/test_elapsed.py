"""序时进度: hand-worked cases for each branch, reverse indicators, 累计法, colour and δ edges."""

import pytest

from kechuang.progress import (
    Colour,
    Direction,
    ProgressConfig,
    Series,
    Standing,
    Status,
    assess_elapsed,
    completion_rate,
)


def revised(series: Series, **changes: object) -> Series:
    """A validated copy of ``series`` with some fields replaced."""
    return Series.model_validate({**series.model_dump(), **changes})


def decade(xt: float, **kwargs: object) -> Series:
    """x0 = 0 (2020), X = 100 (2030), observed in 2025: E = 0.5 and A = xt/100, so edges are exact."""
    return Series(baseline=(2020, 0.0), observations=[(2025, xt)], target=(2030, 100.0), **kwargs)


@pytest.mark.parametrize(
    ("xt", "status", "gap", "colour"),
    [
        (100, Status.ACHIEVED, -50.0, Colour.GREEN),
        (56, Status.AHEAD, -6.0, Colour.GREEN),
        (55, Status.AHEAD, -5.0, Colour.GREEN),  # A − E = δ exactly: ahead
        (54, Status.ON_SCHEDULE, -4.0, Colour.GREEN),
        (46, Status.ON_SCHEDULE, 4.0, Colour.GREEN),
        (45, Status.LAGGING, 5.0, Colour.GREEN),  # |A − E| = δ is not < δ: lagging
        (40, Status.LAGGING, 10.0, Colour.GREEN),  # gap 10 points: still green
        (39, Status.LAGGING, 11.0, Colour.YELLOW),
        (20, Status.LAGGING, 30.0, Colour.YELLOW),  # gap 30 points: still yellow
        (19, Status.LAGGING, 31.0, Colour.RED),
        (-10, Status.LAGGING, 60.0, Colour.RED),
    ],
)
def test_delta_and_colour_edges(xt: float, status: Status, gap: float, colour: Colour) -> None:
    a = assess_elapsed(decade(xt))
    assert a.figures["elapsed_share"] == 0.5
    assert (a.status, a.figures["gap_points"], a.colour) == (status, gap, colour)


def test_configurable_thresholds() -> None:
    cfg = ProgressConfig(delta=0.1, green_max_gap_points=5, yellow_max_gap_points=15)
    assert assess_elapsed(decade(55), cfg).status is Status.ON_SCHEDULE
    assert assess_elapsed(decade(41), cfg).status is Status.ON_SCHEDULE
    assert assess_elapsed(decade(40), cfg).colour is Colour.YELLOW
    assert assess_elapsed(decade(34), cfg).colour is Colour.RED
    a = assess_elapsed(decade(40), cfg)
    assert (a.inputs["delta"], a.inputs["green_max_gap_points"], a.inputs["yellow_max_gap_points"]) == (0.1, 5, 15)


def test_config_rejects_disordered_thresholds() -> None:
    with pytest.raises(ValueError):
        ProgressConfig(green_max_gap_points=40)
    with pytest.raises(ValueError):
        ProgressConfig(cagr_moderate_ratio=0.99)


def test_reverse_indicator() -> None:
    # 万元 GDP 能耗: 0.50 (2020) → target 0.40 (2025), lower is better; 0.45 in 2023.
    # A = (0.45 − 0.50)/(0.40 − 0.50) = 0.5, E = 3/5 = 0.6, A − E = −0.1 → 滞后, gap 10 points → green.
    s = Series(baseline=(2020, 0.50), observations=[(2023, 0.45)], target=(2025, 0.40), direction=Direction.LOWER)
    a = assess_elapsed(s)
    assert a.figures["achieved_share"] == pytest.approx(0.5)
    assert a.figures["elapsed_share"] == pytest.approx(0.6)
    assert (a.status, a.figures["gap_points"], a.colour) == (Status.LAGGING, 10.0, Colour.GREEN)
    assert a.figures["completion"] == pytest.approx(0.40 / 0.45)  # inverted ratio X/xt
    assert "逆向" in a.reason_zh
    assert assess_elapsed(revised(s, observations=[(2023, 0.39)])).status is Status.ACHIEVED


def test_negative_planned_value() -> None:
    # A loss cut from −2.0 (2020) to a planned −1.0 (2025); −1.5 in 2022:
    # A = 0.5/1.0 = 0.5, E = 0.4 → 快于预期; completion = 2 − (−1.5)/(−1.0) = 0.5.
    a = assess_elapsed(Series(baseline=(2020, -2.0), observations=[(2022, -1.5)], target=(2025, -1.0)))
    assert a.status is Status.AHEAD
    assert a.figures["achieved_share"] == pytest.approx(0.5)
    assert a.figures["completion"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("actual", "plan", "direction", "expected"),
    [
        (80.0, 100.0, Direction.HIGHER, 0.8),
        (-50.0, -100.0, Direction.HIGHER, 1.5),  # 2 − actual/plan
        (-150.0, -100.0, Direction.HIGHER, 0.5),
        (50.0, -100.0, Direction.HIGHER, 2.5),
        (0.5, 0.4, Direction.LOWER, 0.8),  # plan/actual
        (-6.0, -5.0, Direction.LOWER, 1.2),  # actual/plan, the mirror of 2 − actual/plan
        (1.0, -5.0, Direction.LOWER, -0.2),
        (0.0, 0.4, Direction.LOWER, None),
        (5.0, 0.0, Direction.HIGHER, None),
    ],
)
def test_completion_rate(actual: float, plan: float, direction: Direction, expected: float | None) -> None:
    result = completion_rate(actual, plan, direction)
    assert result == (None if expected is None else pytest.approx(expected))


def test_binding_lagging_raises_early_warning() -> None:
    binding = assess_elapsed(decade(20, binding="binding"))
    assert binding.status is Status.LAGGING and binding.warning
    assert "预警" in binding.reason_zh and "early warning" in binding.reason_en
    assert not assess_elapsed(decade(20)).warning
    assert not assess_elapsed(decade(60, binding="binding")).warning


def test_target_that_is_no_improvement() -> None:
    # Hold at 100: missing it is 滞后 and red, A undefined; meeting it is achieved.
    hold = Series(baseline=(2020, 100.0), observations=[(2022, 99.0)], target=(2025, 100.0))
    a = assess_elapsed(hold)
    assert (a.status, a.colour, a.figures["achieved_share"], a.figures["gap_points"]) == (
        Status.LAGGING,
        Colour.RED,
        None,
        None,
    )
    met = Series(baseline=(2020, 100.0), observations=[(2022, 101.0)], target=(2025, 100.0))
    assert assess_elapsed(met).status is Status.ACHIEVED


def test_cumulative_on_time_share() -> None:
    # Five-year total 500 over 2021–2025; 90 + 110 = 200 by 2022: A = 0.4, E = 0.4 → 基本符合预期.
    s = Series(
        baseline=(2020, 70.0),
        observations=[(2021, 90.0), (2022, 110.0)],
        target=(2025, 500.0),
        method="cumulative",
    )
    a = assess_elapsed(s)
    assert a.status is Status.ON_SCHEDULE
    assert a.figures["cumulative_total"] == 200.0
    assert a.figures["achieved_share"] == pytest.approx(0.4)
    assert a.figures["elapsed_share"] == pytest.approx(0.4)
    assert a.figures["completion"] == pytest.approx(1.0)  # Σ actual / Σ planned to date
    assert a.needed is not None and a.needed.linear == pytest.approx(100.0)


def test_cumulative_with_annual_targets() -> None:
    # Annual targets 80, 100, 100, 110, 110: planned by 2022 = 180, E = 180/500 = 0.36.
    annual = [(2021, 80.0), (2022, 100.0), (2023, 100.0), (2024, 110.0), (2025, 110.0)]
    on = Series(
        baseline=(2020, 0.0),
        observations=[(2021, 90.0), (2022, 110.0)],
        target=(2025, 500.0),
        method="cumulative",
        annual_targets=annual,
    )
    a = assess_elapsed(on)
    assert a.figures["elapsed_share"] == pytest.approx(0.36)
    assert a.figures["planned_to_date"] == pytest.approx(180.0)
    assert a.figures["completion"] == pytest.approx(200 / 180)
    assert a.status is Status.ON_SCHEDULE  # A − E = 0.04 < δ
    ahead = revised(on, observations=[(2021, 150.0), (2022, 130.0)])
    assert assess_elapsed(ahead).status is Status.AHEAD  # A = 0.56, A − E = 0.20
    done = revised(on, observations=[(2021, 300.0), (2022, 200.0)])
    assert assess_elapsed(done).status is Status.ACHIEVED


@pytest.mark.parametrize(
    ("amounts", "target_year", "status", "colour"),
    [
        ([15.0, 15.0], 2025, Status.AHEAD, Colour.GREEN),  # used A = 0.3 of the cap, E = 0.4: E − A = 0.1
        ([30.0, 30.0], 2025, Status.LAGGING, Colour.YELLOW),  # A = 0.6, E − A = −0.2, gap 20 points
        ([60.0, 50.0], 2025, Status.LAGGING, Colour.RED),  # 110 > cap 100: lagging and red
        ([19.0] * 5, 2025, Status.ACHIEVED, Colour.GREEN),  # 95 ≤ 100 in the target year
    ],
)
def test_cumulative_cap(amounts: list[float], target_year: int, status: Status, colour: Colour) -> None:
    s = Series(
        baseline=(2020, 0.0),
        observations=[(2021 + i, v) for i, v in enumerate(amounts)],
        target=(target_year, 100.0),
        method="cumulative",
        direction=-1,
    )
    a = assess_elapsed(s)
    assert (a.status, a.colour) == (status, colour)
    assert "上限" in a.reason_zh


def test_not_applicable_without_target_or_observation() -> None:
    no_target = assess_elapsed(Series(baseline=(2020, 1.0), observations=[(2021, 2.0)]))
    no_data = assess_elapsed(Series(baseline=(2020, 1.0), target=(2025, 2.0)))
    for a in (no_target, no_data):
        assert (a.status, a.colour, a.standing, a.figures) == (
            Status.NOT_APPLICABLE,
            Colour.GREY,
            Standing.NOT_APPLICABLE,
            {},
        )
    assert "目标" in no_target.reason_zh and "观测" in no_data.reason_zh
    assert no_data.needed is not None and no_data.needed.linear == pytest.approx(0.2)


def test_overflowing_figures_are_not_applicable() -> None:
    # A target 1e-310 above the baseline makes A overflow: say so instead of showing "inf %".
    a = assess_elapsed(Series(baseline=(2020, 0.0), observations=[(2021, 1.0)], target=(2025, 1e-310)))
    assert (a.status, a.colour, a.figures) == (Status.NOT_APPLICABLE, Colour.GREY, {})
    assert "可表示范围" in a.reason_zh
