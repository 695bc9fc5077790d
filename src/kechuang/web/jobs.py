"""The status of a background job (:mod:`kechuang.jobs`): a page that refreshes itself until the job has
finished and then links to its result, and the same as JSON. For the roles that start jobs (admin, approver)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from kechuang.core.access import NotFound, Principal, Role
from kechuang.jobs import service as jobs
from kechuang.jobs.models import DONE, Job
from kechuang.web.pages import render
from kechuang.web.security import db, require

router = APIRouter(include_in_schema=False)
JOB_ROLES = Depends(require(Role.ADMIN, Role.APPROVER))


def result_url(job: Job) -> str | None:
    """Where a finished job's result is shown (None while it runs, or when it failed)."""
    if job.state != DONE or not job.result:
        return None
    if job.kind == "report_pack":
        return f"/reports/{job.result['pack_id']}"
    if job.kind == "index_rebuild":
        return f"/index/runs/{job.result['run_id']}"
    return None


def _job(s: Session, job_id: int) -> Job:
    job = jobs.get_job(s, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    return job


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(job_id: int, request: Request, who: Principal = JOB_ROLES, s: Session = Depends(db)) -> HTMLResponse:
    job = _job(s, job_id)
    return render(request, "monitoring/job.html", job=job, result_url=result_url(job), seconds=jobs.seconds(job))


@router.get("/api/v1/jobs/{job_id}")
def job_json(job_id: int, who: Principal = JOB_ROLES, s: Session = Depends(db)) -> dict[str, Any]:
    job = _job(s, job_id)
    return {"id": job.id, "kind": job.kind, "state": job.state, "requested_by": job.requested_by,
            "result": job.result, "result_url": result_url(job), "error": job.error, "seconds": jobs.seconds(job)}
