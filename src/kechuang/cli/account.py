"""`kechuang account …`, and the first admin or the demo setup at ``kechuang init``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from kechuang.cli.common import DbOption, fail, sessions
from kechuang.core.access import Role

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
account_app = typer.Typer(no_args_is_help=True)


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

    from kechuang.accounts import service as accounts
    from kechuang.core import clock
    from kechuang.core.access import SYSTEM
    from kechuang.demo.seed import ACCOUNTS, DEMO_PASSWORD, setup_demo
    from kechuang.store.db import transaction

    if demo:
        with transaction(factory) as s:
            done = setup_demo(s, clock.today())
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


@account_app.command("list")
def account_list(db: DbOption = None) -> None:
    """List the accounts with their role, department and state."""
    from rich.table import Table

    from kechuang.accounts import service as accounts

    with sessions(db)() as s:
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
    name: Annotated[str, typer.Option(help="display name")] = "",
    email: Annotated[str, typer.Option(help="e-mail address for reminders and escalations (optional)")] = "",
    db: DbOption = None,
) -> None:
    """Create an account (the password is read from a file, never from the command line)."""
    from kechuang.accounts import service as accounts
    from kechuang.core.access import SYSTEM
    from kechuang.store.db import transaction

    try:
        password = read_password_file(password_file)
        with transaction(sessions(db)) as s:
            dept = accounts.department_by_code(s, department).id if department else None
            accounts.create_account(s, SYSTEM, username=username, display_name=name or username, password=password,
                                    role=role, department_id=dept, email=email)
    except (ValueError, accounts.AccountError) as exc:
        fail(str(exc))
    console.print(f"account {username!r} created ({role.value})")


@account_app.command("disable")
def account_disable(username: str, reason: Annotated[str, typer.Option(help="why")] = "",
                    enable: Annotated[bool, typer.Option("--enable", help="enable instead")] = False,
                    db: DbOption = None) -> None:
    """Disable an account (its sessions end at once), or enable it again with --enable."""
    from kechuang.accounts import service as accounts
    from kechuang.core.access import SYSTEM
    from kechuang.store.db import transaction

    with transaction(sessions(db)) as s:
        found = next((a for a in accounts.accounts(s) if a.username == username), None)
        if found is None:
            fail(f"no account {username!r}")
        accounts.set_active(s, SYSTEM, found.id, enable, reason)
    console.print(f"account {username!r} {'enabled' if enable else 'disabled'}")


@account_app.command("purge-logins")
def account_purge_logins(
        days: Annotated[float | None, typer.Option(
            help="keep this many days (default: KECHUANG_LOGIN_ATTEMPT_RETENTION_DAYS, 90)")] = None,
        db: DbOption = None) -> None:
    """Delete the recorded login attempts older than the retention (run it daily, e.g. with the backup)."""
    from kechuang.accounts import service as accounts
    from kechuang.core.settings import get_settings
    from kechuang.store.db import transaction

    settings = get_settings()
    if days is not None:
        try:
            settings = settings.model_copy(update={"login_attempt_retention_days": type(settings)(
                login_attempt_retention_days=days).login_attempt_retention_days})
        except ValueError:
            fail(f"--days {days}: keep at least 1 day (the throttle needs the recent attempts)")
    with transaction(sessions(db)) as s:
        removed = accounts.purge_login_attempts(s, settings)
    console.print(f"{removed} login attempts older than {settings.login_attempt_retention_days:g} days deleted")
