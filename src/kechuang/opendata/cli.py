"""`kechuang export …`: the open data as files (the same bytes the portal serves under /opendata)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kechuang.opendata import service as opendata
from kechuang.opendata.tables import BUILDERS, UnknownTable

export_app = typer.Typer(help="Open data: the full data package or one table as CSV, XLSX or JSON.",
                         no_args_is_help=True)
console = Console()

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: KECHUANG_DATABASE_URL "
                                                         "or the SQLite file var/kechuang.db)")]


def _sessions(db: str | None):  # type: ignore[no-untyped-def]
    from kechuang.cli import _factory  # the main CLI's database opening (imported late: it imports this module)

    return _factory(db)[0]


@export_app.command("datapackage")
def export_datapackage(out: Path = typer.Argument(..., help="the zip file to write, e.g. yangpu-opendata.zip"),
                       db: DbOption = None) -> None:
    """Write every public table as a Frictionless Data Package: a zip of CSVs and datapackage.json."""
    with _sessions(db)() as s:
        data = opendata.datapackage(s)
    out.write_bytes(data)
    console.print(f"wrote {out} ({len(data):,} bytes, {len(BUILDERS)} tables)")


@export_app.command("table")
def export_table(name: str = typer.Argument(..., help=f"one of: {', '.join(BUILDERS)}"),
                 out: Path = typer.Argument(..., help="file to write; its suffix (.csv, .xlsx, .json) is the format"),
                 db: DbOption = None) -> None:
    """Write one public table as CSV, XLSX or JSON."""
    fmt = out.suffix.lstrip(".").lower()
    with _sessions(db)() as s:
        try:
            data = opendata.export_table(s, name, fmt)
        except (UnknownTable, opendata.UnknownFormat) as exc:
            Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False)
            raise typer.Exit(2) from None
    out.write_bytes(data)
    console.print(f"wrote {out} ({len(data):,} bytes)")
