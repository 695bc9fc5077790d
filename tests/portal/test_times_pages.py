"""Logged-in pages show times in the plan's zone with the zone said: the audit trail (to the second) and a
supervision item's progress reports; none shows a bare UTC offset."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.monitoring.web import login

LABELLED = re.compile(r"<time datetime=\"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00\">\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? "
                      r"\(UTC\+8\)</time>")


def test_the_audit_trail_shows_plan_time_with_its_zone(demo_client: TestClient) -> None:
    with TestClient(demo_client.app) as c:
        login(c, "demo-admin")
        page = c.get("/audit", params={"lang": "zh"}).text
    stamps = LABELLED.findall(page)
    assert len(stamps) > 10 and all(s for s in stamps)  # to the second
    assert "+00:00" not in page


def test_the_audit_trail_names_actions_and_records_in_the_page_language(demo_client: TestClient) -> None:
    with TestClient(demo_client.app) as c:
        login(c, "demo-admin")
        zh = c.get("/audit", params={"lang": "zh"}).text
        en = c.get("/audit", params={"lang": "en"}).text
    zh_actions = set(re.findall(r'<td data-cell="action">([^<]+)</td>', zh))
    assert {"规划办审批通过", "部门审核通过", "提交审核", "设定目标"} <= zh_actions
    assert not {a for a in zh_actions if re.search(r"[A-Za-z]", a)}, zh_actions  # no stored code left
    assert '<td data-cell="what">填报 <code>' in zh and "部门审核人" in zh
    assert {"approved", "department-approved", "submitted", "target set"} <= set(
        re.findall(r'<td data-cell="action">([^<]+)</td>', en))
