"""Shared fixtures: databases (a real SQLite file and a real PostgreSQL server), a loaded plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kechuang.store.db import make_engine, session_factory, upgrade
from tests.support.browser import browser, page  # noqa: F401  (shared by every browser test)
from tests.support.pg import fresh_database, postgres_server

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
# Copies of ../shared (the plan text and the reference data) kept in the repository, so a clone anywhere passes.
SHARED = FIXTURES


@pytest.fixture(scope="session")
def pg_params() -> Iterator[dict[str, str]]:
    with postgres_server() as params:
        yield params


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kechuang.db'}"
    return fresh_database(request.getfixturevalue("pg_params"))


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    """A session factory on a migrated fresh database."""
    engine = make_engine(db_url)
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


#: the day the demo databases of the tests are set up (supervision deadlines are set around it)
DEMO_DAY = dt.date(2026, 3, 1)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file holding the bundled plan and the whole demo setup of ``kechuang init --demo`` (演示数据),
    including the demo index values approved through the workflow and the run built from them. Read only."""
    from kechuang.bootstrap import load_bundled
    from kechuang.demo.seed import setup_demo
    from kechuang.store.db import transaction

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'kechuang.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as s:
        load_bundled(s, by="test")
        setup_demo(s, DEMO_DAY)
    engine.dispose()
    return url
