"""The command line of accounts: a production ``init`` creates no account and asks for the first admin's
password (on a terminal, or from --admin-password-file); ``init --demo`` creates one account per role;
account commands; the reminder digest."""

from __future__ import annotations

import os
import pty
import select
import sys
import termios
import time
from pathlib import Path

from sqlalchemy import select as sql_select
from typer.testing import CliRunner

from kechuang.accounts.models import Account
from kechuang.cli import app
from kechuang.store.db import make_engine, session_factory

runner = CliRunner()


def _db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def accounts_in(url: str) -> list[tuple[str, str, bool]]:
    engine = make_engine(url)
    with session_factory(engine)() as s:
        rows = [(a.username, a.role, a.is_demo) for a in s.scalars(sql_select(Account).order_by(Account.id))]
    engine.dispose()
    return rows


def test_production_init_creates_no_account_and_takes_the_admin_password_from_a_file(tmp_path: Path) -> None:
    db = _db(tmp_path)
    first = runner.invoke(app, ["init", "--db", db])
    assert first.exit_code == 0, first.output
    assert "no admin account yet" in first.output
    assert accounts_in(db) == []
    secret = tmp_path / "admin.txt"
    secret.write_text("a long admin password\n", encoding="utf-8")
    second = runner.invoke(app, ["init", "--db", db, "--admin-password-file", str(secret)])
    assert second.exit_code == 0 and "admin account 'admin' created" in second.output
    assert accounts_in(db) == [("admin", "admin", False)]
    again = runner.invoke(app, ["init", "--db", db])
    assert "no admin account" not in again.output and accounts_in(db) == [("admin", "admin", False)]
    secret.write_text("short\n", encoding="utf-8")
    (tmp_path / "other").mkdir()
    weak = runner.invoke(app, ["init", "--db", _db(tmp_path / "other"), "--admin-password-file", str(secret)])
    assert weak.exit_code == 2 and "at least 10 characters" in weak.output


def _wait_for_echo_off(fd: int, seconds: float = 10.0) -> None:
    """Wait until the terminal behind the pty master ``fd`` no longer echoes (a password prompt is live)."""
    deadline = time.monotonic() + seconds
    while termios.tcgetattr(fd)[3] & termios.ECHO and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.05)


def test_init_asks_for_the_admin_password_on_a_terminal(tmp_path: Path) -> None:
    db = _db(tmp_path)
    pid, fd = pty.fork()
    if pid == 0:  # the child runs `kechuang init` on the pseudo-terminal
        os.execv(sys.executable, [sys.executable, "-m", "kechuang.cli", "init", "--db", db])
    output, since_answer = b"", b""
    answers = [b"terminal-admin-pw\n", b"terminal-admin-pw\n"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child has exited
            break
        output += chunk
        since_answer += chunk
        if answers and since_answer.rstrip().endswith(b":"):
            _wait_for_echo_off(fd)  # the prompt flushes input typed before it switches echo off
            os.write(fd, answers.pop(0))
            since_answer = b""
    _, status = os.waitpid(pid, 0)
    text = output.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "password for the first admin account 'admin'" in text and "Repeat for confirmation" in text
    assert accounts_in(db) == [("admin", "admin", False)]


def test_init_demo_creates_one_account_per_role_and_serve_help_documents_it(tmp_path: Path) -> None:
    db = _db(tmp_path)
    out = runner.invoke(app, ["init", "--db", db, "--demo"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "9 demo accounts, password kechuang-demo — for demonstration only" in out.output
    assert [(u, r) for u, r, demo in accounts_in(db) if demo] == [
        ("demo-admin", "admin"), ("demo-approver", "approver"), ("demo-viewer", "viewer"),
        ("demo-kw-reporter", "reporter"), ("demo-kw-reviewer", "reviewer"), ("demo-sw-reporter", "reporter"),
        ("demo-sw-reviewer", "reviewer"), ("demo-tj-reporter", "reporter"), ("demo-tj-reviewer", "reviewer")]
    assert "already present" in runner.invoke(app, ["init", "--db", db, "--demo"]).output
    assert "--demo" in runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "200"}).output


def test_account_commands_and_digest(tmp_path: Path) -> None:
    db = _db(tmp_path)
    runner.invoke(app, ["init", "--db", db, "--demo"])
    secret = tmp_path / "pw.txt"
    secret.write_text("wang-password-1\n", encoding="utf-8")
    made = runner.invoke(app, ["account", "create", "wang", "--role", "reporter", "--department", "SW",
                               "--password-file", str(secret), "--db", db])
    assert made.exit_code == 0 and "account 'wang' created (reporter)" in made.output
    assert runner.invoke(app, ["account", "disable", "wang", "--reason", "调岗", "--db", db]).exit_code == 0
    listed = runner.invoke(app, ["account", "list", "--db", db], env={"COLUMNS": "200"}).output
    assert "wang" in listed and "disabled" in listed
    mail = runner.invoke(app, ["digest", "--department", "KW", "--db", db, "--base-url", "https://kc.example/"])
    assert mail.exit_code == 0
    assert mail.output.startswith("收件人：区科委（演示）\n主题：【科创·规划监测】待办提醒")
    assert "https://kc.example/submissions/" in mail.output
    bad = runner.invoke(app, ["digest", "--department", "XX", "--db", db])
    assert bad.exit_code == 2 and "no organisation with code 'XX'" in bad.output


def test_make_run_uses_the_demo_setup() -> None:
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "KECHUANG_SECURE_COOKIES=false" in run and "serve --demo" in run
