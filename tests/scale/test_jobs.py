"""Background jobs: a report pack asked for on /reports is answered at once with the job's status page; the
job runs outside the request (the web process's consumer thread), the page then links to the pack and its files
are served; a refused job says why; a job is run once however many consumers there are."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from fastapi.testclient import TestClient

from kechuang.core.settings import Settings
from kechuang.demo.seed import DEMO_PASSWORD
from kechuang.jobs import service as jobs
from kechuang.jobs.models import DONE, FAILED, QUEUED, Job
from kechuang.jobs.queue import queue_file
from kechuang.store.db import make_engine, session_factory, transaction
from kechuang.web.app import create_app
from tests.support.server import finished_job

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _client_app(demo_db: str, tmp_path: Path) -> tuple[str, object]:
    path = tmp_path / "jobs.db"
    shutil.copyfile(demo_db.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    app = create_app(url)
    app.state.account_settings = Settings(secure_cookies=False)
    app.state.reports_dir = tmp_path / "reports"
    return url, app


def _login(client: TestClient, username: str) -> str:
    page = client.get("/login")
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303
    return CSRF.search(client.get("/reports").text).group(1)  # type: ignore[union-attr]


def test_a_report_pack_request_returns_at_once_and_the_job_serves_the_file(demo_db: str, tmp_path: Path) -> None:
    url, app = _client_app(demo_db, tmp_path)
    with TestClient(app) as client:  # type: ignore[arg-type]
        token = _login(client, "demo-admin")
        started = time.monotonic()
        made = client.post("/reports", data={"kind": "midterm", "year": "2023", "as_of": "2026-03-01",
                                             "csrf_token": token}, follow_redirects=False)
        answered = time.monotonic() - started
        assert made.status_code == 303 and re.fullmatch(r"/jobs/\d+", made.headers["location"])
        first = client.get(made.headers["location"])
        assert first.status_code == 200 and "生成报告" in first.text
        assert re.search(r'id="job-state" class="job-(queued|running)"', first.text), "still at work when answered"
        assert '<meta http-equiv="refresh" content="2">' in first.text and 'id="job-waiting"' in first.text
        status = finished_job(client, made.headers["location"])
        assert status["state"] == DONE and status["error"] is None, status
        assert answered < 1.0 < status["seconds"], "the request did not wait for the pack: the job did the work"
        done = client.get(made.headers["location"])
        assert 'class="job-done">已完成' in done.text and "<meta http-equiv" not in done.text
        assert f'href="{status["result_url"]}" id="job-result"' in done.text
        pdf = client.get(f"{status['result_url']}/files/pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert client.get("/reports").text.count("data-pack=") == 1
        english = client.get(made.headers["location"] + "?lang=en").text
        assert "Done" in english and "Open the report" in english
    assert queue_file(url.removeprefix("sqlite:///")).is_file(), "the queue is a SQLite file beside the database"


def test_a_refused_job_says_why_and_other_roles_cannot_see_jobs(demo_db: str, tmp_path: Path) -> None:
    _, app = _client_app(demo_db, tmp_path)
    with TestClient(app) as client:  # type: ignore[arg-type]
        token = _login(client, "demo-approver")
        made = client.post("/reports", data={"kind": "midterm", "year": "2030", "csrf_token": token},
                           follow_redirects=False)
        status = finished_job(client, made.headers["location"])
        assert status["state"] == FAILED and "outside the plan period" in status["error"]
        page = client.get(made.headers["location"]).text
        assert 'class="job-failed">未完成' in page and 'id="job-error"' in page and "outside the plan period" in page
        assert 'id="job-result"' not in page
        bad = client.post("/reports", data={"kind": "nonsense", "csrf_token": token}, follow_redirects=False)
        assert bad.status_code == 400, "a request that cannot be a job is refused at once"
        assert client.get("/jobs/999999").status_code == 404
    with TestClient(app) as viewer:  # type: ignore[arg-type]
        _login(viewer, "demo-viewer")
        assert viewer.get(made.headers["location"]).status_code == 403


def test_a_job_runs_once_however_many_consumers_take_it(tmp_path: Path, demo_db: str) -> None:
    url, _ = _client_app(demo_db, tmp_path)
    engine = make_engine(url)
    factory = session_factory(engine)
    with transaction(factory) as s:
        s.add(Job(kind="index_rebuild", params={"by": "test", "allow_gaps": False}, state=QUEUED,
                  requested_by="test"))
    with factory() as s:
        job_id = s.query(Job).one().id
    assert jobs.run_job(job_id, url) in (DONE, FAILED)
    assert jobs.run_job(job_id, url) == "not queued", "a second consumer leaves a claimed job alone"
    with factory() as s:
        job = s.get(Job, job_id)
        assert job is not None and job.finished and job.started_at is not None
    engine.dispose()
