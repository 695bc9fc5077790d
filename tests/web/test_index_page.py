"""The index page: the demo run (built from demo values approved through the workflow) beside the published series
per edition, the decomposition, the framework, the coverage, the API; and the page before any run exists."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_index_page_shows_demo_label_published_values_and_growth(demo_client: TestClient) -> None:
    html = demo_client.get("/index?lang=zh").text
    assert "演示数据" in html and 'id="run-shown"' in html and 'id="run-coverage"' in html
    assert "由 360 个已审批数值计算，其中 360 个为演示数据" in html and "approved observations" not in html
    assert "17.4%</strong>" in html, "100 (2013) → 261.4 (2019) is 17.4% a year"
    for value in ("261.4", "340.0", "374.0", "405.8"):
        assert value in html
    assert 'id="decomposition"' in html and "2023 → 2024" in html
    assert "推测重构" in html and "已确认" in html
    assert "n_base_year" in html
    assert 'id="ranking"' not in html, "a run of one district over time has no ranking"


def test_index_page_in_english(demo_client: TestClient) -> None:
    html = demo_client.get("/index?lang=en").text
    assert "Demo data (“演示数据”)" in html and "What drove the latest change" in html
    demo_client.cookies.clear()


def test_index_api(demo_client: TestClient) -> None:
    run = demo_client.get("/api/v1/index/run").json()
    assert run["is_demo"] is True and len(run["data_hash"]) == 64
    scores = demo_client.get("/api/v1/index/scores", params={"code": "YPI", "year": 2013}).json()
    assert [r["unit"] for r in scores] == ["YP"] and abs(scores[0]["score"] - 100) < 1e-9
    runs = demo_client.get("/api/v1/index/runs").json()
    assert [r["demo_values"] for r in runs] == [360, 330] and "360 demo data" in runs[0]["data_source"]


def test_index_page_without_a_run_shows_the_published_editions(client: TestClient) -> None:
    """A plain install (no demo, nothing approved yet): no computed value, no demo label, the published figures."""
    html = client.get("/index?lang=zh").text
    assert 'id="no-run"' in html and "演示数据" not in html and 'id="comparison"' not in html
    for value in ("261.4", "340.0", "374.0", "405.8"):
        assert value in html
    assert client.get("/api/v1/index/runs").json() == []


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_index_charts_render(page, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server + "/index")
    for chart in ("#index-chart", "#radar-chart", "#decomp-chart", "#tree-chart"):
        page.locator(f"{chart} canvas").wait_for()
        painted = page.evaluate("""(sel) => {
            const c = document.querySelector(sel + ' canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
            return n; }""", chart)
        assert painted > 1000, chart
