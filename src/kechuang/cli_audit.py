"""``kechuang audit``: checks of the audit trail (the hash chain of ``kechuang.audit.chain``) and the
PostgreSQL application role that may only add audit records (``kechuang.store.roles``). Only Typer and
Rich are imported at the top; the services inside the commands (the CLI loads sub-commands lazily)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

audit_app = typer.Typer(help="The audit trail: verify that no record was rewritten or removed; the "
                             "application's PostgreSQL role.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)
DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: KECHUANG_DATABASE_URL or the "
                                                         "SQLite file var/kechuang.db)")]


@audit_app.command("verify")
def verify_command(
        db: DbOption = None,
        expect_head: Annotated[str | None, typer.Option(
            "--expect-head", help="a head printed by an earlier run (COUNT:ID:HASH): also check that it is "
                                  "still in the chain, i.e. that no newest record was removed")] = None) -> None:
    """Recompute every record's hash and the links between them; exit 1 naming each rewritten or removed
    record, else print the head (count:id:hash) to keep for the next check."""
    from kechuang.audit.chain import verify
    from kechuang.core.settings import get_settings
    from kechuang.store.db import make_engine, session_factory, upgrade

    engine = make_engine(db or get_settings().resolved_database_url())
    upgrade(engine)
    with session_factory(engine)() as s:
        report = verify(s, expect_head)
    engine.dispose()
    if not report.ok:
        for problem in report.problems:
            err.print(f"[red]audit:[/red] {problem}", highlight=False, soft_wrap=True)
        err.print(f"{len(report.problems)} problem(s) in {report.count} records", highlight=False)
        raise typer.Exit(1)
    console.print(f"audit trail intact: {report.count} records; head {report.head}", highlight=False,
                  soft_wrap=True)


@audit_app.command("grant-app-role")
def grant_app_role_command(
        role: Annotated[str, typer.Argument(help="an existing PostgreSQL login role the application connects as")],
        db: DbOption = None) -> None:
    """Run as the owner (after the migrations): give ROLE the application's privileges, with only INSERT and
    SELECT on the audit records, so the application can neither change them nor switch their triggers off."""
    from kechuang.core.settings import get_settings
    from kechuang.store.db import make_engine, upgrade
    from kechuang.store.roles import RoleError, grant_application_role

    engine = make_engine(db or get_settings().resolved_database_url())
    try:
        upgrade(engine)
        with engine.begin() as conn:
            grant_application_role(conn, role)
    except RoleError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    console.print(f"{role}: SELECT, INSERT, UPDATE, DELETE on the data; SELECT and INSERT only on audit_record",
                  highlight=False)
