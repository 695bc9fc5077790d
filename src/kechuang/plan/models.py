"""Tables of the plan domain.

A plan has versions; each version holds the validated plan document (canonical JSON) and one row per
element (area, task, measure, project, target, place, glossary term …) keyed by its code. A version is
never changed after it is written: an adjustment (规划调整) writes a new version with who, when and why.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kechuang.store.base import Base, utcnow


class Plan(Base):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    title_zh: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="plan", order_by="PlanVersion.number", cascade="all, delete-orphan"
    )


class PlanVersion(Base):
    __tablename__ = "plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)

    plan: Mapped[Plan] = relationship(back_populates="versions")
    elements: Mapped[list[PlanElement]] = relationship(
        back_populates="version", order_by="PlanElement.position", cascade="all, delete-orphan"
    )


class PlanElement(Base):
    __tablename__ = "plan_element"
    __table_args__ = (
        UniqueConstraint("version_id", "code"),
        Index("ix_plan_element_version_kind", "version_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    parent_code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    position: Mapped[int] = mapped_column(Integer)
    title_zh: Mapped[str] = mapped_column(Text, default="")
    title_en: Mapped[str] = mapped_column(Text, default="")
    text_zh: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    version: Mapped[PlanVersion] = relationship(back_populates="elements")

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_zh

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" and self.text_en else self.text_zh


class GlossaryLink(Base):
    """Where a glossary term is used: the term's code and the code of an element whose text uses it."""

    __tablename__ = "glossary_link"
    __table_args__ = (UniqueConstraint("version_id", "term_code", "element_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id", ondelete="CASCADE"))
    term_code: Mapped[str] = mapped_column(String(100))
    element_code: Mapped[str] = mapped_column(String(100))
