"""`kechuang index audit`: the audit report of the ASEM index and of the Yangpu index over time, in HTML, PDF
(pdftotext, pdffonts, pdftoppm) and XLSX with every table, every number traced to the inputs' hashes."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image
from typer.testing import CliRunner

from kechuang.cli import app
from kechuang.reports.index_audit import build_audit, write_audit_report

runner = CliRunner()
SRC = Path(__file__).resolve().parents[2] / "src/kechuang"
EXAMPLES = SRC / "index/examples"
YANGPU = SRC / "data/yangpu/index"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_pdf(pdf: Path, tmp_path: Path, *phrases: str) -> str:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    for phrase in phrases:
        assert phrase in text, phrase
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert any("CJK" in r for r in rows)
    assert all(" yes " in r for r in rows), "every font is embedded"
    subprocess.run(["pdftoppm", "-r", "24", "-gray", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 3
    for page in pages:
        with Image.open(page) as img:
            assert img.convert("L").getextrema()[0] < 128, f"{page.name} is blank"
    return text


@pytest.fixture(scope="module")
def asem_audit(ref_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("asem_audit")
    data = pd.read_csv(ref_dir / "ASEM_iData.csv")
    ext = pd.DataFrame({"uCode": data["uCode"], "GDPpc": data["GDP"] / data["Population"]})
    ext.to_csv(out / "external.csv", index=False)
    res = runner.invoke(app, ["index", "audit", str(ref_dir / "ASEM_iData.csv"), str(ref_dir / "ASEM_iMeta.csv"),
                              "--spec", str(EXAMPLES / "asem_variant_a.yaml"),
                              "--ua", str(EXAMPLES / "ua_coinr_vignette.yaml"), "--n", "64", "--seed", "3",
                              "--efficiency", "Sust:Conn", "--external", str(out / "external.csv"),
                              "--out", str(out / "report")], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "audit.html, audit.pdf, audit.xlsx, manifest.json" in res.output
    return out / "report"


def test_asem_audit_files_are_traced_to_the_inputs(asem_audit: Path, ref_dir: Path) -> None:
    manifest = json.loads((asem_audit / "manifest.json").read_text(encoding="utf-8"))
    for name, entry in manifest["files"].items():
        assert _sha(asem_audit / name) == entry["sha256"]
    assert _sha(ref_dir / "ASEM_iData.csv") in manifest["provenance"]["iData"]
    assert "N = 64，种子 3" in manifest["provenance"]["不确定性设定"]
    html = (asem_audit / "audit.html").read_text(encoding="utf-8")
    assert f'content="{manifest["content_sha256"]}"' in html
    wb = load_workbook(asem_audit / "audit.xlsx")
    info = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True) if r[0]}
    assert info["内容 SHA-256"] == manifest["content_sha256"]
    assert _sha(ref_dir / "ASEM_iMeta.csv") in info["iMeta"]


def test_asem_audit_workbook_has_every_table_with_numbers(asem_audit: Path, variant_a: object) -> None:
    wb = load_workbook(asem_audit / "audit.xlsx")
    names = wb.sheetnames
    for table in ("coherence", "coherence_long", "sibling_flags", "dimension_structure", "importance_L1",
                  "importance_L2", "importance_L3", "optimised_weights", "added_value", "dimension_removal",
                  "efficiency", "external_links", "uncertainty_ranks", "uncertainty_all"):
        assert any(n.endswith(f" {table}") for n in names), table
    sheet = wb[next(n for n in names if n.endswith(" optimised_weights"))]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    header, body = rows[0], {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert "OptWeight" in header
    assert body["Conn"]["OptWeight"] == pytest.approx(0.390244, abs=1e-3)  # COINr's get_opt_weights
    long = wb[next(n for n in names if n.endswith(" coherence_long"))]
    assert long.max_row - 3 == 49 * 3 + 8 * 2 + 2
    ratio = wb[next(n for n in names if n.endswith(" efficiency"))]
    cells = list(ratio.iter_rows(min_row=3, values_only=True))
    col = cells[0].index("Ratio")
    assert all(isinstance(r[col], float) for r in cells[1:]), "numbers stay numbers"


def test_asem_audit_pdf_and_html(asem_audit: Path, tmp_path: Path) -> None:
    text = _check_pdf(asem_audit / "audit.pdf", tmp_path, "统计审计报告", "统计一致性", "权重与重要性",
                      "相关性优化权重", "效率比", "与外部指标的关联", "不确定性分析", "0.390")
    assert "逐年变化审计" not in text, "a single year has no year-on-year section"
    html = (asem_audit / "audit.html").read_text(encoding="utf-8")
    assert html.count("data:image/svg+xml;base64,") == 3  # importance, added value, rank intervals, as SVG
    assert 'data-table="importance_L1"' in html and "GDPpc" in html


def test_yangpu_audit_over_time(tmp_path: Path) -> None:
    files = write_audit_report(YANGPU / "demo_iData.csv", YANGPU / "iMeta.csv", YANGPU / "spec.yaml",
                               YANGPU / "uncertainty.yaml", tmp_path / "yp", n=64, seed=1, survey_se=0.02)
    assert [p.name for p in files] == ["audit.html", "audit.pdf", "audit.xlsx", "manifest.json"]
    text = _check_pdf(files[1], tmp_path, "逐年变化审计", "比上一年上升的概率", "演示数据", "基期")
    assert "合并各年" in text, "5 units a year: cross-sectional statistics pool the unit-years"
    wb = load_workbook(files[2])
    sheet = wb[next(n for n in wb.sheetnames if n.endswith(" yoy_all"))]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    assert set(frame["code"]) == {"YPI", "Elem", "Env", "Outp", "Infl"}
    p = frame["P_rise"].astype(float)
    assert ((p >= 0) & (p <= 1)).all()
    assert (frame["Q05"].astype(float) <= frame["Q95"].astype(float) + 1e-12).all()
    assert frame["Runs"].eq(64).all()
    assert len(frame) == 5 * 5 * 11  # 5 codes × 5 units × 11 year-on-year changes
    html = files[0].read_text(encoding="utf-8")
    assert "调查抽样误差的影响：10 项调查类指标" in html  # the 10 indicators of DataType S in iMeta
    assert "调查抽样误差" in text
    survey = wb[next(n for n in wb.sheetnames if n.endswith(" yoy_survey_all"))]
    assert survey.max_row - 3 == 5 * 5 * 11


def test_same_inputs_same_content_hash(ref_dir: Path) -> None:
    args = (ref_dir / "ASEM_iData.csv", ref_dir / "ASEM_iMeta.csv", EXAMPLES / "asem_variant_a.yaml", None)
    assert build_audit(*args).content_sha256 == build_audit(*args).content_sha256


def test_bad_inputs_exit_with_their_location(ref_dir: Path, tmp_path: Path) -> None:
    data = pd.read_csv(ref_dir / "ASEM_iData.csv")
    data.loc[3, "Goods"] = np.inf
    data.to_csv(tmp_path / "iData.csv", index=False)
    base = ["index", "audit", str(tmp_path / "iData.csv"), str(ref_dir / "ASEM_iMeta.csv"), "--spec",
            str(EXAMPLES / "asem_variant_a.yaml"), "--out", str(tmp_path / "out")]
    res = runner.invoke(app, base, env={"COLUMNS": "200"})
    assert res.exit_code == 2
    assert "iData.csv row 5 column Goods: inf is not a finite number" in res.output
    res = runner.invoke(app, [*base[:2], str(ref_dir / "ASEM_iData.csv"), *base[3:], "--efficiency", "Sust"],
                        env={"COLUMNS": "200"})
    assert res.exit_code == 2 and "NUMERATOR:DENOMINATOR" in res.output
    assert not (tmp_path / "out").exists()
