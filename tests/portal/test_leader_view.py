"""The leader's view at the top of /dashboard (as 区领导, the viewer role): the headline figures — the share of
assessable indicators on schedule, the overdue 督办 items, the index with its newest published figure leading and
the computed run labelled 演示数据 — a bar per area of its indicators' standings, each indicator a link to its page,
and a print style sheet (print button, menu hidden in print)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from lxml import html

from kechuang.assessment import progress
from kechuang.core import clock
from kechuang.index_results import service as ir
from kechuang.plan import service as plans
from kechuang.store.db import session_factory
from kechuang.web.pages import index_headline
from tests.monitoring.web import login


def board(client: TestClient, lang: str) -> html.HtmlElement:
    with TestClient(client.app) as c:
        login(c, "demo-viewer")
        r = c.get("/dashboard", params={"lang": lang})
        assert r.status_code == 200
        return html.fromstring(r.text)


def test_the_headline_figures_match_the_assessments(demo_client: TestClient) -> None:
    page = board(demo_client, "zh")
    with session_factory(demo_client.app.state.engine)() as s:
        days = demo_client.app.state.supervision_settings.reminder_days
        data = progress.dashboard(s, clock.today(), reminder_days=days)
        assessable = [ip for ip in data.indicators if ip.assessment.standing.value != "not_applicable"]
        on = [ip for ip in assessable if ip.assessment.standing.value in ("met", "on_track")]
        overdue = [item for a in data.areas for tp in a.tasks for item, st in tp.items if st.status.value == "overdue"]
        headline = index_headline(s)
        fw = headline["framework"] if headline else None
        latest = ir.published_latest(ir.published(s, plans.latest_version(s).plan_id, fw.index_code)) if fw else {}
    share = page.xpath("//div[@data-figure='on-schedule']//strong")[0].text_content()
    assert assessable and share == f"{round(100 * len(on) / len(assessable))}%"
    assert f"{len(on)} 项按期或已实现，可评估 {len(assessable)} 项" in page.xpath(
        "//div[@data-figure='on-schedule']")[0].text_content()
    assert page.xpath("//div[@data-figure='on-schedule']//span[@class='demo-tag']")  # demo values went in
    box = page.xpath("//div[@data-figure='overdue']")[0]
    assert box.xpath(".//strong")[0].text_content() == str(len(overdue))
    assert {a.get("href") for a in box.xpath(".//a")} == {f"/supervision/{i.id}" for i in overdue}
    year = max(latest)
    index_box = page.xpath("//div[@data-figure='index']")[0].text_content()
    assert f"{year} 年，官方发布值" in index_box  # the real published figure leads
    if headline and headline["run"] is not None:  # a computed run comes second, labelled
        assert index_box.index("官方发布值") < index_box.index("计算批次") and "演示数据" in index_box
    else:
        assert "计算批次" not in index_box


def test_a_bar_per_area_drills_down_to_its_indicators_and_the_page_prints(demo_client: TestClient) -> None:
    page = board(demo_client, "en")
    charts = page.xpath("//div[@id='area-charts']/figure[@data-area]")
    with session_factory(demo_client.app.state.engine)() as s:
        areas = plans.elements(s, plans.latest_version(s), "area")
    assert [f.get("data-area") for f in charts] == [a.code for a in areas]
    links = [a.get("href") for f in charts for a in f.xpath(".//a")]
    assert "/monitoring/indicators/IND_PATENTS_PER_10K" in links
    first = charts[0].xpath(".//*[local-name()='svg']")[0]
    assert "met" in first.get("aria-label") or "on track" in first.get("aria-label")
    assert page.xpath("//button[@data-print]")
    css = demo_client.get("/static/app.css").text
    assert "@media print" in css and "header.site" in css.split("@media print")[-1]
