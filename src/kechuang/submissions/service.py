"""Submission services: open a reporting period, read what an account may see, save values (form or
workbook), move a submission through its approval states, publish approved values as observations.

State machine (who may act in brackets)::

    draft/returned --submit [reporter]--> submitted --dept_approve [reviewer]--> dept_approved
    dept_approved --approve [approver]--> approved (locked; values become observations)
    submitted --return [reviewer]--> returned;  dept_approved --return [approver]--> returned
    approved --request_revision [reporter, with a reason] → decide_revision [plan office]--> draft (revision + 1)
             (or stays approved when the plan office refuses the request, with its reason)

Reporters and reviewers act only on their own department's submissions (``Forbidden`` otherwise). Every
change of a value or a state is audited in the same transaction; a refused change of a locked value is
audited too (``RecordedRefusal``: commit, then report). Saves carry the version they were read at, and the
version counter of the rows catches two saves racing each other (``StaleEdit``): nothing is overwritten
silently.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from kechuang.accounts.models import Department
from kechuang.audit.models import AuditRecord
from kechuang.audit.service import record, refuse
from kechuang.core.access import PLAN_OFFICE, Forbidden, NotFound, Principal, Role, StaleEdit
from kechuang.indicators.models import Indicator, Observation
from kechuang.indicators.profile_service import owned_indicators
from kechuang.indicators.profiles import IndicatorProfile
from kechuang.store.base import utcnow
from kechuang.submissions.excel import SHEET, TemplateMeta, TemplateRow, build_workbook, read_workbook
from kechuang.submissions.models import (
    ConsistencyRule,
    ReportingPeriod,
    RevisionRequest,
    Submission,
    SubmissionValue,
)
from kechuang.submissions.validation import Consistency, Entry, Previous, Problem, check_consistency, check_entry, num

STATE_LABELS = {
    "draft": ("草稿", "draft"),
    "submitted": ("已提交，待部门审核", "submitted, awaiting department review"),
    "dept_approved": ("部门已审核，待规划办审批", "department-approved, awaiting plan-office approval"),
    "approved": ("规划办已审批（锁定）", "approved (locked)"),
    "returned": ("已退回修改", "returned for changes"),
}
ACTIONS = ("submit", "dept_approve", "approve", "return", "revise")
_PERIOD_CODE = {
    "annual": re.compile(r"^\d{4}$"),
    "semiannual": re.compile(r"^\d{4}H[12]$"),
    "quarterly": re.compile(r"^\d{4}Q[1-4]$"),
    "monthly": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
}


class SubmissionError(ValueError):
    """A request that cannot be carried out as asked (bad period code, missing comment …)."""


class ValidationFailed(Exception):
    """Values that break validation rules; nothing was stored. ``problems`` says which and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.where}: {p.reason_zh}" for p in problems))


def state_label(state: str, lang: str) -> str:
    zh, en = STATE_LABELS[state]
    return en if lang == "en" else zh


def period_frequency(code: str) -> str:
    """The frequency a period code stands for: 2022 annual, 2023H1 semiannual, 2023Q1 quarterly, 2023-03 monthly."""
    for frequency, pattern in _PERIOD_CODE.items():
        if pattern.match(code):
            return frequency
    raise SubmissionError(f"period code {code!r}: expected 2022, 2023H1, 2023Q1 or 2023-03")


# ---------------------------------------------------------------- periods


def open_period(session: Session, actor: Principal, *, plan_id: int, code: str, label_zh: str, due_on: dt.date,
                label_en: str = "") -> ReportingPeriod:
    """Open a reporting period (admin only): one draft submission per department that reports indicators of
    the period's frequency, with one empty value row per indicator."""
    actor.require_role(Role.ADMIN, action="opening a reporting period")
    frequency = period_frequency(code)
    if session.scalar(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan_id,
                                                    ReportingPeriod.code == code)) is not None:
        raise SubmissionError(f"period {code} is open already")
    period = ReportingPeriod(plan_id=plan_id, code=code, year=int(code[:4]), label_zh=label_zh, label_en=label_en,
                             due_on=due_on)
    session.add(period)
    session.flush()
    record(session, actor, "open_period", "reporting_period", period.id, department_id=None,
           new={"code": code, "due_on": due_on.isoformat()})
    owners = session.scalars(select(IndicatorProfile.owner_department_id).distinct().where(
        IndicatorProfile.owner_department_id.is_not(None), IndicatorProfile.frequency == frequency))
    for dept_id in sorted(d for d in owners if d is not None):
        indicators = owned_indicators(session, plan_id, dept_id, frequency)
        if not indicators:
            continue
        sub = Submission(period_id=period.id, department_id=dept_id, state="draft",
                         values=[SubmissionValue(indicator_id=i.id, position=n) for n, i in enumerate(indicators)])
        session.add(sub)
        session.flush()
        record(session, actor, "create", "submission", sub.id, department_id=dept_id, field="state", new="draft")
    return period


