"""Phones: at 390 px no page is wider than the screen (here the public pages of the menu and the control;
every page of every role in both languages: test_all_pages.py), the menu collapses behind a button, and a wide
table scrolls inside its own focusable box."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}
PUBLIC = ["/", "/basis", "/goals", "/index", "/places", "/map", "/projects", "/coverage", "/opinions", "/opendata",
          "/opendata/tasks", "/opendata/observations", "/glossary", "/versions", "/tasks/T2", "/tasks/T12",
          "/measures/T2.M1", "/monitoring/indicators", "/monitoring/indicators/IND_PATENTS_PER_10K",
          "/opinions/task/T1", "/login", "/docs"]
WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def overflowing(page, base: str, paths: list[str], lang: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The paths whose page is wider than the window, with both widths."""
    wide = []
    for path in paths:
        response = page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("load")
        scroll, inner = page.evaluate(WIDTH)
        if scroll > inner:
            wide.append(f"{path}: {scroll} > {inner}")
    return wide


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_public_page_is_wider_than_a_phone(browser, demo_server: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    assert overflowing(page, demo_server, PUBLIC, lang) == []
    # control: the measure does see a page made wider than the screen
    page.evaluate("() => { const d = document.createElement('div'); d.style.width = '600px'; "
                  "d.style.height = '1px'; document.body.appendChild(d); }")
    scroll, inner = page.evaluate(WIDTH)
    assert scroll > inner
    context.close()


def test_the_menu_collapses_and_wide_tables_scroll_in_their_box(browser, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(demo_server + "/coverage?lang=zh")
    link = page.get_by_role("link", name="指标进展", exact=True)
    toggle = page.locator("#menu-toggle")
    assert toggle.is_visible() and not link.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and link.is_visible()
    page.goto(demo_server + "/basis?lang=en")
    box = page.locator("main .table-wrap[data-scrolls='1']").first
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-label")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    context.close()
    wide = browser.new_context(viewport={"width": 1280, "height": 800})  # control: a desktop shows the menu
    desk = wide.new_page()
    desk.goto(demo_server + "/coverage?lang=zh")
    assert not desk.locator("#menu-toggle").is_visible()
    assert desk.get_by_role("link", name="指标进展", exact=True).is_visible()
    wide.close()
