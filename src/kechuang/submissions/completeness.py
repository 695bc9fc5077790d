"""Reporting completeness and timeliness of a period: which departments (and their indicators) are due, which
have submitted, which are approved, which are late.

The rates are DHIS2's (DHIS2 documentation, "Reporting rate summary"): with E the expected reports (the
period's submissions, one per reporting department), A the reports in hand (submitted, department-approved
or approved) and T those submitted by the due date,

    reporting rate = A / E,        reporting rate on time = T / E.

A submission's submission date is the plan-local date of the audit record that last moved it to
``submitted``; it is on time when that date is on or before the period's due date. A department that has not
submitted is *overdue* once the due date has passed, else *pending*; *late* counts the overdue ones and those
submitted after the due date. A draft holding no value at all is *silent* (未填报).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kechuang.accounts.models import Department
from kechuang.audit.models import AuditRecord
from kechuang.core.access import PLAN_OFFICE, NotFound, Principal
from kechuang.submissions.models import ReportingPeriod, Submission, SubmissionValue

IN_HAND = ("submitted", "dept_approved", "approved")
TIMELINESS = {
    "on_time": ("按时提交", "submitted on time"),
    "late": ("逾期提交", "submitted late"),
    "overdue": ("逾期未交", "overdue, not submitted"),
    "pending": ("未到期", "not yet due"),
}


@dataclass(frozen=True)
class DepartmentReport:
    """One department's submission for the period, with how far it has got and whether it was on time."""

    submission: Submission
    department: Department
    due: int
    filled: int
    submitted_on: dt.date | None
    timeliness: str

    @property
    def in_hand(self) -> bool:
        return self.submission.state in IN_HAND

    @property
    def approved(self) -> bool:
        return self.submission.state == "approved"

    @property
    def silent(self) -> bool:
        return self.submission.state == "draft" and self.filled == 0 and self.submitted_on is None

    @property
    def late(self) -> bool:
        return self.timeliness in ("late", "overdue")

    def timeliness_label(self, lang: str) -> str:
        zh, en = TIMELINESS[self.timeliness]
        return en if lang == "en" else zh


@dataclass(frozen=True)
class Completeness:
    """The period's reports and their counts (see the module docstring for the rates)."""

    period: ReportingPeriod
    today: dt.date
    departments: list[DepartmentReport]

    @property
    def expected(self) -> int:
        return len(self.departments)

    def number_of(self, what: str) -> int:
        """How many reports are ``in_hand``, ``approved``, ``silent``, ``late`` or of a timeliness
        (``on_time``, ``late``, ``overdue``, ``pending``)."""
        if what in ("in_hand", "approved", "silent"):
            return sum(getattr(d, what) for d in self.departments)
        if what == "late":
            return sum(d.late for d in self.departments)
        return sum(d.timeliness == what for d in self.departments)

    @property
    def indicators_due(self) -> int:
        return sum(d.due for d in self.departments)

    @property
    def indicators_filled(self) -> int:
        return sum(d.filled for d in self.departments)

    def rate(self, what: str) -> float | None:
        """``number_of(what) / expected`` (None when nothing is expected): the reporting rate for ``in_hand``,
        the reporting rate on time for ``on_time``."""
        return self.number_of(what) / self.expected if self.expected else None


def _submitted_on(session: Session, sub: Submission, tz: dt.tzinfo) -> dt.date | None:
    """The local date of the audit record that last moved ``sub`` to submitted (None if it is not in hand)."""
    if sub.state not in IN_HAND:
        return None
    at = session.scalar(select(AuditRecord.at).where(
        AuditRecord.entity == "submission", AuditRecord.entity_id == str(sub.id), AuditRecord.action == "submit")
        .order_by(AuditRecord.id.desc()).limit(1))
    if at is None:
        return None
    aware = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)  # SQLite returns naive UTC
    return aware.astimezone(tz).date()


def completeness(session: Session, actor: Principal, plan_id: int, code: str, *, today: dt.date,
                 tz: dt.tzinfo) -> Completeness:
    """The completeness of period ``code`` as of ``today`` (plan office only; ``tz`` is the plan's time zone)."""
    actor.require_role(*PLAN_OFFICE, action="the reporting completeness")
    period = session.scalar(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan_id,
                                                          ReportingPeriod.code == code))
    if period is None:
        raise NotFound(f"no reporting period {code!r}")
    subs = session.scalars(select(Submission).where(Submission.period_id == period.id).options(
        selectinload(Submission.values).selectinload(SubmissionValue.indicator),
        selectinload(Submission.department)).order_by(Submission.department_id))
    reports = []
    for sub in subs:
        submitted_on = _submitted_on(session, sub, tz)
        if submitted_on is not None:
            timeliness = "on_time" if submitted_on <= period.due_on else "late"
        else:
            timeliness = "overdue" if today > period.due_on else "pending"
        reports.append(DepartmentReport(sub, sub.department, len(sub.values),
                                        sum(v.value is not None for v in sub.values), submitted_on, timeliness))
    return Completeness(period, today, reports)
