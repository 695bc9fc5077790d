"""Data coverage and key projects on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.accounts import service as accounts
from kechuang.core.access import SYSTEM, Role
from kechuang.indicators.models import Indicator, Observation
from kechuang.opendata.coverage import coverage
from kechuang.opendata.projects import key_projects
from kechuang.plan import service as plans
from kechuang.plan.loader import read_plan_file
from kechuang.progress import Status
from kechuang.store.db import transaction
from kechuang.supervision import service as supervision
from tests.conftest import FIXTURES

TODAY = dt.date(2024, 5, 1)


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        plans.load_plan(s, read_plan_file(FIXTURES / "mini_plan.yaml"), source="mini", by="test")
    return sessions


def test_coverage_by_year_and_kind_with_missing_years(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        ind = s.scalar(select(Indicator).where(Indicator.code == "IND_HTE"))
        assert ind is not None
        s.add_all([
            Observation(indicator_id=ind.id, ref="pub-2022", year=2022, value=1100, source_kind="published",
                        source="release 2023-11"),
            Observation(indicator_id=ind.id, ref="demo-2023", year=2023, value=1200, source_kind="demo",
                        source="demo generator", is_demo=True),
        ])
    with db() as s:
        v = plans.latest_version(s)
        meta = v.document["plan"]
        cov = coverage(s, v, TODAY)
        first = meta["period_start"] - 1
        assert cov.period == (first, 2023), "baseline year to last year (2023 statistics appear in 2024)"
        [row] = cov.rows
        plan_year = next(o.year for o in row.indicator.observations if o.source_kind == "plan_text")
        assert row.cells == {plan_year: ("plan_text",), 2022: ("published",), 2023: ("demo",)}
        assert row.missing == tuple(y for y in range(first, 2024) if y not in (plan_year, 2022)), \
            "demo data does not fill a gap"
        assert cov.by_kind == {"plan_text": 1, "published": 1, "submission": 0, "demo": 1}
        assert {2022, 2023, plan_year} <= set(cov.years) and cov.years == tuple(sorted(cov.years))
        assert cov.last_update is not None and cov.complete == [] and cov.without_any == []


def test_key_projects_with_their_task_place_and_supervision_status(db: sessionmaker[Session]) -> None:
    with db() as s:
        v = plans.latest_version(s)
        [group] = key_projects(s, v, TODAY)
        assert group.task.code == "T1" and group.count == 1
        [(project, place, items)] = group.measures[0].projects
        assert (project.code, place.code if place else None, items) == ("T1.M1.P1", "PL1", [])
    with transaction(db) as s:
        office = accounts.principal_of(accounts.create_account(
            s, SYSTEM, username="office", display_name="规划办", password="x" * 12, role=Role.ADMIN))
        dept = accounts.create_department(s, SYSTEM, code="KW", name_zh="区科委")
        supervision.create_item(s, office, plan_id=v.plan_id, element_code="T1.M1.P1", title_zh="示例孵化园建设",
                                lead_department_id=dept.id, deadline=dt.date(2024, 4, 1),
                                milestones=(("完成选址", dt.date(2024, 2, 1)),))
        supervision.create_item(s, office, plan_id=v.plan_id, element_code="T1.M1", title_zh="建设孵化载体",
                                lead_department_id=dept.id, deadline=dt.date(2025, 12, 31))
    with db() as s:
        [group] = key_projects(s, plans.latest_version(s), TODAY)
        measure = group.measures[0]
        [(_, _, [tracked])] = measure.projects
        assert tracked.item.title_zh == "示例孵化园建设" and tracked.status.status is Status.OVERDUE
        assert "（里程碑：完成选址）" in tracked.status.reason_zh and "已逾期 90 天" in tracked.status.reason_zh
        assert [t.status.status for t in measure.items] == [Status.IN_PROGRESS]
