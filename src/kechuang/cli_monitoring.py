"""Command-line parts of monitoring: the first admin or the demo setup at ``kechuang init``, accounts, and
the e-mail-ready reminder digest."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from kechuang.accounts import service as accounts
from kechuang.accounts.access import SYSTEM, Role
from kechuang.monitoring.demo import ACCOUNTS, DEMO_PASSWORD, setup_demo
from kechuang.monitoring.reminders import digest
from kechuang.plan import service as plans
from kechuang.store.db import transaction

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
account_app = typer.Typer(help="Accounts: list, create, disable, enable.", no_args_is_help=True)


def read_password_file(path: Path) -> str:
    """The password in ``path`` (first line, without its line ending)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{path}: {exc.strerror}") from None
    lines = text.splitlines()
    return lines[0] if lines else ""


def setup_accounts(factory: sessionmaker[Session], *, demo: bool, admin_username: str,
                   admin_password_file: Path | None, interactive: bool) -> None:
    """After the plan is loaded: with ``demo``, the demonstration setup (labelled 演示数据); otherwise, when no
    admin exists, the first admin — password from ``admin_password_file``, else asked for on a terminal."""
    if demo:
        today = dt.date.today()
        with transaction(factory) as s:
            done = setup_demo(s, today)
        report, history, index = done.report, done.history, done.index
        if report.created:
            console.print(f"demo history (演示数据): {history} submissions approved through the workflow")
            if index is not None:
                console.print(f"demo index (演示数据): {index.run.demo_values} values approved through the workflow, "
                              f"index run {index.run.id}")
            console.print(f"demo setup (演示数据): {len(report.accounts)} demo accounts, password "
                          f"[bold]{DEMO_PASSWORD}[/bold] — for demonstration only")
            for username, _, role, dept in ACCOUNTS:
                console.print(f"  {username:<18} {role.value:<9} {dept or ''}")
            if report.skipped:
                console.print(f"  indicators not in this plan, skipped: {', '.join(report.skipped)}")
        else:
            console.print("demo setup (演示数据) already present")
        return
    with factory() as s:
        if accounts.has_admin(s):
            return
    if admin_password_file is not None:
        password = read_password_file(admin_password_file)
    elif interactive:
        password = typer.prompt(f"password for the first admin account {admin_username!r}", hide_input=True,
                                confirmation_prompt=True)
    else:
        err.print("[yellow]no admin account yet:[/yellow] run `kechuang init` on a terminal, or pass "
                  "--admin-password-file")
        return
    with transaction(factory) as s:
        accounts.create_account(s, SYSTEM, username=admin_username, display_name=admin_username,
                                password=password, role=Role.ADMIN)
    console.print(f"admin account {admin_username!r} created")


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: KECHUANG_DATABASE_URL "
                                                         "or the SQLite file var/kechuang.db)")]


def _factory(db: str | None) -> sessionmaker[Session]:
    from kechuang.cli import _factory as open_factory

    return open_factory(db)[0]  # type: ignore[no-any-return]


@account_app.command("list")
def account_list(db: DbOption = None) -> None:
    """List the accounts with their role, department and state."""
    with _factory(db)() as s:
        table = Table("user name", "name", "role", "department", "state", "demo")
        for a in accounts.accounts(s):
            table.add_row(a.username, a.display_name, a.role, a.department.code if a.department else "",
                          "active" if a.active else "disabled", "demo" if a.is_demo else "")
        console.print(table)


@account_app.command("create")
def account_create(
    username: str, role: Annotated[Role, typer.Option(help="admin, reporter, reviewer, approver or viewer")],
    password_file: Annotated[Path, typer.Option(help="file whose first line is the password")],
    department: Annotated[str | None, typer.Option(help="department code (reporters and reviewers)")] = None,
    name: Annotated[str, typer.Option(help="display name")] = "", db: DbOption = None,
) -> None:
    """Create an account (the password is read from a file, never from the command line)."""
    try:
        password = read_password_file(password_file)
        with transaction(_factory(db)) as s:
            dept = accounts.department_by_code(s, department).id if department else None
            accounts.create_account(s, SYSTEM, username=username, display_name=name or username, password=password,
                                    role=role, department_id=dept)
    except (ValueError, accounts.AccountError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    console.print(f"account {username!r} created ({role.value})")


@account_app.command("disable")
def account_disable(username: str, reason: Annotated[str, typer.Option(help="why")] = "",
                    enable: Annotated[bool, typer.Option("--enable", help="enable instead")] = False,
                    db: DbOption = None) -> None:
    """Disable an account (its sessions end at once), or enable it again with --enable."""
    with transaction(_factory(db)) as s:
        found = next((a for a in accounts.accounts(s) if a.username == username), None)
        if found is None:
            err.print(f"[red]error:[/red] no account {username!r}")
            raise typer.Exit(2)
        accounts.set_active(s, SYSTEM, found.id, enable, reason)
    console.print(f"account {username!r} {'enabled' if enable else 'disabled'}")


def digest_command(department: Annotated[str, typer.Option(help="department code, e.g. KW")],
                   base_url: Annotated[str, typer.Option(help="address of the web app, for the links")] =
                   "http://127.0.0.1:8000",
                   days: Annotated[int, typer.Option(help="reminder window in days")] = 7,
                   db: DbOption = None) -> None:
    """Print a department's reminder digest as an e-mail-ready text (to pipe into a mailer)."""
    with _factory(db)() as s:
        try:
            dept = accounts.department_by_code(s, department)
        except accounts.AccountError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
        text = digest(s, dept, plans.get_plan(s).id, dt.date.today(), days, base_url.rstrip("/"))
    typer.echo(text, nl=False)
