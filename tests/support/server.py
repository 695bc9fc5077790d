"""Serving an app for browser tests: uvicorn on a free loopback port in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI


@contextmanager
def serve_in_thread(app: FastAPI, **options: Any) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL (http://127.0.0.1:PORT). ``options``: more of
    uvicorn's settings (e.g. ``AccountSettings.server_options()``, as ``kechuang serve`` passes them)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def finished_job(client: Any, job_page: str, timeout: float = 180) -> dict[str, Any]:
    """Poll the background job whose status page is ``job_page`` (``/jobs/N``, where a request that starts a job
    redirects) through ``/api/v1/jobs/N`` until it has finished; its JSON status (state, result_url, error)."""
    assert job_page.startswith("/jobs/"), job_page
    deadline = time.monotonic() + timeout
    while True:
        status: dict[str, Any] = client.get(f"/api/v1{job_page}").json()
        if status["state"] in ("done", "failed"):
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_page} still {status['state']} after {timeout} s")
        time.sleep(0.2)
