"""Writing and reading the audit trail.

Every service that changes data or state calls :func:`record` in the same transaction as the change, so
the change and its record are committed together or not at all. Refused attempts (e.g. changing a locked
value) are recorded too, with action ``refused``; the caller commits that record before reporting the
refusal (see :class:`RecordedRefusal`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kechuang.audit.models import AuditRecord
from kechuang.core.access import PLAN_OFFICE, Principal


class RecordedRefusal(Exception):
    """An action was refused and the refusal was added to the session's audit trail.

    Whoever catches it should commit the session (which holds nothing but the audit record) so that the
    attempt stays on record, then report ``str(exc)`` to the user.
    """


def record(session: Session, actor: Principal, action: str, entity: str, entity_id: object, *,
           department_id: int | None, field: str = "", old: Any = None, new: Any = None,
           reason: str = "") -> AuditRecord:
    """Append one audit record (who, when, what, old → new, why) to the session."""
    row = AuditRecord(actor_id=actor.id, actor=actor.username, role=actor.role.value, department_id=department_id,
                      action=action, entity=entity, entity_id=str(entity_id), field=field, old=old, new=new,
                      reason=reason)
    session.add(row)
    return row


def refuse(session: Session, actor: Principal, entity: str, entity_id: object, *, department_id: int | None,
           message: str, field: str = "", attempted: Any = None) -> RecordedRefusal:
    """Record a refused attempt and return the exception to raise."""
    record(session, actor, "refused", entity, entity_id, department_id=department_id, field=field, new=attempted,
           reason=message)
    return RecordedRefusal(message)


def trail(session: Session, actor: Principal, *, entity: str | None = None, entity_id: object | None = None,
          department_id: int | None = None, actor_name: str | None = None, action: str | None = None,
          after: dt.datetime | None = None, before: dt.datetime | None = None,
          limit: int = 500) -> list[AuditRecord]:
    """Audit records visible to ``actor``, newest first; optionally only those of one entity (and id), about
    one department, by one account (user name), of one action, at or after ``after`` and before ``before``.

    Plan-office roles see every record; reporters and reviewers see the records about their own department
    (and their own actions).
    """
    stmt = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
    if entity is not None:
        stmt = stmt.where(AuditRecord.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditRecord.entity_id == str(entity_id))
    if department_id is not None:
        stmt = stmt.where(AuditRecord.department_id == department_id)
    if actor_name is not None:
        stmt = stmt.where(AuditRecord.actor == actor_name)
    if action is not None:
        stmt = stmt.where(AuditRecord.action == action)
    if after is not None:
        stmt = stmt.where(AuditRecord.at >= after)
    if before is not None:
        stmt = stmt.where(AuditRecord.at < before)
    if actor.role not in PLAN_OFFICE:
        stmt = stmt.where((AuditRecord.department_id == actor.department_id) | (AuditRecord.actor_id == actor.id))
    return list(session.scalars(stmt))
