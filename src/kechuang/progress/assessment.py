"""The result of every rule: status, colour, inputs, figures and a reason in Chinese and English."""

from __future__ import annotations

import math
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from kechuang.progress.series import InputValue


class Rule(StrEnum):
    """The rule that produced an Assessment."""

    ELAPSED = "elapsed"
    SDSN = "sdsn"
    CAGR = "cagr"
    PROJECTION = "projection"
    SUPERVISION = "supervision"


class Status(StrEnum):
    """Status codes; which codes a rule can return is fixed by the label table below."""

    ACHIEVED = "achieved"
    AHEAD = "ahead"
    ON_SCHEDULE = "on_schedule"
    LAGGING = "lagging"
    ON_TRACK = "on_track"
    MODERATELY_IMPROVING = "moderately_improving"
    STAGNATING = "stagnating"
    DECREASING = "decreasing"
    SUBSTANTIAL = "substantial"
    MODERATE = "moderate"
    LIMITED = "limited"
    DETERIORATION = "deterioration"
    OFF_TRACK = "off_track"
    CLOSED = "closed"
    IN_PROGRESS = "in_progress"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NOT_APPLICABLE = "not_applicable"


class Colour(StrEnum):
    """Traffic-light colour; GREY is used only for "not applicable"."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    GREY = "grey"

    @property
    def zh(self) -> str:
        """Chinese label: 绿 / 黄 / 红 / 灰."""
        return {"green": "绿", "yellow": "黄", "red": "红", "grey": "灰"}[self.value]


class Standing(StrEnum):
    """Rule-independent meaning of a status, used by the roll-up and the conflict check (worst last)."""

    MET = "met"
    ON_TRACK = "on_track"
    PARTIAL = "partial"
    BEHIND = "behind"
    NOT_APPLICABLE = "not_applicable"

    @property
    def zh(self) -> str:
        """Chinese label: 已实现 / 正常 / 需加快 / 滞后 / 不适用."""
        return {"met": "已实现", "on_track": "正常", "partial": "需加快", "behind": "滞后"}.get(self.value, "不适用")


STATUS_LABELS: dict[tuple[Rule, Status], tuple[str, str, Standing]] = {
    (Rule.ELAPSED, Status.ACHIEVED): ("提前实现", "target achieved", Standing.MET),
    (Rule.ELAPSED, Status.AHEAD): ("快于预期", "ahead of schedule", Standing.ON_TRACK),
    (Rule.ELAPSED, Status.ON_SCHEDULE): ("基本符合预期", "broadly on schedule", Standing.ON_TRACK),
    (Rule.ELAPSED, Status.LAGGING): ("滞后", "behind schedule", Standing.BEHIND),
    (Rule.SDSN, Status.ON_TRACK): ("↑ 正常推进", "↑ on track", Standing.ON_TRACK),
    (Rule.SDSN, Status.MODERATELY_IMPROVING): ("➚ 温和改善", "➚ moderately improving", Standing.PARTIAL),
    (Rule.SDSN, Status.STAGNATING): ("→ 停滞", "→ stagnating", Standing.BEHIND),
    (Rule.SDSN, Status.DECREASING): ("↓ 倒退", "↓ decreasing", Standing.BEHIND),
    (Rule.CAGR, Status.ACHIEVED): ("已实现目标", "target achieved", Standing.MET),
    (Rule.CAGR, Status.SUBSTANTIAL): ("显著进展", "substantial progress", Standing.ON_TRACK),
    (Rule.CAGR, Status.MODERATE): ("一定进展，需加快", "moderate progress", Standing.PARTIAL),
    (Rule.CAGR, Status.LIMITED): ("进展有限", "limited progress", Standing.BEHIND),
    (Rule.CAGR, Status.DETERIORATION): ("倒退", "deterioration", Standing.BEHIND),
    (Rule.PROJECTION, Status.ON_TRACK): ("按趋势可如期实现", "on track by trend", Standing.ON_TRACK),
    (Rule.PROJECTION, Status.OFF_TRACK): ("按趋势难以如期实现", "off track by trend", Standing.BEHIND),
    (Rule.SUPERVISION, Status.CLOSED): ("已办结", "closed", Standing.MET),
    (Rule.SUPERVISION, Status.IN_PROGRESS): ("正常办理", "in progress", Standing.ON_TRACK),
    (Rule.SUPERVISION, Status.DUE_SOON): ("临近期限", "deadline approaching", Standing.PARTIAL),
    (Rule.SUPERVISION, Status.OVERDUE): ("已逾期", "overdue", Standing.BEHIND),
}


class NeededGrowth(BaseModel):
    """Annual growth still needed from the latest value to the target (see ``annual_growth_needed``)."""

    model_config = ConfigDict(frozen=True)

    years_left: int | None
    compound: float | None
    linear: float | None
    note_zh: str
    note_en: str


class Assessment(BaseModel):
    """One rule's verdict on one item.

    ``inputs`` holds the series (t0, x0, t, xt, T, X, direction, method, binding) and every threshold the rule
    used; ``figures`` holds the rule's intermediate numbers (keys listed in each rule's docstring); ``needed``
    is the annual growth still needed (None for supervision items); ``warning`` is the 预警 flag.
    """

    model_config = ConfigDict(frozen=True)

    rule: Rule
    status: Status
    status_zh: str
    status_en: str
    colour: Colour
    standing: Standing
    warning: bool
    inputs: dict[str, InputValue]
    figures: dict[str, float | None]
    needed: NeededGrowth | None
    reason_zh: str
    reason_en: str


def make_assessment(
    rule: Rule,
    status: Status,
    colour: Colour,
    *,
    inputs: dict[str, InputValue],
    figures: dict[str, float | None],
    needed: NeededGrowth | None,
    reason_zh: str,
    reason_en: str,
    warning: bool = False,
) -> Assessment:
    """Build an Assessment, taking its labels and standing from the (rule, status) table.

    An assessment never shows a non-finite figure: if any figure overflowed (e.g. a target within 1e-300 of the
    baseline), the result is "not applicable" with that reason instead. Raises KeyError for a status the rule
    does not define.
    """
    if not all(value is None or math.isfinite(value) for value in figures.values()):
        return not_applicable(
            rule,
            inputs=inputs,
            needed=needed,
            reason_zh="数值超出可表示范围（如目标与基期之差过小或数值过大），无法给出有限的结果。",
            reason_en="The figures overflow (e.g. a target almost equal to the baseline, or huge values).",
        )
    status_zh, status_en, standing = STATUS_LABELS[(rule, status)]
    return Assessment(
        rule=rule,
        status=status,
        status_zh=status_zh,
        status_en=status_en,
        colour=colour,
        standing=standing,
        warning=warning,
        inputs=inputs,
        figures=figures,
        needed=needed,
        reason_zh=reason_zh,
        reason_en=reason_en,
    )


def not_applicable(
    rule: Rule,
    *,
    inputs: dict[str, InputValue],
    needed: NeededGrowth | None,
    reason_zh: str,
    reason_en: str,
) -> Assessment:
    """The "不适用 / not applicable" Assessment (grey, no figures) with the reason the rule cannot be applied."""
    return Assessment(
        rule=rule,
        status=Status.NOT_APPLICABLE,
        status_zh="不适用",
        status_en="not applicable",
        colour=Colour.GREY,
        standing=Standing.NOT_APPLICABLE,
        warning=False,
        inputs=inputs,
        figures={},
        needed=needed,
        reason_zh=reason_zh,
        reason_en=reason_en,
    )
