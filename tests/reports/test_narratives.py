"""Writing the judgement of an evaluation in the app and on the command line, with the demo accounts' real roles:
a draft from the data (its numbers checked against the database), saving versions (who and when), a department's
reviewer writing its sections only, the plan office's review, and marking final refused while a required section is
empty or unreviewed — after which the pack's content hash has changed and the history shows who wrote what."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kechuang.cli import app as cli
from kechuang.core.settings import Settings
from kechuang.plan import service as plans
from kechuang.reports import narratives
from kechuang.reports.model import content_hash
from kechuang.reports.service import build_report
from kechuang.store.db import make_engine, session_factory
from kechuang.supervision import service as supervision
from kechuang.web.app import create_app
from tests.reports.demo_data import DEMO_DAY
from tests.reports.test_cli_web import CSRF, _login

pytestmark = pytest.mark.xdist_group("reports")
runner = CliRunner()
BASE = "/reports/narratives/midterm/2023"


def _report_hash(url: str) -> tuple[str, int]:
    engine = make_engine(url)
    with session_factory(engine)() as s:
        report = build_report(s, "midterm", 2023, as_of=DEMO_DAY)
        items = len(supervision.plan_items(s, plans.get_plan(s).id))
    engine.dispose()
    return content_hash(report), items


def _token(client: TestClient, path: str) -> str:
    return CSRF.search(client.get(path).text).group(1)  # type: ignore[union-attr]


def _textarea(page: str) -> str:
    found = re.search(r'<textarea name="text"[^>]*>(.*?)</textarea>', page, re.S)
    assert found is not None
    return found.group(1)


def test_writing_reviewing_and_marking_final_in_the_app(demo_copy: str, tmp_path: Path) -> None:
    blank, n_items = _report_hash(demo_copy)
    web = create_app(demo_copy)
    web.state.account_settings = Settings(secure_cookies=False)
    web.state.reports_dir = tmp_path / "reports"
    with TestClient(web) as reporter:
        _login(reporter, "demo-kw-reporter")
        assert reporter.get(BASE).status_code == 403, "a reporter does not write the evaluation"
    with TestClient(web) as dept:
        _login(dept, "demo-kw-reviewer")
        page = dept.get(f"{BASE}/tasks")
        assert page.status_code == 200 and 'id="narrative-form"' in page.text and 'id="review-form"' not in page.text
        token = _token(dept, f"{BASE}/tasks")
        saved = dept.post(f"{BASE}/tasks", data={"text": "区科委：重点任务按计划推进。", "csrf_token": token},
                          follow_redirects=False)
        assert saved.status_code == 303 and saved.headers["location"].endswith("msg=saved-1")
        assert 'id="narrative-form"' not in dept.get(f"{BASE}/summary").text, "no form for the plan office's part"
        refused = dept.post(f"{BASE}/summary", data={"text": "部门不能写总体评价", "csrf_token": token})
        assert refused.status_code == 403
    with TestClient(web) as admin:
        _login(admin, "demo-admin")
        draft = admin.get(f"{BASE}/summary", params={"draft": "1", "as_of": DEMO_DAY.isoformat()})
        text = _textarea(draft.text)
        assert 'id="draft-note"' in draft.text
        assert f"督办事项共 {n_items} 项" in text, "the number of supervision items, from the database"
        assert "【系统按规则生成】纳入监测的主要指标 3 项" in text and "共收到公众意见 1 条" in text
        token = _token(admin, BASE)
        final = admin.post(BASE, data={"as_of": DEMO_DAY.isoformat(), "csrf_token": token})
        assert final.status_code == 409 and "summary, problems, next_steps have no narrative" in final.text
        for section, body in (("summary", "初稿：规划实施总体顺利。"), ("problems", "成果转化仍需加快。"),
                              ("next_steps", "加快大学科技园示范园建设。")):
            r = admin.post(f"{BASE}/{section}", data={"text": body, "csrf_token": token}, follow_redirects=False)
            assert r.status_code == 303, r.text
        empty = admin.post(f"{BASE}/summary", data={"text": "  ", "csrf_token": token})
        assert empty.status_code == 400 and "is empty: write the text before saving" in empty.text
    with TestClient(web) as approver:
        _login(approver, "demo-approver")
        token = _token(approver, BASE)
        approver.post(f"{BASE}/summary", data={"text": "修改稿：规划实施总体符合预期。", "csrf_token": token})
        stale = approver.post(f"{BASE}/summary/review", data={"version": "1", "csrf_token": token})
        assert stale.status_code == 409 and "not the newest" in stale.text
    with TestClient(web) as admin:
        _login(admin, "demo-admin")
        token = _token(admin, BASE)
        unreviewed = admin.post(BASE, data={"as_of": DEMO_DAY.isoformat(), "csrf_token": token})
        assert unreviewed.status_code == 409 and "have not been reviewed" in unreviewed.text
        for section, version in (("summary", 2), ("problems", 1), ("next_steps", 1), ("tasks", 1)):
            r = admin.post(f"{BASE}/{section}/review", data={"version": str(version), "csrf_token": token},
                           follow_redirects=False)
            assert r.status_code == 303, r.text
        done = admin.post(BASE, data={"as_of": DEMO_DAY.isoformat(), "csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303, done.text
        history = admin.get(f"{BASE}/summary").text
        listing = admin.get(BASE).text
    written, _ = _report_hash(demo_copy)
    assert written != blank
    assert done.headers["location"].endswith(f"msg=final-{written[:12]}"), "final records the hash of what was written"
    rows = re.findall(r'<tr data-version="(\d)"><td>\d</td><td>([\w-]+) ·.*?</td><td>(.*?)</td>', history, re.S)
    assert rows == [("2", "demo-approver", "修改稿：规划实施总体符合预期。"),
                    ("1", "demo-admin", "初稿：规划实施总体顺利。")]
    assert 'data-section="tasks"' in listing and "demo-kw-reviewer" in listing
    engine = make_engine(demo_copy)
    with session_factory(engine)() as s:
        plan_id = plans.get_plan(s).id
        assert [(n.section, n.version, n.author, n.reviewed_by) for n in narratives.history(s, plan_id, "midterm", 2023)
                if n.section == "tasks"] == [("tasks", 1, "demo-kw-reviewer", "demo-admin")]
    engine.dispose()


def test_the_narrative_commands(demo_copy: str, tmp_path: Path) -> None:
    def run(*args: str) -> tuple[int, str]:
        r = runner.invoke(cli, ["report", "narrative", *args, "--db", demo_copy])
        return r.exit_code, r.output

    code, out = run("draft", "problems", "--as-of", DEMO_DAY.isoformat())
    assert code == 0 and "【系统按规则生成】截至 2023 年，2 项指标滞后或需加快" in out
    code, out = run("draft", "problems", "--as-of", DEMO_DAY.isoformat(), "--lang", "en")
    assert code == 0 and "[Generated by rule] As of 2023, 2 indicator(s) are behind" in out
    code, out = run("final", "--as", "demo-admin", "--as-of", DEMO_DAY.isoformat())
    assert code == 2 and "summary, problems, next_steps have no narrative" in out
    text = tmp_path / "summary.txt"
    text.write_text("总体符合预期。\n", encoding="utf-8")
    code, out = run("write", "summary", "--as", "demo-kw-reviewer", "--file", str(text))
    assert code == 2 and "writing the narrative of section 'summary'" in out
    for section in ("summary", "problems", "next_steps"):
        code, out = run("write", section, "--as", "demo-admin", "--file", str(text))
        assert code == 0 and f"{section}: saved version 1 by demo-admin" in out
    code, out = run("write", "summary", "--as", "demo-approver", "--text", "修改稿。")
    assert code == 0 and "saved version 2 by demo-approver" in out
    code, out = run("show", "summary")
    assert code == 0 and out.index("demo-admin") < out.index("demo-approver") and "修改稿。" in out
    code, out = run("list")
    assert code == 0 and "not ready to be final (next_steps, problems, summary)" in out
    for section, version in (("summary", "2"), ("problems", "1"), ("next_steps", "1")):
        code, out = run("review", section, "--as", "demo-approver", "--version", version)
        assert code == 0, out
    code, out = run("final", "--as", "demo-approver", "--as-of", DEMO_DAY.isoformat())
    assert code == 2, "only an administrator marks final"
    code, out = run("final", "--as", "demo-admin", "--as-of", DEMO_DAY.isoformat())
    written, _ = _report_hash(demo_copy)
    assert code == 0 and f"content SHA-256 {written}" in out
    code, out = run("write", "summary", "--as", "nobody", "--text", "x")
    assert code == 2 and "no active account" in out
