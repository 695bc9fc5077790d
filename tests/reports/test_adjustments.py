"""Proposed plan adjustments of an evaluation and accepting them as a new plan version."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kechuang.plan import service as plans
from kechuang.reports.adjustments import Proposal, _bounds_after, accept_adjustments
from kechuang.reports.fmt import round_half_up
from kechuang.reports.service import build_report
from kechuang.store.db import transaction
from tests.reports.demo_data import DEMO_DAY, PARKS

pytestmark = pytest.mark.xdist_group("reports")


@pytest.mark.parametrize(("direction", "low", "high", "new", "expected"), [
    (1, 2, 3, 2, {"value_max": 2}),            # 2–3 → the trend reaches the lower bound only: 2
    (1, 2, 3, 1, {"value_max": 1, "value_min": 1}),
    (1, 2, 3, 3, {}),                          # the trend reaches the plan's figure: no proposal
    (1, None, 150, 120, {"value_max": 120}),
    (1, 2, None, 1, {"value_min": 1}),
    (-1, 10, 20, 15, {"value_min": 15}),       # lower is better: the far bound is the minimum
    (-1, 10, 20, 25, {"value_min": 25, "value_max": 25}),
])
def test_which_bounds_a_proposal_moves(direction: int, low: float | None, high: float | None, new: float,
                                       expected: dict[str, float]) -> None:
    assert _bounds_after(direction, low, high, new) == expected


def test_rounding_is_half_up() -> None:
    assert (round_half_up(2.5, 0), round_half_up(1.78, 0), round_half_up(0.125, 2)) == (3.0, 2.0, 0.13)


def test_the_midterm_proposes_the_lagging_plan_target(demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions() as s:
        report = build_report(s, "midterm", 2023, as_of=DEMO_DAY)
        target = plans.element(s, plans.latest_version(s), "T7.M1.TG1", "target")
    [p] = [Proposal.from_dict(d) for d in report.proposals]
    assert (p.id, p.element_code, p.indicator_code, p.plan_version) == ("P1", "T7.M1.TG1", PARKS, 1)
    assert [(c.field, c.current, c.proposed) for c in p.changes] == [
        ("value_max", target.attrs["value_max"], round_half_up(p.projected, 0))]
    assert p.demo and "演示数据" in p.basis_zh
    assert f"{p.projected:.2f}" in p.basis_zh


def test_accepting_writes_a_new_plan_version_with_who_and_why(copy_sessions: sessionmaker[Session]) -> None:
    with copy_sessions() as s:
        report = build_report(s, "midterm", 2023, as_of=DEMO_DAY)
    with transaction(copy_sessions) as s:
        version = accept_adjustments(s, report.proposals, by="规划办（演示）", reason="中期评估审议会议",
                                     source="2023年中期评估报告")
        number = version.number
    with copy_sessions() as s:
        versions = plans.list_versions(s)
        assert [v.number for v in versions] == [1, 2] and number == 2
        new = versions[-1]
        assert new.created_by == "规划办（演示）"
        assert new.reason == "中期评估审议会议（采纳评估建议 P1；依据：2023年中期评估报告）"
        assert new.source == "adjustment proposed by 2023年中期评估报告 (P1)", "the version records the evaluation"
        assert plans.element(s, new, "T7.M1.TG1", "target").attrs["value_max"] == 2.0
        assert plans.element(s, versions[0], "T7.M1.TG1", "target").attrs["value_max"] == 3.0, "old version kept"
        diff = plans.diff_versions(s, 1, 2)
        assert [(d.code, d.status) for d in diff] == [("T7.M1.TG1", "changed")]
    with transaction(copy_sessions) as s, pytest.raises(plans.AdjustmentError, match="version 1.*now at version 2"):
        accept_adjustments(s, report.proposals, by="规划办", reason="again")


def test_accepting_needs_who_why_and_known_proposals(copy_sessions: sessionmaker[Session]) -> None:
    with copy_sessions() as s:
        proposals = build_report(s, "midterm", 2023, as_of=DEMO_DAY).proposals
        for kwargs, message in (({"by": "", "reason": "x"}, "who accepts"), ({"by": "x", "reason": " "}, "why"),
                                ({"by": "x", "reason": "y", "accepted": ["P9"]}, "no proposal P9"),
                                ({"by": "x", "reason": "y", "accepted": []}, "no proposal accepted")):
            with pytest.raises(plans.AdjustmentError, match=message):
                accept_adjustments(s, proposals, **kwargs)  # type: ignore[arg-type]
        version = accept_adjustments(s, proposals, by="规划办", reason="审议", values={"P1": {"value_max": 2.5}})
        assert plans.element(s, version, "T7.M1.TG1", "target").attrs["value_max"] == 2.5
        s.rollback()
