"""``kechuang jobs``: the background jobs (report packs, index rebuilds) — a worker process that runs them, and
the list of recent jobs with their state."""

from __future__ import annotations

from typing import Annotated

import typer

from kechuang.cli.common import DbOption, console, database_url

jobs_app = typer.Typer(help="Background jobs: run a worker; list recent jobs and their state.", no_args_is_help=True)


@jobs_app.command("worker")
def worker(db: DbOption = None,
           threads: Annotated[int, typer.Option(min=1, help="jobs run at once by this process")] = 1) -> None:
    """Run background jobs until stopped (Ctrl-C or SIGTERM: the running jobs finish first). For a deployment
    whose web processes run none (KECHUANG_JOB_THREADS=0)."""
    import signal
    import threading

    from kechuang.jobs.queue import start_consumer

    url = database_url(db)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    consumer = start_consumer(url, threads)
    console.print(f"kechuang jobs worker: {threads} thread(s) on {url}")
    stop.wait()
    consumer.stop(graceful=True)
    console.print("kechuang jobs worker: stopped")


@jobs_app.command("list")
def list_jobs(db: DbOption = None,
              limit: Annotated[int, typer.Option(min=1, help="how many of the newest")] = 20) -> None:
    """The newest jobs: id, kind, state, who asked, result or reason."""
    from kechuang.cli.common import sessions
    from kechuang.jobs.handlers import HANDLERS
    from kechuang.jobs.service import recent_jobs

    with sessions(db)() as s:
        found = recent_jobs(s, tuple(HANDLERS), limit)
        if not found:
            console.print("no jobs")
        for job in found:
            outcome = job.error if job.error else (job.result or "")
            console.print(f"{job.id}  {job.kind}  {job.state}  {job.requested_by}  {outcome}", highlight=False,
                          soft_wrap=True)
