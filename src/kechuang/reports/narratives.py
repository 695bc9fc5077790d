"""Judgement written by people, numbers by the system: the narrative of an evaluation pack's sections.

The plan office writes the judgement of a section (总体评价, 存在问题, 下一步工作建议 …) in its own words; every save
is a new version with who wrote it and when (nothing is overwritten), and the newest version goes into the pack,
so writing it changes the pack's content hash. :func:`draft` drafts a section's text from the data (the pack's own
sentences, numbers filled from the data, rule sentences labelled); a department's reviewer writes the sections on
tasks and key projects. The plan office reviews the newest version of each section (:func:`review`); a pack is
marked final (定稿) only when every required section has a text and every written section's newest version has
been reviewed; the record keeps the content hash it was marked on.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kechuang.core.access import Principal, Role
from kechuang.plan import service as plans
from kechuang.reports.model import Paragraph, ReportError, content_hash
from kechuang.reports.models import ReportFinal, ReportNarrative
from kechuang.store.base import utcnow

#: section id → whether a pack needs its narrative before it can be marked final
NARRATIVE_SECTIONS: dict[str, bool] = {"summary": True, "tasks": False, "projects": False, "safeguards": False,
                                       "external": False, "problems": True, "next_steps": True}
#: the plan office writes every section and reviews; a department (its reviewer) writes the sections on what
#: departments carry out: the tasks and the key projects
#: the heading of each section in the pack (translated through ``reports.i18n.PACK_TEXT``)
SECTION_TITLES = {"summary": "一、总体评价", "tasks": "三、重点任务推进情况", "projects": "四、重大项目",
                  "safeguards": "五、保障措施落实", "external": "六、外部环境变化", "problems": "七、存在问题",
                  "next_steps": "八、下一步工作建议和规划调整建议"}
WRITERS = (Role.ADMIN, Role.APPROVER)
DEPARTMENT_SECTIONS = ("tasks", "projects")
REVIEWERS = (Role.ADMIN, Role.APPROVER)


def can_write(actor: Principal, section: str) -> bool:
    """Whether ``actor`` may write the narrative of ``section`` (see :data:`WRITERS`, :data:`DEPARTMENT_SECTIONS`)."""
    return actor.role in WRITERS or (actor.role is Role.REVIEWER and section in DEPARTMENT_SECTIONS)


def _check(kind: str, section: str) -> None:
    if kind not in ("midterm", "final"):
        raise ReportError(f"narratives belong to the midterm or final evaluation, not {kind!r}")
    if section not in NARRATIVE_SECTIONS:
        raise ReportError(f"section {section!r} takes no narrative; expected one of {', '.join(NARRATIVE_SECTIONS)}")


def write(session: Session, actor: Principal, kind: str, year: int, section: str, text: str,
          plan_code: str | None = None) -> ReportNarrative:
    """Save a new version of the narrative of ``section`` of the ``kind`` evaluation of ``year``."""
    _check(kind, section)
    if not can_write(actor, section):
        actor.require_role(*WRITERS, action=f"writing the narrative of section {section!r}")
    body = text.strip()
    if not body:
        raise ReportError(f"the narrative of section {section!r} is empty: write the text before saving")
    plan_id = plans.latest_version(session, plan_code).plan_id
    last = session.scalar(select(func.max(ReportNarrative.version)).where(
        ReportNarrative.plan_id == plan_id, ReportNarrative.kind == kind, ReportNarrative.year == year,
        ReportNarrative.section == section)) or 0
    row = ReportNarrative(plan_id=plan_id, kind=kind, year=year, section=section, version=last + 1, text=body,
                          author=actor.username)
    session.add(row)
    session.flush()
    return row


def history(session: Session, plan_id: int, kind: str, year: int, section: str | None = None) -> list[ReportNarrative]:
    """Every version (oldest first) of the narratives of an evaluation, or of one section."""
    stmt = select(ReportNarrative).where(ReportNarrative.plan_id == plan_id, ReportNarrative.kind == kind,
                                         ReportNarrative.year == year)
    if section is not None:
        stmt = stmt.where(ReportNarrative.section == section)
    return list(session.scalars(stmt.order_by(ReportNarrative.section, ReportNarrative.version)))


def current(session: Session, plan_id: int, kind: str, year: int) -> dict[str, ReportNarrative]:
    """The newest version of each section's narrative."""
    return {n.section: n for n in history(session, plan_id, kind, year)}