def periods(session: Session, plan_id: int) -> list[ReportingPeriod]:
    return list(session.scalars(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan_id)
                                .order_by(ReportingPeriod.year.desc(), ReportingPeriod.code.desc())))


# ---------------------------------------------------------------- reading


def _load(session: Session, submission_id: int) -> Submission:
    sub = session.scalar(select(Submission).where(Submission.id == submission_id).options(
        selectinload(Submission.values).selectinload(SubmissionValue.indicator),
        selectinload(Submission.period), selectinload(Submission.department)))
    if sub is None:
        raise NotFound(f"no submission {submission_id}")
    return sub


def get_submission(session: Session, actor: Principal, submission_id: int) -> Submission:
    """A submission with its values, if ``actor`` may see its department (Forbidden otherwise)."""
    sub = _load(session, submission_id)
    actor.require_department(sub.department_id, "the submission")
    return sub


def visible_submissions(session: Session, actor: Principal, *, states: tuple[str, ...] | None = None,
                        department_id: int | None = None) -> list[Submission]:
    """Submissions ``actor`` may see (own department for reporters and reviewers), newest period first."""
    stmt = (select(Submission).join(Submission.period).options(selectinload(Submission.period),
                                                                selectinload(Submission.department))
            .order_by(ReportingPeriod.due_on.desc(), Submission.department_id))
    if actor.role not in PLAN_OFFICE:
        stmt = stmt.where(Submission.department_id == actor.department_id)
    if department_id is not None:
        actor.require_department(department_id, "submissions")
        stmt = stmt.where(Submission.department_id == department_id)
    if states is not None:
        stmt = stmt.where(Submission.state.in_(states))
    return list(session.scalars(stmt))


def review_queue(session: Session, actor: Principal) -> list[Submission]:
    """What waits for ``actor``'s decision: submitted ones of a reviewer's department; department-approved
    ones for an approver; both for the other plan-office roles (to watch, not to act)."""
    if actor.role is Role.REVIEWER:
        return visible_submissions(session, actor, states=("submitted",))
    if actor.role is Role.APPROVER:
        return visible_submissions(session, actor, states=("dept_approved",))
    if actor.role in PLAN_OFFICE:
        return visible_submissions(session, actor, states=("submitted", "dept_approved"))
    return []


def previous_value(session: Session, indicator_id: int, profile: IndicatorProfile | None,
                   year: int) -> Previous | None:
    """The latest approved annual value before ``year`` (plan text, published or submitted), else the baseline."""
    return previous_values(session, {indicator_id: profile}, year)[indicator_id]


def previous_values(session: Session, profiles: dict[int, IndicatorProfile | None],
                    year: int) -> dict[int, Previous | None]:
    """:func:`previous_value` of every indicator id of ``profiles`` (id → its profile or None), in one query."""
    latest: dict[int, tuple[int, float, str]] = {}
    if profiles:
        for indicator_id, obs_year, value, source in session.execute(
                select(Observation.indicator_id, Observation.year, Observation.value, Observation.source).where(
                    Observation.indicator_id.in_(list(profiles)), Observation.year < year,
                    Observation.period.is_(None)).order_by(Observation.year, Observation.id)):
            latest[indicator_id] = (obs_year, value, source)  # the last row wins: the latest year, then id
    out: dict[int, Previous | None] = {}
    for indicator_id, profile in profiles.items():
        base = None
        if profile is not None and profile.baseline_year is not None and profile.baseline_value is not None \
                and profile.baseline_year < year:
            base = Previous(profile.baseline_year, profile.baseline_value, profile.baseline_source or "baseline")
        obs = latest.get(indicator_id)
        out[indicator_id] = Previous(*obs) if obs is not None and (base is None or obs[0] >= base.year) else base
    return out


