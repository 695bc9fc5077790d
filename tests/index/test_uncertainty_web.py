"""Stored uncertainty analyses (SQLite and PostgreSQL) and their section on the index page: rank intervals as
error bars, Sobol' indices as bars with intervals, the demo analysis labelled as demo."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.bootstrap import load_bundled
from kechuang.index.io import read_idata, read_imeta
from kechuang.index.spec import load_spec
from kechuang.index.uncertainty import uncertainty_analysis
from kechuang.index_results import service as ir
from kechuang.index_results.models import IndexSensitivity, IndexUncertaintyRank, IndexUncertaintyRun
from kechuang.plan import service as plans
from kechuang.plan.loader import BUNDLED_PLAN, read_plan_file
from kechuang.store.db import make_engine, session_factory, transaction, upgrade
from kechuang.web.app import create_app
from tests.support.server import serve_in_thread


def test_demo_build_stores_its_sensitivity_analysis_once(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        plans.load_plan(s, read_plan_file(BUNDLED_PLAN), source="bundled", by="test")
        run, _ = ir.build_yangpu_demo(s, by="test")
        ir.build_yangpu_demo(s, by="test")
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(IndexUncertaintyRun)) == 1
        ua = ir.latest_uncertainty(s, run)
        assert ua is not None and ua.is_demo and ua.kind == "sensitivity" and ua.target == "YPI"
        assert ua.n_runs == ir.DEMO_UA_N * 4 and ua.n_failed == 0 and len(ua.ua_hash) == 64
        bars = ir.uncertainty_ranks(s, ua, "YPI")
        assert [b.year for b in bars] == [2024] * 5 and [b.rank_nominal for b in bars] == [1, 2, 3, 4, 5]
        assert all(b.rank_q05 <= b.rank_median <= b.rank_q95 for b in bars)  # type: ignore[operator]
        indices = ir.sensitivity(s, ua)
        assert [x.parameter for x in indices] == ["Weights", "Aggregation"]
        assert all(x.st_lo <= x.st <= x.st_hi for x in indices)  # type: ignore[operator]
        per_unit = s.scalar(select(func.count()).select_from(IndexSensitivity).where(IndexSensitivity.target == "rank"))
        assert per_unit == 60 * 2
        assert s.scalar(select(func.count()).select_from(IndexUncertaintyRank)) == 60 * 5


def test_a_later_analysis_is_stored_beside_the_demo_one(sessions: sessionmaker[Session]) -> None:
    folder = Path(ir.YANGPU_INDEX_DIR)
    meta = read_imeta(folder / "iMeta.csv")
    data = read_idata(folder / "demo_iData.csv", meta)
    copeland = {"parameters": [{"name": "Aggregation", "step": "aggregate", "alternatives": [
        {"method": "a_amean"}, {"method": "a_copeland"}]}]}
    result = uncertainty_analysis(data, meta, load_spec(folder / "spec.yaml"), copeland, n=10, seed=2,
                                  backend="serial")
    with transaction(sessions) as s:
        plans.load_plan(s, read_plan_file(BUNDLED_PLAN), source="bundled", by="test")
        run, _ = ir.build_yangpu_demo(s, by="test")
        stored = ir.store_uncertainty(s, run, result, by="analyst", is_demo=False)
        assert stored.kind == "uncertainty" and stored.n == 10 and not stored.is_demo
    with sessions() as s:
        latest = ir.latest_uncertainty(s, run)
        assert latest is not None and latest.id == stored.id and ir.sensitivity(s, latest) == []
        assert s.scalar(select(func.count()).select_from(IndexUncertaintyRun)) == 2


@pytest.fixture(scope="module")
def ua_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('ua_web') / 'kechuang.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as s:
        load_bundled(s, by="test")
    engine.dispose()
    return url


def test_index_page_shows_rank_intervals_and_sensitivity(ua_db: str) -> None:
    with TestClient(create_app(ua_db)) as client:
        zh = client.get("/index?lang=zh").text
        en = client.get("/index?lang=en").text
    assert "不确定性与敏感性分析" in zh and 'id="ua-chart"' in zh and 'id="sa-chart"' in zh
    assert "Uncertainty and sensitivity" in en and "Rank intervals (5–95 %)" in en
    assert "recomputed 512 times (seed 1)" in en
    assert "Weights: uniform ±25% (1, 2, 3)" in en and "Aggregation: arithmetic / geometric" in en
    section = en[en.index('id="sa-indices"'):]
    assert section.index("Weights") < section.index("Aggregation")
    start = en.index('<script id="index-data" type="application/json">') + len('<script id="index-data" '
                                                                               'type="application/json">')
    chart = json.loads(en[start:en.index("</script>", start)])["uncertainty"]
    assert len(chart["units"]) == 5 and chart["nominal"] == [1, 2, 3, 4, 5]
    assert [row[0] for row in chart["interval"]] == [0, 1, 2, 3, 4] and chart["parameters"] == ["Weights",
                                                                                                "Aggregation"]
    assert all(lo <= s1 <= hi for (_, lo, hi), s1 in zip(chart["s1_ci"], chart["s1"], strict=True))


@pytest.fixture(scope="module")
def ua_server(ua_db: str) -> Iterator[str]:
    with serve_in_thread(create_app(ua_db)) as url:
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
