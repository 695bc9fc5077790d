"""Logged-in pages under load: the plan office's dashboard and its JSON, a reporter's inbox, and a cached public
page for reference, each for a fixed time with 50 concurrent connections against a running server.

    python -m benchmarks.web                               # print the report (Markdown)
    python -m benchmarks.web --write docs/benchmarks.md    # …and replace its section between the markers
    python -m benchmarks.web --duration 5 --workers 2      # shorter runs; two uvicorn worker processes

(``make bench-web`` runs the second line.) It builds the demo database (``kechuang init --demo`` into a
temporary folder; not timed), starts ``kechuang serve`` on a free port of 127.0.0.1, logs in as the demo
accounts of the roles that see each page (``demo-admin`` for the plan office's pages, ``demo-kw-reporter`` for
the inbox), checks that each page answers 200 with its content for that session (not a redirect to the login),
and then runs ``wrk`` (Debian's package) against it with the session cookie: requests per second, the 50th,
95th and 99th latency percentiles, non-2xx/3xx answers, time-outs (no answer within ``--timeout``) and socket
errors, and the server's CPU time per request (user + system of the server's processes over the run divided
by the requests answered, which depends less on other load of the machine than the rates do). Between two
pages it waits until the server answers again within half a second, so a page does not pay for the queue
left by the one before. Every request loop is bounded by ``--duration``; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from benchmarks.run import machine, write_section

REPO = Path(__file__).resolve().parents[1]
LUA = Path(__file__).with_name("wrk_summary.lua")
START, END = "<!-- benchmarks.web: start -->", "<!-- benchmarks.web: end -->"
PASSWORD = "kechuang-demo"  # kechuang.demo.seed.DEMO_PASSWORD (not imported: the harness runs the CLI)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Page:
    path: str
    account: str | None  # None: anonymous (the public page cache answers)
    marker: str  # text the answer must contain: the page itself, not a login form or an error
    what: str


PAGES = (
    Page("/dashboard", "demo-admin", 'id="board"', "plan-office dashboard (HTML)"),
    Page("/api/v1/progress", "demo-admin", '"areas"', "the dashboard as JSON"),
    Page("/inbox", "demo-kw-reporter", 'id="reminders"', "a reporter's inbox (HTML)"),
    Page("/", None, 'id="tasks-h"', "public overview, anonymous (cached page, for reference)"),
)


@dataclass(frozen=True)
class Result:
    page: Page
    rate: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    status_errors: int
    timeouts: int
    socket_errors: int
    cpu_ms_per_request: float


def _env(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(REPO)]), "KECHUANG_SECURE_COOKIES": "false"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(db_url: str, src: Path, workers: int) -> Iterator[tuple[str, psutil.Process]]:
    """``kechuang serve`` on a free loopback port; yields its address and process, stops it afterwards."""
    port = _free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "kechuang", "serve", "--db", db_url, "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers)], env=_env(src), cwd=REPO,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the server stopped:\n{log.read().decode(errors='replace')[-3000:]}")
            try:
                if httpx.get(url + "/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError("the server did not answer within 120 s; it printed:\n"
                                   f"{log.read().decode(errors='replace')[-3000:]}")
            time.sleep(0.3)
        yield url, psutil.Process(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def login(url: str, username: str) -> str:
    """Log ``username`` in through the login form; returns the session cookie's value."""
    with httpx.Client(base_url=url, timeout=30) as client:
        form = client.get("/login")
        found = CSRF.search(form.text)
        if found is None:
            raise RuntimeError("no CSRF field on the login page")
        client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": found.group(1)})
        token = client.cookies.get("kc_session")
    if not token:
        raise RuntimeError(f"could not log in as {username}")
    return str(token)


def check(url: str, page: Page, cookie: str | None) -> None:
    """The page answers 200 with its content for this session (wrk counts a redirect as a success)."""
    headers = {"Cookie": f"kc_session={cookie}"} if cookie else {}
    answer = httpx.get(url + page.path, headers=headers, timeout=60, follow_redirects=False)
    if answer.status_code != 200 or page.marker not in answer.text:
        raise RuntimeError(f"{page.path} as {page.account or 'anonymous'}: {answer.status_code}, "
                           f"{'without' if page.marker not in answer.text else 'with'} {page.marker!r}")


def settle(url: str, page: Page, cookie: str | None, limit: float = 120) -> None:
    """Wait until the server answers ``page`` within half a second again (the queue of a run before is gone)."""
    headers = {"Cookie": f"kc_session={cookie}"} if cookie else {}
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            httpx.get(url + page.path, headers=headers, timeout=limit)
        except httpx.HTTPError:
            pass
        if time.perf_counter() - start < 0.5:
            return
    raise RuntimeError(f"the server did not settle within {limit:.0f} s")


