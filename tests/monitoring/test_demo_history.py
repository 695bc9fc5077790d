"""`kechuang init --demo` approves illustrative values (演示数据) through the workflow, so the demo shows
progress; a second init changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from kechuang.accounts.models import Department
from kechuang.assessment import progress
from kechuang.audit.models import AuditRecord
from kechuang.cli import app
from kechuang.demo.seed import HISTORY
from kechuang.indicators.models import Indicator, Observation
from kechuang.plan import service as plans
from kechuang.store.db import make_engine, session_factory
from kechuang.submissions.models import Submission


def test_demo_history_is_approved_through_the_workflow(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    runner = CliRunner()
    first = runner.invoke(app, ["init", "--db", db, "--demo"])
    assert first.exit_code == 0, first.output
    open_year = min(dt.date.today().year - 1, 2025)
    years = [y for y in HISTORY["每万人发明专利拥有量"] if y < open_year]
    assert f"demo history (演示数据): {len(years)} submissions approved" in first.output
    engine = make_engine(db)
    with session_factory(engine)() as s:
        ind = s.scalar(select(Indicator).where(Indicator.code == "IND_PATENTS_PER_10K"))
        assert ind is not None
        obs = s.scalars(select(Observation).where(Observation.indicator_id == ind.id,
                                                  Observation.source_kind == "demo")
                        .order_by(Observation.year)).all()
        assert [(o.year, o.value, o.is_demo) for o in obs] == [
            (y, HISTORY["每万人发明专利拥有量"][y], True) for y in years]
        assert s.scalar(select(func.count(Submission.id)).join(Submission.department).where(
            Submission.state == "approved", Department.code == "KW")) == len(years)
        kw = s.scalar(select(Department.id).where(Department.code == "KW"))
        approvals = s.scalar(select(func.count(AuditRecord.id)).where(AuditRecord.action == "approve",
                                                                   AuditRecord.department_id == kw))
        assert approvals == len(years)
        assessed = progress.indicator_progress(s, ind, progress.final_years(plans.latest_version(s)))
        assert assessed.uses_demo and assessed.assessment.colour.value in ("green", "yellow", "red")
    again = runner.invoke(app, ["init", "--db", db, "--demo"])
    assert "already present" in again.output
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count(Submission.id)).join(Submission.department).where(
            Submission.state == "approved", Department.code == "KW")) == len(years)
    engine.dispose()
