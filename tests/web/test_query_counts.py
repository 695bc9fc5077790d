"""Logged-in pages read the database in a bounded number of statements, whatever the number of rows.

Every SQL statement a request sends is counted (an SQLAlchemy ``before_cursor_execute`` listener on the app's
engine: the session check, the page cache's data version and the page's own reads). Each page is asked once
right after a change of the data (nothing computed before may be reused) and once more unchanged. The counts
must stay within the page's bound on the demo database *and* on a copy holding many more rows — more reporting
periods (so more submissions), more assessed indicators linked to tasks, more supervision items — so a query
per row (an N+1) cannot hide under the bound. The control shows the counter does see such a loop.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from kechuang.accounts.models import Department
from kechuang.assessment import progress
from kechuang.core.access import SYSTEM
from kechuang.indicators import profile_service as monitoring
from kechuang.indicators.models import Indicator, Observation
from kechuang.plan import service as plans
from kechuang.store.db import make_engine, session_factory, transaction
from kechuang.submissions import service as submissions
from kechuang.submissions.models import Submission
from kechuang.supervision import service as supervision
from tests.monitoring.web import login, make_app

#: (account, path, the most statements its first request may send, … and a second one with the data unchanged)
PAGES = (
    ("demo-admin", "/dashboard", 24, 8),
    ("demo-admin", "/api/v1/progress", 18, 2),
    ("demo-admin", "/inbox", 20, 2),
    ("demo-kw-reporter", "/inbox", 20, 2),
    ("demo-admin", "/review", 6, 6),
    ("demo-kw-reviewer", "/review", 3, 3),
    ("demo-admin", "/api/v1/submissions", 5, 5),
    ("demo-admin", "/api/v1/review-queue", 3, 3),
    ("demo-admin", "/api/v1/reminders", 11, 11),
    ("demo-admin", "/supervision", 12, 12),
    ("demo-kw-reporter", "/supervision", 8, 8),
    ("demo-admin", "/api/v1/supervision/items", 8, 8),
    ("demo-admin", "/monitoring/indicators", 35, 20),
    ("demo-admin", "/monitoring/indicators/IND_PATENTS_PER_10K", 11, 11),
    ("demo-admin", "/api/v1/progress/indicators/IND_PATENTS_PER_10K", 8, 8),
    ("demo-kw-reporter", "/account", 2, 2),
    ("demo-kw-reporter", "/api/v1/me", 2, 2),
    ("demo-admin", "/admin/periods", 7, 7),
    ("demo-admin", "/audit", 4, 4),
)
#: a submission's page and its JSON: at most this many statements, however many values it holds
SUBMISSION_PAGE, SUBMISSION_API = 15, 10


def _path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


@contextmanager
def counting(app: FastAPI) -> Iterator[list[str]]:
    """The SQL statements sent through the app's engine while the block runs."""
    sent: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        sent.append(statement)

    event.listen(app.state.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(app.state.engine, "before_cursor_execute", count)


def enlarge(path: Path) -> None:
    """Add many rows to the demo database at ``path``: three more reporting periods (a draft submission each
    for every reporting department), 20 more indicators with a baseline, a target, a task link and three
    published values each, and 12 more supervision items."""
    engine_sessions = session_factory(make_engine(f"sqlite:///{path}"))
    with transaction(engine_sessions) as s:
        plan = plans.get_plan(s)
        version = plans.latest_version(s)
        tasks = [e.code for e in plans.elements(s, version, "task")]
        profiled = set(s.scalars(select(monitoring.IndicatorProfile.indicator_id)))
        fresh = [i for i in s.scalars(select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.code))
                 if i.id not in profiled][:20]
        assert len(fresh) == 20
        kw = s.scalar(select(Department).where(Department.code == "KW"))
        assert kw is not None
        for n, ind in enumerate(fresh):
            monitoring.update_profile(s, SYSTEM, ind, {"baseline_year": 2020, "baseline_value": 100.0 + n,
                                                       "owner_department_id": kw.id, "frequency": "annual"})
            monitoring.set_target(s, SYSTEM, ind, 2025, 200.0 + n)
            monitoring.link_indicator(s, SYSTEM, ind, tasks[n % len(tasks)])
            s.add_all(Observation(indicator_id=ind.id, ref=f"bench:{year}", year=year, value=100.0 + n + year - 2020,
                                  source_kind="published", source="test") for year in (2021, 2022, 2023))
        for year in (2031, 2032, 2033):
            submissions.open_period(s, SYSTEM, plan_id=plan.id, code=str(year), label_zh=f"{year}年",
                                    due_on=dt.date(year + 1, 3, 31))
        for n in range(12):
            supervision.create_item(s, SYSTEM, plan_id=plan.id, element_code=tasks[n % len(tasks)],
                                    title_zh=f"督办事项 {n}", lead_department_id=kw.id,
                                    deadline=dt.date(2026, 1 + n % 12, 15))


