"""The Yangpu index data files (src/kechuang/data/yangpu/index) against the public reference files.

Reference: tests/fixtures/reference/yangpu, a copy of ../shared/reference/yangpu (published_figures.csv,
named_indicators.csv,
index_structure_proposal.csv) and the plan text tests/fixtures/seed/000_493cfe87ad3832fb.txt.
"""

from __future__ import annotations

import csv
import math
import re
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / "tests" / "fixtures"
REF = SHARED / "reference" / "yangpu"
PLAN = SHARED / "seed" / "000_493cfe87ad3832fb.txt"
DATA = REPO / "src" / "kechuang" / "data" / "yangpu" / "index"
PLAN_NO = "杨府发〔2021〕3号"
STATUSES = {"confirmed", "reported", "proposed"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _lines(path: Path) -> dict[int, dict[str, str]]:
    """Data rows keyed by their line number in the file (header = line 1)."""
    return {i: row for i, row in enumerate(_rows(path), start=2)}


def _round(x: float, decimals: int) -> str:
    return str(Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


@pytest.fixture(scope="module")
def meta() -> list[dict[str, str]]:
    return _rows(DATA / "iMeta.csv")


@pytest.fixture(scope="module")
def proposal() -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in _rows(REF / "index_structure_proposal.csv")}


@pytest.fixture(scope="module")
def published() -> list[dict[str, str]]:
    return _rows(DATA / "published.csv")


@pytest.fixture(scope="module")
def ref_figures() -> dict[int, dict[str, str]]:
    return _lines(REF / "published_figures.csv")


@pytest.fixture(scope="module")
def plan_text() -> str:
    return PLAN.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def idata() -> list[dict[str, str]]:
    return _rows(DATA / "demo_iData.csv")


@pytest.fixture(scope="module")
def sources() -> list[dict[str, str]]:
    return _rows(DATA / "demo_sources.csv")


# ---------------------------------------------------------------- iMeta.csv


def test_imeta_has_4_dimensions_11_second_level_30_indicators_and_one_index(meta):
    by_level = {lev: [r for r in meta if r["Level"] == str(lev)] for lev in (1, 2, 3, 4)}
    assert [len(by_level[lev]) for lev in (1, 2, 3, 4)] == [30, 11, 4, 1]
    assert len(meta) == 46
    assert {r["Type"] for r in by_level[1]} == {"Indicator"}
    assert {r["Type"] for lev in (2, 3, 4) for r in by_level[lev]} == {"Aggregate"}
    assert by_level[4][0]["iCode"] == "YPI" and by_level[4][0]["Parent"] == ""


def test_imeta_codes_are_short_ascii_and_unique(meta):
    codes = [r["iCode"] for r in meta]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,9}", code), code


def test_imeta_every_parent_exists_one_level_up(meta):
    level = {r["iCode"]: int(r["Level"]) for r in meta}
    for r in meta:
        if r["iCode"] == "YPI":
            continue
        assert r["Parent"] in level, r
        assert level[r["Parent"]] == int(r["Level"]) + 1, r
    children = {r["Parent"] for r in meta}
    assert all(r["iCode"] in children for r in meta if r["Type"] == "Aggregate")


def test_imeta_equal_weights_positive_directions_and_data_types(meta):
    for r in meta:
        assert float(r["Weight"]) == 1.0, r
        assert r["Direction"] == "1", r
        if r["Level"] == "1":
            assert r["DataType"] in {"O", "S", "B"}, r
            assert r["Unit"], r
        else:
            assert r["DataType"] == "", r


