"""Writing a build's tables: CSV and Parquet read back bit for bit (hypothesis-generated doubles and the
ASEM build), the header and text quoted only when needed, and the command's ``--format``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.csv as pa_csv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kechuang.cli import app
from kechuang.index.output import result_tables, write_result, write_table
from kechuang.index.pipeline import Result

doubles = st.floats(allow_nan=True, allow_infinity=True, width=64)
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from([",", '"', "\n", "杨"]),
                min_size=1, max_size=12)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal as IEEE-754 doubles, bit for bit (−0.0 ≠ 0.0), any NaN equal to any NaN."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    nan = np.isnan(a) & np.isnan(b)
    return a.shape == b.shape and bool(((a.view(np.int64) == b.view(np.int64)) | nan).all())


def _read_csv(path: Path, floats: list[str]) -> pd.DataFrame:
    """Read as a user would (pandas parses doubles exactly), with only empty fields as missing."""
    return pd.read_csv(path, dtype={"uCode": "str", "iCode": "str"} | {c: "float64" for c in floats},
                       keep_default_na=False, na_values={c: [""] for c in floats})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), rows=st.integers(1, 30))
def test_every_bit_survives_csv_and_parquet(tmp_path: Path, data: st.DataObject, rows: int) -> None:
    frame = pd.DataFrame({
        "uCode": data.draw(st.lists(texts, min_size=rows, max_size=rows)),
        "Time": data.draw(st.lists(st.integers(1900, 2100), min_size=rows, max_size=rows)),
        "x": data.draw(st.lists(doubles, min_size=rows, max_size=rows)),
        "y": data.draw(st.lists(doubles, min_size=rows, max_size=rows)),
    })
    back = _read_csv(write_table(frame, tmp_path / "t.csv"), ["x", "y"])
    assert list(back["uCode"]) == list(frame["uCode"]) and list(back["Time"]) == list(frame["Time"])
    assert _same_bits(back["x"].to_numpy(), frame["x"].to_numpy())
    assert _same_bits(back["y"].to_numpy(), frame["y"].to_numpy())
    parquet = pd.read_parquet(write_table(frame, tmp_path / "t.parquet", "parquet"))
    assert _same_bits(parquet["x"].to_numpy(), frame["x"].to_numpy()) and list(parquet["uCode"]) == list(
        frame["uCode"])


def test_the_bit_check_catches_lost_digits(tmp_path: Path) -> None:
    """Control: 15 significant digits, as a spreadsheet shows them, do not pass the same check."""
    x = np.array([0.1 + 0.2, 1 / 3, np.pi])
    frame = pd.DataFrame({"x": x})
    frame.to_csv(tmp_path / "short.csv", index=False, float_format="%.15g")
    assert not _same_bits(_read_csv(tmp_path / "short.csv", ["x"])["x"].to_numpy(), x)
    assert _same_bits(_read_csv(write_table(frame, tmp_path / "full.csv"), ["x"])["x"].to_numpy(), x)
    assert (tmp_path / "full.csv").read_text() == "x\n0.30000000000000004\n0.3333333333333333\n3.141592653589793\n"


def test_quotes_only_when_a_field_needs_them(tmp_path: Path) -> None:
    plain = write_table(pd.DataFrame({"uCode": ["AUT", "BEL"], "v": [1.5, np.nan]}), tmp_path / "plain.csv")
    assert plain.read_text() == "uCode,v\nAUT,1.5\nBEL,\n"
    comma = write_table(pd.DataFrame({"uCode": ["A,B", "C"], "v": [1.5, 2.5]}), tmp_path / "comma.csv")
    assert comma.read_text() == '"uCode","v"\n"A,B",1.5\n"C",2.5\n'
    assert list(pd.read_csv(comma)["uCode"]) == ["A,B", "C"]


def test_asem_build_written_and_read_back_bit_for_bit(variant_a: Result, tmp_path: Path) -> None:
    files = write_result(variant_a, tmp_path / "csv")
    assert [p.name for p in files][:7] == ["01_Raw.csv", "02_Denominated.csv", "03_Imputed.csv", "04_Screened.csv",
                                           "05_Treated.csv", "06_Normalised.csv", "07_Aggregated.csv"]
    write_result(variant_a, tmp_path / "parquet", "parquet")
    for stem, frame in result_tables(variant_a).items():
        floats = [c for c in frame.columns if frame[c].dtype == np.float64]
        assert floats or stem in ("results_ranks", "treat_details")
        csv = _read_csv(tmp_path / "csv" / f"{stem}.csv", floats)
        parquet = pd.read_parquet(tmp_path / "parquet" / f"{stem}.parquet")
        assert list(csv.columns) == list(frame.columns) == list(parquet.columns)
        for c in floats:
            assert _same_bits(csv[c].to_numpy(), frame[c].to_numpy()), (stem, c)
            assert _same_bits(parquet[c].to_numpy(), frame[c].to_numpy()), (stem, c)
    ranks = pa_csv.read_csv(tmp_path / "csv" / "results_ranks.csv").to_pandas()
    assert ranks.set_index("uCode")["Index"].equals(variant_a.ranks.set_index("uCode")["Index"].astype("int64"))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_index_build_writes_the_format_asked_for(ref_dir: Path, tmp_path: Path, fmt: str) -> None:
    spec = Path(__file__).resolve().parents[2] / "src/kechuang/index/examples/asem_variant_a.yaml"
    res = CliRunner().invoke(app, ["index", "build", str(ref_dir / "ASEM_iData.csv"), str(ref_dir / "ASEM_iMeta.csv"),
                                   "--spec", str(spec), "--out", str(tmp_path), "--format", fmt])
    assert res.exit_code == 0, res.output
    assert "12 files" in res.output
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [f".{fmt}"] * 11 + [".yaml"]


def test_index_build_refuses_an_unknown_format(ref_dir: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["index", "build", str(ref_dir / "ASEM_iData.csv"), str(ref_dir / "ASEM_iMeta.csv"),
                                   "--spec", "x.yaml", "--out", str(tmp_path / "o"), "--format", "xlsx"])
    assert res.exit_code == 2 and "--format 'xlsx': expected one of csv, parquet" in res.output
    assert not (tmp_path / "o").exists()
