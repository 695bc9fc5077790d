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