def test_imeta_status_is_carried_over_from_the_proposal(meta, proposal):
    by_pid = {r["ProposalID"]: r for r in meta if r["ProposalID"]}
    assert set(by_pid) == set(proposal), "every proposal node exactly once"
    level = {"1": "3", "2": "2", "3": "1"}
    for pid, ref in proposal.items():
        row = by_pid[pid]
        assert row["Status"] in STATUSES
        assert row["Status"] == re.match(r"(confirmed|reported|proposed)", ref["status"]).group(1), pid
        assert row["StatusDetail"] == ref["status"], pid
        assert row["iName"] == ref["name_zh"], pid
        assert row["iName_en"] == ref["name_en"], pid
        assert row["Evidence"] == ref["evidence_or_reasoning"], pid
        assert row["EvidenceURL"] == ref["source_url"], pid
        assert row["DataType"] == ref["type_S_survey_B_bigdata_O_objective"], pid
        assert row["Level"] == level[ref["level"]], pid
        parent = next(r for r in meta if r["iCode"] == row["Parent"])
        assert parent["ProposalID"] == ref["parent"] or (ref["parent"] == "" and parent["iCode"] == "YPI"), pid
    top = next(r for r in meta if r["iCode"] == "YPI")
    assert top["Status"] == "confirmed" and PLAN_NO in top["EvidenceURL"]


def test_imeta_is_read_by_the_engine(meta):
    from kechuang.index import io
    from kechuang.index.structure import Structure

    structure = Structure.from_meta(io.read_imeta(DATA / "iMeta.csv"))
    assert [len(structure.at_level(lev)) for lev in (1, 2, 3, 4)] == [30, 11, 4, 1]


# ---------------------------------------------------------------- published.csv


def test_every_reference_figure_is_in_published_csv_unchanged(published, ref_figures):
    carried = [r for r in published if r["ref"].startswith("published_figures.csv line ")]
    lines = [int(r["ref"].rsplit(" ", 1)[1]) for r in carried]
    assert sorted(lines) == sorted(ref_figures), "each reference line exactly once"
    for row, line in zip(carried, lines, strict=True):
        ref = ref_figures[line]
        for column in ("series", "data_year", "measure", "value", "unit", "yoy_growth_pct", "source_url",
                       "report_release"):
            assert row[column] == ref[column], (line, column)
        assert row["version_label"] == ref["version"], line
        # the reference marks computed values with "derived" in the note; only 'composite (implied)' rows are
        # values that were computed (the CAGR row is a published rate that merely mentions a derived level)
        assert row["derived"] == ("true" if ref["measure"].endswith("(implied)") else "false"), line


def test_published_csv_derived_rows_are_flagged_and_reproducible(published, ref_figures):
    assert {r["derived"] for r in published} == {"true", "false"}
    for row in published:
        if not row["ref"].startswith("derived from "):
            continue
        assert row["derived"] == "true" and row["derivation"], row
        ref = ref_figures[int(row["ref"].rsplit(" ", 1)[1])]
        if ref["measure"] == "composite CAGR since 2013":
            assert row["value"] == _round(100 * (1 + float(ref["value"]) / 100) ** 5, 1) == "228.8"
            continue
        growth = float(ref["yoy_growth_pct"])
        expected = _round(float(ref["value"]) / (1 + growth / 100), _decimals(ref["value"]))
        assert row["value"] == expected, row
        assert int(row["data_year"]) == int(ref["data_year"]) - 1
        assert row["source_url"] == ref["source_url"] and row["series"] == ref["series"]


def test_published_csv_derived_values_agree_with_the_named_indicator_reference(published):
    named = [r for r in _rows(REF / "named_indicators.csv") if r["note"].startswith("DERIVED")]
    assert named
    derived = {(r["iCode"] or r["measure"], r["data_year"]): r for r in published if r["derived"] == "true"}
    for ref in named:
        hits = [r for (code, year), r in derived.items() if year == ref["year"] and r["value"] == ref["value"]]
        assert hits, f"named_indicators DERIVED {ref['indicator_zh']} {ref['year']} = {ref['value']} missing"


