"""A real, throw-away PostgreSQL server for the test session.

Uses the server named by the PG* environment variables when ``PGHOST`` is set (e.g. under
``pg_virtualenv``); otherwise runs Debian's ``initdb`` + ``pg_ctl`` in a temporary directory on a free
loopback port (as the ``postgres`` user when the tests run as root) and stops it at the end.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bindir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run `make test` (it installs postgresql via apt)")
    return os.path.dirname(found[-1])


@contextmanager
def postgres_server() -> Iterator[dict[str, str]]:
    """Yield libpq connection parameters of a running server (host, port, user, password, dbname)."""
    if os.environ.get("PGHOST"):
        yield {"host": os.environ["PGHOST"], "port": os.environ.get("PGPORT", "5432"),
               "user": os.environ.get("PGUSER", "postgres"), "password": os.environ.get("PGPASSWORD", ""),
               "dbname": os.environ.get("PGDATABASE", "postgres")}
        return
    bindir = _bindir()
    root = tempfile.mkdtemp(prefix="kechuang-pg-")
    data = os.path.join(root, "data")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    user = "postgres" if as_root else os.environ.get("USER", "postgres")
    subprocess.run(prefix + [f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", user, "-E", "UTF8",
                             "--locale=C.UTF-8"], check=True, capture_output=True)
    log = os.path.join(root, "log")
    subprocess.run(prefix + [f"{bindir}/pg_ctl", "-D", data, "-l", log, "-w", "-o",
                             f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
                             "-c synchronous_commit=off -c full_page_writes=off", "start"],
                   check=True, capture_output=True)
    try:
        yield {"host": "127.0.0.1", "port": str(port), "user": user, "password": "", "dbname": "postgres"}
    finally:
        subprocess.run(prefix + [f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(params: dict[str, str]) -> str:
    """Create an empty database on the server and return its SQLAlchemy URL."""
    name = f"kechuang_test_{uuid.uuid4().hex[:12]}"
    conninfo = " ".join(f"{k}={v}" for k, v in params.items() if v)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = params["user"] + (f":{params['password']}" if params["password"] else "")
    return f"postgresql+psycopg://{auth}@{params['host']}:{params['port']}/{name}"
