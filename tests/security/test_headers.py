"""Every route of the app answers with the security headers (CSP without inline script, no framing,
nosniff, Referrer-Policy) — whatever the status — and the pages that run scripts still work under the CSP."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from kechuang.web.headers import HEADERS
from tests.monitoring.web import login

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "kechuang" / "web" / "templates"
VALUES = {"submission_id": "1", "item_id": "1", "milestone_id": "1", "evidence_id": "1", "account_id": "1",
          "code": "T1", "indicator_code": "IND_HNTE", "fmt": "csv", "kind": "task", "table": "tasks",
          "pack_id": "none", "campaign_id": "1", "comment_id": "1", "path": "app.css", "name": "tasks"}


def every_route(app: FastAPI) -> list[tuple[str, str]]:
    out = []
    for r in iter_route_contexts(app.routes):
        if r.path is None or r.methods is None:
            continue
        path = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: VALUES.get(m.group(1), "1"), r.path)
        out += [(method, path) for method in sorted(r.methods - {"HEAD"})]
    return out


def assert_headers(response, where: str) -> None:  # type: ignore[no-untyped-def]
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, f"{where}: {name} is {response.headers.get(name)!r}"


def test_every_route_sends_the_headers_anonymous_and_logged_in(web_app: FastAPI) -> None:
    routes = every_route(web_app)
    assert len(routes) > 80 and ("GET", "/") in routes and ("POST", "/submissions/1/upload") in routes
    statuses = set()
    with TestClient(web_app) as anonymous, TestClient(web_app) as admin:
        csrf = login(admin, "demo-admin")
        for method, path in routes:
            for client, headers in ((anonymous, {}), (admin, {"X-CSRF-Token": csrf})):
                if method != "GET" and client is admin:
                    continue  # no state changes: an unsafe request as the admin could log out or write
                r = client.request(method, path, headers=headers, follow_redirects=False)
                statuses.add(r.status_code)
                assert_headers(r, f"{method} {path} ({'admin' if headers else 'anonymous'})")
        for path in ("/static/app.css", "/no/such/page", "/api/v1/no-such", "/tasks/NOPE"):
            assert_headers(anonymous.get(path), path)
        assert_headers(anonymous.post("/login", content=b"x" * (2 * 1024 * 1024),
                                      headers={"content-type": "application/x-www-form-urlencoded"}), "413")
    with TestClient(web_app) as fresh:  # no CSRF cookie from the login page: the cache serves it
        etag = fresh.get("/").headers["etag"]
        cached = fresh.get("/", headers={"If-None-Match": etag})
        assert cached.status_code == 304
        assert_headers(cached, "304 from the cache")
    assert {200, 303, 403, 404} <= statuses, statuses


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_no_template_has_inline_script() -> None:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER, re.compile("javascript:", re.I)):
            found += [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []
    assert INLINE_SCRIPT.search("<script>alert(1)</script>") and not INLINE_SCRIPT.search('<script src="/x.js">')


def test_the_scripted_pages_work_under_the_csp(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    def drawn_in(chart: str) -> str:
        return f"#{chart} canvas, #{chart} svg"  # whichever renderer draws the chart

    checks = {"/index": drawn_in("index-chart"), "/places": drawn_in("places-chart"), "/map": drawn_in("map-chart"),
              "/monitoring/indicators/IND_PATENTS_PER_10K": drawn_in("indicator-chart"), "/docs": ".swagger-ui .info"}
    for path, drawn in checks.items():
        response = page.goto(live_server + path)
        assert response.headers["content-security-policy"] == HEADERS["content-security-policy"]
        page.locator(drawn).first.wait_for(timeout=15000)
    assert violations == []