def missing(session: Session, plan_id: int, kind: str, year: int) -> list[str]:
    """The required sections without a narrative."""
    have = current(session, plan_id, kind, year)
    return [s for s, required in NARRATIVE_SECTIONS.items() if required and s not in have]


def unreviewed(session: Session, plan_id: int, kind: str, year: int) -> list[str]:
    """The sections whose newest narrative version has not been reviewed."""
    return [s for s, n in sorted(current(session, plan_id, kind, year).items()) if n.reviewed_by is None]


def review(session: Session, actor: Principal, kind: str, year: int, section: str, version: int,
           plan_code: str | None = None) -> ReportNarrative:
    """Record that the plan office reviewed version ``version`` of a section's narrative; only the newest version
    can be reviewed (a newer one must be reviewed again)."""
    actor.require_role(*REVIEWERS, action="reviewing an evaluation narrative")
    _check(kind, section)
    plan_id = plans.latest_version(session, plan_code).plan_id
    newest = current(session, plan_id, kind, year).get(section)
    if newest is None:
        raise ReportError(f"section {section!r} of the {kind} evaluation of {year} has no narrative to review")
    if newest.version != version:
        raise ReportError(f"version {version} of section {section!r} is not the newest (version {newest.version}): "
                          "review the newest text")
    newest.reviewed_by, newest.reviewed_at = actor.username, utcnow()
    session.flush()
    return newest


def draft(session: Session, kind: str, year: int, section: str, as_of: dt.date, plan_code: str | None = None,
          lang: str = "zh") -> str:
    """A draft of a section's narrative from the data: the section's sentences as the pack states them as of
    ``as_of`` (every number filled from the data by the prose templates; a sentence from a rule keeps its label
    【系统按规则生成】), one paragraph a line, for the plan office to edit into its judgement. Nothing is saved."""
    from kechuang.reports.evaluation import build_evaluation

    _check(kind, section)
    report = build_evaluation(session, kind, year, as_of=as_of, plan_code=plan_code, lang=lang)
    written = current(session, plans.latest_version(session, plan_code).plan_id, kind, year).get(section)
    skip = 2 if written is not None else (1 if NARRATIVE_SECTIONS[section] else 0)
    blocks = report.section(section).blocks[skip:]
    return "\n".join(b.text for b in blocks if isinstance(b, Paragraph) and b.style == "body")


def mark_final(session: Session, actor: Principal, kind: str, year: int, as_of: dt.date,
               plan_code: str | None = None) -> ReportFinal:
    """Mark the ``kind`` evaluation of ``year`` as of ``as_of`` final; refused while a required section is empty."""
    from kechuang.reports.evaluation import build_evaluation

    actor.require_role(Role.ADMIN, action="marking an evaluation final")
    plan_id = plans.latest_version(session, plan_code).plan_id
    empty = missing(session, plan_id, kind, year)
    if empty:
        raise ReportError(f"the {kind} evaluation of {year} cannot be marked final: the required sections "
                          f"{', '.join(empty)} have no narrative yet")
    open_review = unreviewed(session, plan_id, kind, year)
    if open_review:
        raise ReportError(f"the {kind} evaluation of {year} cannot be marked final: the narratives of "
                          f"{', '.join(open_review)} have not been reviewed")
    report = build_evaluation(session, kind, year, as_of=as_of, plan_code=plan_code)
    row = ReportFinal(plan_id=plan_id, kind=kind, year=year, as_of=as_of, content_sha256=content_hash(report),
                      marked_by=actor.username)
    session.add(row)
    session.flush()
    return row
