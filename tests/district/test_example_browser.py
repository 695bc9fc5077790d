"""The example plan (示例区, fictional) in a real browser: the map draws its own hand-made outline with the places of
its three zones in the legend, offline, and the places chart draws its zones; neither page has a script error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kechuang.web.app import create_app
from tests.district.test_example_bundle import example_url  # noqa: F401 - the fixture
from tests.portal.test_browser import painted_pixels
from tests.support.server import serve_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def example_server(example_url: str) -> Iterator[str]:  # noqa: F811
    with serve_in_thread(create_app(example_url)) as url:
        yield url


def test_the_example_map_draws_its_outline_and_zones_offline(page, example_server: str) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(example_server + "/map?lang=zh")
    page.wait_for_selector("#map-chart[data-ready='1']", timeout=15000)
    assert painted_pixels(page, "#map-chart canvas") > 5000
    assert page.evaluate("() => echarts.getMap('district').geoJSON.features.map(f => f.properties.name)") == [
        "示例区", "邻区甲（示例）", "邻区乙（示例）"]
    series = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('map-chart')).getOption()"
                           ".series.map(s => [s.name, s.symbol, s.data.length])")
    assert series == [["创新核心区（示例）", "circle", 2], ["北岸创新带（示例）", "triangle", 2],
                      ["南岸转化带（示例）", "diamond", 2], ["全区", "rect", 0]]
    legend_items = [s.strip() for s in page.locator("#map-legend li").all_inner_texts()]
    assert legend_items == ["创新核心区（示例）", "北岸创新带（示例）", "南岸转化带（示例）", "全区"]
    assert all(u.startswith(example_server) for u in requested), "no tile server, no CDN"
    page.goto(example_server + "/places?lang=en")
    page.wait_for_selector("#places-chart[data-ready='1']", timeout=15000)
    legend = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('places-chart')).getOption()"
                           ".series.map(s => s.name)")
    assert legend == ["Innovation core (example)", "North Bank innovation belt (example)",
                      "South Bank transfer belt (example)", "District-wide"]
    assert errors == []
