"""A citizen in a real browser (Playwright + Debian Chromium) on a demo install: from the overview to the
page of 每万人发明专利拥有量 in two clicks, where the value, the target, the status and the rule are shown."""

from __future__ import annotations

import pytest

from kechuang.demo.seed import HISTORY
from tests.portal.test_indicator_list import LATEST_YEAR, PATENTS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.parametrize("route", ["task badge", "menu"])
def test_from_the_overview_to_the_patents_indicator_in_two_clicks(page, demo_server: str, route: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server + "/?lang=zh")
    if route == "task badge":  # click 1: the status badge of task 2
        page.locator("li:has(> a[href='/tasks/T2']) a.badge-link").click()
        assert page.url.endswith("/tasks/T2#indicators")
    else:  # click 1: 指标进展 in the menu
        page.get_by_role("link", name="指标进展", exact=True).click()
        assert page.url.endswith("/monitoring/indicators")
    page.get_by_role("link", name="每万人发明专利拥有量").first.click()  # click 2
    assert page.url.endswith(f"/monitoring/indicators/{PATENTS}")
    value = HISTORY["每万人发明专利拥有量"][LATEST_YEAR]
    assert page.locator("#headline-value").inner_text().startswith(f"{value:g} 件 ({LATEST_YEAR})")
    assert page.locator("#headline-target").inner_text().startswith("150 件 (2025)")
    status = page.locator("#headline-status [data-status]")
    assert status.get_attribute("data-colour") in ("green", "yellow", "red")
    assert status.inner_text().split(" · ")[1]  # the status in words beside the colour
    assert "演示数据" in page.locator("#headline-status").inner_text()
    assert page.locator("#headline-rule").inner_text() == "序时进度"