def _cpu(proc: psutil.Process) -> float:
    """User + system CPU seconds of the server and its worker processes."""
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def run_wrk(url: str, page: Page, cookie: str | None, proc: psutil.Process, *, duration: int, connections: int,
            timeout: int) -> Result:
    """One wrk run of ``duration`` seconds with ``connections`` connections on 2 threads."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", f"--timeout={timeout}s", "-s", str(LUA)]
    if cookie:
        cmd += ["-H", f"Cookie: kc_session={cookie}"]
    cpu = _cpu(proc)
    done = subprocess.run([*cmd, url + page.path], capture_output=True, text=True, timeout=duration + 60,
                          check=True)
    used = _cpu(proc) - cpu
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("{"))
    s = json.loads(line)
    return Result(page, s["requests"] / (s["duration_us"] / 1e6), s["p50_us"] / 1000, s["p95_us"] / 1000,
                  s["p99_us"] / 1000, s["requests"], s["status"], s["timeout"], s["connect"] + s["read"] + s["write"],
                  1000 * used / max(1, s["requests"]))


def measure(*, duration: int, connections: int, timeout: int, workers: int, src: Path) -> tuple[list[Result], str]:
    """Build the demo database, serve it, and run every page of :data:`PAGES`; returns the results and the
    machine load (1-minute load average before the server started and after the last run)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (the Makefile's APT_PACKAGES has it)")
    load_before = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="kechuang-bench-web-"))
    try:
        db_url = f"sqlite:///{folder / 'kechuang.db'}"
        subprocess.run([sys.executable, "-m", "kechuang", "init", "--demo", "--db", db_url], env=_env(src), cwd=REPO,
                       check=True, capture_output=True, timeout=600)
        results = []
        with server(db_url, src, workers) as (url, proc):
            cookies = {p.account: login(url, p.account) for p in PAGES if p.account}
            for page in PAGES:
                cookie = cookies.get(page.account) if page.account else None
                check(url, page, cookie)
                settle(url, page, cookie)
                results.append(run_wrk(url, page, cookie, proc, duration=duration, connections=connections,
                                       timeout=timeout))
                settle(url, page, cookie)
        load_after = os.getloadavg()[0]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results, f"load average {load_before:.1f} before the server started and {load_after:.1f} after the runs"


def report(results: list[Result], load: str, *, duration: int, connections: int, timeout: int, workers: int) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = "\n".join(
        f"| `{r.page.path}` | {r.page.what} | {r.page.account or 'anonymous'} | {r.rate:,.0f} | {r.p50_ms:,.1f} ms | "
        f"{r.p95_ms:,.1f} ms | {r.p99_ms:,.1f} ms | {r.status_errors} / {r.timeouts} / {r.socket_errors} | "
        f"{r.cpu_ms_per_request:.1f} ms |" for r in results)
    server_kind = "one uvicorn worker process" if workers == 1 else f"{workers} uvicorn worker processes"
    return f"""{START}
Generated by `python -m benchmarks.web` on {when}: {connections} connections for {duration} s per page (wrk, 2
threads, time-out {timeout} s), {server_kind}, SQLite (WAL), the demo database of `kechuang init --demo`.

**Machine.** {machine()}; {load} (1-minute; other engineers' work shares the 2 cores, and the load generator
runs on the same machine as the server).

| page | what | logged in as | requests/s | p50 | p95 | p99 | non-2xx / time-outs / socket errors | CPU per request |
|---|---|---|---|---|---|---|---|---|
{rows}
{END}"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web", description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page (default 10)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent connections (default 50)")
    parser.add_argument("--timeout", type=int, default=2, help="seconds after which wrk counts a time-out (2)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    parser.add_argument("--src", type=Path, default=REPO / "src",
                        help="the kechuang sources to serve (another checkout's src/, to compare two versions)")
    parser.add_argument("--write", type=Path, help="Markdown file whose logged-in pages section to replace")
    args = parser.parse_args(argv)
    results, load = measure(duration=args.duration, connections=args.connections, timeout=args.timeout,
                            workers=args.workers, src=args.src.resolve())
    section = report(results, load, duration=args.duration, connections=args.connections, timeout=args.timeout,
                     workers=args.workers)
    print(section)
    if args.write is not None:
        write_section(args.write, section, START, END)


if __name__ == "__main__":
    main()
