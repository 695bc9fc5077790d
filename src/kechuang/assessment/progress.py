"""Progress of the plan from approved data: per indicator (with the rule chosen in its profile), rolled up
per task and area, beside the supervision items, with the conflicts between the two.

The rules themselves are ``kechuang.progress``; this module only gathers their inputs from the database:

- baseline ``(t0, x0)``: the profile's baseline (entered by the plan office, normally from the plan text);
- observations: approved annual values after ``t0`` (source kinds plan_text, published, submission, and demo:
  a demonstration department's approved values, which make the assessment 演示数据), one per year — a
  submitted value wins over a published one, which wins over the plan text; a found figure of low confidence
  (``confidence == "low"``: not official) never enters;
- target ``(T, X)``: the earliest final target (the plan's end year or vision year: 2025, then 2035) not
  before the latest observation; targets of other years are interim targets. Under 累计法, when interim
  targets cover every year ``t0+1..T−1``, they and ``X − Σ interim`` become the annual plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kechuang.indicators.models import Indicator, Observation
from kechuang.indicators.profile_service import links, profile_of, profiles
from kechuang.indicators.profiles import IndicatorProfile, IndicatorTarget
from kechuang.indicators.service import list_indicators
from kechuang.plan import service as plans
from kechuang.plan.models import PlanElement, PlanVersion
from kechuang.progress import (
    Assessment,
    Binding,
    ConflictCheck,
    Direction,
    Method,
    Point,
    RollUp,
    Rule,
    Series,
    assess,
    check_conflict,
    roll_up,
)
from kechuang.progress.assessment import not_applicable
from kechuang.supervision.models import SupervisionItem
from kechuang.supervision.service import item_status, plan_items

KIND_RANK = {"submission": 0, "demo": 0, "published": 1, "plan_text": 2}


@dataclass(frozen=True)
class IndicatorProgress:
    """One indicator's assessment with what it was computed from."""

    indicator: Indicator
    profile: IndicatorProfile | None
    assessment: Assessment
    observations: tuple[Observation, ...]
    target: IndicatorTarget | None

    @property
    def uses_demo(self) -> bool:
        """Whether a demonstration target or demonstration values enter the assessment."""
        return bool((self.target and self.target.is_demo) or any(o.is_demo for o in self.observations))


def _assessed_rows(session: Session, indicator_ids: list[int], after_year: int) -> list[Observation]:
    """The approved annual observations of ``indicator_ids`` after ``after_year`` that may enter an assessment,
    by year and id (one query)."""
    return list(session.scalars(select(Observation).where(
        Observation.indicator_id.in_(indicator_ids), Observation.year > after_year, Observation.period.is_(None),
        Observation.source_kind.in_(tuple(KIND_RANK)), Observation.confidence != "low")
        .order_by(Observation.year, Observation.id)))


def _one_per_year(rows: list[Observation], keep: Callable[[Observation], bool] | None = None) -> list[Observation]:
    """One observation per year of one indicator's ``rows`` (ordered by year and id; those ``keep`` accepts, when
    given): the lowest ``KIND_RANK``, the latest among equals."""
    best: dict[int, Observation] = {}
    for obs in rows:
        if keep is not None and not keep(obs):
            continue
        held = best.get(obs.year)
        if held is None or KIND_RANK[obs.source_kind] <= KIND_RANK[held.source_kind]:
            best[obs.year] = obs
    return [best[y] for y in sorted(best)]


def assessed_observations(session: Session, indicator_id: int, after_year: int,
                          keep: Callable[[Observation], bool] | None = None) -> list[Observation]:
    """Approved annual observations after ``after_year`` (those ``keep`` accepts, when given), one per year (see
    the module doc for the choice)."""
    return _one_per_year(_assessed_rows(session, [indicator_id], after_year), keep)


def assessed_by_indicator(session: Session, indicator_ids: list[int]) -> dict[int, list[Observation]]:
    """:func:`assessed_observations` of every year for many indicators at once (one query; an indicator without
    observations is absent)."""
    rows: dict[int, list[Observation]] = {}
    for obs in _assessed_rows(session, indicator_ids, after_year=-1) if indicator_ids else []:
        rows.setdefault(obs.indicator_id, []).append(obs)
    return {i: _one_per_year(r) for i, r in rows.items()}


def latest_observation(session: Session, indicator_id: int) -> Observation | None:
    """The latest approved annual value of an indicator (any year; the same choice per year as the
    assessment makes: a submission over a published figure over the plan text), or None."""
    rows = assessed_observations(session, indicator_id, after_year=-1)
    return rows[-1] if rows else None


def final_years(version: PlanVersion) -> tuple[int, ...]:
    """The years whose targets are final targets: the plan's end year and its vision year."""
    meta = version.document["plan"]
    return tuple(sorted({int(meta["period_end"]), int(meta["vision_year"])}))


