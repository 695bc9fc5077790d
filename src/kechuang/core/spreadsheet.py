"""The one way the system writes spreadsheets (XLSX and CSV), safe against formula injection by
construction (CWE-1236, OWASP "CSV Injection"), and the one way it opens an uploaded workbook, within limits.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could be run as a
formula by a spreadsheet program (``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``). Every writer builds its
workbook with openpyxl as it likes, and turns it into bytes only through :func:`xlsx_bytes`, which walks
every cell before saving: every text cell is stored as a text (shared string) cell — never a formula,
whatever it starts with — and formula-like text gets Excel's "quote prefix" style, so it stays text even
after the cell is edited. The value reads back exactly. CSV goes through :func:`csv_bytes`, which writes
formula-like text with a leading apostrophe (``'=1+1``). Numbers are written as numbers and never altered.

Reading (:func:`open_xlsx`) checks an uploaded file before openpyxl parses it, so a small file cannot make
the server parse a huge one (a "decompression bomb": 166 KB of zip holding 56 MB of XML, a million empty
rows): the file size; the zip's entries (count, each one's and the total uncompressed size, as stated in
the zip directory, which is also what zipfile will inflate at most); no ``<!DOCTYPE``/``<!ENTITY`` in any
part (entity expansion, external entities); then one streaming pass (``iterparse``, each element
cleared after it is read, so memory stays flat) over every XML part refuses rows beyond
:attr:`ReadLimits.max_rows`, columns beyond :attr:`ReadLimits.max_columns` and cells longer than
:attr:`ReadLimits.max_cell_chars` (Excel's own limit, 32,767 characters). Only then is the workbook loaded.
Every refusal is a :class:`SpreadsheetRejected` naming the problem in Chinese and English.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any
from xml.etree.ElementTree import ParseError, iterparse

from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import column_index_from_string

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


# ---------------------------------------------------------------- reading an uploaded workbook


@dataclass(frozen=True)
class ReadLimits:
    """What an uploaded workbook may hold (see the module docstring)."""

    max_bytes: int = 5 * 1024 * 1024
    max_entries: int = 500
    max_entry_bytes: int = 20 * 1024 * 1024
    max_total_bytes: int = 40 * 1024 * 1024
    max_rows: int = 10_000
    max_columns: int = 100
    max_cell_chars: int = 32_767


class SpreadsheetRejected(ValueError):
    """An uploaded file that is not read: ``zh`` and ``en`` say why (the str is the English)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


NOT_XLSX = ("不是有效的 Excel（.xlsx）文件。", "not a valid .xlsx workbook")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d+)$")
_CHUNK = 1 << 16


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB"


def _check_entries(zf: zipfile.ZipFile, limits: ReadLimits) -> list[zipfile.ZipInfo]:
    entries = zf.infolist()
    if len(entries) > limits.max_entries:
        raise SpreadsheetRejected(f"文件包含 {len(entries)} 个部件，超过上限 {limits.max_entries}。",
                                  f"the file holds {len(entries)} parts, more than {limits.max_entries}")
    total = 0
    for info in entries:
        if info.file_size > limits.max_entry_bytes:
            raise SpreadsheetRejected(
                f"文件中的“{info.filename}”解压后有 {_mb(info.file_size)}，超过上限 {_mb(limits.max_entry_bytes)}"
                "（可能是压缩炸弹，或含有大量空行）。",
                f"part {info.filename!r} is {_mb(info.file_size)} uncompressed, more than "
                f"{_mb(limits.max_entry_bytes)} (a decompression bomb, or many empty rows)")
        total += info.file_size
    if total > limits.max_total_bytes:
        raise SpreadsheetRejected(
            f"文件解压后共 {_mb(total)}，超过上限 {_mb(limits.max_total_bytes)}（可能是压缩炸弹，或含有大量空行）。",
            f"the file is {_mb(total)} uncompressed, more than {_mb(limits.max_total_bytes)} "
            "(a decompression bomb, or many empty rows)")
    return entries


def _refuse_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    tail = b""
    with zf.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            if _DTD.search(tail + chunk):
                raise SpreadsheetRejected(f"文件中的“{info.filename}”含有 DOCTYPE/ENTITY 声明，不予读取。",
                                          f"part {info.filename!r} has a DOCTYPE/ENTITY declaration; not read")
            tail = chunk[-16:]


def _column(ref: str | None, previous: int) -> int:
    found = _CELL_REF.match(ref or "")
    return column_index_from_string(found.group(1).upper()) if found else previous + 1


def _scan(stream: IO[bytes], name: str, limits: ReadLimits) -> None:
    """One streaming pass over an XML part: rows, columns and cell lengths within ``limits``."""
    row = column = 0
    for _event, elem in iterparse(stream, events=("end",)):
        tag = elem.tag
        if tag == f"{_MAIN_NS}c":
            column = _column(elem.get("r"), column)
            if column > limits.max_columns:
                raise SpreadsheetRejected(
                    f"“{name}”第 {row} 行有第 {column} 列，超过上限 {limits.max_columns} 列。",
                    f"{name}: row {row} has a cell in column {column}, beyond the limit of {limits.max_columns}")
        elif tag in (f"{_MAIN_NS}v", f"{_MAIN_NS}t", f"{_MAIN_NS}f"):
            if elem.text is not None and len(elem.text) > limits.max_cell_chars:
                raise SpreadsheetRejected(
                    f"“{name}”中有单元格超过 {limits.max_cell_chars} 个字符。",
                    f"{name}: a cell holds more than {limits.max_cell_chars} characters")
            continue  # its parent (c or si) clears it
        elif tag == f"{_MAIN_NS}row":
            declared = elem.get("r")
            row = int(declared) if declared and declared.isdigit() else row + 1
            if row > limits.max_rows:
                raise SpreadsheetRejected(
                    f"“{name}”有第 {row} 行，超过上限 {limits.max_rows} 行；请删除多余的行后再上传。",
                    f"{name} has a row {row}, beyond the limit of {limits.max_rows} rows; delete the extra rows")
            column = 0
        elem.clear()


def check_xlsx(data: bytes, limits: ReadLimits = ReadLimits()) -> None:
    """Raise :class:`SpreadsheetRejected` unless ``data`` is a zip within ``limits`` (module docstring)."""
    if len(data) > limits.max_bytes:
        raise SpreadsheetRejected(f"文件超过 {_mb(limits.max_bytes)}。", f"the file exceeds {_mb(limits.max_bytes)}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in _check_entries(zf, limits):
                if info.is_dir():
                    continue
                _refuse_dtd(zf, info)
                if info.filename.endswith(".xml"):
                    with zf.open(info) as stream:
                        _scan(stream, info.filename, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ParseError, NotImplementedError, EOFError, OSError,
            UnicodeDecodeError) as exc:
        raise SpreadsheetRejected(*NOT_XLSX) from exc


def open_xlsx(data: bytes, limits: ReadLimits = ReadLimits(), *, formulas: bool = False) -> Workbook:
    """An uploaded workbook, once :func:`check_xlsx` passed: the cells' stored values (``data_only``), or with
    ``formulas`` the formulas themselves (read only), to tell a formula without a stored result from an empty
    cell. Any problem openpyxl then finds is a :class:`SpreadsheetRejected` too."""
    check_xlsx(data, limits)
    try:
        if formulas:
            return load_workbook(io.BytesIO(data), data_only=False, read_only=True)
        return load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, ValueError, TypeError, lxml errors…)
        raise SpreadsheetRejected(*NOT_XLSX) from exc
