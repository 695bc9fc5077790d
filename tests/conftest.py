"""Shared fixtures: databases (a real SQLite file and a real PostgreSQL server), a loaded plan."""

from __future__ import annotations

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