def _profiles_of(session: Session, sub: Submission) -> dict[int, IndicatorProfile | None]:
    """The profile of every indicator of ``sub`` (None for one without), by indicator id, in one query."""
    ids = [row.indicator_id for row in sub.values]
    found = {p.indicator_id: p for p in session.scalars(
        select(IndicatorProfile).where(IndicatorProfile.indicator_id.in_(ids)))} if ids else {}
    return {i: found.get(i) for i in ids}


# ---------------------------------------------------------------- saving values


@dataclass(frozen=True)
class ValueChange:
    """A proposed value for one indicator; ``expected_version`` is the row version the editor saw.

    Every edge people write through (form, workbook, API) refuses a change without its version before it
    gets here; ``None`` is left to the system's own callers (the demo setup) that read the row themselves.
    """

    indicator_code: str
    value: float | None
    final: bool
    note: str = ""
    expected_version: int | None = None


@dataclass
class Prepared:
    """A validated set of changes to one submission, ready to apply."""

    submission: Submission
    changes: list[tuple[SubmissionValue, ValueChange]] = field(default_factory=list)


def _require_editor(session: Session, actor: Principal, sub: Submission, attempted: object) -> None:
    actor.require_department(sub.department_id, "the submission")
    if actor.role is not Role.REPORTER:
        raise Forbidden(f"only the department's reporter enters values; {actor.username} is {actor.role.value}")
    if not sub.editable:
        raise refuse(session, actor, "submission", sub.id, department_id=sub.department_id, field="values",
                     attempted=attempted,
                     message=f"submission {sub.id} is {sub.state} ({STATE_LABELS[sub.state][0]}): its values are "
                             "locked and cannot be changed" + ("; ask for a revision" if sub.state == "approved"
                                                               else ""))


def _entries(session: Session, sub: Submission, proposed: dict[int, tuple[float | None, str]]) -> list[Entry]:
    profiles = _profiles_of(session, sub)
    previous = previous_values(session, profiles, sub.period.year)
    out = []
    for row in sub.values:
        profile = profiles[row.indicator_id]
        value, note = proposed.get(row.indicator_id, (row.value, row.note))
        out.append(Entry(
            code=row.indicator.code, name=row.indicator.name_zh, name_en=row.indicator.name_en, value=value, note=note,
            previous=previous[row.indicator_id],
            valid_min=profile.valid_min if profile else None, valid_max=profile.valid_max if profile else None,
            max_change_pct=profile.max_change_pct if profile else None,
            required=profile.required if profile else True))
    return out


def consistency_rules(session: Session, indicator_ids: set[int]) -> list[Consistency]:
    """The consistency rules whose left or right indicator is among ``indicator_ids``."""
    rules = session.scalars(select(ConsistencyRule).where(
        ConsistencyRule.left_indicator_id.in_(indicator_ids) | ConsistencyRule.right_indicator_id.in_(indicator_ids))
        .order_by(ConsistencyRule.id).options(selectinload(ConsistencyRule.left), selectinload(ConsistencyRule.right)))
    return [Consistency(r.left.code, r.left.name_zh, r.op, r.factor, r.right.code, r.right.name_zh, r.message_zh,
                        r.message_en, r.left.name_en, r.right.name_en) for r in rules]


def check_submission(session: Session, sub: Submission, proposed: dict[int, tuple[float | None, str]], *,
                     complete: bool) -> list[Problem]:
    """All problems of the submission with ``proposed`` values (indicator id → (value, note)) applied.

    Consistency rules use the other indicator's value from this submission, else its approved value of the
    same year from another department's submission.
    """
    entries = _entries(session, sub, proposed)
    problems = [p for e in entries for p in check_entry(e, complete=complete)]
    values = {e.code: e.value for e in entries if e.value is not None}
    rules = consistency_rules(session, {row.indicator_id for row in sub.values})
    missing = {code for rule in rules for code in (rule.left, rule.right) if code not in values}
    if missing:
        for code, value in session.execute(select(Indicator.code, Observation.value).join(Observation.indicator).where(
                Indicator.code.in_(missing), Indicator.plan_id == sub.period.plan_id,
                Observation.ref == f"submission:{sub.period.code}").order_by(Observation.id.desc())):
            values[code] = value  # one observation per indicator and ref; by id descending the first stored wins
    own = {e.code for e in entries}
    problems += [p for p in check_consistency(values, rules) if p.code in own]
    return problems


