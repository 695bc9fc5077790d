"""Tables of supervision (督办).

An item supervises one measure or key project of the plan (by element code), is led by one department
(牵头单位) with any number of co-operating departments (配合单位), has a deadline and milestones, and moves
through the stages of ``kechuang.progress.Stage`` (立项 → 交办 → 签收 → 办理 → 反馈 → 复核 → 办结/销号).
Departments report progress (text, % complete) with evidence files stored on disk; the row keeps the
file's name, type, size and SHA-256.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kechuang.accounts.models import Department
from kechuang.store.base import Base, utcnow

co_departments = Table(
    "supervision_co_department",
    Base.metadata,
    Column("item_id", ForeignKey("supervision_item.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id"), primary_key=True),
)


class SupervisionItem(Base):
    __tablename__ = "supervision_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    element_code: Mapped[str] = mapped_column(String(100))
    title_zh: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text, default="")
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    deadline: Mapped[dt.date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(20), default="assigned")
    percent: Mapped[int] = mapped_column(Integer, default=0)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    lead: Mapped[Department] = relationship(foreign_keys=[lead_department_id])
    co_departments: Mapped[list[Department]] = relationship(secondary=co_departments, order_by="Department.id")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="item", order_by="Milestone.due_on", cascade="all, delete-orphan"
    )
    reports: Mapped[list[ProgressReport]] = relationship(
        back_populates="item", order_by="ProgressReport.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_zh

    def department_ids(self) -> set[int]:
        """The lead and the co-operating departments."""
        return {self.lead_department_id, *(d.id for d in self.co_departments)}


class Milestone(Base):
    __tablename__ = "supervision_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id", ondelete="CASCADE"))
    title_zh: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[dt.date] = mapped_column(Date)
    done_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    item: Mapped[SupervisionItem] = relationship(back_populates="milestones")

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_zh


class ProgressReport(Base):
    __tablename__ = "supervision_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    author: Mapped[str] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    percent: Mapped[int] = mapped_column(Integer)

    item: Mapped[SupervisionItem] = relationship(back_populates="reports")
    department: Mapped[Department] = relationship()
    evidence: Mapped[list[EvidenceFile]] = relationship(
        back_populates="report", order_by="EvidenceFile.id", cascade="all, delete-orphan"
    )


class EvidenceFile(Base):
    __tablename__ = "supervision_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("supervision_report.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(Text)
    stored_name: Mapped[str] = mapped_column(String(100), doc="<sha256>.<ext> in the evidence directory")
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))

    report: Mapped[ProgressReport] = relationship(back_populates="evidence")
