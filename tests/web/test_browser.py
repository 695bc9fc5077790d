"""The plan in a real browser (Playwright driving Debian Chromium, headless)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_overview_switch_language_open_task(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "杨浦区提升科技创新能级“十四五”规划"
    assert page.locator("a.task-link").count() == 12

    page.click("#lang-switch")
    page.wait_for_url("**lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Yangpu" in page.locator("h1").inner_text()

    page.locator("a.task-link").first.click()
    page.wait_for_url("**/tasks/T1")
    assert page.locator("html").get_attribute("lang") == "en", "the language choice is remembered"
    heading = page.locator("h1").inner_text()
    assert heading.startswith("Task 1.")
    assert page.locator("section.measure").count() == 2
    assert page.locator("section.measure h2").first.inner_text() != ""

    page.click("#lang-switch")
    page.wait_for_url("**lang=zh")
    assert page.locator("h1").inner_text() == "任务 1. 持续深化区校融合发展"
    assert page.locator("section.measure h2").all_inner_texts() == ["打造区校融合升级版", "激发高校创新溢出活力"]


def test_places_chart_renders(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server + "/places")
    svg = page.locator("#places-chart[data-ready='1'] svg")  # drawn as SVG: its labels are text
    svg.wait_for()
    box = svg.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    drawn = page.evaluate("() => document.querySelectorAll('#places-chart svg path').length")
    assert drawn > 23  # one symbol per place with coordinates, and the axes