def test_published_csv_plan_text_figures(published, plan_text):
    plan_rows = [r for r in published if r["ref"] == "plan text" or r["source_url"].startswith("plan text")]
    assert plan_rows
    for row in plan_rows:
        assert PLAN_NO in row["source_url"], row
        assert row["quote"] and row["quote"] in plan_text, row
        assert row["value"] in row["quote"], row
        assert row["derived"] == "false"
    hits = [
        r for r in published
        if r["series"].startswith("Yangpu") and r["data_year"] == "2019" and r["measure"] == "composite"
    ]
    assert len(hits) == 1
    (row,) = hits
    assert (row["value"], row["iCode"], row["version"], row["derived"]) == ("261.4", "YPI", "1.0", "false")
    assert PLAN_NO in row["source_url"]


def test_published_csv_codes_versions_and_editions(published, meta):
    codes = {r["iCode"] for r in meta}
    for row in published:
        # every row is a reference row, a value derived from one, or a plan-text figure (all tested above)
        assert re.fullmatch(r"(derived from )?published_figures\.csv line \d+|plan text", row["ref"]), row
        assert row["iCode"] == "" or row["iCode"] in codes, row
        if row["iCode"] and row["series"] != "Yangpu indicator":
            assert row["series"].startswith("Yangpu"), row  # other Shanghai indices are not mapped to YPI
        if row["series"].startswith("Yangpu") and row["series"] != "Yangpu indicator":
            assert row["version"] in {"1.0", "2.0"}, row
        assert row["edition"], row
        assert row["derived"] in {"true", "false"}
        assert math.isfinite(float(row["value"]))
    # one published value per (series, measure, data year, edition)
    keys = [(r["series"], r["measure"], r["data_year"], r["edition"]) for r in published]
    assert len(keys) == len(set(keys))


# ---------------------------------------------------------------- demo_iData.csv / demo_sources.csv


def test_demo_idata_layout(idata, meta):
    indicators = [r["iCode"] for r in meta if r["Level"] == "1"]
    assert list(idata[0]) == ["uCode", "uName", "Time", *indicators]
    units = sorted({r["uCode"] for r in idata})
    assert "YP" in units and len(units) >= 3
    for r in idata:
        assert "演示" in r["uName"], r["uName"]  # every unit visibly labelled demo
        assert r["uCode"] == "YP" or r["uCode"].startswith("DEMO_")
        for code in indicators:
            assert float(r[code]) > 0, (r["uCode"], r["Time"], code)
    for unit in units:
        years = sorted(int(r["Time"]) for r in idata if r["uCode"] == unit)
        assert years == list(range(2013, 2025)), unit


def test_every_demo_cell_has_exactly_one_source_row(idata, sources, meta):
    indicators = [r["iCode"] for r in meta if r["Level"] == "1"]
    cells = {(r["uCode"], r["Time"], c): r[c] for r in idata for c in indicators}
    keys = [(s["uCode"], s["Time"], s["iCode"]) for s in sources]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(cells)
    for s in sources:
        assert s["value"] == cells[(s["uCode"], s["Time"], s["iCode"])], s
        assert s["status"] in {"published", "derived", "demo"}, s
        if s["status"] == "demo":
            assert "演示数据" in s["source"] and "演示数据" in s["note"], s
        else:
            assert s["uCode"] == "YP", s
            assert s["source"] and s["ref"], s


def test_published_cells_match_the_reference_files(sources, ref_figures, plan_text):
    real = [s for s in sources if s["status"] != "demo"]
    assert real
    for s in real:
        if s["ref"] == "plan text":
            assert s["status"] == "published"
            assert PLAN_NO in s["source"] and s["quote"] in plan_text and s["value"] in s["quote"], s
            continue
        m = re.fullmatch(r"(derived from )?published_figures\.csv line (\d+)", s["ref"])
        assert m, s
        ref = ref_figures[int(m.group(2))]
        assert s["source"] == ref["source_url"], s
        if s["status"] == "published":
            assert m.group(1) is None
            assert (s["value"], s["Time"]) == (ref["value"], ref["data_year"]), s
        else:
            assert m.group(1) is not None
            assert int(s["Time"]) == int(ref["data_year"]) - 1
            expected = float(ref["value"]) / (1 + float(ref["yoy_growth_pct"]) / 100)
            assert s["value"] == _round(expected, _decimals(ref["value"])), s


