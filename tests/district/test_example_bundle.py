"""The bundled example plan (示例区, fictional) in its own fresh SQLite database: every public page in both
languages shows the example and nothing of the default district, a quarterly indicator goes through the
reporter → reviewer → approver cycle, and the mid-term report builds against it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from kechuang.accounts import service as accounts
from kechuang.accounts.models import Account
from kechuang.accounts.service import principal_of
from kechuang.bootstrap import load_bundled
from kechuang.cli import app as cli
from kechuang.core.access import SYSTEM, Role
from kechuang.indicators import profile_service as monitoring
from kechuang.indicators.models import Indicator, Observation
from kechuang.plan import service as plans
from kechuang.plan.bundle import DATA_DIR, read_bundle
from kechuang.store.db import make_engine, session_factory, transaction, upgrade
from kechuang.submissions import service as submissions
from kechuang.submissions.models import Submission
from kechuang.submissions.service import ValueChange
from kechuang.web.app import create_app
from tests.district.test_no_district_literals import LITERALS

EXAMPLE = read_bundle(DATA_DIR / "example")
PASSWORD = "example-test-password"
PAGES = ["/", "/basis", "/goals", "/index", "/places", "/map", "/projects", "/coverage", "/opinions", "/opendata",
         "/opendata/tasks", "/opendata/places", "/opendata/indicators", "/glossary", "/versions", "/tasks/ET01",
         "/tasks/ET03", "/measures/ET02.M1", "/monitoring/indicators", "/monitoring/indicators/EX_TECH_CONTRACTS",
         "/opinions/task/ET01"]

#: pages that show no text of the plan (lists of versions, of tables, the note that there is no index), so nothing
#: on them is marked as the example's
UNMARKED = {"zh": ["/versions"], "en": ["/index", "/opendata", "/versions"]}


@pytest.fixture(scope="module")
def example_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The example bundle loaded as `kechuang init` loads a bundle, with the plan office, one department
    (示例区科委) with its reporter and reviewer, and an approver; the department reports the quarterly indicators."""
    url = f"sqlite:///{tmp_path_factory.mktemp('example') / 'example.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as s:
        summary = load_bundled(s, by="test", bundle=EXAMPLE)
        assert (summary.plan.plan_code, summary.framework) == ("example-district-sti-plan", None)
        admin = accounts.create_account(s, SYSTEM, username="office", display_name="规划办（示例）",
                                        password=PASSWORD, role=Role.ADMIN)
        dept = accounts.create_department(s, SYSTEM, code="EXKW", name_zh="示例区科委（示例）",
                                          name_en="Example Science Commission (example)")
        for username, role in (("ex-reporter", Role.REPORTER), ("ex-reviewer", Role.REVIEWER)):
            accounts.create_account(s, SYSTEM, username=username, display_name=username, password=PASSWORD,
                                    role=role, department_id=dept.id)
        accounts.create_account(s, SYSTEM, username="ex-approver", display_name="ex-approver", password=PASSWORD,
                                role=Role.APPROVER)
        plan_id = plans.get_plan(s).id
        for code in ("EX_TECH_CONTRACTS", "EX_INCUBATED"):
            monitoring.update_profile(s, principal_of(admin), monitoring.indicator_by_code(s, plan_id, code),
                                      {"owner_department_id": dept.id})
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def factory(example_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(example_url)
    yield session_factory(engine)
    engine.dispose()


def _who(s: Session, username: str):  # type: ignore[no-untyped-def]
    account = s.scalar(select(Account).where(Account.username == username))
    assert account is not None
    return principal_of(account)


def test_the_plan_states_quarterly_and_annual_indicators(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        plan_id = plans.get_plan(s).id
        freq = {i.code: monitoring.profile_of(s, i.id).frequency  # type: ignore[union-attr]
                for i in s.scalars(select(Indicator).where(Indicator.plan_id == plan_id))}
    assert freq == {"EX_RD_INTENSITY": "annual", "EX_HTE": "annual", "EX_TECH_CONTRACTS": "quarterly",
                    "EX_INCUBATED": "quarterly"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_public_page_shows_the_example_and_nothing_of_the_default_district(example_url: str,
                                                                                  lang: str) -> None:
    unmarked: list[str] = []
    with TestClient(create_app(example_url)) as client:
        for path in PAGES:
            page = client.get(f"{path}?lang={lang}")
            assert page.status_code == 200, path
            assert not LITERALS.search(page.text), f"{path}: {LITERALS.search(page.text)}"
            unmarked += [] if ("示例" if lang == "zh" else "(example)") in page.text else [path]
        assert unmarked == UNMARKED[lang]
        geo = client.get("/map/districts.geojson")
        assert geo.status_code == 200 and not LITERALS.search(geo.text)
        assert [f["properties"]["name"] for f in geo.json()["features"]][0] == "示例区"
        api = client.get("/api/v1/places?zone=north_bank").json()
        assert {p["code"] for p in api["items"]} == {"EPL_NORTH", "EPL_NORTH_INC"}


def test_the_map_and_places_pages_use_the_example_zones_types_and_outline(example_url: str) -> None:
    with TestClient(create_app(example_url)) as client:
        page = client.get("/map?lang=zh").text
        data = json.loads(page.split('<script id="map-data" type="application/json">')[1].split("</script>")[0])
        assert data["zones"] == ["core", "north_bank", "south_bank", "none"]
        assert data["zone_labels"]["north_bank"] == "北岸创新带（示例）" and data["district"] == "示例区"
        assert data["bounds"] is None and data["outline"] is True
        assert "示例数据：底图为手工绘制的虚构轮廓" in page and "一核两带" in page
        assert "<td>孵化器</td>" in page and "<td>北岸创新带（示例）</td>" in page
        en = client.get("/places?lang=en").text
        assert "Technology exchange" in en and "South Bank transfer belt (example)" in en
        assert "This plan has no composite index" in client.get("/index?lang=en").text


def test_a_quarterly_indicator_goes_through_reporter_reviewer_approver(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        plan_id = plans.get_plan(s).id
        submissions.open_period(s, _who(s, "office"), plan_id=plan_id, code="2027Q1", label_zh="2027年第一季度",
                                label_en="2027 Q1", due_on=dt.date(2027, 4, 15))
        s.commit()
        sub = s.scalar(select(Submission).where(Submission.period.has(code="2027Q1")))
        assert sub is not None
        assert [v.indicator.code for v in sub.values] == ["EX_INCUBATED", "EX_TECH_CONTRACTS"], "quarterly only"
        sub_id = sub.id
        submissions.save_values(s, _who(s, "ex-reporter"), sub_id, [ValueChange("EX_TECH_CONTRACTS", 8.5, True),
                                                                     ValueChange("EX_INCUBATED", 320, True)])
        s.commit()
    for user, action in (("ex-reporter", "submit"), ("ex-reviewer", "dept_approve"), ("ex-approver", "approve")):
        with factory() as s:
            submissions.transition(s, _who(s, user), sub_id, action)
            s.commit()
    with factory() as s:
        sub = s.get(Submission, sub_id)
        assert sub is not None and sub.state == "approved"
        obs = s.scalar(select(Observation).join(Observation.indicator).where(
            Indicator.code == "EX_TECH_CONTRACTS", Observation.source_kind == "submission"))
        assert obs is not None
        assert (obs.year, obs.period, obs.value, obs.is_demo) == (2027, "2027Q1", 8.5, False)
        assert obs.source.startswith("示例区科委（示例） · 2027年第一季度填报")


def test_the_midterm_report_builds_against_the_example(example_url: str, tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["report", "midterm", "--year", "2028", "--out", str(tmp_path), "--db",
                                   example_url, "--format", "html"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    html = [p for p in tmp_path.rglob("*.html")]
    assert len(html) == 1
    text = html[0].read_text(encoding="utf-8")
    assert "示例区科技创新发展规划（示例）" in text and "技术合同成交额（示例，季度）" in text
    assert not LITERALS.search(text)


def test_the_bundle_setting_makes_init_load_the_example(tmp_path: Path) -> None:
    password = tmp_path / "pw"
    password.write_text("example-admin-password-1\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'init.db'}"
    out = CliRunner().invoke(cli, ["init", "--db", db, "--admin-password-file", str(password)],
                             env={"KECHUANG_BUNDLE": "example", "COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "plan example-district-sti-plan loaded as version 1" in out.output
    assert "index framework" not in out.output, "the example has no composite index"
    default = CliRunner().invoke(cli, ["init", "--db", f"sqlite:///{tmp_path / 'default.db'}",
                                       "--admin-password-file", str(password)], env={"COLUMNS": "200"})
    assert "plan yangpu-sti-14fyp loaded as version 1" in default.output
