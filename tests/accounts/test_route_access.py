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


def _table(text: str) -> frozenset[tuple[str, str]]:
    return frozenset((line.split()[0], line.split()[1]) for line in text.strip().splitlines())


# Every route of the app is in exactly one of these three classes (a new route must be added to one, or the first
# test fails). Public: logging in, and the pages and data of the plan and of approved values (anonymous: 200).
PUBLIC = _table("""
GET /login
POST /login
POST /login/new-password
GET /
GET /tasks/{code}
GET /measures/{code}
GET /basis
GET /goals
GET /glossary
GET /places
GET /versions
GET /map
GET /map/districts.geojson
GET /projects
GET /coverage
GET /docs
GET /api/v1/openapi.json
GET /api/v1/plan
GET /api/v1/areas
GET /api/v1/tasks
GET /api/v1/tasks/{code}
GET /api/v1/measures
GET /api/v1/measures/{code}
GET /api/v1/elements
GET /api/v1/places
GET /api/v1/glossary
GET /api/v1/indicators
GET /api/v1/indicators/{code}
GET /api/v1/versions
GET /api/v1/versions/diff
GET /monitoring/indicators
GET /monitoring/indicators/{code}
GET /monitoring/indicators/{code}/history.{fmt}
GET /monitoring/indicators/{code}/embed
GET /monitoring/indicators/{code}/chart.svg
GET /api/v1/progress/indicators/{code}
GET /index
GET /index/runs/{run_id}
GET /api/v1/index/run
GET /api/v1/index/scores
GET /api/v1/index/runs
GET /api/v1/index/runs/compare
GET /opinions
GET /opinions/summary.{fmt}
GET /opinions/{kind}/{code}
POST /opinions/{kind}/{code}
GET /opendata
GET /opendata/datapackage.zip
GET /opendata/datapackage.json
GET /opendata/all.xlsx
GET /opendata/{name}.{fmt}
GET /opendata/{name}
""")
# Open to any logged-in account, showing only the account's own department (checked below).
OWN = _table("""
GET /inbox
GET /supervision
GET /account
POST /account/password
GET /audit
POST /logout
GET /api/v1/me
GET /api/v1/submissions
GET /api/v1/review-queue
GET /api/v1/supervision/items
GET /api/v1/reminders
GET /api/v1/audit
""")
# Role-gated: a reporter of another department gets 403 (another role needed) or 404 (another department's data).
GATED = _table("""
GET /review
GET /submissions/{submission_id}
POST /submissions/{submission_id}/values
GET /submissions/{submission_id}/template.xlsx
POST /submissions/{submission_id}/upload
POST /submissions/{submission_id}/revision-request
POST /submissions/{submission_id}/revision-decision
POST /submissions/{submission_id}/transition
GET /dashboard
GET /supervision/digest.txt
GET /supervision/{item_id}
POST /supervision/{item_id}/acknowledge
POST /supervision/{item_id}/reports
POST /supervision/{item_id}/review
POST /supervision/{item_id}/milestones
POST /supervision/milestones/{milestone_id}
GET /supervision/evidence/{evidence_id}
POST /supervision
GET /admin
GET /admin/accounts
POST /admin/accounts
POST /admin/accounts/{account_id}
POST /admin/accounts/{account_id}/password
POST /admin/accounts/{account_id}/active
POST /admin/departments
GET /admin/indicators
GET /admin/indicators/{code}
POST /admin/indicators/{code}
POST /admin/indicators/{code}/targets
POST /admin/indicators/{code}/links
GET /admin/periods
POST /admin/periods
GET /admin/periods/{code}/completeness
GET /api/v1/submissions/{submission_id}
PUT /api/v1/submissions/{submission_id}/values/{indicator_code}
POST /api/v1/submissions/{submission_id}/transitions
POST /api/v1/submissions/{submission_id}/revision-requests
POST /api/v1/submissions/{submission_id}/revision-requests/decision
GET /api/v1/submissions/{submission_id}/template.xlsx
POST /api/v1/submissions/{submission_id}/workbook
GET /api/v1/submissions/{submission_id}/audit
GET /api/v1/periods/{code}/completeness
GET /api/v1/progress
GET /api/v1/supervision/items/{item_id}
POST /api/v1/supervision/items/{item_id}/reports
POST /index/rebuild
GET /admin/opinions
POST /admin/opinions/{comment_id}/publish
POST /admin/opinions/{comment_id}/reject
POST /admin/opinions/{comment_id}/reply
POST /admin/opinions/campaigns
GET /reports
POST /reports
GET /reports/{pack_id}
GET /reports/{pack_id}/files/{fmt}
POST /reports/{pack_id}/accept
GET /jobs/{job_id}
GET /api/v1/jobs/{job_id}
GET /reports/narratives/{kind}/{year}
GET /reports/narratives/{kind}/{year}/{section}
POST /reports/narratives/{kind}/{year}
POST /reports/narratives/{kind}/{year}/{section}
POST /reports/narratives/{kind}/{year}/{section}/review
""")
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
                  "code": "IND_PATENTS_PER_10K", "indicator_code": "IND_PATENTS_PER_10K", "fmt": "csv",
                  "pack_id": "1", "comment_id": "1", "job_id": "1",
                  "kind": "midterm", "year": "2023", "section": "summary"}
    yield app, values


def routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route of the app, as the app itself lists them (every router included)."""
    return [(method, r.path) for r in iter_route_contexts(app.routes)
            for method in sorted((r.methods or set()) - {"HEAD"})]


def fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def test_every_route_of_the_app_is_classified(setup: tuple[FastAPI, dict[str, str]]) -> None:
    app, _ = setup
    found = routes(app)
    assert len(found) == len(set(found)) >= 110, "control: the enumeration sees every router"
    assert ("GET", "/reports") in found and ("GET", "/opendata/{name}") in found, "control: routers of every package"
    assert not (PUBLIC & OWN or PUBLIC & GATED or OWN & GATED), "a route is in one class only"
    unclassified = sorted(set(found) - (PUBLIC | OWN | GATED))
    assert unclassified == [], f"classify each new route as PUBLIC, OWN or GATED: {unclassified}"
    assert sorted((PUBLIC | OWN | GATED) - set(found)) == [], "a classified route no longer exists"
    naming_data = {(m, p) for m, p in found if set(re.findall(r"\{(\w+)\}", p)) & RESOURCE_PARAMS}
    assert naming_data <= GATED, "a route naming a department's resource is role-gated"


def test_another_departments_reporter_gets_404_or_403_on_every_route_touching_the_data(
        setup: tuple[FastAPI, dict[str, str]]) -> None:
    app, values = setup
    guarded = sorted(GATED & set(routes(app)))
    assert len(guarded) >= 50, guarded
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
    assert OWN <= set(routes(app)), "every named open route exists"
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
    closed = sorted((OWN | GATED) - {("POST", "/logout")})
    with TestClient(app) as anonymous:
        for method, path in closed:
            r = anonymous.request(method, fill(path, values), follow_redirects=False)
            if method == "GET" and path.startswith("/api/"):
                assert r.status_code == 401, path
            elif method == "GET":
                assert (r.status_code, r.headers["location"].split("?")[0]) == (303, "/login"), path
            else:
                assert r.status_code == 403, f"{method} {path}: no CSRF token, refused"


# Concrete addresses of the public pages with parameters (codes of the bundled plan and its data).
PUBLIC_URLS = {"/tasks/{code}": "/tasks/T2", "/measures/{code}": "/measures/T2.M1",
               "/api/v1/tasks/{code}": "/api/v1/tasks/T2", "/api/v1/measures/{code}": "/api/v1/measures/T2.M1",
               "/api/v1/indicators/{code}": "/api/v1/indicators/IND_PATENTS_PER_10K",
               "/monitoring/indicators/{code}": "/monitoring/indicators/IND_PATENTS_PER_10K",
               "/monitoring/indicators/{code}/history.{fmt}": "/monitoring/indicators/IND_PATENTS_PER_10K/history.csv",
               "/monitoring/indicators/{code}/embed": "/monitoring/indicators/IND_PATENTS_PER_10K/embed",
               "/monitoring/indicators/{code}/chart.svg": "/monitoring/indicators/IND_PATENTS_PER_10K/chart.svg",
               "/api/v1/progress/indicators/{code}": "/api/v1/progress/indicators/IND_PATENTS_PER_10K",
               "/api/v1/versions/diff": "/api/v1/versions/diff?a=1&b=1",
               "/opinions/summary.{fmt}": "/opinions/summary.csv", "/opinions/{kind}/{code}": "/opinions/task/T2",
               "/opendata/{name}.{fmt}": "/opendata/tasks.csv", "/opendata/{name}": "/opendata/tasks"}


def test_the_public_routes_answer_anonymous_visitors(setup: tuple[FastAPI, dict[str, str]]) -> None:
    """Anonymous GETs of every public route are answered, never refused nor sent to the login (the seeded
    database holds no index run: the index routes answer 404/422 for that, as they do for anyone)."""
    app, _ = setup
    with TestClient(app) as anonymous:
        answers = {path: anonymous.get(PUBLIC_URLS.get(path, path), follow_redirects=False).status_code
                   for method, path in sorted(PUBLIC) if method == "GET"}
        no_run = {p for p in answers if p.startswith(("/index", "/api/v1/index/"))}
        assert {p: s for p, s in answers.items() if s != 200 and not (p in no_run and s in (404, 422))} == {}
        assert len(answers) - len(no_run) >= 35 and len(no_run) == 6
        assert anonymous.get("/dashboard", follow_redirects=False).status_code == 303, "control: a gated page"
