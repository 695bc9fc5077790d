"""The Excel annex (openpyxl): a sheet 说明 (title, snapshot, demo notice, list of tables) and one sheet
per table with every column, annex-only ones included. Numbers stay numbers (percentages as fractions
with a % format); a demo row says 是 in the last column 演示数据.

Layout of a table sheet: row 1 the title, row 2 the demo notice (or empty), row 3 the column labels,
data from row 4, then the notes below the data. Saved through :func:`kechuang.core.spreadsheet.xlsx_bytes`,
so text from public input (published comments, notes) is never a formula.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kechuang.core.spreadsheet import xlsx_bytes
from kechuang.reports.i18n import PackText
from kechuang.reports.model import Column, Report, Snapshot
from kechuang.reports.render import layout

HEADER_ROW = 3
HEADER_FILL = PatternFill("solid", fgColor="E8EEF6")
DEMO_FILL = PatternFill("solid", fgColor="FBE9EB")
#: fixed document times, so the annex of the same snapshot has the same content (the generation time is
#: written on the 说明 sheet)
FIXED_TIME = dt.datetime(2000, 1, 1)


def _value(value: Any, column: Column) -> Any:
    if value is None:
        return None
    if column.kind == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _format(column: Column) -> str | None:
    if column.kind == "percent":
        return "0.0%" if column.digits is None else "0." + "0" * column.digits + "%"
    if column.kind == "integer" or column.kind == "year":
        return "0"
    if column.kind == "number" and column.digits is not None:
        return "0" if column.digits == 0 else "0." + "0" * column.digits
    if column.kind == "date":
        return "yyyy-mm-dd"
    return None


def render_xlsx(report: Report, snapshot: Snapshot) -> bytes:
    """The annex workbook as .xlsx bytes."""
    lay = layout(report)
    L = PackText(report.lang)
    wb = Workbook()
    wb.properties.creator = "kechuang"
    wb.properties.title = report.title + L("（附表）")
    wb.properties.created = wb.properties.modified = FIXED_TIME
    wb.properties.keywords = f"content_sha256={snapshot.content_sha256}"
    info = wb.active
    info.title = L("说明")
    info["A1"] = report.title + L("（附表）")
    info["A1"].font = Font(bold=True, size=14)
    meta_rows: list[tuple[str, Any]] = [
        (L("副标题"), report.subtitle), (L("评估/数据年份"), report.year),
        (L("数据截止日期"), report.meta.get("as_of", "")), (L("规划版本"), report.meta["plan"]["version"]),
        (L("规划版本 SHA-256"), report.meta["plan"]["version_sha256"]),
        (L("内容 SHA-256"), snapshot.content_sha256), (L("生成时间"), snapshot.generated_text),
        (L("方法版本"), L("方法版本：{fmt}；kechuang {version}", fmt=report.meta["methods"]["report_format"],
                       version=report.meta["methods"]["kechuang"]).split(L.colon, 1)[1])]
    if report.demo:
        meta_rows.insert(0, (L.demo_label, report.demo_notice))
    for i, (k, v) in enumerate(meta_rows, start=3):
        info.cell(i, 1, k).font = Font(bold=True)
        info.cell(i, 2, v)
        if k == L.demo_label:
            info.cell(i, 1).fill = info.cell(i, 2).fill = DEMO_FILL
    start = len(meta_rows) + 4
    info.cell(start, 1, L("工作表")).font = Font(bold=True)
    info.cell(start, 2, L("表格")).font = Font(bold=True)
    info.cell(start, 3, L("所属部分")).font = Font(bold=True)
    info.cell(start, 4, L.demo_label).font = Font(bold=True)
    row = start + 1
    for sec in report.sections:
        for table in sec.tables():
            info.cell(row, 1, lay.sheets[table.id])
            info.cell(row, 2, table.title)
            info.cell(row, 3, sec.title)
            info.cell(row, 4, L("是") if table.demo else "")
            row += 1
    info.column_dimensions["A"].width = 26
    info.column_dimensions["B"].width = 70
    info.column_dimensions["C"].width = 30
    for table in report.tables():
        ws = wb.create_sheet(lay.sheets[table.id])
        ws["A1"] = table.title
        ws["A1"].font = Font(bold=True, size=12)
        if table.demo:
            ws["A2"] = L("本表含{label}：最后一列标“是”的行使用演示数据。", label=L.demo_label)
            ws["A2"].font = Font(color="8C1D2C")
        columns = [*table.columns, Column("_demo", L.demo_label)]
        for j, col in enumerate(columns, start=1):
            c = ws.cell(HEADER_ROW, j, col.label)
            c.font = Font(bold=True)
            c.fill = HEADER_FILL
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            width = max(len(col.label) * 2 + 2, 10)
            if col.kind == "text":
                longest = max((len(str(r.get(col.key) or "")) for r in table.rows), default=0)
                width = min(max(width, longest * 2 + 2), 60)
            ws.column_dimensions[get_column_letter(j)].width = width
        for i, data in enumerate(table.rows, start=HEADER_ROW + 1):
            for j, col in enumerate(table.columns, start=1):
                c = ws.cell(i, j, _value(data.get(col.key), col))
                fmt = _format(col)
                if fmt:
                    c.number_format = fmt
                if col.kind == "text":
                    c.alignment = Alignment(wrap_text=True, vertical="top")
            if data.get("_demo"):
                ws.cell(i, len(columns), L("是")).fill = DEMO_FILL
        note_row = HEADER_ROW + len(table.rows) + 2
        for offset, note in enumerate(table.notes):
            ws.cell(note_row + offset, 1, note)
        ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    return xlsx_bytes(wb)
