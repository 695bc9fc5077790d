"""Renderers of a :class:`~kechuang.reports.model.Report`: HTML (Jinja2), PDF (WeasyPrint from the HTML,
fonts embedded), Word (python-docx, charts as SVG with a PNG fallback) and the Excel annex (openpyxl,
every table on its own sheet). They lay the content out and add nothing to it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kechuang.reports.model import Report, Table

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Layout:
    """Numbers of the tables and charts shown in the documents (表1…, 图1…) and the annex sheet of
    every table."""

    numbers: dict[str, int]
    sheets: dict[str, str]


def layout(report: Report) -> Layout:
    numbers: dict[str, int] = {}
    sheets: dict[str, str] = {}
    t = c = 0
    for n, table in enumerate(report.tables(), start=1):
        sheets[table.id] = _SHEET_BAD.sub("", f"{n:02d} {table.title}")[:31]
        if not table.annex_only:
            t += 1
            numbers[table.id] = t
    for chart in report.charts():
        c += 1
        numbers[chart.id] = c
    return Layout(numbers, sheets)


def demo_column(table: Table) -> str | None:
    """The column whose cell carries the 演示数据 tag of a demo row: the first shown text column."""
    return next((c.key for c in table.shown_columns() if c.kind == "text"), None)