def prepare_changes(session: Session, actor: Principal, submission_id: int, changes: list[ValueChange], *,
                    complete: bool = False, pending: list[Problem] | None = None) -> Prepared:
    """Check that ``actor`` may save ``changes`` and that they pass validation; nothing is written yet.

    ``pending`` are problems the caller found already (text that is not a number …): their indicators are
    checked as if empty, and they are reported together with the rest, so that every problem comes at once.
    Raises Forbidden, RecordedRefusal (locked), StaleEdit (a row changed since it was read) or
    ValidationFailed (with one problem per offending value).
    """
    sub = _load(session, submission_id)
    _require_editor(session, actor, sub, attempted={c.indicator_code: c.value for c in changes})
    pending = list(pending or [])
    rows = {row.indicator.code: row for row in sub.values}
    problems: list[Problem] = []
    prepared = Prepared(sub)
    for change in changes:
        row = rows.get(change.indicator_code)
        if row is None:
            problems.append(Problem(change.indicator_code, "row", f"指标 {change.indicator_code} 不属于本次填报。",
                                    f"indicator {change.indicator_code} is not part of this submission"))
            continue
        if change.expected_version is not None and change.expected_version != row.version:
            raise StaleEdit(f"{row.indicator.name_zh}: changed by {row.updated_by or 'someone'} meanwhile "
                            f"(now {row.value}, version {row.version}; you edited version {change.expected_version})")
        prepared.changes.append((row, change))
    proposed: dict[int, tuple[float | None, str]] = {
        row.indicator_id: (None, row.note) for code, row in rows.items() if code in {p.code for p in pending}}
    proposed |= {row.indicator_id: (c.value, c.note) for row, c in prepared.changes}
    problems += check_submission(session, sub, proposed, complete=complete)
    if pending or problems:
        raise ValidationFailed(pending + problems)
    return prepared


def apply_changes(session: Session, actor: Principal, prepared: Prepared, *, via: str, reason: str = "") -> int:
    """Write prepared changes with one audit record per changed field; returns how many rows changed.

    Raises StaleEdit when a row was changed by someone else between preparing and writing (the version
    counter matched no row); the caller rolls back, so no row of the batch is kept.
    """
    sub = prepared.submission
    why = reason or (f"revision {sub.revision}: {sub.comment}" if sub.revision else via)
    changed = 0
    now = utcnow()
    try:
        for row, change in prepared.changes:
            fields = {"value": (row.value, change.value), "final": (row.final, change.final),
                      "note": (row.note, change.note)}
            diffs = {k: v for k, v in fields.items() if v[0] != v[1]}
            if not diffs:
                continue
            for name, (old, new) in diffs.items():
                setattr(row, name, new)
                record(session, actor, "update", "submission_value", row.id, department_id=sub.department_id,
                       field=f"{row.indicator.code}.{name}", old=old, new=new, reason=why)
            row.updated_by, row.updated_at = actor.username, now
            changed += 1
        session.flush()
    except StaleDataError as exc:
        raise StaleEdit("a value was changed by someone else while your changes were being saved; "
                        "nothing was saved — reload and retry") from exc
    return changed


def save_values(session: Session, actor: Principal, submission_id: int, changes: list[ValueChange], *,
                via: str = "form", reason: str = "", pending: list[Problem] | None = None) -> int:
    """Validate and write ``changes`` (see ``prepare_changes`` and ``apply_changes``)."""
    prepared = prepare_changes(session, actor, submission_id, changes, pending=pending)
    return apply_changes(session, actor, prepared, via=via, reason=reason)


# ---------------------------------------------------------------- approval


