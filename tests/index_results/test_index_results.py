"""The bundled Yangpu index built the way `kechuang init --demo` builds it (demo values approved through the workflow,
then a rebuild from the approved observations) into a real database and read back (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.bootstrap import load_bundled
from kechuang.demo.seed import setup_demo
from kechuang.index_results import service as ir
from kechuang.index_results.frameworks import get_framework, read_bundle
from kechuang.index_results.models import IndexContribution, IndexRun, IndexScore
from kechuang.index_results.rebuild import rebuild
from kechuang.plan import service as plans
from kechuang.store.db import make_engine, session_factory, transaction, upgrade
from tests.support.pg import fresh_database


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    """One demo database per backend for the module (the tests only read it, or check that writing is a no-op)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('index-results') / 'kechuang.db'}"
    else:
        url = fresh_database(request.getfixturevalue("pg_params"))
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as s:
        load_bundled(s, by="test")
        setup_demo(s, dt.date(2026, 3, 1))
    yield sessions
    engine.dispose()


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
        again = rebuild(s, get_framework(s, plans.get_plan(s).id), by="again")
        assert not again.built
    with built() as s:
        assert s.scalar(select(func.count(IndexRun.id))) == 2, "the demo setup's runs: data up to 2023, and all"
        n_scores = s.scalar(select(func.count(IndexScore.id)))
        assert n_scores == 1 * (11 + 12) * 46, "one unit (the district), 11 and 12 years, 30 indicators + 16 aggregates"
        assert (s.scalar(select(func.count(IndexContribution.id))) or 0) > 0


def test_published_series_with_editions_and_sources(built: sessionmaker[Session]) -> None:
    with transaction(built) as s:
        plan_id = plans.get_plan(s).id
        bundle = read_bundle()
        assert ir.load_published(s, get_framework(s, plan_id), bundle.folder / bundle.file.published) == 30
        # idempotent: same figures, nothing duplicated
    with built() as s:
        figures = ir.published(s, plans.get_plan(s).id, "YPI")
        latest = ir.published_latest(figures)
        assert {y: f.value for y, f in latest.items()} == {2013: 100.0, 2016: 151.0, 2019: 261.4, 2022: 340.0,
                                                           2023: 374.0, 2024: 405.8}
        assert "杨府发〔2021〕3号" in latest[2019].edition + latest[2019].source
        assert all(f.source for f in figures)
