"""Writing tables as CSV, XLSX and JSON, and the whole as a Frictionless Data Package (zip).

Spreadsheet safety (formula injection): CSV and XLSX are written through :mod:`kechuang.core.spreadsheet`,
which neutralises formula-like text by construction. Numbers are written as numbers and never altered.
JSON is exact (it is not opened by spreadsheets).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from kechuang.core.spreadsheet import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, csv_bytes, xlsx_bytes
from kechuang.core.spreadsheet import cell_text as text
from kechuang.opendata.tables import Table

MEDIA_TYPES = {"csv": CSV_MEDIA_TYPE, "json": "application/json", "xlsx": XLSX_MEDIA_TYPE}


def to_csv(table: Table) -> bytes:
    """The table as UTF-8 CSV (RFC 4180, CRLF line ends), a header row of field names, then the rows."""
    names = [f.name for f in table.fields]
    return csv_bytes(names, ([row.get(n) for n in names] for row in table.rows))


def _json_value(value: Any) -> Any:
    return text(value) if isinstance(value, dt.datetime) else value


def to_json(table: Table) -> bytes:
    """The table as JSON: ``{"name", "title", "description", "schema", "data": [row objects]}``."""
    doc = {"name": table.name, "title": {"zh": table.title_zh, "en": table.title_en},
           "description": table.description, "schema": schema(table),
           "data": [{f.name: _json_value(row.get(f.name)) for f in table.fields} for row in table.rows]}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def to_xlsx(tables: list[Table]) -> bytes:
    """The tables as one workbook, a sheet per table (header row of field names, bold and frozen)."""
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        ws = wb.create_sheet(table.name[:31])
        ws.append([f.name for f in table.fields])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for r, row in enumerate(table.rows, start=2):
            for c, f in enumerate(table.fields, start=1):
                value = row.get(f.name)
                ws.cell(row=r, column=c, value=text(value) if isinstance(value, dt.datetime) else value)
    return xlsx_bytes(wb)


def schema(table: Table) -> dict[str, Any]:
    """The Frictionless Table Schema of a table."""
    fields = []
    for f in table.fields:
        field: dict[str, Any] = {"name": f.name, "type": f.type, "title": f"{f.title_zh} / {f.title_en}"}
        if f.description:
            field["description"] = f.description
        if f.type == "boolean":
            field["trueValues"], field["falseValues"] = ["true"], ["false"]
        fields.append(field)
    out: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if table.primary_key:
        out["primaryKey"] = list(table.primary_key)
    return out


def descriptor(tables: list[Table], csvs: dict[str, bytes], *, name: str, title: str, description: str,
               version: str, created: dt.datetime, sources: list[dict[str, str]]) -> dict[str, Any]:
    """The ``datapackage.json`` of a Tabular Data Package whose resources are ``<name>.csv`` beside it."""
    return {
        "profile": "tabular-data-package", "name": name, "title": title, "description": description,
        "version": version, "created": text(created), "sources": sources,
        "resources": [{
            "name": t.name, "path": f"{t.name}.csv", "profile": "tabular-data-resource", "title": t.title_zh,
            "description": f"{t.title_en}. {t.description}", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "bytes": len(csvs[t.name]),
            "hash": f"sha256:{hashlib.sha256(csvs[t.name]).hexdigest()}",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
            "schema": schema(t),
        } for t in tables],
    }


def zip_package(desc: dict[str, Any], csvs: dict[str, bytes]) -> bytes:
    """A zip holding ``datapackage.json`` and the CSV files it names."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("datapackage.json", json.dumps(desc, ensure_ascii=False, indent=1))
        for resource in desc["resources"]:
            zf.writestr(resource["path"], csvs[resource["name"]])
    return buf.getvalue()
