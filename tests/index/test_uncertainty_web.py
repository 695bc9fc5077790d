"""Stored uncertainty analyses (SQLite and PostgreSQL) and their section on the index page: for the demo run of one
district over time, score intervals per year and the Sobol' indices of the latest score; for a run of several
units, rank intervals as error bars; the demo analysis labelled as demo."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.bootstrap import load_bundled
from kechuang.demo.seed import DEMO_UA_N, setup_demo
from kechuang.index.io import read_idata, read_imeta, read_table
from kechuang.index.uncertainty import sensitivity_analysis, uncertainty_analysis
from kechuang.index.uncertainty_spec import load_ua_spec
from kechuang.index_results import service as ir
from kechuang.index_results.frameworks import read_bundle
from kechuang.index_results.models import IndexUncertaintyRank, IndexUncertaintyRun
from kechuang.index_results.rebuild import inputs_of
from kechuang.store.db import make_engine, session_factory, transaction, upgrade
from kechuang.web.app import create_app
from tests.conftest import DEMO_DAY
from tests.support.server import serve_in_thread


def _chart(html: str) -> dict:  # type: ignore[type-arg]
    marker = '<script id="index-data" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start:html.index("</script>", start)])["uncertainty"]  # type: ignore[no-any-return]


def test_demo_run_stores_its_sensitivity_analysis_once(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        load_bundled(s, by="test")
        setup_demo(s, DEMO_DAY)
        setup_demo(s, DEMO_DAY)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(IndexUncertaintyRun)) == 1
        run = ir.latest_run(s)
        assert run is not None
        ua = ir.latest_uncertainty(s, run)
        assert ua is not None and ua.is_demo and ua.kind == "sensitivity" and ua.target == "YPI"
        assert ua.n_runs == DEMO_UA_N * 4 and ua.n_failed == 0 and len(ua.ua_hash) == 64
        years = ir.uncertainty_ranks_all_years(s, ua, "YPI")
        assert [b.year for b in years] == list(range(2013, 2025)) and {b.unit for b in years} == {"YP"}
        assert all(b.score_q05 <= b.score_median <= b.score_q95 for b in years)  # type: ignore[operator]
        assert years[0].score_q05 == pytest.approx(100) and years[0].score_q95 == pytest.approx(100), (
            "every weighting gives 100 in the base year")
        indices = [x for x in ir.sensitivity(s, ua, target="score", unit="YP") if x.year == 2024]
        assert [x.parameter for x in indices] == ["Weights", "Aggregation"]
        assert all(x.st_lo <= x.st <= x.st_hi for x in indices)  # type: ignore[operator]
        assert s.scalar(select(func.count()).select_from(IndexUncertaintyRank)) == 12 * 5


def test_a_later_analysis_is_stored_beside_the_demo_one(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        load_bundled(s, by="test")
        setup_demo(s, DEMO_DAY)
        run = ir.latest_run(s)
        assert run is not None
        data, meta, spec = inputs_of(s, run)
        copeland = {"parameters": [{"name": "Aggregation", "step": "aggregate", "alternatives": [
            {"method": "a_amean"}, {"method": "a_copeland"}]}]}
        result = uncertainty_analysis(data, meta, spec, copeland, n=10, seed=2, backend="serial")
        stored = ir.store_uncertainty(s, run, result, by="analyst", is_demo=False)
        assert stored.kind == "uncertainty" and stored.n == 10 and not stored.is_demo
    with sessions() as s:
        latest = ir.latest_uncertainty(s, run)
        assert latest is not None and latest.id == stored.id and ir.sensitivity(s, latest) == []
        assert s.scalar(select(func.count()).select_from(IndexUncertaintyRun)) == 2


def test_index_page_shows_score_intervals_over_time_for_one_district(demo_db: str) -> None:
    with TestClient(create_app(demo_db)) as client:
        zh = client.get("/index?lang=zh").text
        en = client.get("/index?lang=en").text
    assert "不确定性与敏感性分析" in zh and 'id="ua-chart"' in zh and 'id="sa-chart"' in zh
    assert "各年得分区间（5–95%）" in zh
    assert "Uncertainty and sensitivity" in en and "Score intervals by year (5–95 %)" in en
    assert "recomputed 512 times (seed 1)" in en
    assert "Weights: uniform ±25% (1, 2, 3)" in en and "Aggregation: arithmetic / geometric" in en
    section = en[en.index('id="sa-indices"'):]
    assert section.index("Weights") < section.index("Aggregation")
    chart = _chart(en)
    assert chart["years"] == list(range(2013, 2025)) and chart["nominal"][0] == pytest.approx(100)
    assert chart["parameters"] == ["Weights", "Aggregation"]
    assert all(lo <= s1 <= hi for (_, lo, hi), s1 in zip(chart["s1_ci"], chart["s1"], strict=True))


def test_index_page_shows_rank_intervals_for_a_run_of_several_units(tmp_path_factory: pytest.TempPathFactory
                                                                    ) -> None:
    """A run over several units (here the bundled demo panel with its invented comparison units, stored through
    the engine's store) gets rank intervals; ranks 1–5 in the latest year."""
    url = f"sqlite:///{tmp_path_factory.mktemp('ua_units') / 'kechuang.db'}"
    engine = make_engine(url)
    upgrade(engine)
    bundle = read_bundle()
    meta = read_imeta(bundle.folder / bundle.file.meta)
    data = read_idata(bundle.folder / bundle.file.demo_data, meta)
    spec = bundle.spec
    with transaction(session_factory(engine)) as s:
        load_bundled(s, by="test")
        run = ir.build_and_store(s, data, meta, spec, ir.BuildRequest(
            framework=bundle.file.code, title_zh="演示面板（演示数据）", title_en="demo panel (demo data)",
            index_code="YPI", focus_unit="YP", is_demo=True, data_source="demo_iData.csv (演示数据)"),
            by="test", labels=read_table(bundle.folder / bundle.file.meta))
        result = sensitivity_analysis(data, meta, spec, load_ua_spec(bundle.folder / bundle.file.uncertainty), 16,
                                      seed=1, backend="serial")
        ir.store_uncertainty(s, run, result, by="test", is_demo=True)
    engine.dispose()
    with TestClient(create_app(url)) as client:
        en = client.get("/index?lang=en").text
    assert "Rank intervals (5–95 %)" in en and 'id="ranking"' in en
    chart = _chart(en)
    assert len(chart["units"]) == 5 and chart["nominal"] == [1, 2, 3, 4, 5]
    assert [row[0] for row in chart["interval"]] == [0, 1, 2, 3, 4]


@pytest.fixture(scope="module")
def ua_server(demo_db: str) -> Iterator[str]:
    with serve_in_thread(create_app(demo_db)) as url:
        yield url


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_uncertainty_charts_render(page, ua_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(ua_server + "/index?lang=en")
    for chart in ("#ua-chart", "#sa-chart"):
        page.locator(f"{chart} canvas").wait_for()
        painted = page.evaluate("""(sel) => {
            const c = document.querySelector(sel + ' canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
            return n; }""", chart)
        assert painted > 1000, chart
