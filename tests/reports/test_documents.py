"""The three report packs built from the demonstration data, opened as a user would open them and checked
against the database: Word (python-docx), the Excel annex (openpyxl), the PDF (pdftotext, pdftoppm,
pdffonts) and the HTML; reproducibility of the content and of the HTML."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.assessment import progress
from kechuang.core import clock
from kechuang.index_results import service as ir
from kechuang.indicators.models import Indicator
from kechuang.indicators.profile_service import profile_of
from kechuang.plan import service as plans
from kechuang.reports import charts
from kechuang.reports.fmt import num
from kechuang.reports.model import DEMO_LABEL, content_hash
from kechuang.reports.service import Pack, build_report, write_pack
from tests.reports.demo_data import DEMO_DAY, PATENTS

pytestmark = pytest.mark.xdist_group("reports")

COMPLETION_HEADER = ["序号", "指标", "单位", "属性", "基期值", "目标值", "当前值", "完成度", "序时进度", "评价"]


def docx_table(path: Path, header: list[str]) -> list[list[str]]:
    """The rows (header first) of the Word table whose header row is ``header``."""
    document = docx.Document(str(path))
    for table in document.tables:
        rows = [[c.text for c in r.cells] for r in table.rows]
        if rows and rows[0] == header:
            return rows
    raise AssertionError(f"no table with header {header}")


def sheet_rows(ws: openpyxl.worksheet.worksheet.Worksheet) -> tuple[list[str], list[tuple[object, ...]]]:
    """Header (row 3) and data rows of an annex sheet (data end at the first empty row)."""
    header = [c.value for c in ws[3]]
    data = []
    for row in ws.iter_rows(min_row=4, values_only=True):
        if all(v is None for v in row):
            break
        data.append(row)
    return header, data  # type: ignore[return-value]


def patents_progress(s: Session) -> progress.IndicatorProgress:
    ind = s.scalar(select(Indicator).where(Indicator.code == PATENTS))
    assert ind is not None
    return progress.indicator_progress(s, ind, progress.final_years(plans.latest_version(s)))


def test_word_completion_table_matches_the_database(packs: dict[str, Pack],
                                                    demo_sessions: sessionmaker[Session]) -> None:
    rows = docx_table(packs["midterm"].files["docx"], COMPLETION_HEADER)
    row = next(r for r in rows[1:] if r[1].startswith("每万人发明专利拥有量"))
    with demo_sessions() as s:
        p = patents_progress(s)
        profile = profile_of(s, p.indicator.id)
        assert profile is not None and p.target is not None
        assert row[4] == "99.04" == num(profile.baseline_value)
        assert row[5] == num(p.target.value)
        assert row[6] == num(p.observations[-1].value)
        assert row[2] == p.indicator.unit_zh and row[3] == "预期性"
        assert row[9].startswith(p.assessment.status_zh) and "序时进度法" in row[9]
        assert row[7] == f"{p.assessment.figures['achieved_share'] * 100:.1f}%"
        assert row[8] == f"{p.assessment.figures['elapsed_share'] * 100:.1f}%"
    assert row[1].endswith(f"（{DEMO_LABEL}）"), "demo targets and values are labelled in the row"
    assert len(rows) - 1 == 3


def test_excel_annex_holds_every_table_with_numbers(packs: dict[str, Pack],
                                                    demo_sessions: sessionmaker[Session]) -> None:
    pack = packs["midterm"]
    with demo_sessions() as s:
        report = build_report(s, "midterm", 2023, as_of=DEMO_DAY)
        p = patents_progress(s)
    wb = openpyxl.load_workbook(pack.files["xlsx"])
    assert wb.sheetnames[0] == "说明"
    assert len(wb.sheetnames) == 1 + len(report.tables())
    for table, name in zip(report.tables(), wb.sheetnames[1:], strict=True):
        header, data = sheet_rows(wb[name])
        assert wb[name]["A1"].value == table.title
        assert header == [c.label for c in table.columns] + [DEMO_LABEL]
        assert len(data) == len(table.rows), table.id
    completion = next(n for n in wb.sheetnames if "主要指标完成情况" in n)
    header, data = sheet_rows(wb[completion])
    row = dict(zip(header, next(r for r in data if r[header.index("指标编号")] == PATENTS), strict=True))
    assert p.target is not None
    assert (row["基期值"], row["目标值"], row["当前值"]) == (99.04, p.target.value, p.observations[-1].value)
    assert row["完成度"] == pytest.approx(p.assessment.figures["achieved_share"])
    assert row["序时进度"] == pytest.approx(p.assessment.figures["elapsed_share"])
    assert row["状态"] == p.assessment.status_zh and row[DEMO_LABEL] == "是"
    info = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True) if r[0]}
    assert info["内容 SHA-256"] == pack.content_sha256
    assert DEMO_LABEL in info


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.parametrize("kind", ["midterm", "final", "index"])
def test_pdf_pages_carry_chinese_text_embedded_fonts_and_ink(kind: str, packs: dict[str, Pack],
                                                            tmp_path: Path) -> None:
    pdf = packs[kind].files["pdf"]
    text = pdf_text(pdf)
    assert packs[kind].title.replace("“", "").replace("”", "")[:6] in text.replace("“", "").replace("”", "")
    assert DEMO_LABEL in text
    assert ("每万人发明专利拥有量" in text) if kind != "index" else ("地区比较" in text)
    assert_fonts_and_ink(pdf, tmp_path)


def assert_fonts_and_ink(pdf: Path, tmp_path: Path) -> None:
    """Every font of ``pdf`` embedded (a CJK one among them); at least 3 pages, none blank."""
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    font_rows = fonts.splitlines()[2:]
    assert any("CJK" in r for r in font_rows)
    assert all(" yes " in r for r in font_rows), "every font is embedded"
    subprocess.run(["pdftoppm", "-r", "24", "-gray", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 3
    for page in pages:
        with Image.open(page) as img:
            darkest = img.convert("L").getextrema()[0]
        assert darkest < 128, f"{page.name} is blank"


def test_index_report_against_the_stored_build(packs: dict[str, Pack], demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions() as s:
        run = ir.latest_run(s)
        assert run is not None
        units = ir.latest_scores(s, run, run.index_code)
        value = dict(ir.series(s, run, [run.index_code])[run.index_code])[2024]
    path = packs["index"].files["docx"]
    document = docx.Document(str(path))
    assert [u.unit for u in units] == ["YP"], "the run is the district's own approved (demo) values"
    assert not any(t.rows[0].cells[0].text == "排名" for t in document.tables), "no ranking of one unit"
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert f"{value:.1f}" in cells, "the stored 2024 composite appears in the report's tables"


def test_word_embeds_charts_as_svg_and_labels_demo(packs: dict[str, Pack]) -> None:
    path = packs["midterm"].files["docx"]
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        body = z.read("word/document.xml").decode("utf-8")
        header = "".join(z.read(n).decode("utf-8") for n in names if n.startswith("word/header"))
    assert any(n.endswith(".svg") for n in names) and "svgBlip" in body
    assert DEMO_LABEL in header, "every page of a demo report says 演示数据"
    document = docx.Document(str(path))
    assert document.core_properties.keywords == f"content_sha256={packs['midterm'].content_sha256}"


def test_charts_are_vector_and_deterministic(demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions() as s:
        report = build_report(s, "index", 2024, as_of=DEMO_DAY)
    chart = report.charts()[0]
    first, _ = charts.render(chart, with_png=False)
    again, _ = charts.render(chart, with_png=False)
    assert first == again
    assert "<path" in first and "<image" not in first


def test_rebuilding_gives_the_same_content_and_html(packs: dict[str, Pack], demo_sessions: sessionmaker[Session],
                                                   tmp_path: Path) -> None:
    with demo_sessions() as s:
        a = build_report(s, "midterm", 2023, as_of=DEMO_DAY)
        b = build_report(s, "midterm", 2023, as_of=DEMO_DAY)
    assert content_hash(a) == content_hash(b) == packs["midterm"].content_sha256
    one = write_pack(a, tmp_path / "one", ("html",), generated_at="2024-03-01T08:00:00+00:00")
    two = write_pack(b, tmp_path / "two", ("html",), generated_at="2024-03-02T09:30:00+00:00")
    html1 = one.files["html"].read_text(encoding="utf-8")
    html2 = two.files["html"].read_text(encoding="utf-8")
    assert html1 != html2
    # the generation time, as stored (ISO, UTC) and as shown (the plan's zone, labelled)
    stamp = re.compile(r"2024-03-0[12]T\d\d:\d\d:00\+00:00|2024-03-0[12] \d\d:\d\d:00 \(UTC\+8\)")
    assert "2024-03-01 16:00:00 (UTC+8)" in html1
    assert stamp.sub("T", html1) == stamp.sub("T", html2)
    shipped = packs["midterm"].files["html"].read_text(encoding="utf-8")
    moment = packs["midterm"].generated_at
    for text in (moment, clock.time_text(moment, seconds=True)):
        shipped = shipped.replace(text, "T")
    assert stamp.sub("T", html1) == shipped


def test_prose_numbers_come_from_the_data(packs: dict[str, Pack], demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions() as s:
        report = build_report(s, "midterm", 2023, as_of=DEMO_DAY)
        tasks = plans.elements(s, plans.latest_version(s), "task")
    summary = " ".join(b.text for b in report.section("summary").blocks if b.type == "paragraph")  # type: ignore[union-attr]
    rows = report.table("indicator_completion").rows
    assert f"纳入监测的主要指标 {len(rows)} 项" in summary
    assert f"规划确定的 {len(tasks)} 项主要任务" in summary
    overdue = report.table("overdue_items").rows
    assert f"逾期 {len(overdue)} 项" in summary
    html = packs["midterm"].files["html"].read_text(encoding="utf-8")
    assert summary.split("。")[0] in html


def test_final_evaluation_states_the_latest_data_year(packs: dict[str, Pack]) -> None:
    text = pdf_text(packs["final"].files["pdf"])
    assert "终期评估" in text and "2025" in text
    assert "指标数据的最新年份为 2023 年" in re.sub(r"\s+", " ", text)