@pytest.fixture(scope="module")
def databases(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo database as it is, and an enlarged copy (:func:`enlarge`)."""
    large = tmp_path_factory.mktemp("large") / "large.db"
    shutil.copyfile(_path(demo_db), large)
    enlarge(large)
    return {"demo": _path(demo_db), "large": large}


def _counts(template: Path, folder: Path, account: str, path: str) -> tuple[int, int]:
    """Statements of the first request of ``path`` on a fresh app over a copy of ``template`` (nothing
    computed before), and of a second one."""
    folder.mkdir(parents=True, exist_ok=True)
    app = make_app(template, folder)
    with TestClient(app) as client:
        login(client, account)
        with counting(app) as first:
            assert client.get(path, follow_redirects=False).status_code == 200
        with counting(app) as second:
            assert client.get(path, follow_redirects=False).status_code == 200
    app.state.engine.dispose()
    return len(first), len(second)


@pytest.mark.parametrize(("account", "path", "cold", "warm"), PAGES, ids=[f"{a}:{p}" for a, p, _, _ in PAGES])
def test_a_page_sends_a_bounded_number_of_statements_whatever_the_rows(
        databases: dict[str, Path], tmp_path: Path, account: str, path: str, cold: int, warm: int) -> None:
    demo = _counts(databases["demo"], tmp_path / "demo", account, path)
    large = _counts(databases["large"], tmp_path / "large", account, path)
    assert demo[0] <= cold and demo[1] <= warm, (path, demo)
    assert large == demo, f"{path}: {demo} statements on the demo database, {large} with more rows (a query per row)"


def _sizes(template: Path) -> list[tuple[int, int, str]]:
    """(number of values, submission id, its department's reporter) of every submission, fewest values first."""
    with session_factory(make_engine(f"sqlite:///{template}"))() as s:
        subs = s.scalars(select(Submission)).all()
        return sorted((len(sub.values), sub.id, f"demo-{sub.department.code.lower()}-reporter") for sub in subs)


def test_a_submission_page_sends_as_many_statements_for_one_value_as_for_thirty(
        databases: dict[str, Path], tmp_path: Path) -> None:
    sizes = _sizes(databases["demo"])
    (few, small, _), (many, big, _) = sizes[0], sizes[-1]
    assert few <= 2 and many >= 30, sizes  # the control: the two differ in size
    for path, bound in (("/submissions/{}", SUBMISSION_PAGE), ("/api/v1/submissions/{}", SUBMISSION_API)):
        counts = [_counts(databases["demo"], tmp_path / f"{n}-{path.count('api')}", "demo-admin", path.format(n))[0]
                  for n in (small, big)]
        assert counts[0] == counts[1] <= bound, (path, few, many, counts)


def test_control_the_counter_sees_a_query_per_row(databases: dict[str, Path], tmp_path: Path) -> None:
    """Assessing indicators one by one (``indicator_progress`` reads each one's profile and values) sends more
    statements for ten indicators than for one: the counter sees what the pages' bounds rule out."""
    app = make_app(databases["demo"], tmp_path)
    with app.state.sessions() as s:
        version = plans.latest_version(s)
        finals = progress.final_years(version)
        linked = [p.indicator for p in monitoring.profiles(s, version.plan_id)][:10]
        assert len(linked) == 10

        def one_by_one(n: int) -> int:
            s.expunge_all()
            with counting(app) as sent:
                for ind in linked[:n]:
                    progress.indicator_progress(s, ind, finals)
            return len(sent)

        assert one_by_one(10) >= one_by_one(1) + 9
    app.state.engine.dispose()


def test_what_is_reused_changes_with_a_change_made_elsewhere(databases: dict[str, Path], tmp_path: Path) -> None:
    """The dashboard, its JSON and an inbox are reused only while the data stay the same: a change written by
    another process (here: another engine on the same file) shows on the next request."""
    app = make_app(databases["demo"], tmp_path)
    with TestClient(app) as admin, TestClient(app) as reporter:
        login(admin, "demo-admin")
        login(reporter, "demo-kw-reporter")
        before = admin.get("/api/v1/progress").json()
        page = admin.get("/dashboard").text
        inbox = reporter.get("/inbox").text
        assert admin.get("/api/v1/progress").json() == before  # reused
        other = session_factory(make_engine(str(app.state.engine.url)))
        with transaction(other) as s:
            plan = plans.get_plan(s)
            ind = next(p.indicator for p in monitoring.profiles(s, plan.id) if p.baseline_year is not None)
            monitoring.set_target(s, SYSTEM, ind, 2025, 10**9)
            submissions.open_period(s, SYSTEM, plan_id=plan.id, code="2034", label_zh="2034年度",
                                    due_on=dt.date(2035, 3, 31))
        after = admin.get("/api/v1/progress").json()
        targets = {p["indicator"]: p["target"] for p in after["unlinked_indicators"]
                   + [p for a in after["areas"] for t in a["tasks"] for p in t["indicators"]]}
        assert targets[ind.code]["value"] == 10**9
        assert after != before and admin.get("/dashboard").text != page
        assert "2034年度" in reporter.get("/inbox").text and "2034年度" not in inbox
    app.state.engine.dispose()
