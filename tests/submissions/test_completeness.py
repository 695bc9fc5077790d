"""Reporting completeness of a period (DHIS2's reporting rate and reporting rate on time): three departments
due — 区科委 approved, 区商务委 submitted, 区发展改革委 silent — shown with their states, the on-time and late
counts, on the service and on the plan office's page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kechuang.accounts.models import Department
from kechuang.indicators.models import Indicator
from kechuang.indicators.profiles import IndicatorProfile
from kechuang.plan import service as plans
from kechuang.submissions import service as submissions
from kechuang.submissions.completeness import completeness
from kechuang.submissions.models import Submission
from kechuang.submissions.service import ValueChange
from tests.monitoring.helpers import who

TZ = ZoneInfo("Asia/Shanghai")
ClientAs = Callable[[str], tuple[TestClient, str]]


def three_departments_due(s: Session, due_on: dt.date) -> dict[str, int]:
    """Period 2023 with 区科委 (专利), 区商务委 (高新技术企业) and 区发展改革委 (a new indicator) due; 区科委's
    submission approved, 区商务委's submitted, 区发展改革委's left untouched. Returns department → submission id."""
    depts = {d.code: d.id for d in s.scalars(select(Department))}
    plan_id = plans.get_plan(s).id
    hnte = s.scalar(select(Indicator.id).where(Indicator.code == "IND_HNTE"))
    s.execute(update(IndicatorProfile).where(IndicatorProfile.indicator_id == hnte)
              .values(owner_department_id=depts["SW"]))
    rd = Indicator(plan_id=plan_id, code="IND_RD_SHARE", name_zh="研发投入强度", unit_zh="%")
    s.add(rd)
    s.flush()
    s.add(IndicatorProfile(indicator_id=rd.id, owner_department_id=depts["FGW"], frequency="annual"))
    submissions.open_period(s, who(s, "demo-admin"), plan_id=plan_id, code="2023", label_zh="2023年度",
                            due_on=due_on)
    subs = {sub.department.code: sub.id for sub in s.scalars(
        select(Submission).join(Submission.period).where(Submission.period.has(code="2023")))}
    assert set(subs) == {"KW", "SW", "FGW"}
    submissions.save_values(s, who(s, "demo-kw-reporter"), subs["KW"], [ValueChange("IND_PATENTS_PER_10K", 110, True,
                                                                                    expected_version=1)])
    for user, action in (("demo-kw-reporter", "submit"), ("demo-kw-reviewer", "dept_approve"),
                         ("demo-approver", "approve")):
        submissions.transition(s, who(s, user), subs["KW"], action)
    submissions.save_values(s, who(s, "demo-sw-reporter"), subs["SW"], [ValueChange("IND_HNTE", 1000, False,
                                                                                    expected_version=1)])
    submissions.transition(s, who(s, "demo-sw-reporter"), subs["SW"], "submit")
    s.commit()
    return subs


@pytest.fixture
def today() -> dt.date:
    return dt.datetime.now(TZ).date()


def test_completeness_counts_states_on_time_and_late(seeded, today: dt.date) -> None:  # type: ignore[no-untyped-def]
    with seeded() as s:
        three_departments_due(s, due_on=today)
        admin, plan_id = who(s, "demo-admin"), plans.get_plan(s).id
        on_the_day = completeness(s, admin, plan_id, "2023", today=today, tz=TZ)
        rows = {d.department.code: (d.submission.state, d.silent, d.filled, d.due, d.timeliness)
                for d in on_the_day.departments}
        assert rows == {"KW": ("approved", False, 1, 1, "on_time"), "SW": ("submitted", False, 1, 1, "on_time"),
                        "FGW": ("draft", True, 0, 1, "pending")}
        counts = [on_the_day.number_of(k) for k in ("in_hand", "approved", "silent", "on_time", "late")]
        assert counts == [2, 1, 1, 2, 0]
        assert on_the_day.rate("in_hand") == 2 / 3 and on_the_day.rate("on_time") == 2 / 3
        next_day = completeness(s, admin, plan_id, "2023", today=today + dt.timedelta(days=1), tz=TZ)
        assert [d.timeliness for d in next_day.departments] == ["on_time", "on_time", "overdue"]
        assert (next_day.number_of("late"), next_day.number_of("on_time")) == (1, 2), "the silent one is late once due"


def test_submitted_after_the_due_date_is_late(seeded, today: dt.date) -> None:  # type: ignore[no-untyped-def]
    with seeded() as s:
        three_departments_due(s, due_on=today - dt.timedelta(days=1))
        report = completeness(s, who(s, "demo-admin"), plans.get_plan(s).id, "2023", today=today, tz=TZ)
        assert [(d.department.code, d.timeliness) for d in report.departments] == [
            ("KW", "late"), ("SW", "late"), ("FGW", "overdue")]
        assert (report.number_of("late"), report.number_of("on_time"), report.number_of("in_hand")) == (3, 0, 2)


def test_completeness_page(web_app: FastAPI, client_as: ClientAs, today: dt.date) -> None:
    with web_app.state.sessions() as s:
        three_departments_due(s, due_on=today)
    admin, _ = client_as("demo-admin")
    assert 'href="/admin/periods/2023/completeness"' in admin.get("/admin/periods").text
    page = admin.get("/admin/periods/2023/completeness")
    assert page.status_code == 200
    html = page.text
    for dept, state, timeliness in (("KW", "approved", "on_time"), ("SW", "submitted", "on_time"),
                                    ("FGW", "silent", "pending")):
        assert f'data-department="{dept}" data-state="{state}" data-timeliness="{timeliness}"' in html
    assert "规划办已审批（锁定）" in html and "已提交，待部门审核" in html and "未填报" in html
    assert '<dd data-count="late">0</dd>' in html and '<dd data-count="on_time">2（67%）</dd>' in html
    assert '<dd data-count="in_hand">2（67%）</dd>' in html and '<dd data-count="silent">1</dd>' in html
    viewer, _ = client_as("demo-viewer")
    assert viewer.get("/admin/periods/2023/completeness").status_code == 200, "leadership reads it too"
    approver, _ = client_as("demo-approver")
    assert 'href="/admin/periods/2023/completeness"' in approver.get("/review").text
    reporter, _ = client_as("demo-kw-reporter")
    assert reporter.get("/admin/periods/2023/completeness").status_code == 403
    assert admin.get("/admin/periods/2031/completeness").status_code == 404
    assert "Reporting completeness" in admin.get("/admin/periods/2023/completeness?lang=en").text
    api = admin.get("/api/v1/periods/2023/completeness").json()
    assert (api["expected"], api["counts"]["approved"], api["counts"]["late"], api["counts"]["silent"]) == (3, 1, 0, 1)
    assert [(d["code"], d["state"]) for d in api["departments"]] == [
        ("KW", "approved"), ("SW", "submitted"), ("FGW", "silent")]
    assert api["reporting_rate_on_time"] == 2 / 3
    assert reporter.get("/api/v1/periods/2023/completeness").status_code == 403
