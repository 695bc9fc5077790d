"""The audit table. Rows are only ever inserted: database triggers (migration 0002) reject UPDATE and
DELETE on SQLite and PostgreSQL, whoever asks, and (migration 0006) REPLACE on SQLite. It has no foreign
keys, so that no cascade can touch it. Every record carries its hash and the previous record's
(``kechuang.audit.chain``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kechuang.store.base import Base, utcnow


class AuditRecord(Base):
    __tablename__ = "audit_record"
    __table_args__ = (Index("ix_audit_record_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20), default="")
    department_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True,
                                                      doc="the department whose data the record is about")
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    field: Mapped[str] = mapped_column(String(80), default="")
    old: Mapped[Any] = mapped_column(JSON, nullable=True)
    new: Mapped[Any] = mapped_column(JSON, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64), default="", doc="hash of the previous record ('' first)")
    hash: Mapped[str] = mapped_column(String(64), default="", doc="SHA-256 of this record (kechuang.audit.chain)")
