"""Reading and validating iData / iMeta: every defect names the file, row, column and reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kechuang.index.io import IndexInputError, read_idata, read_imeta, validate_idata, validate_imeta


@pytest.fixture()
def meta_csv(ref_dir: Path) -> pd.DataFrame:
    return pd.read_csv(ref_dir / "ASEM_iMeta.csv", dtype=str)


@pytest.fixture()
def data_csv(ref_dir: Path) -> pd.DataFrame:
    return pd.read_csv(ref_dir / "ASEM_iData.csv")


def write(tmp_path: Path, frame: pd.DataFrame, name: str) -> Path:
    path = tmp_path / name
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


def meta_error(tmp_path: Path, meta: pd.DataFrame) -> IndexInputError:
    with pytest.raises(IndexInputError) as info:
        read_imeta(write(tmp_path, meta, "ASEM_iMeta.csv"))
    return info.value


def test_reads_reference_inputs(asem_meta: pd.DataFrame, asem_data: pd.DataFrame) -> None:
    assert (asem_meta["Type"] == "Indicator").sum() == 49
    assert asem_data.shape == (51, 60)
    assert asem_data["uCode"].is_unique
    assert asem_data["Time"].dtype == np.int64


def test_wrong_parent_names_file_row_column_and_reason(tmp_path: Path, meta_csv: pd.DataFrame) -> None:
    meta_csv.loc[10, "Parent"] = "Foo"  # spreadsheet row 12 (header is row 1)
    err = meta_error(tmp_path, meta_csv)
    assert str(err) == "ASEM_iMeta.csv row 12 column Parent: 'Foo' is not an iCode of level 2"
    assert (err.source, err.row, err.column) == ("ASEM_iMeta.csv", 12, "Parent")


def test_parent_at_wrong_level_is_refused(tmp_path: Path, meta_csv: pd.DataFrame) -> None:
    meta_csv.loc[0, "Parent"] = "Conn"
    assert str(meta_error(tmp_path, meta_csv)) == (
        "ASEM_iMeta.csv row 2 column Parent: 'Conn' is not an iCode of level 2"
    )


@pytest.mark.parametrize(
    ("row", "column", "value", "message"),
    [
        (3, "iCode", "LPI", "row 5 column iCode: duplicate iCode 'LPI' (first at row 2)"),
        (0, "Direction", "0", "row 2 column Direction: Direction must be -1 or 1, got 0"),
        (1, "Weight", "-1", "row 3 column Weight: Weight must be a number >= 0, got -1"),
        (1, "Weight", "abc", "row 3 column Weight: 'abc' is not a number"),
        (2, "Level", "2", "row 4 column Level: an Indicator must have Level 1, got 2"),
        (2, "Type", "Indictor", "row 4 column Type: 'Indictor' is not a valid Type"),
        (1, "Denominator", "GDP_group", "row 3 column Denominator: 'GDP_group' is not an iCode of Type Denominator"),
        (59, "Parent", "Sust", "row 61 column Parent: 'Index' is at the top level 4 and cannot have a parent"),
    ],
)
def test_imeta_defects(tmp_path: Path, meta_csv: pd.DataFrame, row: int, column: str, value: str, message: str) -> None:
    meta_csv.loc[row, column] = value
    assert str(meta_error(tmp_path, meta_csv)).startswith(f"ASEM_iMeta.csv {message}")


def test_aggregate_without_children(tmp_path: Path, meta_csv: pd.DataFrame) -> None:
    meta_csv = meta_csv[meta_csv["Parent"] != "Political"]  # drops 3 indicator rows above it
    assert str(meta_error(tmp_path, meta_csv)) == (
        "ASEM_iMeta.csv row 50 column iCode: aggregate 'Political' has no children"
    )


def test_missing_required_column(tmp_path: Path, meta_csv: pd.DataFrame) -> None:
    assert str(meta_error(tmp_path, meta_csv.drop(columns="Weight"))) == (
        "ASEM_iMeta.csv column Weight: required column is missing"
    )


def test_missing_indicator_column_in_idata(tmp_path: Path, asem_meta: pd.DataFrame, data_csv: pd.DataFrame) -> None:
    path = write(tmp_path, data_csv.drop(columns="Goods"), "ASEM_iData.csv")
    with pytest.raises(IndexInputError) as info:
        read_idata(path, asem_meta)
    assert str(info.value) == "ASEM_iData.csv column Goods: missing (iMeta row 10 declares Indicator 'Goods')"


def test_non_numeric_cell_in_idata(tmp_path: Path, asem_meta: pd.DataFrame, data_csv: pd.DataFrame) -> None:
    data_csv["Flights"] = data_csv["Flights"].astype(object)
    data_csv.loc[6, "Flights"] = "n/a?"
    with pytest.raises(IndexInputError) as info:
        read_idata(write(tmp_path, data_csv, "ASEM_iData.csv"), asem_meta)
    assert str(info.value) == "ASEM_iData.csv row 8 column Flights: 'n/a?' is not a number"


def test_undeclared_column_in_idata(asem_meta: pd.DataFrame, data_csv: pd.DataFrame) -> None:
    data_csv["Extra"] = 1.0
    with pytest.raises(IndexInputError, match=r"^iData column Extra: not declared in iMeta"):
        validate_idata(data_csv, asem_meta)


def test_duplicate_unit(asem_meta: pd.DataFrame, data_csv: pd.DataFrame) -> None:
    data_csv.loc[5, "uCode"] = data_csv.loc[1, "uCode"]
    with pytest.raises(IndexInputError) as info:
        validate_idata(data_csv, asem_meta, "ASEM_iData.csv")
    assert str(info.value) == "ASEM_iData.csv row 7 column uCode: duplicate unit-year 'BEL 2018' (first at row 3)"


def test_duplicate_unit_without_time(asem_meta: pd.DataFrame, data_csv: pd.DataFrame) -> None:
    data_csv = data_csv.drop(columns="Time")
    data_csv.loc[5, "uCode"] = data_csv.loc[1, "uCode"]
    with pytest.raises(IndexInputError, match=r"row 7 column uCode: duplicate unit 'BEL' \(first at row 3\)"):
        validate_idata(data_csv, asem_meta)


def test_panel_is_unique_by_unit_and_year(asem_panel: pd.DataFrame) -> None:
    assert not asem_panel.duplicated(["uCode", "Time"]).any()
    assert asem_panel["uCode"].duplicated().any()


def test_time_must_be_integer(asem_meta: pd.DataFrame, data_csv: pd.DataFrame) -> None:
    data_csv["Time"] = data_csv["Time"].astype(float)
    data_csv.loc[2, "Time"] = 2018.5
    with pytest.raises(IndexInputError, match=r"row 4 column Time: Time must be an integer"):
        validate_idata(data_csv, asem_meta)


def test_xlsx_inputs(tmp_path: Path, meta_csv: pd.DataFrame, data_csv: pd.DataFrame) -> None:
    meta = read_imeta(write(tmp_path, meta_csv, "meta.xlsx"))
    data = read_idata(write(tmp_path, data_csv, "data.xlsx"), meta)
    assert data.shape == (51, 60)
    meta_csv.loc[10, "Parent"] = "Foo"
    with pytest.raises(IndexInputError, match=r"^meta\.xlsx row 12 column Parent: 'Foo' is not an iCode of level 2$"):
        read_imeta(write(tmp_path, meta_csv, "meta.xlsx"))


def test_unsupported_file_type(tmp_path: Path) -> None:
    path = tmp_path / "meta.json"
    path.write_text("{}")
    with pytest.raises(IndexInputError, match=r"^meta\.json: unsupported file type '\.json'"):
        read_imeta(path)


def test_validation_is_idempotent(asem_meta: pd.DataFrame, asem_data: pd.DataFrame) -> None:
    again = validate_idata(asem_data, validate_imeta(asem_meta))
    pd.testing.assert_frame_equal(again, asem_data)


@pytest.mark.parametrize(("value", "shown"), [("inf", "inf"), ("-inf", "-inf"), ("Infinity", "inf")])
def test_infinite_cell_in_idata_is_refused_where_it_is(tmp_path: Path, asem_meta: pd.DataFrame,
                                                       data_csv: pd.DataFrame, value: str, shown: str) -> None:
    data_csv["Goods"] = data_csv["Goods"].astype(object)
    data_csv.loc[4, "Goods"] = value  # spreadsheet row 6
    with pytest.raises(IndexInputError) as info:
        read_idata(write(tmp_path, data_csv, "ASEM_iData.csv"), asem_meta)
    assert str(info.value) == (
        f"ASEM_iData.csv row 6 column Goods: {shown} is not a finite number (leave the cell empty for a missing value)"
    )
    assert (info.value.row, info.value.column) == (6, "Goods")


def test_infinite_float_in_a_frame_is_refused(asem_meta: pd.DataFrame, data_csv: pd.DataFrame) -> None:
    data_csv.loc[2, "Area"] = -np.inf  # a denominator column of float dtype, already numeric
    with pytest.raises(IndexInputError, match=r"^iData row 4 column Area: -inf is not a finite number"):
        validate_idata(data_csv, asem_meta)
    data_csv.loc[2, "Area"] = np.nan  # control: a missing value is fine
    assert np.isnan(validate_idata(data_csv, asem_meta).loc[2, "Area"])


def test_infinite_cell_in_imeta_is_refused(tmp_path: Path, meta_csv: pd.DataFrame) -> None:
    meta_csv.loc[0, "Target"] = "inf"
    assert str(meta_error(tmp_path, meta_csv)).startswith(
        "ASEM_iMeta.csv row 2 column Target: inf is not a finite number"
    )


def test_children_weighing_zero_are_refused_at_the_parent(tmp_path: Path, meta_csv: pd.DataFrame) -> None:
    political = meta_csv["Parent"] == "Political"  # Embs, IGOs, UNVote: spreadsheet rows 15-17
    meta_csv.loc[political, "Weight"] = "0"
    err = meta_error(tmp_path, meta_csv)
    assert str(err) == (
        "ASEM_iMeta.csv row 53 column Weight: the weights of the children of 'Political' (Embs, IGOs, UNVote; "
        "rows 15, 16, 17) sum to 0, so it cannot be aggregated"
    )
    meta_csv.loc[meta_csv["iCode"] == "Embs", "Weight"] = "0.5"  # control: one child with a weight is enough
    read_imeta(write(tmp_path, meta_csv, "ASEM_iMeta.csv"))