def approved_history(session: Session, indicator_id: int) -> list[Observation]:
    """Every stored observation of an indicator (plan text, published, approved submissions, labelled demo
    data), by year: what the public indicator page shows."""
    return list(session.scalars(select(Observation).where(Observation.indicator_id == indicator_id)
                                .order_by(Observation.year, Observation.period, Observation.id)))


def _target_for(profile: IndicatorProfile, latest_year: int | None, finals: tuple[int, ...]) -> IndicatorTarget | None:
    assert profile.baseline_year is not None
    floor = max(latest_year or 0, profile.baseline_year + 1)
    ahead = [t for t in profile.targets if t.year >= floor and t.year in finals]
    return min(ahead, key=lambda t: t.year) if ahead else None


def indicator_progress(session: Session, indicator: Indicator, finals: tuple[int, ...]) -> IndicatorProgress:
    """Assess ``indicator`` with its profile's rule against its final target (``finals``: see ``final_years``);
    not applicable (with the reason) when the profile has no baseline or the data do not fit the rule."""
    return assess_indicator(session, indicator, finals)[0]


def assess_indicator(session: Session, indicator: Indicator, finals: tuple[int, ...],
                     until: int | None = None,
                     keep: Callable[[Observation], bool] | None = None) -> tuple[IndicatorProgress, Series | None]:
    """:func:`indicator_progress` using observations of years up to ``until`` only (all when None), and only those
    ``keep`` accepts (an evaluation's cut-off day), with the series it assessed (None when there is none) —
    evaluation reports assess the data as of their year and day."""
    profile = profile_of(session, indicator.id)
    observations = [] if profile is None or profile.baseline_year is None else assessed_observations(
        session, indicator.id, profile.baseline_year, keep)
    return assess_with(indicator, profile, observations, finals, until)


def assess_with(indicator: Indicator, profile: IndicatorProfile | None, observations: list[Observation],
                finals: tuple[int, ...], until: int | None = None) -> tuple[IndicatorProgress, Series | None]:
    """:func:`assess_indicator` on inputs read already: the indicator's profile (with its targets loaded) and its
    approved observations, one per year (:func:`assessed_by_indicator`; years up to the baseline are ignored)."""
    rule = Rule(profile.rule) if profile else Rule.ELAPSED
    if profile is None or profile.baseline_year is None or profile.baseline_value is None:
        return IndicatorProgress(indicator, profile, not_applicable(
            rule, inputs={}, needed=None, reason_zh="尚未设定基期值，无法评估进度。",
            reason_en="No baseline has been set, so progress cannot be assessed."), (), None), None
    observations = [o for o in observations
                    if o.year > profile.baseline_year and (until is None or o.year <= until)]
    target = _target_for(profile, observations[-1].year if observations else None, finals)
    if target is not None:
        observations = [o for o in observations if o.year <= target.year]
    method = Method(profile.method)
    annual: tuple[Point, ...] = ()
    if method is Method.CUMULATIVE and target is not None:
        planned = {t.year: t.value for t in profile.targets if profile.baseline_year < t.year < target.year}
        planned[target.year] = target.value - sum(planned.values())
        if sorted(planned) == list(range(profile.baseline_year + 1, target.year + 1)):
            annual = tuple(Point(y, v) for y, v in sorted(planned.items()))
    try:
        series = Series(baseline=Point(profile.baseline_year, profile.baseline_value),
                        observations=tuple(Point(o.year, o.value) for o in observations),
                        target=None if target is None else Point(target.year, target.value),
                        direction=Direction(indicator.direction), method=method, binding=Binding(profile.binding),
                        annual_targets=annual)
    except ValidationError as exc:
        reason = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        return IndicatorProgress(indicator, profile, not_applicable(
            rule, inputs={}, needed=None, reason_zh=f"数据不符合该规则的要求：{reason}",
            reason_en=f"The data do not fit the rule: {reason}"), tuple(observations), target), None
    return IndicatorProgress(indicator, profile, assess(series, rule), tuple(observations), target), series


def assess_profiled(session: Session, plan_id: int, finals: tuple[int, ...]) -> dict[int, IndicatorProgress]:
    """Every indicator of the plan that has a profile, assessed as :func:`indicator_progress` does, by indicator
    id — read in a fixed number of queries whatever the number of indicators (profiles with their targets and
    indicators, then the observations of those with a baseline)."""
    found = profiles(session, plan_id)
    observations = assessed_by_indicator(session, [p.indicator_id for p in found if p.baseline_year is not None])
    return {p.indicator_id: assess_with(p.indicator, p, observations.get(p.indicator_id, []), finals)[0]
            for p in found}


