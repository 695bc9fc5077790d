"""Progress from approved data, against hand-worked cases (PROGRESS-METHODS.md): 每万人发明专利拥有量,
baseline 99.04 (2020, the plan's figure), illustrative demo target 150 (2025)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.assessment import progress
from kechuang.core.settings import Settings
from kechuang.indicators import profile_service as monitoring
from kechuang.indicators.models import Indicator, Observation
from kechuang.plan import service as plans
from kechuang.progress import Colour, Rule, Status
from kechuang.submissions import service as submissions
from kechuang.supervision import service as supervision
from kechuang.supervision.models import SupervisionItem
from tests.monitoring.helpers import who
from tests.submissions.test_workflow import approve_all, kw_submission


def patents(s: Session) -> Indicator:
    found = s.scalar(select(Indicator).where(Indicator.code == "IND_PATENTS_PER_10K"))
    assert found is not None
    return found


def assess(s: Session) -> progress.IndicatorProgress:
    return progress.indicator_progress(s, patents(s), progress.final_years(plans.latest_version(s)))


def test_demo_setup_takes_the_baseline_from_the_plan_text_and_labels_the_target(
        seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        p = assess(s)
        assert p.profile is not None
        assert (p.profile.baseline_year, p.profile.baseline_value) == (2020, 99.04)
        assert p.profile.baseline_source == ("杨府发〔2021〕3号 一：截至2020年底,每万人发明专利拥有量达99.04件,"
                                             "位居全市前列")
        assert [(t.year, t.value, t.is_demo, t.note) for t in p.profile.targets] == [
            (2025, 150.0, True, "演示数据：示意目标，非规划原文")]
        assert (p.assessment.status, p.assessment.status_zh) == (Status.NOT_APPLICABLE, "不适用")
        assert p.assessment.reason_zh == "2020 年基期之后尚无观测值。"


@pytest.mark.parametrize(("value", "status_zh", "colour", "achieved"), [
    (125, "快于预期", Colour.GREEN, 0.509),   # A = 25.96/50.96 = 50.9 % ≥ E + 5 = 45 %
    (105, "滞后", Colour.YELLOW, 0.117),      # A = 5.96/50.96 = 11.7 %; gap E − A = 28.3 points → yellow
])
def test_approved_2022_value_sets_the_status(seeded: sessionmaker[Session], value: float, status_zh: str,
                                             colour: Colour, achieved: float) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
    approve_all(seeded, sub_id, {"IND_PATENTS_PER_10K": value, "IND_HNTE": 1100})
    with seeded() as s:
        p = assess(s)
        a = p.assessment
        assert (a.rule, a.status_zh, a.colour) == (Rule.ELAPSED, status_zh, colour)
        assert a.figures["elapsed_share"] == pytest.approx(0.4)
        assert a.figures["achieved_share"] == pytest.approx(achieved, abs=0.0005)
        assert (a.inputs["t0"], a.inputs["x0"], a.inputs["t"], a.inputs["xt"], a.inputs["T"], a.inputs["X"]) == (
            2020, 99.04, 2022, value, 2025, 150.0)
        assert p.uses_demo, "the target is a demo target, so the status is labelled demo"


def test_rule_is_chosen_per_indicator(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
    approve_all(seeded, sub_id, {"IND_PATENTS_PER_10K": 105, "IND_HNTE": 1100})
    with seeded() as s:
        monitoring.update_profile(s, who(s, "demo-admin"), patents(s), {
            "rule": "cagr", "rule_reason_zh": "存量指标，按复合增速比较"})
        a = assess(s).assessment
        assert (a.rule, a.status, a.status_zh) == (Rule.CAGR, Status.LIMITED, "进展有限")
        assert a.figures["ratio"] == pytest.approx(0.34, abs=0.005)


def test_unapproved_values_do_not_count(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
        submissions.save_values(s, who(s, "demo-kw-reporter"), sub_id,
                                [submissions.ValueChange("IND_PATENTS_PER_10K", 125, True),
                                 submissions.ValueChange("IND_HNTE", 1100, True)])
        submissions.transition(s, who(s, "demo-kw-reporter"), sub_id, "submit")
        submissions.transition(s, who(s, "demo-kw-reviewer"), sub_id, "dept_approve")
        s.commit()
        assert s.scalars(select(Observation).where(Observation.source_kind.in_(("submission", "demo")))).all() == []
        assert assess(s).assessment.status is Status.NOT_APPLICABLE


def test_dashboard_rolls_up_and_flags_a_task_reported_done_while_lagging(seeded: sessionmaker[Session],
                                                                         tmp_path: Path) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
    approve_all(seeded, sub_id, {"IND_PATENTS_PER_10K": 105, "IND_HNTE": 1100})
    with seeded() as s:
        item = s.scalar(select(SupervisionItem).where(SupervisionItem.element_code == "T2.M1"))
        assert item is not None and item.lead.code == "KW"
        supervision.report_progress(s, who(s, "demo-kw-reporter"), item.id, text="交易所功能已完善", percent=100,
                                    settings=Settings(evidence_dir=str(tmp_path)))
        board = progress.dashboard(s, dt.date(2023, 1, 16))
        a1 = board.areas[0]
        t2 = next(t for t in a1.tasks if t.task.code == "T2")
        assert [(p.indicator.code, p.assessment.status_zh) for p in t2.indicators] == [("IND_PATENTS_PER_10K", "滞后")]
        assert (t2.rollup.colour, a1.rollup.colour) == (Colour.YELLOW, Colour.YELLOW)
        assert [c.reason_zh for c in board.conflicts] == [
            "矛盾：任务“打造技术要素交易高地”报告完成 100.0%，但关联指标 每万人发明专利拥有量（滞后） 滞后，请核实。"]
        t5 = board.areas[1].tasks[0]
        assert [(p.indicator.code, p.assessment.status_zh) for p in t5.indicators] == [("IND_HNTE", "滞后")]


def test_interim_targets_do_not_replace_the_final_target(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
    approve_all(seeded, sub_id, {"IND_PATENTS_PER_10K": 125, "IND_HNTE": 1100})
    with seeded() as s:
        admin = who(s, "demo-admin")
        monitoring.set_target(s, admin, patents(s), 2023, 130, is_demo=True, note="演示：年度目标")
        monitoring.set_target(s, admin, patents(s), 2035, 300, is_demo=True, note="演示：远景目标")
        p = assess(s)
        assert p.target is not None and (p.target.year, p.target.value) == (2025, 150)
        assert p.profile is not None and sorted(t.year for t in p.profile.targets) == [2023, 2025, 2035]
        assert p.assessment.status_zh == "快于预期"
