"""The index page: the demo build beside the published series, the decomposition, the framework, the API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_index_page_shows_demo_label_published_values_and_growth(client: TestClient) -> None:
    html = client.get("/index?lang=zh").text
    assert "演示数据" in html
    assert "17.4%</strong>" in html, "100 (2013) → 261.4 (2019) is 17.4% a year"
    for value in ("261.4", "340.0", "374.0", "405.8"):
        assert value in html
    assert 'id="decomposition"' in html and "2023 → 2024" in html
    assert "推测重构" in html and "已确认" in html
    assert "n_base_year" in html


def test_index_page_in_english(client: TestClient) -> None:
    html = client.get("/index?lang=en").text
    assert "Demo data (演示数据)" in html and "What drove the latest change" in html
    client.cookies.clear()


def test_index_api(client: TestClient) -> None:
    run = client.get("/api/v1/index/run").json()
    assert run["is_demo"] is True and len(run["data_hash"]) == 64
    scores = client.get("/api/v1/index/scores", params={"code": "YPI", "year": 2013}).json()
    assert len(scores) == 5 and all(abs(r["score"] - 100) < 1e-9 for r in scores)
    assert sorted(r["rank"] for r in scores) == [1, 1, 1, 1, 1], "ties share the lowest rank"


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_index_charts_render(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server + "/index")
    for chart in ("#index-chart", "#radar-chart", "#decomp-chart", "#tree-chart"):
        page.locator(f"{chart} canvas").wait_for()
        painted = page.evaluate("""(sel) => {
            const c = document.querySelector(sel + ' canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
            return n; }""", chart)
        assert painted > 1000, chart
