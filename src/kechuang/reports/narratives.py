"""Judgement written by people, numbers by the system: the narrative of an evaluation pack's sections.

The plan office writes the judgement of a section (总体评价, 存在问题, 下一步工作建议 …) in its own words; every save
is a new version with who wrote it and when (nothing is overwritten), and the newest version goes into the pack,
so writing it changes the pack's content hash. A pack is marked final (定稿) only when every required section has
a text; the record keeps the content hash it was marked on.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kechuang.core.access import Principal, Role
from kechuang.plan import service as plans
from kechuang.reports.model import ReportError, content_hash
from kechuang.reports.models import ReportFinal, ReportNarrative

#: section id → whether a pack needs its narrative before it can be marked final
NARRATIVE_SECTIONS: dict[str, bool] = {"summary": True, "tasks": False, "projects": False, "safeguards": False,
                                       "external": False, "problems": True, "next_steps": True}
WRITERS = (Role.ADMIN, Role.APPROVER)


def _check(kind: str, section: str) -> None:
    if kind not in ("midterm", "final"):
        raise ReportError(f"narratives belong to the midterm or final evaluation, not {kind!r}")
    if section not in NARRATIVE_SECTIONS:
        raise ReportError(f"section {section!r} takes no narrative; expected one of {', '.join(NARRATIVE_SECTIONS)}")


def write(session: Session, actor: Principal, kind: str, year: int, section: str, text: str,
          plan_code: str | None = None) -> ReportNarrative:
    """Save a new version of the narrative of ``section`` of the ``kind`` evaluation of ``year``."""
    actor.require_role(*WRITERS, action="writing an evaluation narrative")
    _check(kind, section)
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
    report = build_evaluation(session, kind, year, as_of=as_of, plan_code=plan_code)
    row = ReportFinal(plan_id=plan_id, kind=kind, year=year, as_of=as_of, content_sha256=content_hash(report),
                      marked_by=actor.username)
    session.add(row)
    session.flush()
    return row