def _progress_of(assessed: dict[int, IndicatorProgress], indicator: Indicator,
                 finals: tuple[int, ...]) -> IndicatorProgress:
    """``indicator``'s entry of :func:`assess_profiled`, or its not-applicable assessment when it has no profile."""
    return assessed.get(indicator.id) or assess_with(indicator, None, [], finals)[0]


@dataclass(frozen=True)
class Coverage:
    """How much of a roll-up can be assessed: ``assessable`` of its ``total`` parts (the indicators of a task,
    the tasks of an area; a task is assessable when one of its indicators is). A roll-up covering half of its
    parts or fewer is not ``sufficient``: pages then say so instead of letting the few decide the whole."""

    total: int
    assessable: int

    @property
    def sufficient(self) -> bool:
        """More than half of the parts are assessable: ``2 · assessable > total``."""
        return 2 * self.assessable > self.total


@dataclass(frozen=True)
class Summary:
    """What a page shows of a task or area: its roll-up, whether demonstration data enter it, its coverage."""

    rollup: RollUp
    uses_demo: bool
    coverage: Coverage


@dataclass
class TaskProgress:
    task: PlanElement
    indicators: list[IndicatorProgress]
    rollup: RollUp
    items: list[tuple[SupervisionItem, Assessment]]
    conflicts: list[ConflictCheck] = field(default_factory=list)

    @property
    def uses_demo(self) -> bool:
        """Whether a demonstration target or value enters any of the task's indicators."""
        return any(p.uses_demo for p in self.indicators)

    @property
    def coverage(self) -> Coverage:
        return Coverage(len(self.indicators), self.rollup.applicable)

    def summary(self) -> Summary:
        return Summary(self.rollup, self.uses_demo, self.coverage)


@dataclass
class AreaProgress:
    area: PlanElement
    tasks: list[TaskProgress]
    rollup: RollUp

    @property
    def uses_demo(self) -> bool:
        """Whether demonstration data enter any task of the area."""
        return any(t.uses_demo for t in self.tasks)

    @property
    def coverage(self) -> Coverage:
        """Tasks of the area with at least one assessable indicator, of all its tasks."""
        return Coverage(len(self.tasks), sum(t.rollup.applicable > 0 for t in self.tasks))

    def summary(self) -> Summary:
        return Summary(self.rollup, self.uses_demo, self.coverage)


@dataclass
class Dashboard:
    version: PlanVersion
    areas: list[AreaProgress]
    unlinked: list[IndicatorProgress]
    today: dt.date

    @property
    def conflicts(self) -> list[ConflictCheck]:
        return [c for a in self.areas for t in a.tasks for c in t.conflicts]

    @property
    def indicators(self) -> list[IndicatorProgress]:
        seen: dict[int, IndicatorProgress] = {}
        for a in self.areas:
            for t in a.tasks:
                for p in t.indicators:
                    seen.setdefault(p.indicator.id, p)
        for p in self.unlinked:
            seen.setdefault(p.indicator.id, p)
        return sorted(seen.values(), key=lambda p: p.indicator.code)


def reported_completion(item: SupervisionItem) -> float:
    """Completion an item reports: 1.0 from the 反馈 stage on (done claimed) or at 100 %, else percent/100."""
    return 1.0 if item.stage in ("feedback", "review", "closed") else item.percent / 100


def indicators_by_task(session: Session, version: PlanVersion) -> dict[str, list[Indicator]]:
    """For each task code, the indicators linked to the task, one of its measures or one of its projects
    (by code, each once)."""
    elements = plans.elements(session, version)
    parent = {e.code: e.parent_code for e in elements}
    task_codes = {e.code for e in elements if e.kind == "task"}
    out: dict[str, dict[int, Indicator]] = {}
    for code, inds in links(session, version.plan_id).items():
        task_code = plans.task_of(code, parent, task_codes)
        if task_code is not None:
            for ind in inds:
                out.setdefault(task_code, {})[ind.id] = ind
    return {task: sorted(d.values(), key=lambda i: i.code) for task, d in out.items()}


def task_indicators(session: Session, version: PlanVersion, task_code: str) -> list[IndicatorProgress]:
    """The assessed indicators of one task (see :func:`indicators_by_task`), by code."""
    finals = final_years(version)
    linked = indicators_by_task(session, version).get(task_code, [])
    if not linked:
        return []
    found = {p.indicator_id: p for p in session.scalars(
        select(IndicatorProfile).where(IndicatorProfile.indicator_id.in_([i.id for i in linked]))
        .options(selectinload(IndicatorProfile.targets)))}
    observations = assessed_by_indicator(session, [i for i, p in found.items() if p.baseline_year is not None])
    return [assess_with(ind, found.get(ind.id), observations.get(ind.id, []), finals)[0] for ind in linked]