# (action, from state) → (the role that takes it, the state it leads to): the one table of the workflow.
STEPS: dict[tuple[str, str], tuple[Role, str]] = {
    ("submit", "draft"): (Role.REPORTER, "submitted"),
    ("submit", "returned"): (Role.REPORTER, "submitted"),
    ("dept_approve", "submitted"): (Role.REVIEWER, "dept_approved"),
    ("approve", "dept_approved"): (Role.APPROVER, "approved"),
    ("return", "submitted"): (Role.REVIEWER, "returned"),
    ("return", "dept_approved"): (Role.APPROVER, "returned"),
}


def allowed_actions(actor: Principal, sub: Submission) -> list[str]:
    """What ``actor`` may do with ``sub`` now, as the submission page offers it (``transition`` checks again):
    the steps of ``STEPS`` from its state for the actor's role, and ``revise`` (a revision request) for the
    reporter of an approved submission."""
    found = [name for (name, state), (role, _) in STEPS.items() if state == sub.state and role is actor.role]
    if actor.role is Role.REPORTER and sub.state == "approved":
        found.append("revise")
    return found


def transition(session: Session, actor: Principal, submission_id: int, action: str, *, comment: str = "",
               expected_version: int | None = None) -> Submission:
    """Move a submission by ``action`` (submit, dept_approve, approve, return); see the module doc.

    ``return`` needs a comment. ``revise`` is not an action of its own: an approved submission is reopened
    through a revision request the plan office approves (``request_revision``, ``decide_revision``).
    ``submit`` validates every value
    with the required rule (ValidationFailed). ``approve`` publishes the values as observations.
    A wrong state is a refusal that is audited (RecordedRefusal); a wrong role or department is Forbidden.
    """
    if action not in ACTIONS:
        raise SubmissionError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    if action == "revise":
        raise SubmissionError("an approved submission is reopened only when the plan office approves a revision "
                              "request (申请修订): request_revision, then decide_revision")
    sub = _load(session, submission_id)
    actor.require_department(sub.department_id, "the submission")
    steps = [(state, role) for (name, state), (role, _) in STEPS.items() if name == action]
    role = next((r for state, r in steps if state == sub.state), steps[-1][1])
    actor.require_role(role, action=action.replace("_", " "))
    if (action, sub.state) not in STEPS:
        raise refuse(session, actor, "submission", sub.id, department_id=sub.department_id, field="state",
                     attempted=action, message=f"cannot {action.replace('_', ' ')} submission {sub.id}: it is "
                                               f"{sub.state} ({STATE_LABELS[sub.state][0]})")
    if expected_version is not None and expected_version != sub.version:
        raise StaleEdit(f"submission {sub.id} changed meanwhile (now {sub.state}, version {sub.version}); reload")
    comment = comment.strip()
    if action == "return" and not comment:
        raise SubmissionError("a return needs a comment")
    if action == "submit":
        problems = check_submission(session, sub, {}, complete=True)
        if problems:
            raise ValidationFailed(problems)
    new_state = STEPS[(action, sub.state)][1]
    old_state = sub.state
    try:
        sub.state = new_state
        if action == "return":
            sub.comment = comment
        record(session, actor, action, "submission", sub.id, department_id=sub.department_id, field="state",
               old=old_state, new=new_state, reason=comment)
        if action == "approve":
            _publish(session, actor, sub)
        session.flush()
    except StaleDataError as exc:
        raise StaleEdit(f"submission {sub.id} was changed by someone else at the same moment; reload") from exc
    return sub


# ---------------------------------------------------------------- revision requests (申请修订)


def pending_revision(session: Session, submission_id: int) -> RevisionRequest | None:
    """The revision request of a submission that waits for the plan office, if any."""
    return session.scalar(select(RevisionRequest).where(RevisionRequest.submission_id == submission_id,
                                                        RevisionRequest.state == "pending"))


def revision_requests(session: Session, submission_id: int) -> list[RevisionRequest]:
    """Every revision request of a submission, oldest first."""
    return list(session.scalars(select(RevisionRequest).where(RevisionRequest.submission_id == submission_id)
                                .order_by(RevisionRequest.id)))


