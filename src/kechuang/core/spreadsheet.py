"""The one way the system writes spreadsheets (XLSX and CSV), safe against formula injection by
construction (CWE-1236, OWASP "CSV Injection").

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could be run as a
formula by a spreadsheet program (``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``). Every writer builds its
workbook with openpyxl as it likes, and turns it into bytes only through :func:`xlsx_bytes`, which walks
every cell before saving: every text cell is stored as a text (shared string) cell — never a formula,
whatever it starts with — and formula-like text gets Excel's "quote prefix" style, so it stays text even
after the cell is edited. The value reads back exactly. CSV goes through :func:`csv_bytes`, which writes
formula-like text with a leading apostrophe (``'=1+1``). Numbers are written as numbers and never altered.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def formula_like(value: str) -> bool:
    """Whether a spreadsheet program could take this text for a formula."""
    return value.startswith(FORMULA_PREFIXES)


def cell_text(value: Any) -> str:
    """A value as written in CSV (and shown in the pages' tables): '' for none, true/false, integers without
    '.0', other numbers in the shortest form that reads back exactly, datetimes in ISO 8601 (UTC)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return str(value)


def csv_cell(value: Any) -> str:
    """:func:`cell_text`, with a leading apostrophe on text a spreadsheet could run as a formula."""
    out = cell_text(value)
    return "'" + out if isinstance(value, str) and formula_like(out) else out


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV (RFC 4180, CRLF line ends): the header row, then each row's cells through :func:`csv_cell`."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buf.getvalue().encode("utf-8")


def neutralise(wb: Workbook) -> int:
    """Make every text cell of ``wb`` a text cell (never a formula or an error code), with the quote prefix on
    formula-like text; returns how many cells were formula-like."""
    risky = 0
    for ws in wb.worksheets:
        for cell in ws._cells.values():  # only the cells that exist (iter_rows would create empty ones)
            value = cell.value
            if isinstance(value, str):
                cell.data_type = "s"
                if formula_like(value):
                    cell.quotePrefix = True
                    risky += 1
    return risky


def xlsx_bytes(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes, neutralised first (:func:`neutralise`)."""
    neutralise(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
