"""The annual cycle on real (non-demo) data: a 2013–2024 history of every indicator of the bundled framework is
imported, approved through both steps and rebuilt into a stored run that equals `kechuang index build` on the
exported snapshot stage by stage; a revised value makes a new run, the old one stays, and the comparison names
the value; coverage gaps are refused or warned; a run with one demo value is labelled demo (page and browser)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from kechuang.accounts import service as accounts
from kechuang.accounts.models import Account
from kechuang.accounts.service import principal_of
from kechuang.bootstrap import load_bundled
from kechuang.cli import app
from kechuang.core.access import SYSTEM, Principal, Role
from kechuang.core.settings import Settings
from kechuang.index_results import frameworks
from kechuang.index_results import service as ir
from kechuang.index_results.models import IndexRun
from kechuang.index_results.rebuild import CoverageError, compare, rebuild
from kechuang.indicators import profile_service as monitoring
from kechuang.plan import service as plans
from kechuang.store.db import make_engine, session_factory, transaction, upgrade
from kechuang.submissions import service as submissions
from kechuang.submissions.history import bulk_transition, import_history, read_history
from kechuang.submissions.models import ReportingPeriod, Submission
from kechuang.web.app import create_app
from tests.monitoring.web import login
from tests.support.server import finished_job, serve_in_thread

runner = CliRunner(env={"COLUMNS": "300"})
PASSWORD = "cycle-test-password"
YEARS = list(range(2013, 2025))


@dataclass
class Cycle:
    url: str
    sessions: sessionmaker[Session]
    history: Path
    icodes: list[str]


def who(s: Session, username: str) -> Principal:
    account = s.scalar(select(Account).where(Account.username == username))
    assert account is not None
    return principal_of(account)


def _history(icodes: list[str], seed: int = 7) -> pd.DataFrame:
    """Plausible positive series for every indicator (generated: not real figures), one row per year."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({"uCode": "YP", "uName": "杨浦区", "Time": YEARS})
    for code in icodes:
        start = float(rng.uniform(20, 2000))
        growth = rng.uniform(0.0, 0.12, len(YEARS) - 1)
        table[code] = np.round(start * np.concatenate([[1.0], np.cumprod(1 + growth)]), 4)
    return table


def _setup(url: str, tmp: Path) -> Cycle:
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as s:
        load_bundled(s, by="test")
        plan_id = plans.get_plan(s).id
        fw = frameworks.get_framework(s, plan_id)
        tj = accounts.create_department(s, SYSTEM, code="TJ", name_zh="区统计局", name_en="Statistics Bureau")
        accounts.create_department(s, SYSTEM, code="DM", name_zh="演示部门", name_en="Demo department", is_demo=True)
        for username, role, dept in (("stats", Role.REPORTER, tj.id), ("stats-review", Role.REVIEWER, tj.id),
                                     ("office", Role.APPROVER, None)):
            accounts.create_account(s, SYSTEM, username=username, display_name=username, password=PASSWORD,
                                    role=role, department_id=dept)
        icodes = [str(r["iCode"]) for r in frameworks.leaves(fw)]
        for code in icodes:
            ind = monitoring.indicator_by_code(s, plan_id, frameworks.indicator_code(fw, code))
            monitoring.update_profile(s, SYSTEM, ind, {"owner_department_id": tj.id}, reason="owner")
    history = tmp / "history.csv"
    _history(icodes).to_csv(history, index=False)
    return Cycle(url, sessions, history, icodes)


def _approve_all(cycle: Cycle) -> None:
    with transaction(cycle.sessions) as s:
        ids = list(s.scalars(select(Submission.id).where(Submission.state == "submitted")))
        bulk_transition(s, who(s, "stats-review"), ids, "dept_approve")
    with transaction(cycle.sessions) as s:
        ids = list(s.scalars(select(Submission.id).where(Submission.state == "dept_approved")))
        bulk_transition(s, who(s, "office"), ids, "approve")


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> Cycle:
    tmp = tmp_path_factory.mktemp("cycle")
    c = _setup(f"sqlite:///{tmp / 'kechuang.db'}", tmp)
    out = runner.invoke(app, ["index", "import", str(c.history), "--as", "stats", "--db", c.url])
    assert out.exit_code == 0, out.output
    assert f"imported {len(c.icodes) * len(YEARS)} values for {len(YEARS)} years" in out.output
    _approve_all(c)
    return c


def _stage_frames(out: Path) -> dict[str, pd.DataFrame]:
    return {p.stem.split("_", 1)[1]: pd.read_csv(p) for p in sorted(out.glob("0*_*.csv"))}