def pending_revisions(session: Session, actor: Principal) -> list[RevisionRequest]:
    """Revision requests waiting for a decision (the plan office's; empty for the other roles)."""
    if actor.role not in PLAN_OFFICE:
        return []
    return list(session.scalars(select(RevisionRequest).where(RevisionRequest.state == "pending")
                                .options(selectinload(RevisionRequest.submission).selectinload(Submission.period),
                                         selectinload(RevisionRequest.submission)
                                         .selectinload(Submission.department))
                                .order_by(RevisionRequest.id)))


def request_revision(session: Session, actor: Principal, submission_id: int, reason: str) -> RevisionRequest:
    """The department's reporter asks to reopen its approved submission, with a reason (audited). The
    submission stays approved and locked until the plan office decides (``decide_revision``)."""
    sub = _load(session, submission_id)
    actor.require_department(sub.department_id, "the submission")
    actor.require_role(Role.REPORTER, action="requesting a revision")
    if sub.state != "approved":
        raise refuse(session, actor, "submission", sub.id, department_id=sub.department_id, field="state",
                     attempted="request_revision",
                     message=f"only an approved submission can be revised; submission {sub.id} is {sub.state} "
                             f"({STATE_LABELS[sub.state][0]})")
    reason = reason.strip()
    if not reason:
        raise SubmissionError("a revision request needs a reason")
    if pending_revision(session, sub.id) is not None:
        raise SubmissionError(f"a revision request of submission {sub.id} already waits for the plan office")
    req = RevisionRequest(submission_id=sub.id, reason=reason, requested_by=actor.username)
    session.add(req)
    session.flush()
    record(session, actor, "request_revision", "submission", sub.id, department_id=sub.department_id,
           field="revision_request", new="pending", reason=reason)
    return req


def decide_revision(session: Session, actor: Principal, submission_id: int, *, approve: bool,
                    reason: str = "") -> RevisionRequest:
    """The plan office (approver or admin) approves or refuses the waiting revision request (audited; a
    refusal needs a reason). Approving reopens the submission as a draft with its revision counted up."""
    actor.require_role(Role.APPROVER, Role.ADMIN, action="deciding a revision request")
    sub = _load(session, submission_id)
    req = pending_revision(session, sub.id)
    if req is None:
        raise SubmissionError(f"no revision request of submission {sub.id} waits for a decision")
    reason = reason.strip()
    if not approve and not reason:
        raise SubmissionError("a refused revision request needs a reason")
    req.state = "approved" if approve else "refused"
    req.decided_by, req.decided_at, req.decision_reason = actor.username, utcnow(), reason
    record(session, actor, "approve_revision" if approve else "refuse_revision", "submission", sub.id,
           department_id=sub.department_id, field="revision_request", old="pending", new=req.state,
           reason=reason or req.reason)
    if approve:
        try:
            sub.state, sub.comment, sub.revision = "draft", req.reason, sub.revision + 1
            record(session, actor, "revise", "submission", sub.id, department_id=sub.department_id, field="state",
                   old="approved", new="draft", reason=req.reason)
            session.flush()
        except StaleDataError as exc:
            raise StaleEdit(f"submission {sub.id} was changed by someone else at the same moment; reload") from exc
    session.flush()
    return req


def comment_history(session: Session, actor: Principal, sub: Submission) -> list[AuditRecord]:
    """The comments of a submission's history, oldest first: returns with their comment, revision requests
    and the plan office's decisions — shown as history, not as the submission's current state."""
    return [r for r in trail(session, actor, sub) if r.entity == "submission" and r.reason
            and r.action in ("return", "request_revision", "approve_revision", "refuse_revision")]


