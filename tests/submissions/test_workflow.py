"""Submission workflow on SQLite and PostgreSQL: values, validation, approval in two steps, publication as
observations, locking, revisions, returns, and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.audit.models import AuditRecord
from kechuang.audit.service import RecordedRefusal
from kechuang.core.access import Forbidden
from kechuang.indicators.models import Indicator, Observation
from kechuang.submissions import service as submissions
from kechuang.submissions.models import ConsistencyRule, Submission
from kechuang.submissions.service import ValueChange
from tests.monitoring.helpers import who


def kw_submission(s: Session) -> Submission:
    sub = s.scalar(select(Submission).join(Submission.department).where(Submission.department.has(code="KW")))
    assert sub is not None
    return sub


def approve_all(factory: sessionmaker[Session], sub_id: int, values: dict[str, float]) -> None:
    """Reporter enters and submits, reviewer and approver approve, each in its own transaction."""
    with factory() as s:
        submissions.save_values(s, who(s, "demo-kw-reporter"), sub_id,
                                [ValueChange(code, v, True) for code, v in values.items()])
        s.commit()
    for user, action in (("demo-kw-reporter", "submit"), ("demo-kw-reviewer", "dept_approve"),
                         ("demo-approver", "approve")):
        with factory() as s:
            submissions.transition(s, who(s, user), sub_id, action)
            s.commit()


def test_full_cycle_publishes_observations_with_audit(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub = kw_submission(s)
        assert (sub.state, sub.period.code) == ("draft", "2022")
        assert [v.indicator.code for v in sub.values] == ["IND_HNTE", "IND_PATENTS_PER_10K"]
        sub_id = sub.id
    approve_all(seeded, sub_id, {"IND_PATENTS_PER_10K": 125, "IND_HNTE": 1100})
    with seeded() as s:
        sub = s.get(Submission, sub_id)
        assert sub is not None and sub.state == "approved" and not sub.editable
        obs = s.scalar(select(Observation).join(Observation.indicator).where(
            Indicator.code == "IND_PATENTS_PER_10K", Observation.source_kind == "demo"))
        assert obs is not None
        assert (obs.year, obs.value, obs.ref, obs.is_demo) == (2022, 125, "submission:2022", True)
        assert obs.source == "区科委（演示） · 2022年度填报（正式数，规划办审批）"
        trail = submissions.trail(s, who(s, "demo-approver"), sub)
        steps = [(r.actor, r.action, r.field, r.old, r.new) for r in trail]
        assert ("demo-kw-reporter", "update", "IND_PATENTS_PER_10K.value", None, 125) in steps
        assert [(a, act, old, new) for a, act, f, old, new in steps if f == "state"] == [
            ("system", "create", None, "draft"),
            ("demo-kw-reporter", "submit", "draft", "submitted"),
            ("demo-kw-reviewer", "dept_approve", "submitted", "dept_approved"),
            ("demo-approver", "approve", "dept_approved", "approved"),
        ]
        assert ("demo-approver", "publish", "IND_PATENTS_PER_10K", None, 125) in steps


def test_locked_value_change_is_refused_and_recorded(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
    approve_all(seeded, sub_id, {"IND_PATENTS_PER_10K": 125, "IND_HNTE": 1100})
    with seeded() as s:
        reporter = who(s, "demo-kw-reporter")
        with pytest.raises(RecordedRefusal, match="approved .*locked"):
            submissions.save_values(s, reporter, sub_id, [ValueChange("IND_PATENTS_PER_10K", 130, True)])
        s.commit()  # what the web layer does: keep the refusal on record
    with seeded() as s:
        refused = s.scalars(select(AuditRecord).where(AuditRecord.action == "refused")).all()
        assert [(r.actor, r.entity, r.entity_id, r.new) for r in refused] == [
            ("demo-kw-reporter", "submission", str(sub_id), {"IND_PATENTS_PER_10K": 130})]
        value = next(v for v in kw_submission(s).values if v.indicator.code == "IND_PATENTS_PER_10K")
        assert value.value == 125


def test_roles_and_departments_are_enforced(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
        with pytest.raises(Forbidden):
            submissions.get_submission(s, who(s, "demo-sw-reporter"), sub_id)
        change = [ValueChange("IND_PATENTS_PER_10K", 1, False)]
        with pytest.raises(Forbidden):
            submissions.save_values(s, who(s, "demo-sw-reporter"), sub_id, change)
        with pytest.raises(Forbidden):
            submissions.save_values(s, who(s, "demo-kw-reviewer"), sub_id, change)
        with pytest.raises(Forbidden):
            submissions.transition(s, who(s, "demo-sw-reviewer"), sub_id, "dept_approve")
        with pytest.raises(Forbidden):
            submissions.transition(s, who(s, "demo-approver"), sub_id, "submit")
        assert submissions.visible_submissions(s, who(s, "demo-sw-reporter")) == []
        assert [x.id for x in submissions.visible_submissions(s, who(s, "demo-viewer"))] == [sub_id]
        with pytest.raises(RecordedRefusal, match="cannot approve"):
            submissions.transition(s, who(s, "demo-approver"), sub_id, "approve")


def test_return_with_comment_then_resubmit(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
        rep, rev = who(s, "demo-kw-reporter"), who(s, "demo-kw-reviewer")
        submissions.save_values(s, rep, sub_id, [ValueChange("IND_PATENTS_PER_10K", 125, False),
                                                 ValueChange("IND_HNTE", 1100, False)])
        submissions.transition(s, rep, sub_id, "submit")
        with pytest.raises(submissions.SubmissionError, match="comment"):
            submissions.transition(s, rev, sub_id, "return")
        submissions.transition(s, rev, sub_id, "return", comment="高新技术企业请用年末口径")
        sub = submissions.get_submission(s, rep, sub_id)
        assert (sub.state, sub.comment, sub.editable) == ("returned", "高新技术企业请用年末口径", True)
        submissions.save_values(s, rep, sub_id, [ValueChange("IND_HNTE", 1090, True)])
        assert submissions.transition(s, rep, sub_id, "submit").state == "submitted"


def test_submit_requires_every_required_value(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
        rep = who(s, "demo-kw-reporter")
        submissions.save_values(s, rep, sub_id, [ValueChange("IND_PATENTS_PER_10K", 125, False)])
        with pytest.raises(submissions.ValidationFailed) as caught:
            submissions.transition(s, rep, sub_id, "submit")
        problems = [(p.code, p.reason_zh) for p in caught.value.problems]
        assert problems == [("IND_HNTE", "高新技术企业：必填，不能为空。")]


def test_validation_range_and_change_against_previous_period(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
        rep = who(s, "demo-kw-reporter")
        with pytest.raises(submissions.ValidationFailed) as caught:
            submissions.save_values(s, rep, sub_id, [ValueChange("IND_PATENTS_PER_10K", -3, False),
                                                     ValueChange("IND_HNTE", 2000, False)])
        reasons = [(p.code, p.reason_zh) for p in caught.value.problems]
        # 99.04 and 973 are the plan's figures for 2020; ±30 % is the demo limit
        assert reasons == [
            ("IND_HNTE", "高新技术企业：较上期（2020 年 973）变动 +105.5%，超过 ±30%；"
                          "请核实，或在“说明”中写明原因。"),
            ("IND_PATENTS_PER_10K", "每万人发明专利拥有量：-3 小于允许的最小值 0。"),
            ("IND_PATENTS_PER_10K", "每万人发明专利拥有量：较上期（2020 年 99.04）变动 -103.0%，超过 ±30%；"
                                "请核实，或在“说明”中写明原因。"),
        ]
        assert submissions.save_values(s, rep, sub_id, [ValueChange("IND_HNTE", 2000, False, "含迁入企业")]) == 1


def test_consistency_rule_between_indicators(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        ids = {i.code: i.id for i in s.scalars(select(Indicator))}
        s.add(ConsistencyRule(left_indicator_id=ids["IND_PATENTS_PER_10K"], op="<=", factor=0.5,
                              right_indicator_id=ids["IND_HNTE"], message_zh="测试规则", message_en="test rule"))
        s.flush()
        sub_id = kw_submission(s).id
        with pytest.raises(submissions.ValidationFailed) as caught:
            submissions.save_values(s, who(s, "demo-kw-reporter"), sub_id, [
                ValueChange("IND_PATENTS_PER_10K", 125, False), ValueChange("IND_HNTE", 200, False, "口径调整")])
        assert [(p.code, p.reason_zh) for p in caught.value.problems] == [
            ("IND_PATENTS_PER_10K", "每万人发明专利拥有量 125 应 ≤ 0.5 × 高新技术企业（100）（测试规则）。")]


def test_revision_reopens_and_republishes_with_reason(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
    approve_all(seeded, sub_id, {"IND_PATENTS_PER_10K": 125, "IND_HNTE": 1100})
    with seeded() as s:
        rep = who(s, "demo-kw-reporter")
        with pytest.raises(submissions.SubmissionError, match="reason"):
            submissions.request_revision(s, rep, sub_id, " ")
        submissions.request_revision(s, rep, sub_id, "统计局年报更正")
        submissions.decide_revision(s, who(s, "demo-approver"), sub_id, approve=True)
        sub = submissions.get_submission(s, rep, sub_id)
        assert (sub.state, sub.revision) == ("draft", 1)
        submissions.save_values(s, rep, sub_id, [ValueChange("IND_PATENTS_PER_10K", 124.5, True)])
        s.commit()
    for user, action in (("demo-kw-reporter", "submit"), ("demo-kw-reviewer", "dept_approve"),
                         ("demo-approver", "approve")):
        with seeded() as s:
            submissions.transition(s, who(s, user), sub_id, action)
            s.commit()
    with seeded() as s:
        obs = s.scalars(select(Observation).where(Observation.source_kind == "demo",
                                                  Observation.value == 124.5)).all()
        assert len(obs) == 1 and obs[0].source == "区科委（演示） · 2022年度填报（正式数，第 1 次修订，规划办审批）"
        records = s.scalars(select(AuditRecord).where(AuditRecord.field.in_(["IND_PATENTS_PER_10K.value",
                                                                             "IND_PATENTS_PER_10K"]))
                            .order_by(AuditRecord.id)).all()
        assert [(r.action, r.old, r.new) for r in records] == [
            ("update", None, 125), ("publish", None, 125), ("update", 125, 124.5), ("publish", 125, 124.5)]
        assert records[2].reason == "revision 1: 统计局年报更正"


def test_opening_periods(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        admin, plan_id = who(s, "demo-admin"), kw_submission(s).period.plan_id
        period = submissions.open_period(s, admin, plan_id=plan_id, code="2023", label_zh="2023年度",
                                         due_on=dt.date(2024, 3, 31))
        subs = s.scalars(select(Submission).where(Submission.period_id == period.id)).all()
        assert [(x.department.code, x.state, [v.indicator.code for v in x.values]) for x in subs] == [
            ("KW", "draft", ["IND_HNTE", "IND_PATENTS_PER_10K"])]
        quarter = submissions.open_period(s, admin, plan_id=plan_id, code="2023Q1", label_zh="2023年一季度",
                                          due_on=dt.date(2023, 4, 30))
        assert s.scalars(select(Submission).where(Submission.period_id == quarter.id)).all() == [], \
            "no indicator is reported quarterly"
        with pytest.raises(submissions.SubmissionError, match="open already"):
            submissions.open_period(s, admin, plan_id=plan_id, code="2023", label_zh="x", due_on=dt.date(2024, 1, 1))
        with pytest.raises(submissions.SubmissionError, match="expected 2022, 2023H1, 2023Q1 or 2023-03"):
            submissions.open_period(s, admin, plan_id=plan_id, code="FY23", label_zh="x", due_on=dt.date(2024, 1, 1))
        with pytest.raises(Forbidden):
            submissions.open_period(s, who(s, "demo-approver"), plan_id=plan_id, code="2024", label_zh="x",
                                    due_on=dt.date(2025, 1, 1))
