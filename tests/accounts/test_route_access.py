"""Every route of the app, enumerated from the app itself: a reporter of another department (区商务委)
gets 404 on every route naming 区科委's resources (as if they did not exist) and 403 on every route that
needs another role — for every HTTP method, with a valid CSRF token, whatever the body. The few routes
left open to them (their own inbox, lists filtered to their department, public pages of approved data)
are named, and are checked not to show 区科委's data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from kechuang.accounts.models import Account
from kechuang.core.settings import Settings
from kechuang.supervision import service as supervision
from kechuang.supervision.models import SupervisionItem
from tests.monitoring.helpers import who
from tests.monitoring.web import login, make_app

MINE = {"kechuang.web.auth", "kechuang.web.workflow", "kechuang.web.dashboard", "kechuang.web.supervision_pages",
        "kechuang.web.admin", "kechuang.web.monitoring_api"}
# Open to any logged-in account, showing only the account's own department (checked below).
OWN = {("GET", "/inbox"), ("GET", "/supervision"), ("GET", "/account"), ("POST", "/account/password"),
       ("GET", "/audit"), ("POST", "/logout"), ("GET", "/api/v1/me"), ("GET", "/api/v1/submissions"),
       ("GET", "/api/v1/review-queue"), ("GET", "/api/v1/supervision/items"), ("GET", "/api/v1/reminders"),
       ("GET", "/api/v1/audit")}
# Public: logging in, and the pages of approved data (plan text, published and approved values).
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/login/new-password"),
          ("GET", "/monitoring/indicators/{code}"), ("GET", "/monitoring/indicators/{code}/history.{fmt}"),
          ("GET", "/api/v1/progress/indicators/{code}")}
RESOURCE_PARAMS = {"submission_id", "item_id", "milestone_id", "evidence_id", "account_id"}
KW_ONLY_ITEM = "T2.M1"  # led by 区科委 with 区发展改革委: 区商务委 has no part in it
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def setup(seeded_sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    app = make_app(seeded_sqlite_template, tmp_path)
    with app.state.sessions() as s:
        item = s.scalar(select(SupervisionItem).where(SupervisionItem.element_code == KW_ONLY_ITEM))
        assert item is not None
        report = supervision.report_progress(s, who(s, "demo-kw-reporter"), item.id, text="进展", percent=30,
                                             files=(supervision.Upload("证明.pdf", PDF),),
                                             settings=Settings(evidence_dir=str(tmp_path / "evidence")))
        s.commit()
        kw_reporter = s.scalar(select(Account).where(Account.username == "demo-kw-reporter"))
        assert kw_reporter is not None
        values = {"submission_id": "1", "item_id": str(item.id), "milestone_id": str(item.milestones[0].id),
                  "evidence_id": str(report.evidence[0].id), "account_id": str(kw_reporter.id),
                  "code": "IND_PATENTS_PER_10K", "indicator_code": "IND_PATENTS_PER_10K", "fmt": "csv"}
    yield app, values


def routes(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, path, module) of every route of the app."""
    out = []
    for r in iter_route_contexts(app.routes):
        for method in sorted((r.methods or set()) - {"HEAD"}):
            out.append((method, r.path, getattr(r.endpoint, "__module__", "")))
    return out


def fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def test_another_departments_reporter_gets_404_or_403_on_every_route_touching_the_data(
        setup: tuple[FastAPI, dict[str, str]]) -> None:
    app, values = setup
    all_routes = routes(app)
    for method, path, module in all_routes:
        params = set(re.findall(r"\{(\w+)\}", path))
        if module not in MINE:
            assert not params & RESOURCE_PARAMS, f"{method} {path} ({module}) names department data"
    guarded = [(m, p) for m, p, module in all_routes if module in MINE and (m, p) not in OWN | PUBLIC]
    assert len(guarded) >= 36, guarded
    with TestClient(app) as sw:
        token = login(sw, "demo-sw-reporter")
        answers = {}
        for method, path in guarded:
            url = fill(path, values) + ("?department=KW" if path == "/supervision/digest.txt" else "")
            r = sw.request(method, url, headers={"X-CSRF-Token": token}, data={"csrf_token": token})
            answers[(method, path)] = r.status_code
        # another department's resource is answered like one that does not exist (404, the same message);
        # the routes that need another role are refused (403)
        in_scope = {k for k in answers if set(re.findall(r"\{(\w+)\}", k[1])) & (RESOURCE_PARAMS - {"account_id"})}
        assert {k: v for k, v in answers.items() if v != (404 if k in in_scope else 403)} == {}
        assert len(in_scope) >= 20 and set(answers) == set(guarded)
        hidden = sw.get(fill("/api/v1/submissions/{submission_id}", values)).json()
        missing = sw.get("/api/v1/submissions/999999").json()
        assert (hidden["status"], hidden["detail"].split()[:2]) == (missing["status"], missing["detail"].split()[:2])


def test_the_routes_left_open_show_nothing_of_the_other_department(setup: tuple[FastAPI, dict[str, str]]) -> None:
    app, values = setup
    mine = {(m, p) for m, p, module in routes(app) if module in MINE}
    assert OWN | PUBLIC <= mine, "every named open route exists"
    with TestClient(app) as sw:
        token = login(sw, "demo-sw-reporter")
        for method, path in sorted(OWN):
            if method != "GET":
                continue
            body = sw.get(path).text
            assert "/submissions/1" not in body, path
            assert "打造技术要素交易高地" not in body and "区科委（演示） · 2022" not in body, path
            assert "证明.pdf" not in body and "demo-kw-reporter" not in body, path
        assert sw.get("/api/v1/submissions").json() == []
        assert sw.get("/api/v1/submissions", params={"department_id": 1}).status_code == 403
        assert sw.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303


def test_anonymous_visitors_are_sent_to_the_login(setup: tuple[FastAPI, dict[str, str]]) -> None:
    app, values = setup
    open_ = PUBLIC | {("POST", "/logout")}
    guarded = [(m, p) for m, p, module in routes(app) if module in MINE and (m, p) not in open_]
    with TestClient(app) as anonymous:
        for method, path in guarded:
            r = anonymous.request(method, fill(path, values), follow_redirects=False)
            if method == "GET" and path.startswith("/api/"):
                assert r.status_code == 401, path
            elif method == "GET":
                assert (r.status_code, r.headers["location"].split("?")[0]) == (303, "/login"), path
            else:
                assert r.status_code == 403, f"{method} {path}: no CSRF token, refused"