def test_every_published_indicator_value_is_used(sources, published):
    used = {(s["iCode"], s["Time"]): s for s in sources if s["uCode"] == "YP" and s["status"] != "demo"}
    anchors = [r for r in published if r["series"] == "Yangpu indicator" and r["iCode"]]
    assert len(used) == len(anchors)
    for r in anchors:
        s = used[(r["iCode"], r["data_year"])]
        assert s["value"] == r["value"] and s["source"] == r["source_url"]
        assert s["status"] == ("derived" if r["derived"] == "true" else "published")


@pytest.mark.parametrize(
    ("code", "year", "value", "where"),
    [
        ("PatInv", "2016", "59.36", "http://dtymj.cn/dzxwzx/13401.html"),
        ("PatInv", "2020", "99.04", PLAN_NO),
        ("HTE", "2020", "973", PLAN_NO),
        ("HTE", "2023", "1300", "http://www.whcxxg.com/xwzx/hyxw/1529.html"),
        ("CarArea", "2016", "162.3", "http://dtymj.cn/dzxwzx/13401.html"),
    ],
)
def test_known_published_values_appear_as_published(sources, meta, code, year, value, where):
    assert code in {r["iCode"] for r in meta if r["Level"] == "1"}
    (cell,) = [s for s in sources if (s["uCode"], s["iCode"], s["Time"]) == ("YP", code, year)]
    assert (cell["value"], cell["status"]) == (value, "published")
    assert where in cell["source"]


def test_make_demo_regenerates_the_files_byte_for_byte(tmp_path):
    result = subprocess.run(
        [sys.executable, str(DATA / "make_demo.py"), "--out", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    for name in ("demo_iData.csv", "demo_sources.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
    check = subprocess.run([sys.executable, str(DATA / "make_demo.py"), "--check"], capture_output=True)
    assert check.returncode == 0


def test_demo_idata_is_read_by_the_engine():
    from kechuang.index import io
    meta = io.read_imeta(DATA / "iMeta.csv")
    data = io.read_idata(DATA / "demo_iData.csv", meta)
    assert len(data) == 60


# ---------------------------------------------------------------- spec.yaml, README.md


def test_spec_is_a_base_year_index_with_arithmetic_means():
    spec = yaml.safe_load((DATA / "spec.yaml").read_text(encoding="utf-8"))
    steps = {s["step"]: s for s in spec["steps"]}
    assert steps["normalise"]["method"] == "n_base_year"
    assert steps["normalise"]["params"] == {"base_year": 2013, "scale": 100}
    assert steps["aggregate"]["method"] == "a_amean"
    assert spec["steps"][-1]["step"] == "aggregate"


def test_spec_is_accepted_by_the_engine():
    from kechuang.index.io import read_idata, read_imeta
    from kechuang.index.spec import load_spec, validate_against

    spec = load_spec(DATA / "spec.yaml")
    meta = read_imeta(DATA / "iMeta.csv")
    validate_against(spec, meta, read_idata(DATA / "demo_iData.csv", meta))


def test_readme_labels_demo_data():
    text = (DATA / "README.md").read_text(encoding="utf-8")
    for word in ("演示数据", "demo", "published", "reconstruction", PLAN_NO):
        assert word in text, word


def test_engine_builds_the_demo_index_with_2013_equal_100():
    from kechuang.index.io import read_idata, read_imeta
    from kechuang.index.pipeline import build

    meta = read_imeta(DATA / "iMeta.csv")
    result = build(read_idata(DATA / "demo_iData.csv", meta), meta, DATA / "spec.yaml")
    scores = result.scores
    base = scores[scores["Time"] == 2013]
    for code in ("YPI", "Elem", "Env", "Outp", "Infl"):
        assert (base[code] - 100).abs().max() < 1e-9, code
    assert scores["YPI"].notna().all()
