"""督办 statuses around the deadline edges, and the conflict check."""

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from kechuang.progress import (
    Assessment,
    Colour,
    Series,
    Stage,
    Status,
    SupervisionItem,
    assess_elapsed,
    assess_sdsn,
    check_conflict,
    roll_up,
    supervision_status,
)

DEADLINE = date(2024, 6, 30)
ITEM = SupervisionItem(title="建设概念验证中心", stage=Stage.HANDLING, deadline=DEADLINE)


def test_stage_order_and_labels() -> None:
    assert [s.zh for s in Stage] == ["立项", "交办", "签收", "办理", "反馈", "复核", "办结/销号"]
    assert [s.order for s in Stage] == list(range(7))


@pytest.mark.parametrize(
    ("days_before", "status", "colour"),
    [
        (30, Status.IN_PROGRESS, Colour.GREEN),
        (8, Status.IN_PROGRESS, Colour.GREEN),
        (7, Status.DUE_SOON, Colour.YELLOW),  # first day of the 7-day reminder window
        (1, Status.DUE_SOON, Colour.YELLOW),
        (0, Status.DUE_SOON, Colour.YELLOW),  # due today is not yet overdue
        (-1, Status.OVERDUE, Colour.RED),
        (-40, Status.OVERDUE, Colour.RED),
    ],
)
def test_deadline_edges(days_before: int, status: Status, colour: Colour) -> None:
    a = supervision_status(ITEM, DEADLINE - timedelta(days=days_before), reminder_days=7)
    assert (a.status, a.colour, a.figures["days_left"]) == (status, colour, days_before)
    assert a.figures["stage_index"] == 3
    assert a.inputs["deadline"] == "2024-06-30"


def test_reasons() -> None:
    overdue = supervision_status(ITEM, date(2024, 7, 3))
    assert "已逾期 3 天" in overdue.reason_zh and "overdue by 3 day(s)" in overdue.reason_en
    assert "办理" in overdue.reason_zh


def test_zero_reminder_window() -> None:
    assert supervision_status(ITEM, DEADLINE, reminder_days=0).status is Status.DUE_SOON
    assert supervision_status(ITEM, DEADLINE - timedelta(days=1), reminder_days=0).status is Status.IN_PROGRESS
    with pytest.raises(ValueError):
        supervision_status(ITEM, DEADLINE, reminder_days=-1)


def test_closed_items_are_green_even_after_the_deadline() -> None:
    closed = SupervisionItem(title="x", stage=Stage.CLOSED, deadline=DEADLINE, closed_on=date(2024, 7, 3))
    a = supervision_status(closed, date(2024, 9, 1))
    assert (a.status, a.colour, a.status_zh) == (Status.CLOSED, Colour.GREEN, "已办结")
    assert "逾期 3 天" in a.reason_zh
    on_time = SupervisionItem(title="x", stage=Stage.CLOSED, deadline=DEADLINE, closed_on=date(2024, 6, 1))
    assert "逾期" not in supervision_status(on_time, date(2024, 9, 1)).reason_zh
    undated = SupervisionItem(title="x", stage=Stage.CLOSED, deadline=DEADLINE)
    assert supervision_status(undated, date(2024, 9, 1)).status is Status.CLOSED


def test_closed_on_needs_the_closed_stage() -> None:
    with pytest.raises(ValidationError):
        SupervisionItem(title="x", stage=Stage.REVIEW, deadline=DEADLINE, closed_on=DEADLINE)


def test_supervision_items_roll_up() -> None:
    task = roll_up(
        "督办事项",
        {
            "甲": supervision_status(ITEM, DEADLINE - timedelta(days=3)),
            "乙": supervision_status(ITEM, DEADLINE - timedelta(days=30)),
        },
    )
    assert (task.colour, task.drivers) == (Colour.YELLOW, ("甲",))


LAGGING = assess_elapsed(Series(baseline=(2020, 99.04), observations=[(2022, 105.0)], target=(2025, 150.0)))
AHEAD = assess_elapsed(Series(baseline=(2020, 99.04), observations=[(2022, 125.0)], target=(2025, 150.0)))
STAGNATING = assess_sdsn(Series(baseline=(2020, 99.04), observations=[(2022, 105.0)], target=(2025, 150.0)))
UNASSESSED = assess_elapsed(Series(baseline=(2020, 1.0), observations=[(2021, 2.0)]))


def test_conflict_when_done_but_an_indicator_lags() -> None:
    check = check_conflict("任务一", 1.0, {"专利": LAGGING, "转化": AHEAD, "未评": UNASSESSED})
    assert check.conflict
    assert check.behind == ("专利",)
    assert "专利（滞后）" in check.reason_zh and "矛盾" in check.reason_zh


def test_other_rules_off_track_also_conflict() -> None:
    assert check_conflict("任务一", 1.2, {"专利": STAGNATING}).behind == ("专利",)


@pytest.mark.parametrize(
    ("reported", "indicators"),
    [(0.99, {"专利": LAGGING}), (1.0, {"转化": AHEAD, "未评": UNASSESSED}), (1.0, {})],
)
def test_no_conflict(reported: float, indicators: dict[str, Assessment]) -> None:
    check = check_conflict("任务一", reported, indicators)
    assert not check.conflict
    assert check.reason_zh and check.reason_en
