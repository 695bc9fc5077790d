"""Tables of stored index builds.

A run records what it was built from — the spec (JSON) and SHA-256 hashes of the iData and iMeta
tables — so that a result can be regenerated and checked. Pages read these tables; they never compute.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kechuang.store.base import Base, utcnow


class IndexFramework(Base):
    """An index framework of a plan as its bundle defines it: the iMeta table (with labels), the pipeline spec,
    the index and unit codes, and the prefix of the plan indicators its nodes are collected as."""

    __tablename__ = "index_framework"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(100))
    title_zh: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text, default="")
    index_code: Mapped[str] = mapped_column(String(100))
    unit_code: Mapped[str] = mapped_column(String(100))
    unit_name_zh: Mapped[str] = mapped_column(Text)
    unit_name_en: Mapped[str] = mapped_column(Text, default="")
    indicator_prefix: Mapped[str] = mapped_column(String(40))
    headline_indicator: Mapped[str] = mapped_column(String(100), default="")
    growth_fact_indicator: Mapped[str] = mapped_column(String(100), default="")
    meta: Mapped[list[dict[str, Any]]] = mapped_column(JSON, doc="the iMeta table, one record per row")
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class IndexRun(Base):
    __tablename__ = "index_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework: Mapped[str] = mapped_column(String(100), index=True)
    title_zh: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    is_demo: Mapped[bool] = mapped_column(Boolean)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    data_hash: Mapped[str] = mapped_column(String(64))
    meta_hash: Mapped[str] = mapped_column(String(64))
    spec_hash: Mapped[str] = mapped_column(String(64))
    engine_version: Mapped[str] = mapped_column(String(40))
    data_source: Mapped[str] = mapped_column(Text, default="")
    index_code: Mapped[str] = mapped_column(String(100))
    focus_unit: Mapped[str] = mapped_column(String(100))
    framework_id: Mapped[int | None] = mapped_column(ForeignKey("index_framework.id", ondelete="SET NULL"),
                                                     nullable=True)
    until_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    coverage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict,
                                                     doc="availability per indicator, dimension and year")
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    demo_values: Mapped[int] = mapped_column(Integer, default=0, doc="how many snapshot values are demo data")

    nodes: Mapped[list[IndexNode]] = relationship(order_by="IndexNode.position", cascade="all, delete-orphan")


class IndexRunValue(Base):
    """One value of the snapshot a run was built from: an approved (or demo) observation of a framework indicator."""

    __tablename__ = "index_run_value"
    __table_args__ = (Index("ix_index_run_value_run_code", "run_id", "code", "year", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("index_run.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(100), doc="the framework's iCode")
    unit: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    source_kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text, default="")
    observation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class IndexNode(Base):
    """A node of the framework as used by a run (indicator or aggregate) with its provenance label."""

    __tablename__ = "index_node"
    __table_args__ = (Index("ix_index_node_run_code", "run_id", "code", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("index_run.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(Integer)
    parent: Mapped[str | None] = mapped_column(String(100), nullable=True)
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[float] = mapped_column(Float)
    effective_weight: Mapped[float] = mapped_column(Float)
    direction: Mapped[int] = mapped_column(Integer, default=1)
    unit: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(40), default="")
    data_type: Mapped[str] = mapped_column(String(10), default="")
    evidence: Mapped[str] = mapped_column(Text, default="")


class IndexScore(Base):
    """Score and rank of one code for one unit and year in a run."""

    __tablename__ = "index_score"
    __table_args__ = (Index("ix_index_score_run_code_unit", "run_id", "code", "unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("index_run.id", ondelete="CASCADE"))
    unit: Mapped[str] = mapped_column(String(100))
    unit_name: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    code: Mapped[str] = mapped_column(String(100))
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)


class IndexContribution(Base):
    """Contribution of a child to the change of its parent between two consecutive years (focus unit)."""

    __tablename__ = "index_contribution"
    __table_args__ = (Index("ix_index_contribution_run_parent", "run_id", "parent", "year_to"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("index_run.id", ondelete="CASCADE"))
    unit: Mapped[str] = mapped_column(String(100))
    parent: Mapped[str] = mapped_column(String(100))
    child: Mapped[str] = mapped_column(String(100))
    year_from: Mapped[int] = mapped_column(Integer)
    year_to: Mapped[int] = mapped_column(Integer)
    weight: Mapped[float] = mapped_column(Float)
    start: Mapped[float | None] = mapped_column(Float, nullable=True)
    end: Mapped[float | None] = mapped_column(Float, nullable=True)
    contribution: Mapped[float | None] = mapped_column(Float, nullable=True)
    share_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    parent_change: Mapped[float | None] = mapped_column(Float, nullable=True)


class IndexUncertaintyRun(Base):
    """An uncertainty (and possibly sensitivity) analysis of a stored build: its uncertainty spec, size and seed,
    so that it can be rerun and checked (``kechuang.index.uncertainty``)."""

    __tablename__ = "index_ua_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("index_run.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    is_demo: Mapped[bool] = mapped_column(Boolean)
    kind: Mapped[str] = mapped_column(String(20))
    ua_spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    ua_hash: Mapped[str] = mapped_column(String(64))
    n: Mapped[int] = mapped_column(Integer)
    n_runs: Mapped[int] = mapped_column(Integer)
    n_failed: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(100))
    seconds: Mapped[float] = mapped_column(Float)
    engine_version: Mapped[str] = mapped_column(String(40))


class IndexUncertaintyRank(Base):
    """Score and rank statistics of one code for one unit and year over the runs of an analysis."""

    __tablename__ = "index_ua_rank"
    __table_args__ = (Index("ix_index_ua_rank_run_code", "ua_run_id", "code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ua_run_id: Mapped[int] = mapped_column(ForeignKey("index_ua_run.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(100))
    unit_name: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    runs: Mapped[int] = mapped_column(Integer)
    score_nominal: Mapped[float | None] = mapped_column(Float, nullable=True)
    score_mean: Mapped[float | None] = mapped_column(Float, nullable=True)
    score_q05: Mapped[float | None] = mapped_column(Float, nullable=True)
    score_median: Mapped[float | None] = mapped_column(Float, nullable=True)
    score_q95: Mapped[float | None] = mapped_column(Float, nullable=True)
    rank_nominal: Mapped[float | None] = mapped_column(Float, nullable=True)
    rank_mean: Mapped[float | None] = mapped_column(Float, nullable=True)
    rank_q05: Mapped[float | None] = mapped_column(Float, nullable=True)
    rank_median: Mapped[float | None] = mapped_column(Float, nullable=True)
    rank_q95: Mapped[float | None] = mapped_column(Float, nullable=True)


class IndexSensitivity(Base):
    """First- and total-order Sobol' indices (with bootstrap intervals) of one uncertain parameter for one
    output: the mean absolute rank shift (``unit`` empty) or a unit's rank or score in a year."""

    __tablename__ = "index_sensitivity"
    __table_args__ = (Index("ix_index_sensitivity_run_target", "ua_run_id", "target", "unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ua_run_id: Mapped[int] = mapped_column(ForeignKey("index_ua_run.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(100), default="")
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    parameter: Mapped[str] = mapped_column(String(100))
    s1: Mapped[float | None] = mapped_column(Float, nullable=True)
    s1_lo: Mapped[float | None] = mapped_column(Float, nullable=True)
    s1_hi: Mapped[float | None] = mapped_column(Float, nullable=True)
    st: Mapped[float | None] = mapped_column(Float, nullable=True)
    st_lo: Mapped[float | None] = mapped_column(Float, nullable=True)
    st_hi: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
