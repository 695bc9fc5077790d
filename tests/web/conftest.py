"""Web fixtures: the bundled plan in a SQLite file, an in-process client and a live server (Chromium:
``tests/support/browser.py``, shared through ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kechuang.bootstrap import load_bundled
from kechuang.plan import service as plans
from kechuang.plan.loader import read_plan_file
from kechuang.store.db import make_engine, session_factory, transaction, upgrade
from kechuang.web.app import create_app
from tests.support.server import serve_in_thread


@pytest.fixture(scope="session")
def yangpu_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file holding the bundled Yangpu plan."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'kechuang.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as s:
        load_bundled(s, by="test")
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def demo_client(demo_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(demo_db)) as c:
        yield c


@pytest.fixture(scope="session")
def demo_server(demo_db: str) -> Iterator[str]:
    with serve_in_thread(create_app(demo_db)) as url:
        yield url


@pytest.fixture(scope="session")
def client(yangpu_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(yangpu_db)) as c:
        yield c


@pytest.fixture(scope="session")
def live_server(yangpu_db: str) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a background thread."""
    with serve_in_thread(create_app(yangpu_db)) as url:
        yield url


@pytest.fixture
def mini_client(tmp_path: Path) -> Iterator[TestClient]:
    """A client on a database holding only the small fictional test plan."""
    from tests.conftest import FIXTURES

    url = f"sqlite:///{tmp_path / 'mini.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as s:
        plans.load_plan(s, read_plan_file(FIXTURES / "mini_plan.yaml"), source="mini", by="test")
    with TestClient(create_app(url)) as c:
        yield c
    engine.dispose()
