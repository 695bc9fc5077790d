"""The same evaluation content from PostgreSQL as from SQLite (the demonstration data built the same way)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kechuang.reports.service import build_report
from kechuang.store.db import make_engine, session_factory
from tests.reports.demo_data import DEMO_DAY, build_demo_database
from tests.support.pg import fresh_database

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("reports")]


def test_midterm_tables_are_the_same_on_postgresql(pg_params: dict[str, str],
                                                   demo_sessions: sessionmaker[Session]) -> None:
    url = fresh_database(pg_params)
    build_demo_database(url)
    engine = make_engine(url)
    try:
        with session_factory(engine)() as s:
            on_pg = build_report(s, "midterm", 2023, as_of=DEMO_DAY)
    finally:
        engine.dispose()
    with demo_sessions() as s:
        on_sqlite = build_report(s, "midterm", 2023, as_of=DEMO_DAY)
    for table in on_sqlite.tables():
        if table.id == "build_record":  # the index run's creation time differs between the two builds
            continue
        assert on_pg.table(table.id).rows == table.rows, table.id
    assert on_pg.proposals == on_sqlite.proposals
