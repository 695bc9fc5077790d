"""Charts in a real browser: the indicator chart's year axis reads 2020, 2021 … (not "2,020"), its target
label lies inside the chart at desktop and phone widths, and the /places axes are named in the page
language (longitude/latitude). The charts are drawn as SVG, so their labels are text."""

from __future__ import annotations

import re

import pytest

from tests.portal.test_indicator_list import PATENTS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TEXTS = "sel => Array.from(document.querySelectorAll(sel + ' svg text')).map(t => t.textContent)"


@pytest.mark.parametrize("width", [1280, 390])
def test_indicator_chart_years_are_plain_and_the_target_label_fits(browser, demo_server: str, width: int) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{demo_server}/monitoring/indicators/{PATENTS}?lang=zh")
    page.wait_for_selector("#indicator-chart[data-ready='1'] svg")
    page.wait_for_timeout(1200)  # the entry animation
    texts = page.evaluate(TEXTS, "#indicator-chart")
    assert [y for y in ("2020", "2021", "2022", "2023", "2024", "2025") if y not in texts] == []
    assert not [t for t in texts if re.fullmatch(r"\d,\d{3}", t)], texts
    box = page.locator("#indicator-chart").bounding_box()
    label = page.locator("#indicator-chart svg text", has_text=re.compile("^目标 150$"))
    assert label.count() == 1
    where = label.bounding_box()
    assert box is not None and where is not None
    assert box["x"] <= where["x"] and where["x"] + where["width"] <= box["x"] + box["width"]
    assert errors == []
    context.close()


def test_a_chart_without_data_says_so(page, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server + "/monitoring/indicators/IND_SCI_GROWTH?lang=zh")  # a five-year figure only
    page.wait_for_selector("#indicator-chart[data-ready='1']")
    assert page.locator("#indicator-chart").inner_text() == "尚无数据"


@pytest.mark.parametrize(("lang", "lon", "lat"), [("zh", "经度", "纬度"), ("en", "Longitude", "Latitude")])
def test_places_axes_are_named(page, demo_server: str, lang: str, lon: str, lat: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{demo_server}/places?lang={lang}")
    page.wait_for_selector("#places-chart[data-ready='1'] svg")
    texts = page.evaluate(TEXTS, "#places-chart")
    assert any(t.startswith(lon) for t in texts) and any(t.startswith(lat) for t in texts), texts
    assert "lon" not in texts and "lat" not in texts
