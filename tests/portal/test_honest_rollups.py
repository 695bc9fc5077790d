"""Roll-ups are honest: every status derived from demo data carries 演示数据 on the overview, the dashboard
and in /api/v1/progress (indicator, task and area level), while on an install with real settings and data
none does; an area roll-up says how many of its tasks it covers, and one assessed task of three does not
decide its area's status."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import html
from sqlalchemy import select

from kechuang.core.access import SYSTEM
from kechuang.demo.seed import DEMO_PASSWORD
from kechuang.indicators import profile_service as monitoring
from kechuang.indicators.models import Indicator, Observation
from kechuang.store.db import make_engine, session_factory, transaction
from tests.monitoring.web import login
from tests.portal.conftest import PASSWORD, portal_app


@pytest.fixture(scope="module")
def real_client(portal_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An install without the demo: the plan office set 每万人发明专利拥有量's settings and a 2025 target and
    linked it to task 2; a published 2022 figure is stored (nothing flagged as demo)."""
    path = tmp_path_factory.mktemp("real") / "kechuang.db"
    shutil.copy(portal_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with transaction(session_factory(engine)) as s:
        ind = s.scalar(select(Indicator).where(Indicator.code == "IND_PATENTS_PER_10K"))
        assert ind is not None
        base = s.scalar(select(Observation).where(Observation.indicator_id == ind.id, Observation.year == 2020))
        assert base is not None
        monitoring.update_profile(s, SYSTEM, ind, {"baseline_year": 2020, "baseline_value": base.value,
                                                    "baseline_source": base.source, "rule": "elapsed"})
        monitoring.set_target(s, SYSTEM, ind, 2025, 150.0, note="区科委年度计划")
        monitoring.link_indicator(s, SYSTEM, ind, "T2")
        s.add(Observation(indicator_id=ind.id, ref="pub-2022", year=2022, value=118.0, source_kind="published",
                          source="杨浦区统计年鉴 2023"))
    engine.dispose()
    with TestClient(portal_app(f"sqlite:///{path}")) as c:
        yield c


def page(client: TestClient, path: str) -> html.HtmlElement:
    r = client.get(path, params={"lang": "zh"})
    assert r.status_code == 200, r.text[:300]
    return html.fromstring(r.text)


def overview_badges(client: TestClient) -> dict[str, tuple[str, bool]]:
    """Code of each area and task → (standing shown, whether the badge carries the demo label)."""
    doc = page(client, "/")
    out = {}
    for link in doc.xpath("//a[@class='badge-link']"):
        code = link.get("href").split("#")[-1] if "#A" in link.get("href") else link.get("href").split("/")[2][:-11]
        out[code] = (link.xpath(".//span[@data-standing]")[0].get("data-standing"),
                     bool(link.xpath(".//span[@class='demo-tag']")))
    return out


def progress_json(client: TestClient, username: str, password: str) -> dict[str, Any]:
    with TestClient(client.app) as c:
        login(c, username, password)
        r = c.get("/api/v1/progress")
        assert r.status_code == 200
        return dict(r.json())


def flags(body: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(level, code, uses demo) of every assessed area, task and indicator in /api/v1/progress."""
    out = []
    for a in body["areas"]:
        if a["rollup"]["applicable"]:
            out.append(("area", a["code"], a["uses_demo_data"]))
        for t in a["tasks"]:
            if t["rollup"]["applicable"]:
                out.append(("task", t["code"], t["uses_demo_data"]))
            out += [("indicator", i["indicator"], i["uses_demo_data"]) for i in t["indicators"]
                    if i["assessment"]["standing"] != "not_applicable"]
    return out


def test_demo_statuses_carry_the_demo_label_everywhere(demo_client: TestClient) -> None:
    badges = overview_badges(demo_client)
    assessed = {code: demo for code, (standing, demo) in badges.items() if standing != "not_applicable"}
    assert {"T2", "T5", "A1", "A2"} <= set(assessed)
    assert all(assessed.values()), assessed
    assert badges["T1"] == ("not_applicable", False)  # control: nothing assessed, nothing from demo data
    body = progress_json(demo_client, "demo-viewer", DEMO_PASSWORD)
    found = flags(body)
    assert {level for level, _, _ in found} == {"area", "task", "indicator"}
    assert all(demo for _, _, demo in found), found
    items = [i for a in body["areas"] for t in a["tasks"] for i in t["supervision"]]
    assert items and all(i["is_demo"] for i in items)
    with TestClient(demo_client.app) as c:
        login(c, "demo-viewer")
        board = html.fromstring(c.get("/dashboard", params={"lang": "zh"}).text)
    for cell in board.xpath("//table[@id='board']//td[span[@data-standing]]"):
        standing = cell.xpath("./span[@data-standing]")[0].get("data-standing")
        if standing != "not_applicable":
            assert cell.xpath("./span[@class='demo-tag']"), html.tostring(cell, encoding="unicode")
    for row in board.xpath("//table[@id='indicators']//tr[@data-indicator]"):
        if row.xpath(".//span[@data-status]")[0].get("data-colour") != "grey":
            assert row.xpath(".//span[@class='demo-tag']")


def test_real_statuses_carry_no_demo_label(real_client: TestClient) -> None:
    badges = overview_badges(real_client)
    assert badges["T2"][0] in ("met", "on_track", "partial", "behind")  # assessed: the control is not vacuous
    assert not any(demo for _, demo in badges.values())
    assert not page(real_client, "/").xpath("//*[@class='demo-tag']")
    found = flags(progress_json(real_client, "office", PASSWORD))
    assert ("indicator", "IND_PATENTS_PER_10K", False) in found and ("task", "T2", False) in found
    assert not any(demo for _, _, demo in found)
    row = page(real_client, "/monitoring/indicators").xpath("//tr[@data-indicator='IND_PATENTS_PER_10K']")[0]
    assert "118" in row.text_content() and "演示数据" not in row.text_content()


def test_an_area_says_its_coverage_and_one_task_of_three_does_not_decide_it(demo_client: TestClient) -> None:
    doc = page(demo_client, "/")
    area = doc.xpath("//section[@id='A1']/h3/a[@class='badge-link']")[0]
    assert area.xpath(".//span[@data-standing]")[0].text_content() == "可评估任务不足半数"
    assert area.xpath(".//small[@class='counts']")[0].text_content() == "1/3 项任务可评估"
    task = doc.xpath("//a[@href='/tasks/T2#indicators']")[0]  # control: the task itself shows its standing
    assert task.xpath(".//span[@data-standing]")[0].get("data-standing") not in ("insufficient", "not_applicable")
    listing = page(demo_client, "/monitoring/indicators")
    assert listing.get_element_by_id("A1-coverage").text_content().startswith("3 项任务中 1 项有可评估的指标")
    body = progress_json(demo_client, "demo-viewer", DEMO_PASSWORD)
    a1 = next(a for a in body["areas"] if a["code"] == "A1")
    assert a1["coverage"] == {"parts": "tasks", "total": 3, "assessable": 1, "sufficient": False}
