"""Monitoring settings of an indicator, kept beside the plan's indicator definition (which the plan
loader owns): who reports it, where the data come from, how often, its baseline, its targets, whether it
is binding, how progress is measured and which validation rules its values must pass.

The plan text states no numeric indicator targets; the plan office enters them. Targets entered for
the demonstration carry ``is_demo`` and are shown as 演示数据 wherever they appear.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kechuang.accounts.models import Department
from kechuang.indicators.models import Indicator
from kechuang.store.base import Base, utcnow

FREQUENCIES = ("annual", "semiannual", "quarterly", "monthly")
KINDS = ("plan", "index", "both")
BINDINGS = ("binding", "guiding")
METHODS = ("level", "cumulative")
RULES = ("elapsed", "sdsn", "cagr", "projection")


class IndicatorProfile(Base):
    __tablename__ = "indicator_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), unique=True)
    owner_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True)
    data_source_zh: Mapped[str] = mapped_column(Text, default="")
    data_source_en: Mapped[str] = mapped_column(Text, default="")
    frequency: Mapped[str] = mapped_column(String(20), default="annual")
    kind: Mapped[str] = mapped_column(String(10), default="plan")
    baseline_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    baseline_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    baseline_source: Mapped[str] = mapped_column(Text, default="")
    binding: Mapped[str] = mapped_column(String(10), default="guiding")
    method: Mapped[str] = mapped_column(String(12), default="level")
    rule: Mapped[str] = mapped_column(String(12), default="elapsed")
    rule_reason_zh: Mapped[str] = mapped_column(Text, default="")
    rule_reason_en: Mapped[str] = mapped_column(Text, default="")
    valid_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    valid_max: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_change_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, doc="settings entered for the demonstration")
    version: Mapped[int] = mapped_column(Integer, default=1)

    indicator: Mapped[Indicator] = relationship()
    owner: Mapped[Department | None] = relationship()
    targets: Mapped[list[IndicatorTarget]] = relationship(
        back_populates="profile", order_by="IndicatorTarget.year", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class IndicatorTarget(Base):
    """A target value for one year: the plan's end year (2025), the vision year (2035) or an interim year."""

    __tablename__ = "indicator_target"
    __table_args__ = (UniqueConstraint("profile_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("indicator_profile.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    set_by: Mapped[str] = mapped_column(String(80), default="")
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    profile: Mapped[IndicatorProfile] = relationship(back_populates="targets")


class IndicatorLink(Base):
    """An indicator measures the progress of a task (or of one measure of it), named by plan element code."""

    __tablename__ = "indicator_link"
    __table_args__ = (UniqueConstraint("indicator_id", "element_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    element_code: Mapped[str] = mapped_column(String(100))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
