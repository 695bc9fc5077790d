"""Published figures as editions: the headline indicator shows its published series under its own code, each index
edition as its own line (never joined across the 2023 re-basing), every figure under the indicator whose unit it
has; and no `nan`/`None` text anywhere in the public API or open data."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient


def _chart(html: str) -> dict:  # type: ignore[type-arg]
    found = re.search(r'<script id="indicator-data" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def test_headline_indicator_shows_each_edition_as_its_own_line(client: TestClient) -> None:
    html = client.get("/monitoring/indicators/IND_SCI?lang=zh").text
    chart = _chart(html)
    editions = {e["edition"]: dict((y, v) for y, v in e["values"]) for e in chart["published"]}
    assert set(editions) == {"1.0", "2.0"}
    assert editions["1.0"][2019] == 261.4 and 2022 not in editions["1.0"]
    assert {y: editions["2.0"][y] for y in (2022, 2023, 2024)} == {2022: 340.0, 2023: 374.0, 2024: 405.8}
    assert min(editions["2.0"]) == 2022, "no 2.0 point before its first release, so nothing joins 2019 to 2022"
    rows = re.findall(r'<tr data-year="(\d+)" data-kind="published">(.*?)</tr>', html, re.S)
    labelled = {(int(y), "指数版本 2.0" in body, "指数版本 1.0" in body) for y, body in rows}
    assert (2024, True, False) in labelled and (2019, False, True) in labelled
    assert all("http" in body or "杨府发〔2021〕3号" in body for _, body in rows), "every figure names its source"
    assert "shared/seed" not in html, "no internal file path is shown as a source"
    # control: the plan text's own figures are points of the plan text, not a third edition
    assert [2019, 261.4] in chart["plan_text"]


def test_published_figures_keep_their_own_unit(client: TestClient) -> None:
    hte = client.get("/api/v1/indicators/IDX_HTE").json()
    assert hte["unit"]["zh"] == "家"
    assert any(o["year"] == 2023 and o["value"] == 1300 and o["source_kind"] == "published"
               for o in hte["observations"])
    area = client.get("/api/v1/indicators/IDX_CarArea").json()
    assert area["unit"]["zh"] == "万平方米" and [o["value"] for o in area["observations"]] == [162.3]
    sub = client.get("/api/v1/indicators/IDX_Elem").json()
    assert sub["unit"]["zh"] == "指数（2013=100）"
    sci = client.get("/api/v1/indicators/IND_SCI").json()
    assert sci["unit"]["zh"] == "分" and any(o["value"] == 405.8 for o in sci["observations"])
    assert client.get("/api/v1/indicators/IDX_YPI").status_code == 404, "no pseudo-indicator for the composite"


def _texts(value: object) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [value] if isinstance(value, str) else []


BAD = re.compile(r"(^|[^A-Za-z])(nan|None|NaN)([^A-Za-z]|$)")


def test_no_nan_or_none_text_in_the_api_or_open_data(client: TestClient) -> None:
    seen = 0
    for path in ("/api/v1/plan", "/api/v1/indicators?limit=500", "/api/v1/places?limit=500",
                 "/api/v1/glossary", "/api/v1/versions", "/api/v1/index/runs"):
        body = client.get(path).json()
        for text in _texts(body):
            assert not BAD.search(text), (path, text)
            seen += 1
    tables = [a for a in re.findall(r'href="/opendata/([a-z_]+)\.json"', client.get("/opendata").text)]
    assert len(tables) >= 8
    for name in tables:
        for text in _texts(client.get(f"/opendata/{name}.json").json()):
            assert not BAD.search(text), (name, text)
            seen += 1
    assert seen > 1000
    # control: the check does find the text it looks for
    assert BAD.search("nan，2017-11-15 发布") and not BAD.search("Nanjing")
