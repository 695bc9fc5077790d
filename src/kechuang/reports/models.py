"""The judgement parts of an evaluation pack, written by people: one row per version of a narrative section
(who wrote it and when), and the record of a pack marked final (报告定稿) with the content hash it was marked on."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kechuang.store.base import Base, utcnow


class ReportNarrative(Base):
    """Version ``version`` of the text of section ``section`` of the ``kind`` evaluation of ``year``."""

    __tablename__ = "report_narrative"
    __table_args__ = (UniqueConstraint("plan_id", "kind", "year", "section", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: who reviewed this version and when (the plan office; required sections need it before the pack is final)
    reviewed_by: Mapped[str | None] = mapped_column(String(80), nullable=True, default=None)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True, default=None)


class ReportFinal(Base):
    """A pack marked final: the evaluation, its cut-off and the content hash the plan office signed off."""

    __tablename__ = "report_final"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[dt.date]
    content_sha256: Mapped[str] = mapped_column(String(64))
    marked_by: Mapped[str] = mapped_column(String(80))
    marked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