def test_rebuild_equals_index_build_on_the_exported_snapshot(cycle: Cycle, tmp_path: Path) -> None:
    built = runner.invoke(app, ["index", "rebuild", "--by", "规划办", "--db", cycle.url])
    assert built.exit_code == 0, built.output
    assert "index run 1 (built) from approved observations: 360 values" in built.output
    assert "演示数据" not in built.output
    exported = runner.invoke(app, ["index", "export", "1", "--out", str(tmp_path / "run1"), "--db", cycle.url])
    assert exported.exit_code == 0, exported.output
    # the exported snapshot is exactly the history that was imported and approved
    snap = pd.read_csv(tmp_path / "run1" / "iData.csv")
    hist = pd.read_csv(cycle.history)
    np.testing.assert_array_equal(snap[cycle.icodes].to_numpy(), hist[cycle.icodes].to_numpy())
    out = tmp_path / "build"
    res = runner.invoke(app, ["index", "build", str(tmp_path / "run1" / "iData.csv"), str(tmp_path / "run1" /
                              "iMeta.csv"), "--spec", str(tmp_path / "run1" / "spec.yaml"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    stages = _stage_frames(out)
    assert list(stages) == ["Raw", "Normalised", "Aggregated"]
    with cycle.sessions() as s:
        run = s.get(IndexRun, 1)
        assert run is not None and not run.is_demo and run.demo_values == 0 and "演示" not in run.title_zh
        stored = {(r.code, int(r.year)): r.score for r in ir.scores(s, run)}  # type: ignore[arg-type]
    np.testing.assert_allclose(stages["Raw"][cycle.icodes].to_numpy(), hist[cycle.icodes].to_numpy(), rtol=0)
    aggregated = stages["Aggregated"]
    for stage, frame in (("Normalised", stages["Normalised"]), ("Aggregated", aggregated)):
        codes = [c for c in frame.columns if c not in ("uCode", "uName", "Time")]
        for _, row in frame.iterrows():
            for code in codes:
                assert abs(stored[(code, int(row["Time"]))] - row[code]) <= 1e-12 * max(1.0, abs(row[code])), (
                    stage, code, row["Time"])
    assert len(stored) == len(YEARS) * len([c for c in aggregated.columns if c not in ("uCode", "uName", "Time")])


def test_revised_value_makes_a_new_run_and_the_comparison_names_it(cycle: Cycle) -> None:
    code = cycle.icodes[0]
    with transaction(cycle.sessions) as s:
        first = rebuild(s, frameworks.get_framework(s, plans.get_plan(s).id), by="规划办").run
        first_id, before = first.id, dict(ir.series(s, first, ["YPI"])["YPI"])
        fw = frameworks.get_framework(s, plans.get_plan(s).id)
        sub = s.scalar(select(Submission).join(Submission.period).where(ReportingPeriod.code == "2020",
                                                                        Submission.state == "approved"))
        assert sub is not None
        submissions.request_revision(s, who(s, "stats"), sub.id, "统计口径更正")
        submissions.decide_revision(s, who(s, "office"), sub.id, approve=True)
        row = next(v for v in sub.values if v.indicator.code == frameworks.indicator_code(fw, code))
        old = row.value
        submissions.save_values(s, who(s, "stats"), sub.id, [submissions.ValueChange(
            row.indicator.code, round((old or 0) * 1.5, 4), True, "更正", row.version)])
        submissions.transition(s, who(s, "stats"), sub.id, "submit")
        submissions.transition(s, who(s, "stats-review"), sub.id, "dept_approve")
        submissions.transition(s, who(s, "office"), sub.id, "approve")
    out = runner.invoke(app, ["index", "rebuild", "--db", cycle.url])
    assert out.exit_code == 0 and "(built)" in out.output, out.output
    with cycle.sessions() as s:
        runs = list(s.scalars(select(IndexRun).order_by(IndexRun.id)))
        assert len(runs) >= 2
        old_run, new_run = s.get(IndexRun, first_id), runs[-1]
        assert old_run is not None
        assert dict(ir.series(s, old_run, ["YPI"])["YPI"]) == before, "the earlier run stays as it was"
        after = dict(ir.series(s, new_run, ["YPI"])["YPI"])
        assert after[2019] == before[2019] and after[2020] != before[2020], "the index moved in the revised year"
        c = compare(s, old_run, new_run)
        assert [(v.code, v.year, v.old) for v in c.values] == [(code, 2020, old)]
        assert c.values[0].new == pytest.approx((old or 0) * 1.5)
        assert any(sc.code == "YPI" and sc.year == 2020 for sc in c.scores)
        assert not any(sc.year == 2019 for sc in c.scores), "years before the revision did not move"
        new_id = new_run.id
    cli = runner.invoke(app, ["index", "compare", str(first_id), str(new_id), "--db", cycle.url])
    assert f"value {code} 2020: {old} → " in cli.output and "1 value(s) changed" in cli.output


def test_page_of_a_real_run_carries_no_demo_label(cycle: Cycle) -> None:
    with transaction(cycle.sessions) as s:
        rebuild(s, frameworks.get_framework(s, plans.get_plan(s).id), by="规划办")
    with TestClient(create_app(cycle.url)) as client:
        html = client.get("/index").text
        assert 'id="run-shown"' in html and "演示数据" not in html and "DEMO" not in html
        assert "计算值（演示）" not in html and "计算值" in html
        runs = client.get("/api/v1/index/runs").json()
        assert runs and not any(r["is_demo"] for r in runs)


def test_missing_base_year_value_is_refused_or_warned(tmp_path: Path) -> None:
    c = _setup(f"sqlite:///{tmp_path / 'gap.db'}", tmp_path)
    table = pd.read_csv(c.history)
    gap = c.icodes[3]
    table.loc[table["Time"] == 2013, gap] = np.nan
    table.loc[table["Time"] == 2018, c.icodes[5]] = np.nan
    table.to_csv(c.history, index=False)
    assert runner.invoke(app, ["index", "import", str(c.history), "--as", "stats", "--db", c.url]).exit_code == 0
    _approve_all(c)
    refused = runner.invoke(app, ["index", "rebuild", "--db", c.url])
    assert refused.exit_code == 2
    assert f"IDX_{gap} ({gap}) 2013" in refused.output and "base-year normalisation" in refused.output
    with c.sessions() as s:
        assert s.scalar(select(IndexRun.id)) is None, "nothing stored"
        with pytest.raises(CoverageError, match=f"IDX_{gap}"):
            rebuild(s, frameworks.get_framework(s, plans.get_plan(s).id), by="t")
    warned = runner.invoke(app, ["index", "rebuild", "--allow-gaps", "--db", c.url])
    assert warned.exit_code == 0, warned.output
    assert f"warning: missing base-year (2013) values, left out of every year: IDX_{gap} ({gap}) 2013" in warned.output
    assert f"IDX_{c.icodes[5]} 2018" in warned.output
    with TestClient(create_app(c.url)) as client:
        html = client.get("/index").text
    assert 'id="run-warnings"' in html and f"IDX_{gap} ({gap}) 2013" in html
    assert 'id="run-coverage"' in html


def test_a_composite_of_one_indicator_is_refused(tmp_path: Path) -> None:
    c = _setup(f"sqlite:///{tmp_path / 'one.db'}", tmp_path)
    table = pd.read_csv(c.history)[["uCode", "uName", "Time", c.icodes[0]]]
    table.to_csv(c.history, index=False)
    assert runner.invoke(app, ["index", "import", str(c.history), "--as", "stats", "--db", c.url]).exit_code == 0
    _approve_all(c)
    out = runner.invoke(app, ["index", "rebuild", "--db", c.url])
    assert out.exit_code == 2 and "a composite of one indicator is not an index" in out.output


def test_import_lists_every_bad_cell_and_saves_nothing(tmp_path: Path) -> None:
    c = _setup(f"sqlite:///{tmp_path / 'bad.db'}", tmp_path)
    table = pd.read_csv(c.history).astype(object)
    table.loc[2, c.icodes[0]] = "约120"
    table.loc[5, c.icodes[1]] = "inf"
    table["Bogus"] = 1
    table.to_csv(c.history, index=False)
    out = runner.invoke(app, ["index", "import", str(c.history), "--as", "stats", "--db", c.url])
    assert out.exit_code == 2
    assert "iData!D4" in out.output and "iData!E7" in out.output and "column Bogus" in out.output
    assert "3 problem(s); nothing was saved" in out.output
    with c.sessions() as s:
        assert s.scalar(select(Submission.id)) is None and s.scalar(select(ReportingPeriod.id)) is None


@pytest.fixture(scope="module")
def demo_value_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real history in which one value (the last year of one indicator) was approved from a demo department."""
    tmp = tmp_path_factory.mktemp("one-demo")
    c = _setup(f"sqlite:///{tmp / 'kechuang.db'}", tmp)
    full = pd.read_csv(c.history)
    demo_code = c.icodes[0]
    real = full.copy()
    real.loc[real["Time"] == 2024, demo_code] = np.nan
    real.to_csv(c.history, index=False)
    with transaction(c.sessions) as s:
        plan_id = plans.get_plan(s).id
        fw = frameworks.get_framework(s, plan_id)
        import_history(s, who(s, "stats"), plan_id, read_history(real, {k: frameworks.indicator_code(fw, k)
                                                                        for k in c.icodes}, unit="YP"))
    _approve_all(c)
    with transaction(c.sessions) as s:
        plan_id = plans.get_plan(s).id
        fw = frameworks.get_framework(s, plan_id)
        dm = accounts.department_by_code(s, "DM")
        accounts.create_account(s, SYSTEM, username="demo-rep", display_name="demo", password=PASSWORD,
                                role=Role.REPORTER, department_id=dm.id, is_demo=True)
        accounts.create_account(s, SYSTEM, username="demo-rev", display_name="demo", password=PASSWORD,
                                role=Role.REVIEWER, department_id=dm.id, is_demo=True)
        ind = monitoring.indicator_by_code(s, plan_id, frameworks.indicator_code(fw, demo_code))
        monitoring.update_profile(s, SYSTEM, ind, {"owner_department_id": dm.id}, reason="demo owner")
        value = float(full.loc[full["Time"] == 2024, demo_code].iloc[0])
        ids = import_history(s, who(s, "demo-rep"), plan_id, read_history(
            pd.DataFrame({"uCode": ["YP"], "Time": [2024], demo_code: [value]}),
            {demo_code: frameworks.indicator_code(fw, demo_code)}))
        bulk_transition(s, who(s, "demo-rev"), ids, "dept_approve")
        bulk_transition(s, who(s, "office"), ids, "approve")
        run = rebuild(s, fw, by="t").run
        assert run.is_demo and run.demo_values == 1
    return c.url


def test_a_run_with_one_demo_value_is_labelled_demo(demo_value_db: str) -> None:
    with TestClient(create_app(demo_value_db)) as client:
        html = client.get("/index").text
    assert "演示数据" in html and "由 360 个已审批数值计算，其中 1 个为演示数据" in html


@pytest.fixture(scope="module")
def real_server(cycle: Cycle) -> Iterator[str]:
    with transaction(cycle.sessions) as s:
        rebuild(s, frameworks.get_framework(s, plans.get_plan(s).id), by="规划办")
    with serve_in_thread(create_app(cycle.url)) as url:
        yield url


@pytest.fixture(scope="module")
def demo_value_server(demo_value_db: str) -> Iterator[str]:
    with serve_in_thread(create_app(demo_value_db)) as url:
        yield url


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_demo_label_in_the_browser(page, real_server: str, demo_value_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(real_server + "/index")
    page.locator("#index-chart canvas").wait_for()
    assert page.locator(".demo-banner").count() == 0 and "演示数据" not in page.inner_text("main")
    page.goto(demo_value_server + "/index")
    page.locator("#index-chart canvas").wait_for()
    assert page.locator(".demo-banner").first.is_visible()
    assert "演示数据" in page.inner_text(".demo-banner")


def test_period_dates_are_history(cycle: Cycle) -> None:
    """The imported years are history periods (not due now): labelled so and due the year after."""
    with cycle.sessions() as s:
        p = s.scalar(select(ReportingPeriod).where(ReportingPeriod.code == "2013"))
        assert p is not None and p.label_zh == "2013年度（历史数据）" and p.due_on == dt.date(2014, 12, 31)


def test_the_plan_office_button_rebuilds_and_other_roles_cannot(tmp_path: Path) -> None:
    c = _setup(f"sqlite:///{tmp_path / 'button.db'}", tmp_path)
    assert runner.invoke(app, ["index", "import", str(c.history), "--as", "stats", "--db", c.url]).exit_code == 0
    _approve_all(c)
    web = create_app(c.url)
    web.state.account_settings = Settings(secure_cookies=False)
    with TestClient(web) as reporter:
        token = login(reporter, "stats", PASSWORD)
        refused = reporter.post("/index/rebuild", data={"csrf_token": token}, follow_redirects=False)
        assert refused.status_code == 403
    with TestClient(web) as office:
        token = login(office, "office", PASSWORD)
        page = office.get("/reports").text
        assert 'id="rebuild-form"' in page and "重新计算指数" in page
        done = office.post("/index/rebuild", data={"csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303  # to the status page of the background job
        assert finished_job(office, done.headers["location"])["result_url"] == "/index/runs/1"
        run = office.get("/index/runs/1").text
        assert 'id="run-shown"' in run and "演示数据" not in run
    with c.sessions() as s:
        stored = s.get(IndexRun, 1)
        assert stored is not None and stored.created_by == "office" and stored.demo_values == 0
