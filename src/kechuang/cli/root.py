"""The top-level commands: ``kechuang init``, ``serve`` and ``digest``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kechuang.cli.common import DbOption, console, database_url, fail, open_database, sessions

DemoOption = Annotated[bool, typer.Option("--demo", help="also create the demo setup (演示数据): one account per "
                                                     "role, demo targets, a reporting period, supervision items")]


def init(db: DbOption = None, demo: DemoOption = False,
         admin_password_file: Annotated[Path | None, typer.Option(
             help="file whose first line is the first admin's password (for automation)")] = None,
         admin_username: Annotated[str, typer.Option(help="user name of the first admin")] = "admin",
         ask: Annotated[bool, typer.Option(hidden=True)] = True) -> None:
    """Create or upgrade the database and load the plan of the configured district bundle (KECHUANG_BUNDLE;
    idempotent). Without --demo, asks for
    the first admin's password when there is no admin yet."""
    from kechuang.bootstrap import load_bundled
    from kechuang.cli.account import setup_accounts, stdin_is_terminal
    from kechuang.cli.db import upgrade_database
    from kechuang.store.db import transaction

    before, after = upgrade_database(database_url(db))  # the migration step (`kechuang db upgrade`)
    if before != after:
        console.print(f"database schema: upgraded from {before or 'an empty database'} to migration {after}")
    factory, url = open_database(db)
    with transaction(factory) as s:
        summary = load_bundled(s, by="kechuang init")
    res = summary.plan
    state = "loaded as version" if res.created else "kept at its current version"
    console.print(f"database {url}: plan {res.plan_code} {state} {res.version} "
                  f"({res.elements} elements, {res.facts} facts)")
    if summary.bundled_differs:
        console.print(f"the bundled plan file differs from every stored version; to review and load it: "
                      f"kechuang plan load {summary.plan_file}")
    if summary.framework is not None:
        console.print(f"index framework {summary.framework}: {summary.published_figures} published figures")
    try:
        setup_accounts(factory, demo=demo, admin_username=admin_username, admin_password_file=admin_password_file,
                       interactive=ask and stdin_is_terminal())
    except ValueError as exc:
        fail(str(exc))


def serve(host: str = "127.0.0.1", port: int = 8000, db: DbOption = None,
          workers: int = typer.Option(1, help="worker processes"), demo: DemoOption = False) -> None:
    """Serve the web application (runs init first: the migrations once, before the workers start)."""
    import functools

    import uvicorn

    from kechuang.web.app import create_app

    url = database_url(db)
    init(url, demo=demo, ask=False)
    console.print(f"kechuang is serving on http://{host}:{port}")
    # The app factory carries the URL itself (pickled to each worker process), not through the environment.
    from kechuang.core.settings import get_settings

    config = uvicorn.Config(functools.partial(create_app, url), factory=True, host=host, port=port, workers=workers,
                            log_level="warning", **get_settings().server_options())
    if config.workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()


def digest(department: Annotated[str, typer.Option(help="department code, e.g. KW")],
           base_url: Annotated[str, typer.Option(help="address of the web app, for the links")] =
           "http://127.0.0.1:8000",
           days: Annotated[int, typer.Option(help="reminder window in days")] = 7,
           db: DbOption = None) -> None:
    """Print a department's reminder digest as an e-mail-ready text (to pipe into a mailer)."""
    import datetime as dt

    from kechuang.accounts import service as accounts
    from kechuang.assessment.reminders import digest as make_digest
    from kechuang.plan import service as plans

    with sessions(db)() as s:
        try:
            dept = accounts.department_by_code(s, department)
        except accounts.AccountError as exc:
            fail(str(exc))
        text = make_digest(s, dept, plans.get_plan(s).id, dt.date.today(), days, base_url.rstrip("/"))
    typer.echo(text, nl=False)
