"""Further sourced figures (found_figures.csv): stored under their indicator with their confidence only when they
are actual values of the same unit and definition; low-confidence figures are shown as such and never enter a
progress assessment; Shanghai benchmarks are not Yangpu values."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from kechuang.assessment.progress import assessed_observations
from kechuang.indicators.found import load_found_figures
from kechuang.indicators.models import Indicator, Observation
from kechuang.plan.bundle import configured_bundle
from kechuang.store.db import make_engine, session_factory


def test_found_figures_are_stored_with_their_confidence_and_left_out_with_a_reason(yangpu_db: str) -> None:
    engine = make_engine(yangpu_db)
    with session_factory(engine)() as s:
        found = {(o.indicator.code, o.year): o for o in s.scalars(select(Observation).where(
            Observation.ref.like("found:%")))}
        assert set(found) == {("IND_HNTE_RANK", 2023), ("IND_NATL_UNI_SCIPARKS", 2021)}
        assert (found["IND_HNTE_RANK", 2023].value, found["IND_HNTE_RANK", 2023].confidence) == (1, "medium")
        assert found["IND_NATL_UNI_SCIPARKS", 2021].confidence == "low"
        parks = s.scalar(select(Indicator).where(Indicator.code == "IND_NATL_UNI_SCIPARKS"))
        assert parks is not None
        assert [o.year for o in assessed_observations(s, parks.id, 2020)] == [], "a low-confidence figure is not used"
        plan_id = parks.plan_id
        summary = load_found_figures(s, plan_id, configured_bundle().found_figures)
        reasons = dict(summary.left_out)
        assert summary.stored == 2, "idempotent"
        assert reasons["环同济知识经济圈集聚企业 2023"] == "the definition differs from the plan's"
        assert any(r == "a target, not an actual value" for r in reasons.values())
        assert any(r.startswith("unit 届 is not the indicator's unit 年") for r in reasons.values())
        assert not s.scalars(select(Observation).where(Observation.source.like("%上海市 有效期内%"))).all(), (
            "Shanghai benchmarks are not stored as Yangpu values")
    engine.dispose()


def test_low_confidence_is_shown_as_such(client: TestClient) -> None:
    html = client.get("/monitoring/indicators/IND_NATL_UNI_SCIPARKS?lang=zh").text
    assert "可信度低（其他来源，未经官方印证）" in html
    en = client.get("/monitoring/indicators/IND_NATL_UNI_SCIPARKS?lang=en").text
    assert "low confidence (other source, not official)" in en
    client.cookies.clear()
