"""Two uvicorn workers against one PostgreSQL database serve the reporting cycle correctly.

The workers are two processes started as docs/deploy.md starts them (``uvicorn --factory
kechuang.web.app:create_app``), each on its own port so that the test chooses which one answers each step.
Before the migration has run they both answer 503 with the page saying to run ``kechuang db upgrade``; the
upgrade is then run once (``kechuang db upgrade``), and they serve without a restart. The cycle goes from
worker to worker: the reporter's upload and submission on A, the department review on B, the plan office's
approval on A; the public indicator page, loaded on B before the approval (so B's page cache holds the old
page), shows the approved value and the new status on B and on A — no worker answers from state of its own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from kechuang.demo.seed import seed_demo
from kechuang.plan import service as plans
from kechuang.plan.loader import read_plan_file
from kechuang.store.db import head_revision, make_engine, session_factory, transaction
from kechuang.submissions.excel import SHEET
from tests.conftest import REPO
from tests.monitoring.helpers import EXCERPT, PERIOD_YEAR, SEED_DAY
from tests.submissions.test_browser_cycle import log_in
from tests.support.pg import fresh_database

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.xdist_group("browser")]
INDICATOR = "/monitoring/indicators/IND_PATENTS_PER_10K"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def workers(url: str, count: int, folder: Path) -> Iterator[list[str]]:
    """``count`` uvicorn worker processes on the database at ``url`` (the production command of docs/deploy.md),
    each on a free loopback port; yields their base URLs and stops them at the end."""
    env = {**os.environ, "KECHUANG_DATABASE_URL": url, "KECHUANG_SECURE_COOKIES": "false",
           "KECHUANG_JOB_THREADS": "1", "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}
    ports = [_port() for _ in range(count)]
    procs = [subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "kechuang.web.app:create_app",
                               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                              env=env, cwd=folder, stdout=subprocess.DEVNULL,
                              stderr=open(folder / f"worker-{port}.log", "wb"))  # noqa: SIM115
             for port in ports]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 60
        for base, proc in zip(bases, procs, strict=True):
            while True:
                assert proc.poll() is None, (folder / f"worker-{base.rsplit(':', 1)[1]}.log").read_text()
                try:
                    httpx.get(f"{base}/login", timeout=5)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, f"{base} did not start"
                    time.sleep(0.2)
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def _upgrade_once(url: str) -> str:
    done = subprocess.run([sys.executable, "-m", "kechuang", "db", "upgrade", "--db", url], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(REPO / "src")}, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _seed(url: str) -> None:
    """The plan excerpt and the demo setup of tests/monitoring (on the upgraded schema: no migration here)."""
    engine = make_engine(url)
    with transaction(session_factory(engine)) as s:
        plans.load_plan(s, read_plan_file(EXCERPT), source="tests/monitoring/fixtures/yangpu_excerpt.yaml", by="test")
        seed_demo(s, SEED_DAY, period_year=PERIOD_YEAR)
    engine.dispose()


def test_two_workers_on_postgresql_serve_the_cycle(browser, pg_params: dict[str, str],  # type: ignore[no-untyped-def]
                                                   tmp_path: Path) -> None:
    url = fresh_database(pg_params)
    with workers(url, 2, tmp_path) as (a, b):
        for base in (a, b):  # before the migration: a clear refusal, not a failure
            refused = httpx.get(f"{base}/", timeout=30)
            assert refused.status_code == 503 and "kechuang db upgrade" in refused.text
        assert "upgraded from an empty database" in _upgrade_once(url)
        _seed(url)
        engine = make_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
        engine.dispose()

        public = browser.new_page()
        public.goto(f"{b}{INDICATOR}")
        assert public.locator("#progress-status .badge").inner_text() == "灰 · 不适用"
        assert httpx.get(f"{a}{INDICATOR}", timeout=30).status_code == 200  # both workers have the page cached

        # the reporter on worker A: the Excel template, filled in, uploaded, submitted
        reporter_ctx, reporter = log_in(browser, a, "demo-kw-reporter")
        reporter.click("#submissions a:has-text('2022年度')")
        submission_path = reporter.url.removeprefix(a)
        with reporter.expect_download() as download_info:
            reporter.click("#template-link")
        template = tmp_path / "template.xlsx"
        download_info.value.save_as(template)
        wb = load_workbook(template)
        wb[SHEET]["E5"], wb[SHEET]["E6"], wb[SHEET]["F6"] = 1100, 125, "正式数"
        wb.save(tmp_path / "good.xlsx")
        reporter.set_input_files("#upload-form input[type=file]", str(tmp_path / "good.xlsx"))
        reporter.click("#upload-form button[type=submit]")
        assert reporter.locator("#flash").inner_text() == "Excel 已导入，变更的指标数： 2"
        reporter.click("#action-submit button")
        assert reporter.locator("#state").inner_text() == "已提交，待部门审核"

        # the department reviewer on worker B sees what was submitted on A
        reviewer_ctx, reviewer = log_in(browser, b, "demo-kw-reviewer")
        reviewer.click("#queue a:has-text('2022年度')")
        assert reviewer.locator("#values tr[data-indicator=IND_PATENTS_PER_10K] td.value").inner_text() == "125"
        reviewer.click("#action-dept_approve button")
        assert reviewer.locator("#state").inner_text() == "部门已审核，待规划办审批"

        # the plan office on worker A
        approver_ctx, approver = log_in(browser, a, "demo-approver")
        approver.click("#queue a:has-text('2022年度')")
        approver.click("#action-approve button")
        assert approver.locator("#state").inner_text() == "规划办已审批（锁定）"

        # the public page on worker B (cached there before the approval) and on worker A
        for base in (b, a):
            public.goto(f"{base}{INDICATOR}")
            assert public.locator("#history tr[data-year='2022'] td.num").inner_text() == "125", base
            assert public.locator("#progress-status .badge").inner_text() == "绿 · 快于预期", base
        # a session made on one worker is valid on the other (sessions are rows of the database)
        reporter.goto(f"{b}{submission_path}")
        assert reporter.locator("#state").inner_text() == "规划办已审批（锁定）"
        for ctx in (reporter_ctx, reviewer_ctx, approver_ctx):
            ctx.close()
        public.close()
