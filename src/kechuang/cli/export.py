"""`kechuang export …`: the open data as files (the same bytes the portal serves under /opendata)."""

from __future__ import annotations

from pathlib import Path

import typer

from kechuang.cli.common import DbOption, console, fail, sessions
from kechuang.opendata.tables import BUILDERS

export_app = typer.Typer(no_args_is_help=True)


@export_app.command("datapackage")
def export_datapackage(out: Path = typer.Argument(..., help="the zip file to write, e.g. opendata.zip"),
                       db: DbOption = None) -> None:
    """Write every public table as a Frictionless Data Package: a zip of CSVs and datapackage.json."""
    from kechuang.opendata import service as opendata

    with sessions(db)() as s:
        data = opendata.datapackage(s)
    out.write_bytes(data)
    console.print(f"wrote {out} ({len(data):,} bytes, {len(BUILDERS)} tables)")


@export_app.command("table")
def export_table(name: str = typer.Argument(..., help=f"one of: {', '.join(BUILDERS)}"),
                 out: Path = typer.Argument(..., help="file to write; its suffix (.csv, .xlsx, .json) is the format"),
                 db: DbOption = None) -> None:
    """Write one public table as CSV, XLSX or JSON."""
    from kechuang.opendata import service as opendata
    from kechuang.opendata.tables import UnknownTable

    fmt = out.suffix.lstrip(".").lower()
    with sessions(db)() as s:
        try:
            data = opendata.export_table(s, name, fmt)
        except (UnknownTable, opendata.UnknownFormat) as exc:
            fail(str(exc))
    out.write_bytes(data)
    console.print(f"wrote {out} ({len(data):,} bytes)")
