"""The Excel template of a submission (openpyxl), and reading it back.

Layout of sheet ``填报``: a title (row 1), the instructions (row 2), the header (row 4) and one row per
indicator from row 5 on. Columns: A indicator code (hidden identifier), B indicator, C unit, D previous
value, E value, F 数据状态 (初步数 / 正式数), G 说明 (note), H requirements, I row version (hidden).
Only E, F and G are unlocked; the sheet is protected with a random password nobody keeps, and the workbook
structure is protected so the very hidden sheet ``_kechuang`` (which submission the file belongs to) can
be neither shown nor edited. Reading checks that identity, matches rows by the hidden code, and reports
each problem with its sheet and cell address. The template is saved through
:func:`kechuang.core.spreadsheet.xlsx_bytes`, so a note or name is never a formula.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from kechuang.core.spreadsheet import ReadLimits, SpreadsheetRejected, open_xlsx, xlsx_bytes
from kechuang.submissions.validation import Problem, parse_final, parse_number

SHEET = "填报"
META_SHEET = "_kechuang"
FORMAT = "kechuang-submission/1"
HEADER_ROW = 4
FIRST_ROW = 5
COLUMNS = {"code": "A", "name": "B", "unit": "C", "previous": "D", "value": "E", "final": "F", "note": "G",
           "requirement": "H", "version": "I"}
HEADERS = {"code": "编号", "name": "指标", "unit": "单位", "previous": "上期值", "value": "本期值",
           "final": "数据状态", "note": "说明", "requirement": "填报要求", "version": "版本"}
WIDTHS = {"A": 12, "B": 34, "C": 12, "D": 22, "E": 14, "F": 12, "G": 36, "H": 40, "I": 8}
INPUT_FILL = PatternFill("solid", fgColor="FFF6D5")
LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
MAX_BYTES = 5 * 1024 * 1024
#: an upload is opened within these limits (kechuang.core.spreadsheet): size, zip entries, rows, columns
READ_LIMITS = ReadLimits(max_bytes=MAX_BYTES)


@dataclass(frozen=True)
class TemplateMeta:
    submission_id: int
    department_code: str
    department_name: str
    period_code: str
    period_label: str
    revision: int
    due_on: str


@dataclass(frozen=True)
class TemplateRow:
    code: str
    name: str
    unit: str
    previous: str
    value: float | None
    final: bool
    note: str
    requirement: str
    version: int


@dataclass(frozen=True)
class ParsedRow:
    code: str
    row: int
    value: float | None
    final: bool
    note: str
    version: int | None

    def cell(self, field: str) -> str:
        """The address of ``field`` (value, final, note, code) in this row, e.g. ``E5``."""
        return f"{COLUMNS.get(field, 'A')}{self.row}"


@dataclass(frozen=True)
class ParsedWorkbook:
    meta: dict[str, str]
    rows: list[ParsedRow]
    problems: list[Problem]


def build_workbook(meta: TemplateMeta, rows: list[TemplateRow]) -> bytes:
    """The template as .xlsx bytes (see the module docstring for the layout)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = f"{meta.department_name} {meta.period_label} 指标数据填报表"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:H1")
    ws["A2"] = (f"填报截止 {meta.due_on}。只能在黄色单元格中填写：本期值（数字，单位见 C 列）、"
                "数据状态（初步数/正式数）、说明（变动超出范围时必填）。其余单元格已锁定；请勿增删行。上传时逐格校验，有错误则整份不保存。")
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A2:H2")
    ws.row_dimensions[2].height = 48
    ws["A3"] = f"修订次数 {meta.revision}" if meta.revision else ""
    for key, col in COLUMNS.items():
        cell = ws[f"{col}{HEADER_ROW}"]
        cell.value = HEADERS[key]
        cell.font = Font(bold=True)
        cell.fill = LOCKED_FILL
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    ws.column_dimensions["A"].hidden = True
    ws.column_dimensions["I"].hidden = True
    status = DataValidation(type="list", formula1='"初步数,正式数"', allow_blank=True,
                            error="请选择 初步数 或 正式数", errorTitle="数据状态")
    ws.add_data_validation(status)
    for n, row in enumerate(rows):
        r = FIRST_ROW + n
        values = {"code": row.code, "name": row.name, "unit": row.unit, "previous": row.previous,
                  "value": row.value, "final": "正式数" if row.final else "初步数", "note": row.note,
                  "requirement": row.requirement, "version": row.version}
        for key, col in COLUMNS.items():
            cell = ws[f"{col}{r}"]
            cell.value = values[key]
            editable = key in ("value", "final", "note")
            cell.protection = Protection(locked=not editable)
            cell.fill = INPUT_FILL if editable else LOCKED_FILL
            cell.alignment = Alignment(wrap_text=key in ("name", "note", "requirement"), vertical="top")
        status.add(f"F{r}")
    ws.freeze_panes = f"B{FIRST_ROW}"
    ws.protection.set_password(secrets.token_hex(12))
    ws.protection.sheet = True
    info = wb.create_sheet(META_SHEET)
    for n, (key, value) in enumerate((("format", FORMAT), ("submission_id", meta.submission_id),
                                      ("department", meta.department_code), ("period", meta.period_code),
                                      ("revision", meta.revision)), start=1):
        info[f"A{n}"], info[f"B{n}"] = key, str(value)
    info.sheet_state = "veryHidden"
    info.protection.set_password(secrets.token_hex(12))
    info.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)
    wb.security.set_workbook_password(secrets.token_hex(12))
    return xlsx_bytes(wb)


