"""`kechuang report …` and the plan office's report pages, on copies of the demonstration database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kechuang.cli import app as cli
from kechuang.core.settings import Settings
from kechuang.demo.seed import DEMO_PASSWORD
from kechuang.plan import service as plans
from kechuang.store.db import make_engine, session_factory
from kechuang.web.app import create_app
from tests.support.server import finished_job

pytestmark = pytest.mark.xdist_group("reports")
runner = CliRunner()
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_cli_builds_a_pack_and_accepts_a_proposal(demo_copy: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    built = runner.invoke(cli, ["report", "midterm", "--year", "2023", "--out", str(out), "--db", demo_copy,
                                "--as-of", "2024-03-01", "--format", "xlsx", "--format", "html"])
    assert built.exit_code == 0, built.output
    [folder] = out.iterdir()
    assert sorted(p.name for p in folder.iterdir()) == ["kechuang-midterm-2023-annex.xlsx",
                                                        "kechuang-midterm-2023.html", "manifest.json"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    digest = manifest["snapshot"]["content_sha256"]
    assert folder.name == f"midterm-2023-{digest[:12]}" and digest in built.output
    assert openpyxl.load_workbook(folder / "kechuang-midterm-2023-annex.xlsx")["说明"]["A1"].value.endswith("（附表）")
    listed = runner.invoke(cli, ["report", "proposals", "--year", "2023", "--as-of", "2024-03-01", "--json",
                                 "--db", demo_copy])
    assert json.loads(listed.output)["content_sha256"] == digest
    stale = runner.invoke(cli, ["report", "accept", "--year", "2023", "--as-of", "2024-03-01", "--expect", "0" * 12,
                                "--by", "规划办", "--reason", "中期评估审议", "--db", demo_copy])
    assert stale.exit_code == 2 and "data changed" in stale.output
    accepted = runner.invoke(cli, ["report", "accept", "--year", "2023", "--as-of", "2024-03-01", "--proposal", "P1",
                                   "--expect", digest[:12], "--by", "规划办", "--reason", "中期评估审议",
                                   "--db", demo_copy])
    assert accepted.exit_code == 0, accepted.output
    assert "new plan version 2" in accepted.output
    bad_year = runner.invoke(cli, ["report", "midterm", "--year", "2030", "--out", str(out), "--db", demo_copy])
    assert bad_year.exit_code == 2 and "outside the plan period" in bad_year.output


def _login(client: TestClient, username: str) -> None:
    page = client.get("/login")
    r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                    "csrf_token": CSRF.search(page.text).group(1)},  # type: ignore[union-attr]
                    follow_redirects=False)
    assert r.status_code == 303, r.text


def test_plan_office_generates_downloads_and_accepts(demo_copy: str, tmp_path: Path) -> None:
    web = create_app(demo_copy)
    web.state.account_settings = Settings(secure_cookies=False)
    web.state.reports_dir = tmp_path / "reports"
    with TestClient(web) as reporter:
        _login(reporter, "demo-kw-reporter")
        assert reporter.get("/reports").status_code == 403
    with TestClient(web) as client:
        _login(client, "demo-admin")
        page = client.get("/reports")
        assert page.status_code == 200 and 'id="generate-report"' in page.text
        token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        made = client.post("/reports", data={"kind": "midterm", "year": "2023", "as_of": "2024-03-01",
                                             "csrf_token": token}, follow_redirects=False)
        assert made.status_code == 303, made.text
        job = finished_job(client, made.headers["location"])  # the pack is written by a background job
        assert job["state"] == "done", job
        pack_url = job["result_url"]
        pack = client.get(pack_url)
        assert pack.status_code == 200 and "T7.M1.TG1" in pack.text and "演示数据" in pack.text
        for fmt, media in (("pdf", "application/pdf"), ("docx", "wordprocessingml"), ("xlsx", "spreadsheetml"),
                           ("html", "text/html")):
            got = client.get(f"{pack_url}/files/{fmt}")
            assert got.status_code == 200 and media in got.headers["content-type"], fmt
        assert client.get(f"{pack_url}/files/exe").status_code == 404
        assert client.get("/reports/../../etc/passwd").status_code == 404
        assert client.get("/reports").text.count("data-pack=") == 1
        done = client.post(f"{pack_url}/accept", data={"proposal": "P1", "reason": "中期评估审议会议",
                                                        "csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/versions?a=1&b=2"
        again = client.post(f"{pack_url}/accept", data={"proposal": "P1", "reason": "again", "csrf_token": token})
        assert again.status_code == 409, "the plan changed since the report: accepting again is refused"
    engine = make_engine(demo_copy)
    with session_factory(engine)() as s:
        latest = plans.latest_version(s)
        assert latest.number == 2 and latest.created_by == "规划办管理员（演示）"
        assert "中期评估审议会议" in latest.reason and "P1" in latest.reason
    engine.dispose()
