"""The command line starts with only what the command needs (lazy sub-commands), and its one database
factory reaches every worker of ``kechuang serve`` without the environment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from kechuang.cli import SUBCOMMANDS, app, load
from tests.conftest import REPO

HEAVY = ("fastapi", "sqlalchemy", "scipy.stats", "pandas", "uvicorn", "alembic")


def _imported(*args: str, cwd: Path = REPO) -> tuple[set[str], str]:
    """The modules ``python -X importtime -m kechuang ARGS`` imports, and what it printed."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "kechuang", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    modules = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return modules, done.stdout


def _heavy(modules: set[str]) -> list[str]:
    """The packages of HEAVY that were imported (a package counts when any of its modules was: importtime does
    not list a parent package loaded on the way to its sub-module)."""
    return sorted(h for h in HEAVY if any(m == h or m.startswith(h + ".") for m in modules))


def test_index_build_help_imports_no_web_database_or_statistics() -> None:
    modules, out = _imported("index", "build", "--help")
    assert "Build an index and write every stage" in out and "--spec" in out
    assert "typer" in modules  # the listing is read (control)
    assert _heavy(modules) == []


def _loaded(*args: str) -> tuple[set[str], str]:
    """Every module in ``sys.modules`` after ``kechuang ARGS`` ran in a fresh interpreter, and what it printed."""
    code = ("import sys\nfrom kechuang.cli import app\ntry:\n    app(sys.argv[1:], prog_name='kechuang')\n"
            "except SystemExit:\n    pass\nprint('MODULES', *sorted(sys.modules), file=sys.stderr)")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120)
    line = next(ln for ln in done.stderr.splitlines() if ln.startswith("MODULES "))
    return set(line.split()[1:]), done.stdout


def test_root_help_lists_the_groups_without_importing_them() -> None:
    modules, out = _loaded("--help")
    for name, entry in SUBCOMMANDS.items():
        assert f" {name} " in out
        assert entry.help is None or entry.help[:30] in out
        assert entry.target.partition(":")[0] not in modules
    assert _heavy(modules) == []
    index_modules, _ = _loaded("index", "--help")  # control: the group asked for is loaded, and only it
    assert "kechuang.cli.index" in index_modules and "kechuang.cli.report" not in index_modules


def test_a_command_that_needs_the_engine_imports_it(tmp_path: Path) -> None:
    """Control for the tests above: importtime sees the lazily imported engine when a build runs."""
    ref = REPO / "tests" / "fixtures" / "reference" / "coinr-asem"
    modules, out = _imported("index", "build", str(ref / "ASEM_iData.csv"), str(ref / "ASEM_iMeta.csv"),
                             "--spec", str(REPO / "src/kechuang/index/examples/asem_variant_a.yaml"),
                             "--out", str(tmp_path / "out"))
    assert "built Index: 51 units, 49 indicators" in out
    assert _heavy(modules) == ["pandas"] and "kechuang.index.pipeline" in modules


def test_each_group_help_is_the_one_listed() -> None:
    for name, entry in SUBCOMMANDS.items():
        group = load(name, entry)
        assert group.name == name and group.help and (entry.help is None or group.help == entry.help)


def test_python_m_kechuang_cli_runs_the_same_app() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "100"}
    a = subprocess.run([sys.executable, "-m", "kechuang.cli", "plan", "--help"], capture_output=True, text=True,
                       env=env, timeout=120)
    b = subprocess.run([sys.executable, "-m", "kechuang", "plan", "--help"], capture_output=True, text=True,
                       env=env, timeout=120)
    assert a.returncode == b.returncode == 0 and a.stdout == b.stdout and "kechuang plan" in a.stdout
    assert app.info.cls is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_with_two_workers_opens_the_database_given(tmp_path: Path) -> None:
    """`serve --db` hands the URL to each worker process through the app factory, not the environment: the
    workers serve the plan from the given file, and no default database appears in the working directory."""
    db = tmp_path / "served.db"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "KECHUANG_DATABASE_URL"}
    env["PYTHONPATH"] = str(REPO / "src")
    proc = subprocess.Popen([sys.executable, "-m", "kechuang", "serve", "--db", f"sqlite:///{db}", "--port",
                             str(port), "--workers", "2"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        body = ""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not body:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/plan", timeout=5) as r:
                    body = r.read().decode()
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                time.sleep(0.5)
        assert '"code":"yangpu-sti-14fyp"' in body
        assert db.exists() and not (tmp_path / "var").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
