"""Portal fixtures: the bundled Yangpu plan with a plan-office account, a department and its reviewer (built
once, copied for each test module), an in-process client and a live server on that copy.

Comment forms are accepted 1 s after they are served here (instead of 3 s) to keep the tests quick, and
20 comments per client per 10 minutes (instead of 5) since every test client has one address."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kechuang.accounts import service as accounts
from kechuang.bootstrap import load_bundled
from kechuang.core.access import SYSTEM, Role
from kechuang.core.settings import Settings
from kechuang.demo.seed import seed_demo, seed_demo_history
from kechuang.store.db import make_engine, session_factory, transaction, upgrade
from kechuang.web import portal
from kechuang.web.app import create_app
from tests.support.server import serve_in_thread

PASSWORD = "portal-test-password"
SETTINGS = Settings(secret_key="portal-tests", comment_min_seconds=1.0, comment_rate_limit=20)


@pytest.fixture(scope="session")
def portal_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled plan, the plan office's admin ``office``, department 区科委 (KW) and its reviewer ``kw``."""
    path = tmp_path_factory.mktemp("portal") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(session_factory(engine)) as s:
        load_bundled(s, by="test")
        accounts.create_account(s, SYSTEM, username="office", display_name="规划办 王", password=PASSWORD,
                                role=Role.ADMIN)
        kw = accounts.create_department(s, SYSTEM, code="KW", name_zh="区科委", name_en="Science Commission")
        accounts.create_account(s, SYSTEM, username="kw", display_name="科委 李", password=PASSWORD,
                                role=Role.REVIEWER, department_id=kw.id)
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def portal_db(portal_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    copy = tmp_path_factory.mktemp("portal-db") / "kechuang.db"
    shutil.copy(portal_template, copy)
    return f"sqlite:///{copy}"


def portal_app(url: str) -> FastAPI:
    """The real app with plain-http cookies and the quicker comment settings."""
    app = create_app(url)
    app.state.account_settings = Settings(secure_cookies=False)
    app.dependency_overrides[portal.comment_settings] = lambda: SETTINGS
    return app


@pytest.fixture(scope="module")
def portal_client(portal_db: str) -> Iterator[TestClient]:
    with TestClient(portal_app(portal_db), client=("198.51.100.10", 50000)) as c:
        yield c


@pytest.fixture(scope="module")
def portal_server(portal_db: str) -> Iterator[str]:
    with serve_in_thread(portal_app(portal_db)) as url:
        yield url


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What ``kechuang init --demo`` makes: the bundled plan, the demo setup and the approved demo history."""
    path = tmp_path_factory.mktemp("demo") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(session_factory(engine)) as s:
        load_bundled(s, by="test")
        report = seed_demo(s, dt.date.today())
        seed_demo_history(s, dt.date.today(), report.open_year)
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def demo_db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    copy = tmp_path_factory.mktemp("demo-db") / "kechuang.db"
    shutil.copy(demo_template, copy)
    return f"sqlite:///{copy}"


@pytest.fixture(scope="module")
def demo_client(demo_db: str) -> Iterator[TestClient]:
    with TestClient(portal_app(demo_db), client=("198.51.100.11", 50000)) as c:
        yield c


@pytest.fixture(scope="module")
def demo_server(demo_db: str) -> Iterator[str]:
    with serve_in_thread(portal_app(demo_db)) as url:
        yield url
