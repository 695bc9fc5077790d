"""Indicators and observations.

Indicators belong to a plan and are identified by code; they are not versioned with the plan text
(their definitions are upserted on load). Observations are data: every observation carries its source
(``source_kind`` ∈ plan_text / published / submission / demo) so that every number shown traces back.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kechuang.store.base import Base, utcnow

SOURCE_KINDS = ("plan_text", "published", "submission", "demo")
#: confidence grades of found figures: high = government work report or official plan; medium = official media;
#: low = other (kept, never presented as official)
CONFIDENCES = ("high", "medium", "low")


class Indicator(Base):
    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text, default="")
    unit_zh: Mapped[str] = mapped_column(String(100), default="")
    unit_en: Mapped[str] = mapped_column(String(100), default="")
    direction: Mapped[int] = mapped_column(Integer, default=1)
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")

    observations: Mapped[list[Observation]] = relationship(
        back_populates="indicator", order_by="Observation.year", cascade="all, delete-orphan"
    )

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_zh

    def unit(self, lang: str) -> str:
        return self.unit_en if lang == "en" and self.unit_en else self.unit_zh


class Observation(Base):
    __tablename__ = "observation"
    __table_args__ = (UniqueConstraint("indicator_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(200), doc="stable key within the indicator, e.g. the fact code")
    year: Mapped[int] = mapped_column(Integer)
    period: Mapped[str | None] = mapped_column(String(40), nullable=True)
    value: Mapped[float] = mapped_column(Float)
    qualifier: Mapped[str] = mapped_column(String(20), default="exact")
    scope_zh: Mapped[str] = mapped_column(Text, default="")
    scope_en: Mapped[str] = mapped_column(Text, default="")
    source_kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text, doc="section, release or submission the value comes from")
    quote: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    edition: Mapped[str] = mapped_column(String(40), default="", doc="published figures: the index edition, e.g. 2.0")
    released_on: Mapped[str] = mapped_column(String(40), default="", doc="published figures: the release date")
    confidence: Mapped[str] = mapped_column(String(10), default="", doc="found figures: one of CONFIDENCES")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="observations")
