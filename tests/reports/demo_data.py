"""A demonstration database for the report tests and the benchmark, built only through the services.

On top of ``kechuang.bootstrap.load_bundled`` (the plan, the index framework, the published index series),
``kechuang.demo.seed.seed_demo`` (demo departments, accounts, monitoring settings with illustrative
targets, supervision items) and, last, ``seed_demo_index`` (the demo index values approved through the workflow
and the run built from them), this adds — all labelled 演示数据:

- monitoring settings for 大学科技园示范园 (the plan's only quantified target, T7.M1.TG1 "2-3家" by 2025;
  the target is taken from the plan text, the baseline 0 in 2020 is illustrative);
- reporting periods 2021–2023 whose values the demo department 区科委（演示） enters, submits and has
  approved through the approval workflow (so the observations carry ``is_demo``): one value is revised
  after approval and one is provisional (初步数);
- one opinion campaign (演示) with a public comment, published and answered by the plan office.

No value here is presented as a real statistic: the departments are demo departments, so every
approved value is stored as demo data and every report shows it with the 演示数据 label.
"""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.accounts.models import Account, Department
from kechuang.accounts.service import principal_of
from kechuang.bootstrap import load_bundled
from kechuang.comments import service as comments
from kechuang.comments.schemas import CampaignIn, CommentForm
from kechuang.core import clock
from kechuang.core.access import SYSTEM, Principal
from kechuang.core.settings import Settings
from kechuang.demo.seed import seed_demo, seed_demo_index
from kechuang.indicators import profile_service as monitoring
from kechuang.indicators.models import Indicator
from kechuang.plan import service as plans
from kechuang.store.db import make_engine, session_factory, transaction, upgrade
from kechuang.submissions import service as submissions
from kechuang.submissions.models import ReportingPeriod, Submission
from kechuang.submissions.service import ValueChange

#: the day the demo is set up and the reports are dated (supervision deadlines are set around it)
DEMO_DAY = dt.date(2024, 3, 1)
PARKS = "IND_UNI_SCIPARK_DEMO"
PATENTS = "IND_PATENTS_PER_10K"
HNTE = "IND_HNTE"
#: illustrative values (演示数据) by year: (indicator code, value, final?)
VALUES: dict[int, list[tuple[str, float, bool]]] = {
    2021: [(PATENTS, 106.3, True), (HNTE, 1062, True)],
    2022: [(PATENTS, 110.0, True), (HNTE, 1148, True), (PARKS, 1, True)],
    2023: [(PATENTS, 117.8, False), (HNTE, 1300, True), (PARKS, 1, True)],
}
#: the 2022 patents value is revised after approval to this (演示数据)
REVISED_2022 = 112.4
COMMENT_SETTINGS = Settings(secret_key="demo-report-tests", comment_min_seconds=0)


def who(s: Session, username: str) -> Principal:
    account = s.scalar(select(Account).where(Account.username == username))
    assert account is not None, username
    return principal_of(account)


def _indicator(s: Session, plan_id: int, code: str) -> Indicator:
    ind = s.scalar(select(Indicator).where(Indicator.plan_id == plan_id, Indicator.code == code))
    assert ind is not None, code
    return ind


def _kw_submission(s: Session, year: int) -> int:
    sub = s.scalar(select(Submission).join(Submission.period).join(Submission.department)
                   .where(ReportingPeriod.code == str(year), Department.code == "KW"))
    assert sub is not None, year
    return sub.id


def _cycle(factory: sessionmaker[Session], sub_id: int, values: list[tuple[str, float, bool]], note: str) -> None:
    """Reporter enters and submits, reviewer and approver approve: each step its own transaction."""
    with transaction(factory) as s:
        submissions.save_values(s, who(s, "demo-kw-reporter"), sub_id,
                                [ValueChange(code, value, final, note) for code, value, final in values])
    for user, action in (("demo-kw-reporter", "submit"), ("demo-kw-reviewer", "dept_approve"),
                         ("demo-approver", "approve")):
        with transaction(factory) as s:
            submissions.transition(s, who(s, user), sub_id, action)


