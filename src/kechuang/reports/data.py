"""Reading what a report needs from the services, as of an evaluation year and date.

Nothing here computes a verdict of its own: indicator statuses come from ``kechuang.progress`` with the
inputs ``kechuang.assessment`` gathers, supervision statuses from ``kechuang.supervision``, index figures
from ``kechuang.index_results``, opinions from ``kechuang.comments``. The one addition is the cut-off:
an evaluation of year Y uses the observations of years up to Y only (:func:`indicator_progress_as_of`,
which calls ``assessment.progress.assess_indicator`` with that cut-off).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kechuang.assessment.progress import (
    IndicatorProgress,
    assess_indicator,
    final_years,
    indicators_by_task,
    items_by_task,
)
from kechuang.comments.models import Comment
from kechuang.comments.service import summary as comment_summary
from kechuang.core import clock
from kechuang.indicators.models import Indicator, Observation
from kechuang.indicators.profile_service import profiles
from kechuang.indicators.profiles import IndicatorProfile, IndicatorTarget
from kechuang.plan import service as plans
from kechuang.plan.models import PlanElement, PlanVersion
from kechuang.progress import (
    Assessment,
    ProgressConfig,
    RollUp,
    Rule,
    Series,
    Standing,
    Status,
    assess,
    roll_up,
)
from kechuang.submissions.models import ReportingPeriod, Submission, SubmissionValue
from kechuang.supervision.models import SupervisionItem

SOURCE_KIND_ZH = {"plan_text": "规划原文", "published": "官方发布", "submission": "部门填报（已审批）",
                  "demo": "演示数据"}


# ---------------------------------------------------------------- indicators


@dataclass(frozen=True)
class IndicatorRow:
    """One monitored indicator as of the evaluation year: the monitoring assessment with its series, the
    elapsed-time figures (完成度 A, 序时进度 E) and what the data-quality annex needs."""

    progress: IndicatorProgress
    series: Series | None
    achieved_share: float | None
    elapsed_share: float | None
    provisional_years: tuple[int, ...]
    revised_years: tuple[tuple[int, int], ...]

    @property
    def indicator(self) -> Indicator:
        return self.progress.indicator

    @property
    def profile(self) -> IndicatorProfile | None:
        return self.progress.profile

    @property
    def assessment(self) -> Assessment:
        return self.progress.assessment

    @property
    def target(self) -> IndicatorTarget | None:
        return self.progress.target

    @property
    def latest(self) -> Observation | None:
        return self.progress.observations[-1] if self.progress.observations else None

    @property
    def demo(self) -> bool:
        """Whether demonstration settings or values enter the row (target, values or the profile itself)."""
        return bool(self.progress.uses_demo or (self.profile is not None and self.profile.is_demo))

    @property
    def lagging(self) -> bool:
        """Behind or only partly on track by its rule (滞后 / 需加快)."""
        return self.assessment.standing in (Standing.BEHIND, Standing.PARTIAL)


def on_record(o: Observation, as_of: dt.date) -> bool:
    """Whether an observation was on record on the cut-off day ``as_of``: a published figure released by then, an
    approved value stored (approved) before the end of that day, a figure of the plan text always."""
    from kechuang.reports.index_view import released_by

    if o.source_kind == "plan_text":
        return True
    if o.source_kind == "published":
        return released_by(o.released_on, as_of)
    return before_cutoff(o.created_at, as_of)


def indicator_progress_as_of(session: Session, indicator: Indicator, finals: tuple[int, ...],
                             year: int, as_of: dt.date | None = None) -> tuple[IndicatorProgress, Series | None]:
    """``assessment.progress.indicator_progress`` with observations of years up to ``year`` only, and, with
    ``as_of``, only those on record on that day (:func:`on_record`); also returns the series assessed (None when
    there is none)."""
    keep = None if as_of is None else (lambda o: on_record(o, as_of))
    return assess_indicator(session, indicator, finals, until=year, keep=keep)


def _submission_flags(session: Session, indicator_id: int, years: set[int]) -> tuple[tuple[int, ...],
                                                                                   tuple[tuple[int, int], ...]]:
    """Years whose approved value is provisional (初步数), and (year, revision) of revised submissions."""
    if not years:
        return (), ()
    rows = session.execute(
        select(ReportingPeriod.year, SubmissionValue.final, Submission.revision)
        .join(Submission, SubmissionValue.submission_id == Submission.id)
        .join(ReportingPeriod, Submission.period_id == ReportingPeriod.id)
        .where(SubmissionValue.indicator_id == indicator_id, Submission.state == "approved",
               SubmissionValue.value.is_not(None), ReportingPeriod.year.in_(sorted(years)))
        .order_by(ReportingPeriod.year)).all()
    provisional = tuple(sorted({y for y, final, _ in rows if not final}))
    revised = tuple(sorted({(y, r) for y, _, r in rows if r}))
    return provisional, revised


def indicator_rows(session: Session, version: PlanVersion, year: int,
                   as_of: dt.date | None = None) -> list[IndicatorRow]:
    """Every indicator with monitoring settings of kind plan or both, by code, assessed as of ``year`` (and of the
    cut-off day ``as_of``, when given: the values on record then)."""
    finals = final_years(version)
    out = []
    for profile in profiles(session, version.plan_id):
        if profile.kind not in ("plan", "both"):
            continue
        progress, series = indicator_progress_as_of(session, profile.indicator, finals, year, as_of)
        a_share = e_share = None
        if series is not None and series.latest is not None and series.target is not None:
            figures = (progress.assessment.figures if progress.assessment.rule is Rule.ELAPSED
                       else assess(series, Rule.ELAPSED).figures)
            a_share, e_share = figures.get("achieved_share"), figures.get("elapsed_share")
        sub_years = {o.year for o in progress.observations if o.source_kind in ("submission", "demo")}
        provisional, revised = _submission_flags(session, profile.indicator_id, sub_years)
        out.append(IndicatorRow(progress, series, a_share, e_share, provisional, revised))
    return out


def version_at(session: Session, plan_code: str | None, as_of: dt.date) -> PlanVersion:
    """The plan version in force on the cut-off day: the newest stored by the end of ``as_of`` (a plan adjustment
    adopted later, with its targets and key projects, is not in a report as of that day); version 1, the plan as
    issued, when every version was stored later (a plan loaded into the system after the cut-off)."""
    versions = plans.list_versions(session, plan_code)
    if not versions:
        return plans.latest_version(session, plan_code)  # raises PlanNotFound naming the plan
    return next((v for v in reversed(versions) if before_cutoff(v.created_at, as_of)), versions[0])


# ---------------------------------------------------------------- tasks, projects, supervision


@dataclass
class TaskRow:
    task: PlanElement
    area: PlanElement
    indicators: list[IndicatorRow]
    rollup: RollUp
    items: list[tuple[SupervisionItem, Assessment]]
    projects: list[PlanElement] = field(default_factory=list)

    @property
    def overdue(self) -> list[tuple[SupervisionItem, Assessment]]:
        return [(i, a) for i, a in self.items if a.status is Status.OVERDUE]

    @property
    def closed(self) -> list[tuple[SupervisionItem, Assessment]]:
        return [(i, a) for i, a in self.items if a.status is Status.CLOSED]


def task_rows(session: Session, version: PlanVersion, rows: list[IndicatorRow], as_of: dt.date) -> list[TaskRow]:
    """The plan's tasks in order, each with its linked indicators' roll-up, its supervision items (those set up by
    the end of the cut-off day ``as_of``, with their status on that day) and its key projects."""
    elements = plans.elements(session, version)
    by_code = {e.code: e for e in elements}
    parent = {e.code: e.parent_code for e in elements}
    tasks = {e.code for e in elements if e.kind == "task"}
    by_id = {r.indicator.id: r for r in rows}
    linked = {task: {ind.id: by_id[ind.id] for ind in inds if ind.id in by_id}
              for task, inds in indicators_by_task(session, version).items()}
    items: dict[str, list[tuple[SupervisionItem, Assessment]]] = {}
    for task_code, pairs in items_by_task(session, version, as_of).items():
        kept = [(item, status) for item, status in pairs if before_cutoff(item.created_at, as_of)]
        if kept:  # an item set up after the cut-off day is not in a report as of that day
            items[task_code] = kept
    projects: dict[str, list[PlanElement]] = {}
    for e in elements:
        if e.kind == "project":
            task = plans.task_of(e.code, parent, tasks)
            if task is not None:
                projects.setdefault(task, []).append(e)
    out = []
    for e in elements:
        if e.kind != "task":
            continue
        task_inds = sorted(linked.get(e.code, {}).values(), key=lambda r: r.indicator.code)
        rollup = roll_up(e.title_zh, {r.indicator.name_zh: r.assessment for r in task_inds})
        out.append(TaskRow(e, by_code[e.parent_code or ""], task_inds, rollup, items.get(e.code, []),
                           projects.get(e.code, [])))
    return out


# ---------------------------------------------------------------- opinions


@dataclass(frozen=True)
class Opinions:
    topics: list[dict[str, object]]
    replied: list[Comment]
    received: int
    published: int
    with_reply: int
    demo: bool


def cutoff_moment(as_of: dt.date) -> dt.datetime:
    """The end of the cut-off day ``as_of`` in the plan's time zone, as an aware moment: what was received,
    published or answered before it is in a report as of that day."""
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(0), tzinfo=clock.zone())


def before_cutoff(moment: dt.datetime | None, as_of: dt.date) -> bool:
    """Whether a stored moment (naive UTC or aware) lies before the end of the cut-off day."""
    if moment is None:
        return False
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware < cutoff_moment(as_of)


def opinions(session: Session, plan_id: int, as_of: dt.date, limit: int = 30) -> Opinions:
    """Public opinions received by the end of the cut-off day ``as_of``: counts by topic (as
    ``comments.service.summary`` groups them), published and answered as of that day, and the latest ``limit``
    published comments with an official reply given by then. A comment received, published or answered after
    the cut-off is counted as it stood on the cut-off day (not received, pending, not answered)."""
    comments = [c for c in session.scalars(
        select(Comment).where(Comment.plan_id == plan_id)
        .options(selectinload(Comment.reply), selectinload(Comment.campaign)).order_by(Comment.id))
        if before_cutoff(c.submitted_at, as_of)]

    def published(c: Comment) -> bool:
        return c.status == "published" and before_cutoff(c.moderated_at, as_of)

    def replied(c: Comment) -> bool:
        return c.reply is not None and before_cutoff(c.reply.replied_at, as_of)

    kept = {c.id for c in comments}
    topics = []
    for t in comment_summary(session, plan_id, keep=lambda c: c.id in kept,
                             status=lambda c: c.status if c.status != "published" or published(c) else "pending",
                             answered=replied):
        if t.received:
            topics.append(t.model_dump())
    answered = [c for c in comments if published(c) and replied(c)][-limit:]
    demo = any(comment_is_demo(c) for c in comments)
    return Opinions(topics=topics, replied=answered, received=len(comments),
                    published=sum(published(c) for c in comments),
                    with_reply=sum(replied(c) for c in comments), demo=demo)


def percent_as_of(item: SupervisionItem, as_of: dt.date) -> int:
    """The progress (%) of a supervision item by its last progress report before the end of the cut-off day
    (0 when none was filed by then)."""
    filed = [r for r in item.reports if before_cutoff(r.at, as_of)]
    return max(filed, key=lambda r: (r.at, r.id)).percent if filed else 0


def comment_is_demo(comment: Comment) -> bool:
    return bool(comment.is_demo or (comment.campaign is not None and comment.campaign.is_demo))


def progress_config() -> ProgressConfig:
    """The thresholds the progress rules use (defaults of ``kechuang.progress``)."""
    return ProgressConfig()
