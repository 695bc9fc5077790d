"""Supervision (督办): the flow from assignment to closing, evidence files on disk with size and type
limits, overdue and approaching flags, reminders and the e-mail digest — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.accounts.models import Department
from kechuang.assessment.reminders import digest, reminders
from kechuang.audit.service import RecordedRefusal
from kechuang.core.access import Forbidden
from kechuang.core.settings import Settings
from kechuang.plan import service as plans
from kechuang.progress import Colour
from kechuang.supervision import service as supervision
from kechuang.supervision.models import SupervisionItem
from tests.monitoring.helpers import SEED_DAY, who

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def item_for(s: Session, element: str) -> SupervisionItem:
    found = s.scalar(select(SupervisionItem).where(SupervisionItem.element_code == element))
    assert found is not None
    return found


def test_demo_items_and_their_flags(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        items = supervision.plan_items(s, plans.get_plan(s).id)
        # seeded on 2023-01-16: T2 30 days overdue, T1 due in 180 days (its milestone in 90), T5 in 270
        rows = [(i.element_code, i.lead.code, [d.code for d in i.co_departments], i.deadline.isoformat(),
                 supervision.item_status(i, SEED_DAY).status_zh) for i in items]
        assert rows == [
            ("T2.M1", "KW", ["FGW"], "2022-12-17", "已逾期"),
            ("T1.M1", "KW", ["SW"], "2023-07-15", "正常办理"),
            ("T5.M1", "SW", ["CYCG"], "2023-10-13", "正常办理"),
        ]
        t1 = item_for(s, "T1.M1")
        milestone_due = t1.milestones[0].due_on
        assert milestone_due == dt.date(2023, 4, 16)
        late = supervision.item_status(t1, milestone_due + dt.timedelta(days=1))
        assert (late.status_zh, late.colour) == ("已逾期", Colour.RED)
        assert "里程碑" in late.reason_zh
        soon = supervision.item_status(t1, milestone_due - dt.timedelta(days=3))
        assert (soon.status_zh, soon.colour) == ("临近期限", Colour.YELLOW)


def test_flow_acknowledge_report_with_evidence_and_close(seeded: sessionmaker[Session], tmp_path: Path) -> None:
    settings = Settings(evidence_dir=str(tmp_path / "evidence"))
    with seeded() as s:
        item = item_for(s, "T1.M1")
        lead, co = who(s, "demo-kw-reporter"), who(s, "demo-sw-reporter")
        with pytest.raises(Forbidden, match="lead department"):
            supervision.acknowledge(s, co, item.id)
        supervision.acknowledge(s, lead, item.id)
        supervision.report_progress(s, co, item.id, text="配合完成调研", percent=40, settings=settings)
        assert (item.stage, item.percent) == ("handling", 0), "a co-operating report starts 办理 but sets no %"
        report = supervision.report_progress(s, lead, item.id, text="方案已印发", percent=100, settings=settings,
                                             files=(supervision.Upload("方案.pdf", PDF),))
        assert (item.stage, item.percent) == ("feedback", 100)
        ev = report.evidence[0]
        assert (ev.filename, ev.content_type, ev.size, ev.sha256) == (
            "方案.pdf", "application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest())
        assert (tmp_path / "evidence" / ev.stored_name).read_bytes() == PDF
        with pytest.raises(Forbidden):
            supervision.review(s, lead, item.id, close=True, comment="", today=SEED_DAY)
        supervision.review(s, who(s, "demo-approver"), item.id, close=True, comment="材料齐全", today=SEED_DAY)
        assert (item.stage, item.closed_on) == ("closed", SEED_DAY)
        with pytest.raises(RecordedRefusal, match="closed"):
            supervision.report_progress(s, lead, item.id, text="补充", percent=100, settings=settings)
        assert supervision.item_status(item, SEED_DAY).status_zh == "已办结"


def test_evidence_limits(seeded: sessionmaker[Session], tmp_path: Path) -> None:
    folder = tmp_path / "evidence"
    settings = Settings(evidence_dir=str(folder), evidence_max_bytes=100, evidence_types="pdf,png")
    with seeded() as s:
        item, lead = item_for(s, "T1.M1"), who(s, "demo-kw-reporter")
        for upload, message in (
            (supervision.Upload("a.exe", b"MZ"), r"file type \.exe is not accepted \(accepted: pdf, png\)"),
            (supervision.Upload("a.pdf", b"%PDF" + b"x" * 200), "204 bytes is more than the limit of 100 bytes"),
            (supervision.Upload("a.png", b"%PDF-1.4"), r"the content is not a \.png file"),
            (supervision.Upload("a.pdf", b""), "the file is empty"),
        ):
            with pytest.raises(supervision.SupervisionError, match=message):
                supervision.report_progress(s, lead, item.id, text="x", percent=10, settings=settings,
                                            files=(upload,))
        assert not folder.exists() or list(folder.iterdir()) == []


def test_departments_see_only_their_items(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        plan_id = plans.get_plan(s).id
        sw = [i.element_code for i in supervision.visible_items(s, who(s, "demo-sw-reporter"), plan_id)]
        assert sw == ["T1.M1", "T5.M1"]
        with pytest.raises(Forbidden):
            supervision.get_item(s, who(s, "demo-sw-reporter"), item_for(s, "T2.M1").id)
        assert len(supervision.visible_items(s, who(s, "demo-viewer"), plan_id)) == 3


def test_reminders_and_digest(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        plan_id = plans.get_plan(s).id
        rows = [(r.kind, r.title, r.status.status_zh, r.action_zh)
                for r in reminders(s, who(s, "demo-kw-reporter"), plan_id, SEED_DAY)]
        assert rows == [
            ("supervision", "打造技术要素交易高地", "已逾期", "签收（牵头）"),
            ("submission", "2022年度 指标数据填报", "正常办理", "填报并提交"),
        ]
        kw = s.scalar(select(Department).where(Department.code == "KW"))
        assert kw is not None
        text = digest(s, kw, plan_id, SEED_DAY, base_url="https://kc.example")
        assert text.splitlines()[:2] == ["收件人：区科委（演示）",
                                         "主题：【科创·规划监测】待办提醒（2023-01-16，共 2 项）"]
        assert "1. 【已逾期·红】打造技术要素交易高地" in text
        assert "   https://kc.example/supervision/" in text
        approver = [(r.kind, r.title) for r in reminders(s, who(s, "demo-approver"), plan_id, SEED_DAY)]
        assert approver == [("supervision", "打造技术要素交易高地")]


def test_admin_adds_milestones_within_the_deadline(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        item = item_for(s, "T5.M1")
        admin = who(s, "demo-admin")
        with pytest.raises(Forbidden):
            supervision.add_milestone(s, who(s, "demo-sw-reporter"), item.id, "调研", dt.date(2023, 3, 1))
        with pytest.raises(supervision.SupervisionError, match="after the item's deadline 2023-10-13"):
            supervision.add_milestone(s, admin, item.id, "验收", dt.date(2023, 12, 1))
        supervision.add_milestone(s, admin, item.id, "完成调研", dt.date(2023, 2, 1))
        s.commit()
        s.expire(item)
        assert [m.title_zh for m in item.milestones] == ["完成调研", "形成工作方案（演示）"]
        late = supervision.item_status(item, dt.date(2023, 2, 2))
        assert (late.status_zh, "完成调研" in late.reason_zh) == ("已逾期", True)