def seed_report_demo(factory: sessionmaker[Session], today: dt.date = DEMO_DAY) -> None:
    """Build the demonstration data described in the module docstring in an empty, migrated database."""
    with transaction(factory) as s:
        load_bundled(s, by="report tests")
        seed_demo(s, today, period_year=2021)
        version = plans.latest_version(s)
        plan_id = version.plan_id
        kw = s.scalar(select(Department).where(Department.code == "KW"))
        assert kw is not None
        target = plans.element(s, version, "T7.M1.TG1", "target")
        parks = _indicator(s, plan_id, PARKS)
        monitoring.update_profile(s, SYSTEM, parks, {
            "owner_department_id": kw.id, "frequency": "annual", "kind": "plan", "baseline_year": 2020,
            "baseline_value": 0.0, "baseline_source": "演示数据：示意基期值", "binding": "binding",
            "method": "level", "rule": "elapsed", "rule_reason_zh": "规划目标为水平值，按序时进度评估（演示设置）",
            "valid_min": 0.0, "valid_max": 100.0, "is_demo": True}, reason="report demo setup")
        monitoring.set_target(s, SYSTEM, parks, int(target.attrs["year"]), float(target.attrs["value_max"]),
                              note=f"规划原文 {target.code}：{target.title_zh}（取上限）")
        tasks = {e.attrs["number"]: e.code for e in plans.elements(s, version, "task")}
        monitoring.link_indicator(s, SYSTEM, parks, tasks[7], is_demo=True)
        for year in (2022, 2023):
            submissions.open_period(s, SYSTEM, plan_id=plan_id, code=str(year), label_zh=f"{year}年度（演示）",
                                    label_en=f"{year} (demo)", due_on=today + dt.timedelta(days=30))
    for year, values in VALUES.items():
        with factory() as s:
            sub_id = _kw_submission(s, year)
        _cycle(factory, sub_id, values, "演示数据")
    with factory() as s:
        sub_id = _kw_submission(s, 2022)
    with transaction(factory) as s:
        submissions.request_revision(s, who(s, "demo-kw-reporter"), sub_id, "演示：更正统计口径后修订")
        submissions.decide_revision(s, who(s, "demo-approver"), sub_id, approve=True)
    _cycle(factory, sub_id, [(PATENTS, REVISED_2022, True)], "演示数据（修订）")
    now = dt.datetime.combine(today, dt.time(2, 0), tzinfo=dt.UTC)
    with transaction(factory) as s:
        plan_id = plans.get_plan(s).id
        admin = who(s, "demo-admin")
        comments.create_campaign(s, admin, plan_id, CampaignIn(
            title_zh="规划中期评估意见征集（演示数据）", title_en="Mid-term evaluation consultation (demo)",
            starts_on=today - dt.timedelta(days=10), ends_on=today + dt.timedelta(days=20), is_demo=True))
        token = comments.issue_token(COMMENT_SETTINGS, "task", "T7", now - dt.timedelta(minutes=5))
        comment = comments.submit(s, COMMENT_SETTINGS, plan_id, CommentForm(
            target_kind="task", target_code="T7", token=token, author_name="演示用户",
            body="（演示数据）建议公布大学科技园示范园的建设进度和认定标准。"), client_ip="192.0.2.10", now=now)
        comments.publish(s, admin, comment.id, now=now)
        comments.reply(s, admin, comment.id, "（演示数据）感谢建议。示范园建设进度将在年度监测中公布。", now=now)
    with transaction(factory) as s:
        seed_demo_index(s)


def demo_moment(today: dt.date = DEMO_DAY) -> dt.datetime:
    """The moment the demonstration is set up: 09:00 of ``today`` in the plan's time zone."""
    return dt.datetime.combine(today, dt.time(9, 0), tzinfo=clock.zone())


def build_demo_database(url: str, today: dt.date = DEMO_DAY) -> None:
    """Create, migrate and fill the database at ``url`` (see :func:`seed_report_demo`), on the clock of the demo
    day: what the setup creates (supervision items, approved values, progress reports) is stored as created that
    day, so a report as of ``today`` contains it and what a test adds later (at the real time) comes after the
    cut-off. The demo index runs are dated by their data (``demo.seed.demo_run_moment``)."""
    engine = make_engine(url)
    upgrade(engine)
    with time_machine.travel(demo_moment(today), tick=True):
        seed_report_demo(session_factory(engine), today)
    engine.dispose()
