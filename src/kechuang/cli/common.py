"""What every `kechuang` command shares: the consoles, the error exit, the ``--db`` option and the one
database factory.

Only Typer and Rich are imported here: the database layer (SQLAlchemy, Alembic) is imported by
:func:`open_database` when a command needs it, so that ``kechuang --help`` and the index commands start
without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

console = Console()
err = Console(stderr=True)

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: KECHUANG_DATABASE_URL "
                                                         "or the SQLite file var/kechuang.db)")]


def database_url(db: str | None) -> str:
    """The URL given with ``--db``, else the configured one (``KECHUANG_DATABASE_URL`` or var/kechuang.db)."""
    if db:
        return db
    from kechuang.core.settings import get_settings

    return get_settings().resolved_database_url()


def open_database(db: str | None) -> tuple[sessionmaker[Session], str]:
    """The one database factory of the command line: open the database at ``--db`` (or the configured one),
    bring its schema to the newest migration and return a session factory with the URL it opened."""
    from kechuang.store.db import make_engine, session_factory, upgrade

    url = database_url(db)
    engine = make_engine(url)
    upgrade(engine)
    return session_factory(engine), url


def sessions(db: str | None) -> sessionmaker[Session]:
    """:func:`open_database` without the URL."""
    return open_database(db)[0]


def fail(message: str) -> NoReturn:
    """Print ``error: message`` on stderr and exit with status 2 (bad input)."""
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)
