"""督办 (supervision) of dated items, and the conflict check between reported and measured progress."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator

from kechuang.progress._text import pct
from kechuang.progress.assessment import Assessment, Colour, Rule, Standing, Status, make_assessment
from kechuang.progress.series import InputValue


class Stage(StrEnum):
    """督办 stages in order: 立项 → 交办 → 签收 → 办理 → 反馈 → 复核 → 办结/销号."""

    INITIATED = "initiated"
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    HANDLING = "handling"
    FEEDBACK = "feedback"
    REVIEW = "review"
    CLOSED = "closed"

    @property
    def zh(self) -> str:
        """Chinese label of the stage."""
        return _STAGE_ZH[self]

    @property
    def order(self) -> int:
        """Position in the flow, 0 (立项) to 6 (办结/销号)."""
        return list(Stage).index(self)


_STAGE_ZH = {
    Stage.INITIATED: "立项",
    Stage.ASSIGNED: "交办",
    Stage.ACKNOWLEDGED: "签收",
    Stage.HANDLING: "办理",
    Stage.FEEDBACK: "反馈",
    Stage.REVIEW: "复核",
    Stage.CLOSED: "办结/销号",
}


class SupervisionItem(BaseModel):
    """One 督办 item: its current stage, its deadline and, once closed, the closing date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    stage: Stage
    deadline: date
    closed_on: date | None = None

    @model_validator(mode="after")
    def _closed_date_only_when_closed(self) -> SupervisionItem:
        if self.closed_on is not None and self.stage is not Stage.CLOSED:
            raise ValueError("closed_on is only given for an item at the 办结/销号 stage")
        return self


def supervision_status(item: SupervisionItem, today: date, reminder_days: int = 7) -> Assessment:
    """Supervision status of ``item`` on ``today``, with ``days_left = deadline − today`` (in days).

    办结/销号 → closed (green; the reason notes a closing after the deadline); otherwise ``days_left < 0`` →
    overdue (red); ``0 <= days_left <= reminder_days`` → deadline approaching (yellow; due today included);
    ``days_left > reminder_days`` → in progress (green). ``figures``: days_left, stage_index (0 = 立项 … 6).
    Raises ValueError when ``reminder_days`` is negative.
    """
    if reminder_days < 0:
        raise ValueError("reminder_days must be >= 0")
    days_left = (item.deadline - today).days
    inputs: dict[str, InputValue] = {
        "title": item.title,
        "stage": item.stage.value,
        "deadline": item.deadline.isoformat(),
        "today": today.isoformat(),
        "reminder_days": reminder_days,
        "closed_on": None if item.closed_on is None else item.closed_on.isoformat(),
    }
    where_zh = f"“{item.title}”处于{item.stage.zh}阶段，期限 {item.deadline.isoformat()}"
    where_en = f"'{item.title}' is at stage {item.stage.value}, deadline {item.deadline.isoformat()}"
    if item.stage is Stage.CLOSED:
        status, colour = Status.CLOSED, Colour.GREEN
        verdict_zh, verdict_en = "已办结销号。", "closed."
        if item.closed_on is not None:
            late = (item.closed_on - item.deadline).days
            verdict_zh = f"已于 {item.closed_on.isoformat()} 办结" + (f"，逾期 {late} 天。" if late > 0 else "。")
            verdict_en = f"closed on {item.closed_on.isoformat()}" + (f", {late} day(s) late." if late > 0 else ".")
    elif days_left < 0:
        status, colour = Status.OVERDUE, Colour.RED
        verdict_zh, verdict_en = f"已逾期 {-days_left} 天。", f"overdue by {-days_left} day(s)."
    elif days_left <= reminder_days:
        status, colour = Status.DUE_SOON, Colour.YELLOW
        verdict_zh = f"距期限 {days_left} 天，在 {reminder_days} 天提醒期内。"
        verdict_en = f"{days_left} day(s) to the deadline, within the {reminder_days}-day reminder window."
    else:
        status, colour = Status.IN_PROGRESS, Colour.GREEN
        verdict_zh = f"距期限 {days_left} 天，正常办理。"
        verdict_en = f"{days_left} day(s) to the deadline: in progress."
    return make_assessment(
        Rule.SUPERVISION,
        status,
        colour,
        inputs=inputs,
        figures={"days_left": float(days_left), "stage_index": float(item.stage.order)},
        needed=None,
        reason_zh=f"{where_zh}（{today.isoformat()}）：{verdict_zh}",
        reason_en=f"{where_en} (as of {today.isoformat()}): {verdict_en}",
    )


class ConflictCheck(BaseModel):
    """Result of ``check_conflict``: whether a task's reported completion contradicts its indicators."""

    model_config = ConfigDict(frozen=True)

    task: str
    reported_completion: float
    conflict: bool
    behind: tuple[str, ...]
    reason_zh: str
    reason_en: str


def check_conflict(task: str, reported_completion: float, indicators: Mapping[str, Assessment]) -> ConflictCheck:
    """Flag a task reported done (``reported_completion >= 1``, i.e. ≥ 100 %; pass 1.0 for 办结) while an
    indicator linked to it is behind (standing ``behind``: 滞后 under the elapsed rule, or the off-track
    statuses of the other rules). ``behind`` lists those indicators in input order.
    """
    behind = tuple(name for name, a in indicators.items() if a.standing is Standing.BEHIND)
    reported = pct(reported_completion)
    if reported_completion < 1:
        return ConflictCheck(
            task=task,
            reported_completion=reported_completion,
            conflict=False,
            behind=behind,
            reason_zh=f"任务“{task}”报告进度 {reported}，尚未报完成，不构成矛盾。",
            reason_en=f"Task '{task}' reports {reported}, not done, so there is no conflict.",
        )
    if not behind:
        return ConflictCheck(
            task=task,
            reported_completion=reported_completion,
            conflict=False,
            behind=(),
            reason_zh=f"任务“{task}”报告完成 {reported}，关联的 {len(indicators)} 项指标均无滞后。",
            reason_en=(
                f"Task '{task}' reports {reported} and none of its {len(indicators)} linked indicator(s) is behind."
            ),
        )
    listed_zh = "、".join(f"{name}（{indicators[name].status_zh}）" for name in behind)
    listed_en = "; ".join(f"{name} ({indicators[name].status_en})" for name in behind)
    return ConflictCheck(
        task=task,
        reported_completion=reported_completion,
        conflict=True,
        behind=behind,
        reason_zh=f"矛盾：任务“{task}”报告完成 {reported}，但关联指标 {listed_zh} 滞后，请核实。",
        reason_en=f"Conflict: task '{task}' reports {reported} but its linked indicator(s) {listed_en} are behind.",
    )