def _publish(session: Session, actor: Principal, sub: Submission) -> None:
    """Approved values become observations, one per indicator and period: source_kind ``submission``, or ``demo``
    when the department is a demonstration department (its values are 演示数据 wherever they go)."""
    dept: Department = sub.department
    period = sub.period
    ref = f"submission:{period.code}"
    annual = period_frequency(period.code) == "annual"
    for row in sub.values:
        if row.value is None:
            continue
        status = "正式数" if row.final else "初步数"
        revision = f"，第 {sub.revision} 次修订" if sub.revision else ""
        note = f"；说明：{row.note}" if row.note else ""
        source = f"{dept.name_zh} · {period.label_zh}填报（{status}{revision}，规划办审批{note}）"
        obs = session.scalar(select(Observation).where(Observation.indicator_id == row.indicator_id,
                                                       Observation.ref == ref))
        old = None if obs is None else obs.value
        if obs is None:
            obs = Observation(indicator_id=row.indicator_id, ref=ref)
            session.add(obs)
        obs.source_kind = "demo" if dept.is_demo else "submission"
        obs.year, obs.period, obs.value = period.year, None if annual else period.code, row.value
        obs.qualifier = "exact"
        obs.source, obs.quote, obs.is_demo = source, "", dept.is_demo
        session.flush()
        record(session, actor, "publish", "observation", obs.id, department_id=sub.department_id,
               field=row.indicator.code, old=old, new=row.value, reason=source)


# ---------------------------------------------------------------- the Excel template


def requirement_text(profile: IndicatorProfile | None, lang: str = "zh") -> str:
    """The rules a value must pass, in words of ``lang`` (shown in the form and the template)."""
    en = lang == "en"
    if profile is None:
        return "required" if en else "必填"
    parts = []
    if profile.valid_min is not None or profile.valid_max is not None:
        lo = "−∞" if profile.valid_min is None else num(profile.valid_min)
        hi = "+∞" if profile.valid_max is None else num(profile.valid_max)
        parts.append(f"allowed range {lo} to {hi}" if en else f"取值范围 {lo} 至 {hi}")
    if profile.max_change_pct is not None:
        change = num(profile.max_change_pct)
        parts.append(f"a change of more than ±{change}% against the previous period needs a reason in the note"
                     if en else f"较上期变动超过 ±{change}% 须在说明中写明原因")
    if en:
        parts.append("required" if profile.required else "optional")
        return "; ".join(parts)
    parts.append("必填" if profile.required else "选填")
    return "；".join(parts)


@dataclass(frozen=True)
class Line:
    """One value row of a submission with what the editor needs beside it."""

    row: SubmissionValue
    previous: Previous | None
    requirement: str
    profile: IndicatorProfile | None = None


def lines(session: Session, sub: Submission) -> list[Line]:
    """The submission's value rows with the previous period's value and the rules in words."""
    profiles = _profiles_of(session, sub)
    previous = previous_values(session, profiles, sub.period.year)
    return [Line(row, previous[row.indicator_id], requirement_text(profiles[row.indicator_id]),
                 profiles[row.indicator_id]) for row in sub.values]


def trail(session: Session, actor: Principal, sub: Submission) -> list[AuditRecord]:
    """The audit records of a submission: its states, its values and the observations it published."""
    actor.require_department(sub.department_id, "the submission")
    value_ids = [str(v.id) for v in sub.values]
    obs_ids = [str(i) for i in session.scalars(select(Observation.id).where(
        Observation.ref == f"submission:{sub.period.code}",
        Observation.indicator_id.in_([v.indicator_id for v in sub.values])))]
    stmt = select(AuditRecord).where(
        ((AuditRecord.entity == "submission") & (AuditRecord.entity_id == str(sub.id)))
        | ((AuditRecord.entity == "submission_value") & AuditRecord.entity_id.in_(value_ids))
        | ((AuditRecord.entity == "observation") & AuditRecord.entity_id.in_(obs_ids))).order_by(AuditRecord.id)
    return list(session.scalars(stmt))


def template(session: Session, actor: Principal, submission_id: int) -> tuple[str, bytes]:
    """The Excel template of a submission for its department (file name, .xlsx bytes)."""
    sub = get_submission(session, actor, submission_id)
    rows = [TemplateRow(code=ln.row.indicator.code, name=ln.row.indicator.name_zh, unit=ln.row.indicator.unit_zh,
                        previous="" if ln.previous is None else f"{num(ln.previous.value)}（{ln.previous.year}年）",
                        value=ln.row.value, final=ln.row.final, note=ln.row.note, requirement=ln.requirement,
                        version=ln.row.version, valid_min=ln.profile.valid_min if ln.profile else None,
                        valid_max=ln.profile.valid_max if ln.profile else None) for ln in lines(session, sub)]
    meta = TemplateMeta(submission_id=sub.id, department_code=sub.department.code,
                        department_name=sub.department.name_zh, period_code=sub.period.code,
                        period_label=sub.period.label_zh, revision=sub.revision, due_on=sub.period.due_on.isoformat())
    name = f"kechuang-{sub.period.code}-{sub.department.code}-{sub.id}.xlsx"
    return name, build_workbook(meta, rows)


