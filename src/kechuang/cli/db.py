"""``kechuang db``: the schema migrations as an explicit step (``upgrade``), where a database stands
(``current``) and whether it is ready for this version (``check``). The web app never migrates on start."""

from __future__ import annotations

import typer

from kechuang.cli.common import DbOption, console, database_url, err

db_app = typer.Typer(help="The database schema: upgrade to this version's migrations (an explicit step, never at "
                          "app start), show and check where it stands.", no_args_is_help=True)


def upgrade_database(url: str) -> tuple[str | None, str]:
    """Bring the database at ``url`` to the newest migration; (revision before, revision after)."""
    from kechuang.store.db import make_engine, schema_state, upgrade

    engine = make_engine(url)
    try:
        before = schema_state(engine).current
        upgrade(engine)
        return before, schema_state(engine).head
    finally:
        engine.dispose()


@db_app.command("upgrade")
def upgrade_command(db: DbOption = None) -> None:
    """Create the schema or bring it to this version's newest migration (run once per deployment, before the
    app's workers start)."""
    url = database_url(db)
    before, after = upgrade_database(url)
    if before == after:
        console.print(f"database {url}: already at migration {after}")
    else:
        console.print(f"database {url}: upgraded from {before or 'an empty database'} to migration {after}")


@db_app.command("current")
def current_command(db: DbOption = None) -> None:
    """Print the database's migration and this version's newest one."""
    from kechuang.store.db import make_engine, schema_state

    engine = make_engine(database_url(db))
    state = schema_state(engine)
    engine.dispose()
    console.print(f"database migration: {state.current or 'none (empty database)'}; this version's newest: "
                  f"{state.head}")


@db_app.command("check")
def check_command(db: DbOption = None) -> None:
    """Exit 0 when the database is at this version's newest migration and its tables match the models
    (what the app needs to serve); exit 1 saying what to do otherwise."""
    from kechuang.store.db import all_models, make_engine, model_differences, schema_state

    engine = make_engine(database_url(db))
    try:
        problem = schema_state(engine).problem()
        if problem is not None:
            err.print(f"[red]error:[/red] {problem}", highlight=False, soft_wrap=True)
            raise typer.Exit(1)
        differences = model_differences(engine, all_models())
    finally:
        engine.dispose()
    if differences:
        for difference in differences:
            err.print(f"differs from the models: {difference}", highlight=False, soft_wrap=True)
        err.print("[red]error:[/red] the schema does not match the models: a migration is missing", highlight=False)
        raise typer.Exit(1)
    console.print("database schema: at the newest migration and matching the models")
