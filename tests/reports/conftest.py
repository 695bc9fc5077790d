"""Report fixtures: one demonstration database (tests/reports/demo_data.py) built once per session, the
three report packs built from it once, and fresh copies of the database for tests that write."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kechuang.reports.service import Pack, generate
from kechuang.store.db import make_engine, session_factory
from tests.reports.demo_data import DEMO_DAY, build_demo_database


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database file (never written to by the tests: copy it with ``demo_copy``)."""
    path = tmp_path_factory.mktemp("reports-db") / "demo.db"
    build_demo_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def demo_sessions(demo_db: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{demo_db}")
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def packs(demo_sessions: sessionmaker[Session], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Pack]:
    """The mid-term (2023), final and index (2024) packs, all four formats each, dated DEMO_DAY."""
    out = tmp_path_factory.mktemp("packs")
    built = {}
    with demo_sessions() as s:
        for kind, year in (("midterm", 2023), ("final", None), ("index", 2024)):
            built[kind] = generate(s, kind, year, out, as_of=DEMO_DAY)
    return built


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> str:
    """A URL of a fresh copy of the demo database (for tests that write)."""
    path = tmp_path / "copy.db"
    shutil.copyfile(demo_db, path)
    return f"sqlite:///{path}"


@pytest.fixture
def copy_sessions(demo_copy: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(demo_copy)
    yield session_factory(engine)
    engine.dispose()