_CELL_OF_FIELD = {"value": "value", "final": "final", "note": "value", "row": "code", "version": "version"}


def _cell_order(problem: Problem) -> tuple[int, str]:
    """Problems of a workbook in reading order: by row, then column (file problems first)."""
    match = re.fullmatch(r"([A-Z]+)(\d*)", problem.cell or "")
    if match is None:
        return (0, "")
    return (int(match.group(2) or 10**9), match.group(1))


def import_workbook(session: Session, actor: Principal, submission_id: int, data: bytes) -> int:
    """Read an uploaded template and save its values: all of them or none.

    Every problem of the file comes back at once in ValidationFailed, each with its sheet and cell: not a
    number, NaN/Infinity, a formula without a stored result, wrong status word, a file of another
    submission, an emptied hidden version, a row changed since the template was downloaded (its hidden
    version differs), and every validation rule of the values that could be read. Returns how many values
    changed.
    """
    sub = _load(session, submission_id)
    _require_editor(session, actor, sub, attempted="workbook upload")
    parsed = read_workbook(data, {row.indicator.code: row.indicator.unit_zh for row in sub.values})
    problems = list(parsed.problems)
    if not parsed.rows and not problems:
        problems.append(Problem("", "file", "模板中没有指标行。", "the template has no indicator rows"))
    if parsed.meta and parsed.meta.get("submission_id") != str(sub.id):
        problems.append(Problem(
            "", "file",
            f"此文件是 {parsed.meta.get('department', '?')} {parsed.meta.get('period', '?')} 的模板，不属于本次填报"
            f"（{sub.department.code} {sub.period.code}）；请下载本次的模板。",
            f"this file is the template of {parsed.meta.get('department', '?')} {parsed.meta.get('period', '?')}, "
            f"not of this submission ({sub.department.code} {sub.period.code})"))
    if problems and any(p.field == "file" for p in problems):
        raise ValidationFailed(problems)
    rows = {row.indicator.code: row for row in sub.values}
    by_code = {p.code: p for p in parsed.rows}
    unreadable = {p.code for p in problems}
    changes = []
    for parsed_row in parsed.rows:
        row = rows.get(parsed_row.code)
        if row is None:
            problems.append(Problem(parsed_row.code, "row", f"编号 {parsed_row.code} 不是本次填报的指标。",
                                    f"{parsed_row.code} is not an indicator of this submission")
                            .at(SHEET, parsed_row.cell("code")))
            continue
        if parsed_row.version is not None and parsed_row.version != row.version:
            problems.append(Problem(
                parsed_row.code, "value",
                f"下载模板后此值已被 {row.updated_by or '他人'} 改为 {'空' if row.value is None else num(row.value)}"
                "；为免覆盖，请重新下载模板后再填。",
                f"changed by {row.updated_by or 'someone'} to {row.value} after the template was downloaded; "
                "download it again so as not to overwrite it").at(SHEET, parsed_row.cell("value")))
            continue
        if parsed_row.code not in unreadable:
            changes.append(ValueChange(parsed_row.code, parsed_row.value, parsed_row.final, parsed_row.note,
                                       parsed_row.version))
    for code in rows.keys() - by_code.keys():
        problems.append(Problem(code, "row", f"模板中缺少指标 {rows[code].indicator.name_zh} 所在的行。",
                                f"the row of {rows[code].indicator.name_en or code} is missing").at(SHEET, "A"))
    try:
        prepared = prepare_changes(session, actor, submission_id, changes, pending=problems)
    except ValidationFailed as exc:
        located = [p if p.cell or p.code not in by_code
                   else p.at(SHEET, by_code[p.code].cell(_CELL_OF_FIELD.get(p.field, "value")))
                   for p in exc.problems]
        raise ValidationFailed(sorted(located, key=_cell_order)) from None
    return apply_changes(session, actor, prepared, via="Excel upload")
