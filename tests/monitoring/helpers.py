"""Shared by the monitoring tests: a database holding the plan excerpt and the demo setup (seeded once per
test session and copied for each test: a SQLite file copy, a PostgreSQL ``CREATE DATABASE … TEMPLATE``),
and the demo accounts as principals."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.accounts.models import Account
from kechuang.accounts.service import principal_of
from kechuang.core.access import Principal
from kechuang.demo.seed import seed_demo
from kechuang.plan import service as plans
from kechuang.plan.loader import read_plan_file
from kechuang.store.db import make_engine, session_factory, transaction, upgrade
from tests.support.pg import fresh_database

EXCERPT = Path(__file__).parent / "fixtures" / "yangpu_excerpt.yaml"
SEED_DAY = dt.date(2023, 1, 16)
PERIOD_YEAR = 2022


def seed(url: str) -> None:
    """Load the plan excerpt and the demo setup (period 2022) into the database at ``url``."""
    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as s:
        plans.load_plan(s, read_plan_file(EXCERPT), source="tests/monitoring/fixtures/yangpu_excerpt.yaml", by="test")
        seed_demo(s, SEED_DAY, period_year=PERIOD_YEAR)
    engine.dispose()


def _conninfo(params: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items() if v)


@pytest.fixture(scope="session")
def seeded_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seeded") / "template.db"
    seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def seeded_pg_template(pg_params: dict[str, str]) -> str:
    url = fresh_database(pg_params)
    seed(url)
    return url.rsplit("/", 1)[1]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def seeded_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh copy of the seeded database: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "seeded.db"
        shutil.copyfile(request.getfixturevalue("seeded_sqlite_template"), path)
        return f"sqlite:///{path}"
    params = request.getfixturevalue("pg_params")
    template = request.getfixturevalue("seeded_pg_template")
    name = f"kechuang_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_conninfo(params), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    auth = params["user"] + (f":{params['password']}" if params["password"] else "")
    return f"postgresql+psycopg://{auth}@{params['host']}:{params['port']}/{name}"


@pytest.fixture
def seeded(seeded_url: str) -> Iterator[sessionmaker[Session]]:
    """A session factory on a fresh copy of the seeded database."""
    engine = make_engine(seeded_url)
    yield session_factory(engine)
    engine.dispose()


def who(s: Session, username: str) -> Principal:
    """The principal of a demo account."""
    account = s.scalar(select(Account).where(Account.username == username))
    assert account is not None, username
    return principal_of(account)


__all__ = ["seeded", "seeded_url", "seeded_sqlite_template", "seeded_pg_template", "who", "seed", "SEED_DAY",
           "PERIOD_YEAR", "EXCERPT"]
