"""Tables of data submission.

A reporting period (e.g. the year 2022) is opened by the plan office; each department that owns
indicators gets one submission for it, holding one value row per indicator. A submission moves
draft → submitted → dept_approved → approved (locked), or back to ``returned`` with a comment; an approved
submission may be reopened for a revision (its ``revision`` counts up). Values and submissions carry a
``version`` column (SQLAlchemy's version counter), so that two people saving the same row at once cannot
silently overwrite each other: the second save matches no row and fails.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kechuang.accounts.models import Department
from kechuang.indicators.models import Indicator
from kechuang.store.base import Base, utcnow

STATES = ("draft", "submitted", "dept_approved", "approved", "returned")


class ReportingPeriod(Base):
    __tablename__ = "reporting_period"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20), doc="'2022' for a year, '2023H1' or '2023Q1' for parts of one")
    year: Mapped[int] = mapped_column(Integer)
    label_zh: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" and self.label_en else self.label_zh


class Submission(Base):
    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("period_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    state: Mapped[str] = mapped_column(String(20), default="draft")
    revision: Mapped[int] = mapped_column(Integer, default=0)
    comment: Mapped[str] = mapped_column(Text, default="", doc="the latest return comment or revision reason")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    period: Mapped[ReportingPeriod] = relationship()
    department: Mapped[Department] = relationship()
    values: Mapped[list[SubmissionValue]] = relationship(
        back_populates="submission", order_by="SubmissionValue.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def editable(self) -> bool:
        """Values can be changed only while the department holds the submission (draft or returned)."""
        return self.state in ("draft", "returned")


class SubmissionValue(Base):
    __tablename__ = "submission_value"
    __table_args__ = (UniqueConstraint("submission_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    final: Mapped[bool] = mapped_column(Boolean, default=False, doc="正式数 (final) or 初步数 (provisional)")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(80), default="")
    updated_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    submission: Mapped[Submission] = relationship(back_populates="values")
    indicator: Mapped[Indicator] = relationship()

    __mapper_args__ = {"version_id_col": version}


class ConsistencyRule(Base):
    """``left ⟨op⟩ factor × right`` must hold between two indicators' values of the same period."""

    __tablename__ = "consistency_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    left_indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    op: Mapped[str] = mapped_column(String(2), doc="'<=', '>=' or '=='")
    factor: Mapped[float] = mapped_column(Float, default=1.0)
    right_indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    message_zh: Mapped[str] = mapped_column(Text, default="")
    message_en: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    left: Mapped[Indicator] = relationship(foreign_keys=[left_indicator_id])
    right: Mapped[Indicator] = relationship(foreign_keys=[right_indicator_id])


REVISION_STATES = ("pending", "approved", "refused")


class RevisionRequest(Base):
    """A department's request to reopen an approved submission (申请修订), decided by the plan office."""

    __tablename__ = "revision_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    decided_by: Mapped[str] = mapped_column(String(80), default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    submission: Mapped[Submission] = relationship()
