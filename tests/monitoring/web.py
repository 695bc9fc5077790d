"""In-process web clients on a copy of the seeded database, logged in as demo accounts."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kechuang.core.settings import Settings
from kechuang.demo.seed import DEMO_PASSWORD
from kechuang.web.app import create_app

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_app(template_db: Path, folder: Path) -> FastAPI:
    """The app on a fresh copy of the seeded SQLite database, with plain-http cookies (tests)."""
    path = folder / "web.db"
    shutil.copyfile(template_db, path)
    app = create_app(f"sqlite:///{path}")
    app.state.account_settings = Settings(secure_cookies=False)
    app.state.supervision_settings = Settings(evidence_dir=str(folder / "evidence"))
    return app


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def login(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> str:
    """Log ``client`` in; returns the session's CSRF token."""
    page = client.get("/login")
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(client.get("/api/v1/me").json()["csrf_token"])


@pytest.fixture
def web_app(seeded_sqlite_template: Path, tmp_path: Path) -> FastAPI:
    return make_app(seeded_sqlite_template, tmp_path)


@pytest.fixture
def client_as(web_app: FastAPI) -> Iterator[Callable[[str], tuple[TestClient, str]]]:
    """``client_as("demo-kw-reporter")`` → a logged-in client and its CSRF token."""
    opened: list[TestClient] = []

    def make(username: str) -> tuple[TestClient, str]:
        client = TestClient(web_app)
        client.__enter__()
        opened.append(client)
        return client, login(client, username)

    yield make
    for client in opened:
        client.__exit__(None, None, None)
