"""Every page of the app (enumerated from its routes and every id in the demo database: tests/portal/all_pages.py),
in both languages, on a phone (390 px), in a real browser:

- anonymous: every public page answers 200, declares its language, has no script error, speaks one language
  (the language crawl of test_language_crawl.py), is no wider than the screen, and axe-core finds no serious or
  critical violation on it;
- each demo role (admin, approver, leader = viewer, reviewer, reporter; two departments): every page behind the
  login — its own pages, and the 403/404 page of those it may not see — speaks the page language and is no
  wider than the screen.

Controls (that each check can fail) are in test_language_crawl.py (planted English on a zh page, Chinese on an en
page) and test_phones.py (a page made wider than the screen)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest

from kechuang.bootstrap import load_bundled
from kechuang.demo.seed import DEMO_PASSWORD, setup_demo
from kechuang.store.db import make_engine, session_factory, transaction, upgrade
from kechuang.web.app import create_app
from tests.portal.all_pages import account_pages, public_pages
from tests.portal.conftest import portal_app
from tests.portal.test_browser import axe_violations
from tests.portal.test_language_crawl import leaks
from tests.portal.test_phones import PHONE, WIDTH
from tests.support.server import serve_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROLES = ["demo-admin", "demo-approver", "demo-viewer", "demo-kw-reporter", "demo-kw-reviewer", "demo-sw-reporter",
         "demo-sw-reviewer"]


@pytest.fixture(scope="module")
def full_demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    """What ``kechuang init --demo`` makes, the demo index run included (so /index/runs/{id} has a page)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('all-pages') / 'kechuang.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as s:
        load_bundled(s, by="test")
        setup_demo(s, dt.date.today())
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def full_server(full_demo: str) -> Iterator[str]:
    with serve_in_thread(portal_app(full_demo)) as url:
        yield url


def _visit(page, url: str, lang: str) -> int:  # type: ignore[no-untyped-def]
    response = page.goto(f"{url}{'&' if '?' in url else '?'}lang={lang}")
    assert response is not None
    page.wait_for_load_state("load")
    return response.status


def _problems(page, lang: str) -> list[str]:  # type: ignore[no-untyped-def]
    out = [f"language: {w}" for w in leaks(page, lang)[:3]]
    scroll, inner = page.evaluate(WIDTH)
    if scroll > inner:
        out.append(f"width: {scroll} > {inner}")
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_public_page(browser, full_server: str, full_demo: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    paths = public_pages(create_app(full_demo), full_demo)
    assert "/index/runs/1" in paths and "/tasks/T12" in paths and "/monitoring/indicators/IND_PATENTS_PER_10K" in paths
    assert len([p for p in paths if p.startswith("/measures/")]) >= 28
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    found: dict[str, list[str]] = {}
    for path in paths:
        status = _visit(page, full_server + path, lang)
        problems = _problems(page, lang) + [f"axe: {v}" for v in axe_violations(page)]
        if status != 200:
            problems.append(f"status {status}")
        if page.locator("html").get_attribute("lang") != ("zh-CN" if lang == "zh" else "en"):
            problems.append("html lang")
        if errors:
            problems.append(f"script error: {errors[:2]}")
            errors.clear()
        if problems:
            found[path] = problems
    context.close()
    assert found == {}


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_every_role(browser, full_server: str, full_demo: str, username: str) -> None:  # type: ignore[no-untyped-def]
    paths = account_pages(create_app(full_demo), full_demo)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(full_server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    found: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for lang in ("zh", "en"):
        refused: set[str] = set()
        for path in ["/", *paths]:
            route = re.sub(r"/(\d+|[A-Z][A-Za-z0-9_.]*)(?=/completeness$|$)", "/{id}", path)
            if route in refused:  # one refusal page per route: the others are the same page
                continue
            status = _visit(page, full_server + path, lang)
            seen[path] = status
            if status in (403, 404):
                refused.add(route)
            elif status != 200:
                found[f"{lang} {path}"] = [f"status {status}"]
            if problems := _problems(page, lang):
                found[f"{lang} {path}"] = problems
    context.close()
    assert found == {}
    own = [p for p, status in seen.items() if status == 200]
    assert "/supervision" in own and "/account" in own, own  # every role has its 督办 list and account page
    if username == "demo-admin":
        assert {"/dashboard", "/admin/accounts", "/admin/indicators/IND_PATENTS_PER_10K", "/reports"} <= set(own)
    if username == "demo-kw-reporter":
        assert any(p.startswith("/submissions/") for p in own) and "/admin" not in own