def items_by_task(session: Session, version: PlanVersion, today: dt.date,
                  reminder_days: int = 7) -> dict[str, list[tuple[SupervisionItem, Assessment]]]:
    """For each task code, its supervision items (督办) — on the task, one of its measures or projects — with
    their status on ``today`` (a past day for a report's cut-off), by deadline."""
    elements = plans.elements(session, version)
    parent = {e.code: e.parent_code for e in elements}
    task_codes = {e.code for e in elements if e.kind == "task"}
    out: dict[str, list[tuple[SupervisionItem, Assessment]]] = {}
    for item in plan_items(session, version.plan_id):
        task_code = plans.task_of(item.element_code, parent, task_codes)
        if task_code is not None:
            out.setdefault(task_code, []).append((item, item_status(item, today, reminder_days)))
    return out


def task_items(session: Session, version: PlanVersion, task_code: str, today: dt.date,
               reminder_days: int = 7) -> list[tuple[SupervisionItem, Assessment]]:
    """The supervision items of one task with their status on ``today`` (see :func:`items_by_task`)."""
    return items_by_task(session, version, today, reminder_days).get(task_code, [])


@dataclass
class IndicatorCatalogue:
    """Every indicator of a plan, assessed: by task (an indicator linked to several tasks appears under each)
    and those linked to no task."""

    by_task: dict[str, list[IndicatorProgress]]
    unlinked: list[IndicatorProgress]
    latest: dict[int, Observation | None]

    @property
    def all(self) -> list[IndicatorProgress]:
        """Each indicator once, by code."""
        seen = {p.indicator.id: p for ps in self.by_task.values() for p in ps}
        seen.update({p.indicator.id: p for p in self.unlinked})
        return sorted(seen.values(), key=lambda p: p.indicator.code)


def catalogue(session: Session, version: PlanVersion) -> IndicatorCatalogue:
    """All indicators of the plan of ``version`` with their progress and latest approved value (the public
    indicator list); an indicator without settings is assessed as not applicable, with the reason."""
    finals = final_years(version)
    profiled = assess_profiled(session, version.plan_id, finals)
    assessed = {ind.id: _progress_of(profiled, ind, finals) for ind in list_indicators(session, version.plan_id)}
    by_task = {task: [assessed[i.id] for i in inds] for task, inds in indicators_by_task(session, version).items()}
    linked = {p.indicator.id for ps in by_task.values() for p in ps}
    unlinked = [p for i, p in sorted(assessed.items(), key=lambda kv: kv[1].indicator.code) if i not in linked]
    history = assessed_by_indicator(session, list(assessed))
    return IndicatorCatalogue(by_task, unlinked, {i: history[i][-1] if history.get(i) else None for i in assessed})


def _with_english(rollup: RollUp, english: RollUp) -> RollUp:
    """``rollup`` (named in Chinese) with the English reason of the same roll-up named in English."""
    return rollup.model_copy(update={"reason_en": english.reason_en})


def dashboard(session: Session, today: dt.date, plan_code: str | None = None, reminder_days: int = 7) -> Dashboard:
    """The plan-office dashboard: every area and task with its indicators' roll-up, its supervision items
    (their status on ``today``) and the conflicts between items reported done and their task's lagging
    indicators."""
    version = plans.latest_version(session, plan_code)
    plan_id = version.plan_id
    elements = plans.elements(session, version)
    finals = final_years(version)
    progress = assess_profiled(session, plan_id, finals)
    by_task = {task: {ind.id: _progress_of(progress, ind, finals) for ind in inds}
               for task, inds in indicators_by_task(session, version).items()}
    linked = {i for d in by_task.values() for i in d}
    items_by = items_by_task(session, version, today, reminder_days)
    areas = []
    for area in (e for e in elements if e.kind == "area"):
        rows = []
        in_english: dict[str, RollUp] = {}  # the same roll-ups named in English, for their English reasons
        for task in (e for e in elements if e.kind == "task" and e.parent_code == area.code):
            assessed = sorted(by_task.get(task.code, {}).values(), key=lambda p: p.indicator.code)
            named = {p.indicator.name_zh: p.assessment for p in assessed}
            in_english[task.code] = roll_up(task.title("en"), {p.indicator.name("en"): p.assessment for p in assessed})
            row = TaskProgress(task, assessed, _with_english(roll_up(task.title_zh, named), in_english[task.code]),
                               items_by.get(task.code, []))
            for item, _ in row.items:
                check = check_conflict(item.title_zh, reported_completion(item), named)
                if check.conflict:
                    row.conflicts.append(check)
            rows.append(row)
        english = roll_up(area.title("en"), {r.task.title("en"): in_english[r.task.code] for r in rows})
        areas.append(AreaProgress(area, rows, _with_english(
            roll_up(area.title_zh, {r.task.title_zh: r.rollup for r in rows}), english)))
    unlinked = sorted((p for i, p in progress.items() if i not in linked), key=lambda p: p.indicator.code)
    return Dashboard(version, areas, unlinked, today)
