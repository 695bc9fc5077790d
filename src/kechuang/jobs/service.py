"""Submitting a job and running it: the state of each job is a row of the application's database, so any web
worker shows it and a job runs once however many consumers there are (:func:`run_job` claims the row with one
conditional UPDATE)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from kechuang.jobs.handlers import HANDLERS, JobError
from kechuang.jobs.models import DONE, FAILED, QUEUED, RUNNING, Job
from kechuang.store.base import utcnow
from kechuang.store.db import make_engine, session_factory, transaction

log = logging.getLogger(__name__)
_engines: dict[str, tuple[Engine, sessionmaker[Session]]] = {}  # connection pools of the consumer, per URL
_lock = threading.Lock()


def database_url_of(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=False)


def submit(session: Session, kind: str, params: dict[str, Any], *, by: str) -> Job:
    """Record a job of ``kind`` (one of :data:`~kechuang.jobs.handlers.HANDLERS`), commit it and queue it.
    A queue that cannot be reached fails the job at once, saying so (nothing waits for ever)."""
    from kechuang.jobs.queue import enqueue

    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}; known: {', '.join(sorted(HANDLERS))}")
    job = Job(kind=kind, params=params, state=QUEUED, requested_by=by)
    session.add(job)
    session.commit()
    try:
        enqueue(database_url_of(session), job.id)
    except Exception as exc:  # the queue's storage is down: the job cannot run, and the page says why
        log.exception("job %s could not be queued", job.id)
        job.state, job.error, job.finished_at = FAILED, f"the job queue could not be reached: {exc}", utcnow()
        session.commit()
    return job


def get_job(session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def recent_jobs(session: Session, kinds: tuple[str, ...], limit: int = 10) -> list[Job]:
    """The newest jobs of ``kinds`` (for the pages that start them)."""
    return list(session.query(Job).filter(Job.kind.in_(kinds)).order_by(Job.id.desc()).limit(limit))


def _sessions(database_url: str) -> sessionmaker[Session]:
    with _lock:
        if database_url not in _engines:
            engine = make_engine(database_url)
            _engines[database_url] = (engine, session_factory(engine))
        return _engines[database_url][1]


def _finish(factory: sessionmaker[Session], job_id: int, state: str, *, result: dict[str, Any] | None = None,
            error: str | None = None) -> None:
    with transaction(factory) as s:
        s.execute(update(Job).where(Job.id == job_id).values(state=state, result=result, error=error,
                                                             finished_at=utcnow()))


def run_job(job_id: int, database_url: str) -> str:
    """Run job ``job_id`` (the consumer calls this): claim it (queued → running; a job already claimed is left
    alone), run its handler in one transaction, record done with the result or failed with the reason."""
    factory = _sessions(database_url)
    with transaction(factory) as s:
        claimed = s.execute(update(Job).where(Job.id == job_id, Job.state == QUEUED)
                            .values(state=RUNNING, started_at=utcnow()).returning(Job.id)).first() is not None
    if not claimed:
        return "not queued"
    try:
        with transaction(factory) as s:
            job = s.get(Job, job_id)
            assert job is not None
            result = HANDLERS[job.kind](s, dict(job.params))
    except JobError as exc:
        _finish(factory, job_id, FAILED, error=str(exc))
        return FAILED
    except Exception as exc:  # recorded for the page and logged in full for the operator
        log.exception("job %s failed", job_id)
        _finish(factory, job_id, FAILED, error=f"unexpected error ({type(exc).__name__}): {exc}")
        return FAILED
    _finish(factory, job_id, DONE, result=result)
    return DONE


def seconds(job: Job) -> float | None:
    """How long the job ran (None while it has not finished)."""
    if job.started_at is None or job.finished_at is None:
        return None
    start, end = (t if t.tzinfo else t.replace(tzinfo=dt.UTC) for t in (job.started_at, job.finished_at))
    return (end - start).total_seconds()
