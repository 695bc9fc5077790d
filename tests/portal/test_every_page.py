"""Every public page in both languages, in a real browser: it loads without a script error, declares its
language, has a heading, and in English shows an English heading and menu. (axe on every public page:
test_all_pages.py.)"""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PUBLIC_PAGES = ["/", "/basis", "/goals", "/index", "/places", "/map", "/projects", "/coverage", "/opinions",
                "/opendata", "/opendata/tasks", "/glossary", "/versions", "/tasks/T1", "/tasks/T12",
                "/measures/T1.M1", "/monitoring/indicators", "/monitoring/indicators/IND_PATENTS_PER_10K",
                "/opinions/task/T1"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_public_page_in_both_languages(browser, portal_server: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{portal_server}/?lang={lang}")
    for path in PUBLIC_PAGES:
        response = page.goto(portal_server + path)
        assert response is not None and response.status == 200, path
        assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en"), path
        heading = page.locator("h1").first.inner_text().strip()
        assert heading, path
        if lang == "en":
            nav = page.locator("header.site nav").first.inner_text()
            assert not CJK.search(nav), f"{path}: navigation not in English: {nav}"
            assert not CJK.search(heading) or path.startswith("/monitoring/indicators/"), f"{path}: {heading}"
    assert errors == []
    context.close()
