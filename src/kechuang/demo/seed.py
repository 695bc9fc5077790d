"""The demonstration setup of ``kechuang init --demo`` (演示数据): organisations, one account per role,
monitoring settings with illustrative targets, an open reporting period and supervision items.

Everything created here is flagged ``is_demo`` and shown as 演示数据. The baselines are not invented: they
are the plan text's own figures for 2020 (the facts loaded with the plan), quoted as their source. The
targets, owners, task links, deadlines and account passwords are illustrative only. Indicators are found
by their Chinese name, so the setup works on any plan that has them and skips those it lacks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from kechuang.accounts import service as accounts
from kechuang.accounts.models import Account, Department
from kechuang.accounts.service import principal_of
from kechuang.core import clock
from kechuang.core.access import SYSTEM, Role
from kechuang.index.io import read_table
from kechuang.index.uncertainty_spec import load_ua_spec
from kechuang.index_results import frameworks
from kechuang.index_results.models import IndexRun
from kechuang.index_results.rebuild import RebuildResult, analyse, rebuild
from kechuang.indicators import profile_service as monitoring
from kechuang.indicators.models import Indicator, Observation
from kechuang.plan import service as plans
from kechuang.submissions import service as submissions
from kechuang.submissions.history import bulk_transition, import_history, read_history
from kechuang.submissions.models import ReportingPeriod, Submission
from kechuang.submissions.service import ValueChange
from kechuang.supervision import service as supervision

DEMO_PASSWORD = "kechuang-demo"
#: size and seed of the demo index run's uncertainty and sensitivity analysis (128 base points: 512 runs)
DEMO_UA_N = 128
DEMO_UA_SEED = 1
DEMO_NOTE = "演示数据：示意目标，非规划原文"

DEPARTMENTS = (  # code, name_zh, name_en, kind
    ("KW", "区科委（演示）", "District S&T Commission (demo)", "department"),
    ("SW", "区商务委（演示）", "District Commerce Commission (demo)", "department"),
    ("FGW", "区发展改革委（演示）", "District Development and Reform Commission (demo)", "department"),
    ("WJC", "五角场街道（演示）", "Wujiaochang Street (demo)", "street"),
    ("CYCG", "长阳创谷园区（演示）", "Changyang Campus park (demo)", "park"),
    ("TJ", "区统计局（演示）", "District Statistics Bureau (demo)", "department"),
)

ACCOUNTS = (  # username, display name, role, department code
    ("demo-admin", "规划办管理员（演示）", Role.ADMIN, None),
    ("demo-approver", "规划办审批人（演示）", Role.APPROVER, None),
    ("demo-viewer", "区领导（演示）", Role.VIEWER, None),
    ("demo-kw-reporter", "区科委填报员（演示）", Role.REPORTER, "KW"),
    ("demo-kw-reviewer", "区科委审核人（演示）", Role.REVIEWER, "KW"),
    ("demo-sw-reporter", "区商务委填报员（演示）", Role.REPORTER, "SW"),
    ("demo-sw-reviewer", "区商务委审核人（演示）", Role.REVIEWER, "SW"),
    ("demo-tj-reporter", "区统计局填报员（演示）", Role.REPORTER, "TJ"),
    ("demo-tj-reviewer", "区统计局审核人（演示）", Role.REVIEWER, "TJ"),
)


@dataclass(frozen=True)
class DemoIndicator:
    name_zh: str
    owner: str
    tasks: tuple[int, ...]
    targets: tuple[tuple[int, float], ...]
    valid_min: float
    valid_max: float
    max_change_pct: float
    rule: str = "elapsed"


INDICATORS = (
    DemoIndicator("每万人发明专利拥有量", "KW", (2,), ((2025, 150.0),), 0, 1000, 30),
    DemoIndicator("高新技术企业", "KW", (5,), ((2025, 1500.0),), 0, 100000, 30),
)

# task number → (lead, co-operating, days from today to the deadline); negative: already overdue. Each item
# gets one milestone 90 days before its deadline.
SUPERVISION = {1: ("KW", ("SW",), 180), 2: ("KW", ("FGW",), -30), 4: ("SW", ("KW",), 5), 5: ("SW", ("CYCG",), 270),
               6: ("FGW", ("WJC",), 365), 7: ("KW", ("CYCG", "WJC"), 90)}
MILESTONE_LEAD_DAYS = 90


@dataclass
class DemoReport:
    created: bool
    accounts: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    items: int = 0
    open_year: int = 0


def seed_demo(session: Session, today: dt.date, plan_code: str | None = None,
              period_year: int | None = None) -> DemoReport:
    """Create the demonstration setup once (nothing is done when its departments exist already).

    The open reporting period is ``period_year``, by default the last full year (at most the plan's end
    year), due 30 days from ``today``; supervision deadlines are set around ``today`` so that some are
    overdue, some approaching and some not.
    """
    if session.scalar(select(Department).where(Department.code == DEPARTMENTS[0][0])) is not None:
        return DemoReport(created=False)
    report = DemoReport(created=True)
    version = plans.latest_version(session, plan_code)
    plan_id = version.plan_id
    depts = {code: accounts.create_department(session, SYSTEM, code=code, name_zh=zh, name_en=en, kind=kind,
                                              is_demo=True)
             for code, zh, en, kind in DEPARTMENTS}
    shared_hash = accounts.HASHER.hash(DEMO_PASSWORD)  # one Argon2 hash for the accounts sharing the demo password
    for username, name, role, dept in ACCOUNTS:
        if session.scalar(select(Account).where(Account.username == username)) is None:
            accounts.create_account(session, SYSTEM, username=username, display_name=name, password=DEMO_PASSWORD,
                                    role=role, department_id=depts[dept].id if dept else None, is_demo=True,
                                    password_hash=shared_hash, email=f"{username}@example.org")  # demo address
            report.accounts.append(username)
    tasks = {e.attrs.get("number"): e.code for e in plans.elements(session, version, "task")}
    first_year = int(version.document["plan"]["period_start"])
    for spec in INDICATORS:
        ind = session.scalar(select(Indicator).where(Indicator.plan_id == plan_id, Indicator.name_zh == spec.name_zh))
        if ind is None:
            report.skipped.append(spec.name_zh)
            continue
        base = session.scalar(select(Observation).where(
            Observation.indicator_id == ind.id, Observation.source_kind == "plan_text",
            Observation.year == first_year - 1, Observation.period.is_(None)))
        monitoring.update_profile(session, SYSTEM, ind, {
            "owner_department_id": depts[spec.owner].id, "frequency": "annual", "kind": "plan",
            "baseline_year": None if base is None else base.year,
            "baseline_value": None if base is None else base.value,
            "baseline_source": "" if base is None else f"{base.source}：{base.quote}",
            "binding": "guiding", "method": "level", "rule": spec.rule,
            "rule_reason_zh": "水平法目标，按序时进度评估（演示设置）",
            "rule_reason_en": "A level target, assessed by elapsed time (demo setting)",
            "valid_min": spec.valid_min, "valid_max": spec.valid_max, "max_change_pct": spec.max_change_pct,
            "is_demo": True}, reason="demo setup")
        for year, value in spec.targets:
            monitoring.set_target(session, SYSTEM, ind, year, value, is_demo=True, note=DEMO_NOTE)
        for number in spec.tasks:
            if number in tasks:
                monitoring.link_indicator(session, SYSTEM, ind, tasks[number], is_demo=True)
        report.indicators.append(ind.code)
    year = period_year or min(today.year - 1, int(version.document["plan"]["period_end"]))
    submissions.open_period(session, SYSTEM, plan_id=plan_id, code=str(year), label_zh=f"{year}年度",
                            label_en=str(year), due_on=today + dt.timedelta(days=30))
    report.open_year = year
    for number, (lead, co, days) in SUPERVISION.items():
        if number not in tasks:
            continue
        measures = plans.elements(session, version, "measure", tasks[number])
        if not measures:
            continue
        m = measures[0]
        deadline = today + dt.timedelta(days=days)
        supervision.create_item(
            session, SYSTEM, plan_id=plan_id, element_code=m.code, title_zh=m.title_zh, title_en=m.title_en,
            lead_department_id=depts[lead].id, co_department_ids=tuple(depts[c].id for c in co), deadline=deadline,
            milestones=(("形成工作方案（演示）", deadline - dt.timedelta(days=MILESTONE_LEAD_DAYS)),),
            is_demo=True)
        report.items += 1
    return report


#: illustrative annual values (演示数据) of the demo indicators, entered and approved through the workflow for
#: the years before the open period, so that the demo shows progress: patents on schedule, enterprises behind.
HISTORY: dict[str, dict[int, float]] = {
    "每万人发明专利拥有量": {2021: 108.2, 2022: 117.9, 2023: 129.6, 2024: 141.0},
    "高新技术企业": {2021: 1030.0, 2022: 1095.0, 2023: 1160.0, 2024: 1240.0},
}


def seed_demo_history(session: Session, today: dt.date, open_year: int, plan_code: str | None = None) -> int:
    """Approve the illustrative values of :data:`HISTORY` for every year before ``open_year`` (演示数据).

    Each year's period is opened and the owning demo department's reporter enters the values, submits, its
    reviewer approves and the plan office approves — the path real data take, so every value and step is in
    the audit trail and the approved values are stored as demo observations. Years whose period exists
    already are left alone. Returns the number of approved submissions.
    """
    version = plans.latest_version(session, plan_code)
    plan_id = version.plan_id
    people = {a.username: principal_of(a) for a in session.scalars(select(Account).where(Account.is_demo))}
    found = {name: session.scalar(select(Indicator.code).where(Indicator.plan_id == plan_id, Indicator.name_zh == name))
             for name in HISTORY}
    codes = {name: code for name, code in found.items() if code is not None}
    approved = 0
    years = sorted({y for values in HISTORY.values() for y in values if y < open_year})
    for year in years:
        if session.scalar(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan_id,
                                                        ReportingPeriod.code == str(year))) is not None:
            continue
        period = submissions.open_period(session, SYSTEM, plan_id=plan_id, code=str(year), label_zh=f"{year}年度",
                                         label_en=str(year), due_on=today)
        for sub in session.scalars(select(Submission).where(Submission.period_id == period.id)):
            dept = sub.department.code.lower()
            changes = [ValueChange(codes[name], values[year], True, "演示数据")
                       for name, values in HISTORY.items()
                       if name in codes and year in values
                       and any(v.indicator.code == codes[name] for v in sub.values)]
            if not changes:
                continue
            submissions.save_values(session, people[f"demo-{dept}-reporter"], sub.id, changes)
            submissions.transition(session, people[f"demo-{dept}-reporter"], sub.id, "submit")
            submissions.transition(session, people[f"demo-{dept}-reviewer"], sub.id, "dept_approve")
            submissions.transition(session, people["demo-approver"], sub.id, "approve")
            approved += 1
    return approved


def seed_demo_index(session: Session, plan_code: str | None = None) -> RebuildResult | None:
    """Enter the bundled framework's demo values (演示数据: ``demo_data`` of its ``framework.yaml``, the district's
    row) as the demo statistics bureau, through the history import, both approvals and a rebuild — the path real
    data take — so the index runs are built from approved (demo) observations and labelled 演示数据: one of the data
    up to the year before the last and one of all of them (with the uncertainty analysis), each dated by its data
    (:func:`demo_run_moment`). Nothing is done when the plan has no framework with demo data or a run exists
    already. Returns the rebuild of all the data."""
    version = plans.latest_version(session, plan_code)
    plan_id = version.plan_id
    try:
        bundle = frameworks.read_bundle()
    except frameworks.FrameworkError:  # the configured district bundle has no index framework
        return None
    registered = {fw.code: fw for fw in frameworks.frameworks(session, plan_id)}
    fw = registered.get(bundle.file.code)
    demo_file = bundle.path(bundle.file.demo_data)
    if fw is None or demo_file is None or session.scalar(select(IndexRun.id).where(IndexRun.framework_id == fw.id)):
        return None
    dept = session.scalar(select(Department).where(Department.code == "TJ"))
    if dept is None:
        return None
    people = {a.username: principal_of(a) for a in session.scalars(select(Account).where(Account.is_demo))}
    codes = {}
    for row in frameworks.leaves(fw):
        code = frameworks.indicator_code(fw, str(row["iCode"]))
        codes[str(row["iCode"])] = code
        ind = monitoring.indicator_by_code(session, plan_id, code)
        monitoring.update_profile(session, SYSTEM, ind, {
            "owner_department_id": dept.id, "frequency": "annual", "kind": "index",
            "data_source_zh": "演示数据（合成）", "data_source_en": "demo data (synthetic)", "is_demo": True},
            reason="demo setup")
    cells = read_history(read_table(demo_file), codes, unit=bundle.file.demo_unit or fw.unit_code)
    ids = import_history(session, people["demo-tj-reporter"], plan_id, cells, note="演示数据")
    bulk_transition(session, people["demo-tj-reviewer"], ids, "dept_approve")
    bulk_transition(session, people["demo-approver"], ids, "approve")
    last = max(int(c.year) for c in cells)
    earlier = rebuild(session, fw, by="kechuang init --demo", until=last - 1)
    _date_demo_run(earlier.run, last - 1)
    result = rebuild(session, fw, by="kechuang init --demo")
    _date_demo_run(result.run, last)
    ua_file = bundle.path(bundle.file.uncertainty)
    if ua_file is not None and result.built:
        analyse(session, result.run, load_ua_spec(ua_file), DEMO_UA_N, seed=DEMO_UA_SEED, by="kechuang init --demo")
    return result


def demo_run_moment(data_year: int) -> dt.datetime:
    """When a demo index run with data up to ``data_year`` is dated: the first moment after that year ended in the
    plan's time zone (the earliest its data could exist), not the wall-clock time of ``kechuang init --demo``, so
    the demo timeline holds together: an evaluation as of a day in 2024 uses the demo run of the data up to 2023
    (labelled 演示数据), one as of 2025 or later the run of all the demo data."""
    return dt.datetime.combine(dt.date(data_year + 1, 1, 1), dt.time(0), tzinfo=clock.zone()).astimezone(dt.UTC)


def _date_demo_run(run: IndexRun, data_year: int) -> None:
    """Date a demo run by its data (see :func:`demo_run_moment`); a real run keeps the time it was computed."""
    if run.is_demo:
        run.created_at = demo_run_moment(data_year)
        session = object_session(run)
        if session is not None:
            session.flush()


@dataclass(frozen=True)
class DemoSetup:
    """What :func:`setup_demo` did."""

    report: DemoReport
    history: int
    index: RebuildResult | None


def setup_demo(session: Session, today: dt.date, plan_code: str | None = None) -> DemoSetup:
    """The whole demonstration setup of ``kechuang init --demo`` (演示数据), once: organisations, accounts, settings,
    the open period and supervision items (:func:`seed_demo`), the illustrative history of the demo indicators
    (:func:`seed_demo_history`) and the demo index values with their run (:func:`seed_demo_index`)."""
    report = seed_demo(session, today, plan_code)
    if not report.created:
        return DemoSetup(report, 0, None)
    history = seed_demo_history(session, today, report.open_year, plan_code)
    return DemoSetup(report, history, seed_demo_index(session, plan_code))
