"""A citizen reaches indicator progress: the public list of every indicator of the plan, the indicators on
task and measure pages, and links to the indicator pages from the overview, /coverage, open data and the
index page (on a demo install, where two indicators have demo targets and approved demo values)."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from lxml import html

from kechuang.demo.seed import HISTORY

PATENTS = "IND_PATENTS_PER_10K"
OPEN_YEAR = min(dt.date.today().year - 1, 2025)  # the year `init --demo` leaves open (see monitoring/demo.py)
LATEST_YEAR = max(y for y in HISTORY["每万人发明专利拥有量"] if y < OPEN_YEAR)


def doc(client: TestClient, path: str) -> html.HtmlElement:
    """The page at ``path`` parsed (in Chinese unless the path asks for a language: the cookie is shared)."""
    r = client.get(path, params=None if "lang=" in path else {"lang": "zh"})
    assert r.status_code == 200, (path, r.text[:300])
    return html.fromstring(r.text)


def cell(row: html.HtmlElement, name: str) -> str:
    return " ".join(row.xpath(f".//td[@data-cell='{name}']")[0].text_content().split())


def test_the_list_shows_every_indicator_with_value_target_status_and_rule(demo_client: TestClient) -> None:
    page = doc(demo_client, "/monitoring/indicators")
    rows = page.xpath("//tr[@data-indicator]")
    codes = {r.get("data-indicator") for r in rows}
    # every indicator of the bundled plan, each once: its 52 own and the index framework's 30 indicators and 15
    # aggregates (none linked twice in the demo)
    assert len(codes) == 52 + 45
    links = {a.get("href") for a in page.xpath("//tr[@data-indicator]//th/a")}
    assert links == {f"/monitoring/indicators/{c}" for c in codes}
    patents = page.xpath(f"//section[@id='T2']//tr[@data-indicator='{PATENTS}']")[0]
    value = HISTORY["每万人发明专利拥有量"][LATEST_YEAR]
    assert cell(patents, "latest").startswith(f"{value:g} 件 ({LATEST_YEAR}) 演示数据")
    assert cell(patents, "target") == "150 (2025) 演示数据"
    status = patents.xpath(".//span[@data-status]")[0]
    assert status.get("data-colour") in ("green", "yellow", "red") and "·" in status.text_content()
    assert "演示数据" in cell(patents, "status")
    assert cell(patents, "rule") == "序时进度"
    # control: an indicator without settings says so in words, with no demo label
    other = page.xpath("//tr[@data-indicator='IND_UNIVERSITIES']")[0]
    assert cell(other, "target") == "尚未设定" and cell(other, "rule") == "尚未设定"
    assert "不适用" in cell(other, "status") and "演示数据" not in other.text_content()
    counts = page.get_element_by_id("reporting-status").text_content()
    assert re.search(r"共 97 项指标：\d+ 项有已审定或规划原文数据，2 项已设定目标并可评估进度", counts), counts


def test_the_list_in_english(demo_client: TestClient) -> None:
    page = doc(demo_client, "/monitoring/indicators?lang=en")
    assert page.xpath("//h1")[0].text_content() == "Progress of the plan's indicators"
    row = page.xpath(f"//tr[@data-indicator='{PATENTS}']")[0]
    assert "demo data" in cell(row, "status") and cell(row, "rule") == "elapsed-time rule"


def test_task_and_measure_pages_show_their_indicators_with_status(demo_client: TestClient) -> None:
    task = doc(demo_client, "/tasks/T2")
    rows = task.xpath("//section[@id='indicators']//tr[@data-indicator]")
    assert [r.get("data-indicator") for r in rows] == [PATENTS]
    assert rows[0].xpath(".//span[@data-status]") and "演示数据" in cell(rows[0], "status")
    assert "共 1 项，可评 1 项" in task.get_element_by_id("task-status").text_content()
    measure = doc(demo_client, "/measures/T2.M1")
    assert [a.get("href") for a in measure.xpath("//section[@id='indicators']//tr//th/a")] == [
        f"/monitoring/indicators/{PATENTS}"]
    # control: a task without linked indicators says so
    empty = doc(demo_client, "/tasks/T1")
    assert not empty.xpath("//section[@id='indicators']//tr[@data-indicator]")
    assert "未关联指标" in empty.get_element_by_id("indicators").text_content()


def test_every_badge_on_the_overview_is_a_link_to_what_it_summarises(demo_client: TestClient) -> None:
    page = doc(demo_client, "/")
    badges = page.xpath("//section[@aria-labelledby='tasks-h']//span[contains(@class, 'badge')]")
    assert len(badges) == 5 + 12  # every area and every task
    targets = []
    for b in badges:
        link = b.xpath("ancestor::a[1]")
        assert link, html.tostring(b)
        targets.append(link[0].get("href"))
    assert "/tasks/T2#indicators" in targets and "/monitoring/indicators#A1" in targets
    for href in set(targets):
        path, _, anchor = href.partition("#")
        assert doc(demo_client, path).get_element_by_id(anchor) is not None, href


def test_coverage_opendata_and_index_link_to_the_indicator_pages(demo_client: TestClient) -> None:
    coverage = doc(demo_client, "/coverage")
    row_links = coverage.xpath(f"//tr[@id='cov-{PATENTS}']/th/a")
    assert row_links[0].get("href") == f"/monitoring/indicators/{PATENTS}"
    assert not coverage.xpath("//table[@id='coverage']//a[starts-with(@href, '/opinions/')]")
    table = doc(demo_client, "/opendata/indicators")
    assert f"/monitoring/indicators/{PATENTS}" in table.xpath("//table[@id='data']//a/@href")
    assert doc(demo_client, "/opendata").get_element_by_id("all-indicators").get("href") == "/monitoring/indicators"
    index = doc(demo_client, "/index")
    assert index.get_element_by_id("growth-indicator").get("href") == "/monitoring/indicators/IND_SCI_GROWTH"
    assert doc(demo_client, "/monitoring/indicators/IND_SCI_GROWTH").xpath("//h1")


def test_task_pages_show_their_supervision_items_with_status(demo_client: TestClient) -> None:
    task = doc(demo_client, "/tasks/T2")  # the demo has one 督办 item on task 2, already overdue
    rows = task.xpath("//table[@id='task-items']//tr[@data-item]")
    assert len(rows) == 1
    status = rows[0].xpath(".//span[@data-status]")[0]
    assert status.get("data-colour") == "red" and "演示数据" in rows[0].text_content()
    assert "区科委（演示）" in rows[0].text_content()
    none = doc(demo_client, "/tasks/T3")  # control: task 3 has none
    assert not none.xpath("//table[@id='task-items']") and "尚无督办事项" in none.text_content()