def _file_problem(zh: str, en: str) -> Problem:
    return Problem("", "file", zh, en)


def read_workbook(data: bytes) -> ParsedWorkbook:
    """Parse an uploaded template. Problems of the file (not a workbook, not our template) come back with
    no rows; problems of single cells (not a number, unknown status) with the sheet and cell address."""
    try:
        wb = open_xlsx(data, READ_LIMITS)
    except SpreadsheetRejected as exc:
        return ParsedWorkbook({}, [], [_file_problem(exc.zh, exc.en)])
    if SHEET not in wb.sheetnames or META_SHEET not in wb.sheetnames:
        return ParsedWorkbook({}, [], [_file_problem("不是本系统生成的填报模板（缺少工作表）；请下载模板后填写。",
                                                     "not a template of this system (sheets missing)")])
    info = wb[META_SHEET]
    meta = {str(info[f"A{n}"].value): str(info[f"B{n}"].value) for n in range(1, info.max_row + 1)
            if info[f"A{n}"].value is not None}
    if meta.get("format") != FORMAT:
        return ParsedWorkbook(meta, [], [_file_problem("模板格式版本不符；请重新下载模板。",
                                                       "unknown template format; download the template again")])
    ws = wb[SHEET]
    rows: list[ParsedRow] = []
    problems: list[Problem] = []
    for r in range(FIRST_ROW, ws.max_row + 1):
        code = ws[f"A{r}"].value
        if code is None or str(code).strip() == "":
            if any(ws[f"{c}{r}"].value not in (None, "") for c in "EFG"):
                problems.append(Problem("", "row", "此行没有指标编号（模板行被改动），无法对应指标。",
                                        "this row has no indicator code (the template was altered)").at(SHEET, f"E{r}"))
            continue
        code = str(code).strip()
        row_problems: list[Problem] = []
        try:
            value = parse_number(ws[f"E{r}"].value)
        except ValueError:
            value = None
            row_problems.append(Problem(code, "value", f"“{ws[f'E{r}'].value}”不是数值。",
                                        f"{ws[f'E{r}'].value!r} is not a number").at(SHEET, f"E{r}"))
        try:
            final = parse_final(ws[f"F{r}"].value)
        except ValueError:
            final = False
            row_problems.append(Problem(code, "final", f"数据状态“{ws[f'F{r}'].value}”应为 初步数 或 正式数。",
                                        f"status {ws[f'F{r}'].value!r} must be 初步数 or 正式数").at(SHEET, f"F{r}"))
        version_raw = ws[f"I{r}"].value
        version = int(version_raw) if isinstance(version_raw, int | float) else None
        note = "" if ws[f"G{r}"].value is None else str(ws[f"G{r}"].value).strip()
        problems += row_problems
        rows.append(ParsedRow(code, r, value, final, note, version))
    return ParsedWorkbook(meta, rows, problems)
