"""Building the bundled Yangpu index into a real database and reading it back (SQLite and PostgreSQL)."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.index_results import service as ir
from kechuang.index_results.models import IndexContribution, IndexRun, IndexScore
from kechuang.plan import service as plans
from kechuang.plan.loader import BUNDLED_PLAN, read_plan_file
from kechuang.store.db import transaction


@pytest.fixture
def built(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        plans.load_plan(s, read_plan_file(BUNDLED_PLAN), source="bundled", by="test")
        ir.load_published(s, plans.get_plan(s).id)
        ir.build_yangpu_demo(s, by="test")
    return sessions


def test_run_records_inputs_and_is_labelled_demo(built: sessionmaker[Session]) -> None:
    with built() as s:
        run = ir.latest_run(s)
        assert run is not None and run.is_demo and "演示数据" in run.title_zh
        assert len(run.data_hash) == 64 and len(run.meta_hash) == 64 and len(run.spec_hash) == 64
        assert [st["method"] for st in run.spec["steps"]] == ["n_base_year", "manual", "a_amean"]
        levels = [n.level for n in run.nodes]
        assert (levels.count(1), levels.count(2), levels.count(3), levels.count(4)) == (30, 11, 4, 1)
        statuses = {n.status for n in run.nodes}
        assert statuses <= {"confirmed", "reported", "proposed"} and "proposed" in statuses


def test_every_unit_is_100_in_the_base_year(built: sessionmaker[Session]) -> None:
    with built() as s:
        run = ir.latest_run(s)
        assert run is not None
        base = ir.scores(s, run, year=2013)
        assert base and all(math.isclose(r.score or 0, 100.0, rel_tol=1e-12) for r in base)


def test_decomposition_adds_up_to_the_change(built: sessionmaker[Session]) -> None:
    with built() as s:
        run = ir.latest_run(s)
        assert run is not None
        series = dict(ir.series(s, run, ["YPI"])["YPI"])
        parts = ir.contributions(s, run, "YPI")
        assert {p.child for p in parts} == {"Elem", "Env", "Outp", "Infl"}
        y0, y1 = parts[0].year_from, parts[0].year_to
        assert (y0, y1) == (2023, 2024)
        change = series[y1] - series[y0]  # type: ignore[operator]
        assert math.isclose(sum(p.contribution or 0 for p in parts), change, rel_tol=1e-9)
        assert math.isclose(sum(p.share_pct or 0 for p in parts), 100.0, rel_tol=1e-9)


def test_rebuilding_the_same_inputs_is_a_no_op(built: sessionmaker[Session]) -> None:
    with transaction(built) as s:
        run, new = ir.build_yangpu_demo(s, by="again")
        assert not new
    with built() as s:
        assert s.scalar(select(func.count(IndexRun.id))) == 1
        n_scores = s.scalar(select(func.count(IndexScore.id)))
        assert n_scores == 5 * 12 * 46
        assert (s.scalar(select(func.count(IndexContribution.id))) or 0) > 0


def test_published_series_with_editions_and_sources(built: sessionmaker[Session]) -> None:
    with transaction(built) as s:
        plan_id = plans.get_plan(s).id
        assert ir.load_published(s, plan_id) == 30  # idempotent: same figures, nothing duplicated
    with built() as s:
        figures = ir.published(s, plans.get_plan(s).id, "YPI")
        latest = ir.published_latest(figures)
        assert {y: f.value for y, f in latest.items()} == {2013: 100.0, 2016: 151.0, 2019: 261.4, 2022: 340.0,
                                                           2023: 374.0, 2024: 405.8}
        assert "杨府发〔2021〕3号" in latest[2019].edition + latest[2019].source
        assert all(f.source for f in figures)
