"""The queue (huey): where job ids wait for a consumer, and the consumer that runs them.

- A SQLite application database ``…/NAME.db`` gets its queue in the SQLite file ``…/NAME-jobs.db`` beside it
  (huey's ``SqliteHuey``; every process on the host shares it).
- A PostgreSQL database holds its queue in its own tables ``jobqueue_*`` (huey's ``PostgresHuey``, LISTEN/NOTIFY);
  migration 0012 creates them, so web workers and ``kechuang jobs worker`` processes on any host share it.

Only job ids travel on the queue; the job's parameters, state and outcome are rows of the application's
database (:mod:`kechuang.jobs.service`). The huey instances and engines kept per URL below are connection
caches, not state: every decision is read from the database.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from huey import Huey, MemoryHuey, PostgresHuey, SqliteHuey
from huey.consumer import Consumer
from sqlalchemy.engine import make_url

from kechuang.store.db import QUEUE_TABLE_PREFIX

QUEUE_NAME = "kechuang"
TASK_NAME = "kechuang.run_job"
_queues: dict[str, tuple[Huey, Any]] = {}  # URL → (queue, its run_job task)
_lock = threading.Lock()
log = logging.getLogger(__name__)


def queue_file(database: str) -> Path:
    """The SQLite queue file beside the SQLite database file ``database``."""
    path = Path(database)
    return path.with_name(f"{path.stem}-jobs.db")


def _make_queue(database_url: str) -> Huey:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return MemoryHuey(QUEUE_NAME, results=False)
        return SqliteHuey(QUEUE_NAME, filename=str(queue_file(url.database)), results=False)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return PostgresHuey(QUEUE_NAME, dsn=dsn, table_prefix=QUEUE_TABLE_PREFIX, create_tables=False, results=False)


def _queue_and_task(database_url: str) -> tuple[Huey, Any]:
    with _lock:
        found = _queues.get(database_url)
        if found is None:
            from kechuang.jobs.service import run_job

            queue = _make_queue(database_url)
            found = _queues[database_url] = (queue, queue.task(name=TASK_NAME)(run_job))
        return found


def queue_for(database_url: str) -> Huey:
    """The queue of the application database at ``database_url``, with the one task that runs a job."""
    return _queue_and_task(database_url)[0]


def enqueue(database_url: str, job_id: int) -> None:
    """Put job ``job_id`` on the queue (its row must be committed: the consumer reads it)."""
    _queue_and_task(database_url)[1](job_id, database_url)


class EmbeddedConsumer(Consumer):  # type: ignore[misc]
    """huey's consumer run in threads of a web process: it leaves the process's signal handlers (uvicorn's)
    alone and polls at least every second, so a job starts within a second of being queued."""

    def __init__(self, huey: Huey, threads: int) -> None:
        super().__init__(huey, workers=threads, worker_type="thread", periodic=False, initial_delay=0.1,
                         backoff=1.15, max_delay=1.0, shutdown_timeout=60)

    def _set_signal_handlers(self) -> None:
        """The host process (uvicorn, or ``kechuang jobs worker``) handles the signals."""


def start_consumer(database_url: str, threads: int) -> EmbeddedConsumer:
    """Start ``threads`` consumer threads on the queue of ``database_url``; ``stop(graceful=True)`` ends them."""
    consumer = EmbeddedConsumer(queue_for(database_url), threads)
    consumer.start()
    return consumer
