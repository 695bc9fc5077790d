"""Reading and validating COINr-style iData and iMeta tables (CSV or XLSX).

iMeta: one row per indicator, aggregate, group, denominator or other column, with columns ``iCode``,
``iName``, ``Level`` (1 = indicator … N = index), ``Parent`` (an iCode at ``Level + 1``), ``Direction``
(+1 / −1), ``Weight`` (relative within the parent, ≥ 0) and ``Type`` (Indicator / Aggregate / Group /
Denominator / Other); optional ``Unit``, ``Target``, ``Denominator`` (the denominator iCode dividing an
indicator) and goalpost columns (``GPLower``, ``GPUpper``).

iData: one row per unit (or unit-year): ``uCode``, optional ``uName``, optional ``Time``, then one column per
Group, Denominator, Other and Indicator iCode of iMeta.

Every defect raises :class:`IndexInputError` naming the file, the row (spreadsheet numbering, header = 1),
the column and the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from kechuang.index.errors import IndexInputError

__all__ = [
    "IndexInputError",
    "read_table",
    "read_imeta",
    "read_idata",
    "validate_imeta",
    "validate_idata",
]

META_REQUIRED = ("iCode", "iName", "Level", "Parent", "Direction", "Weight", "Type")
META_TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
META_NUMERIC = ("Level", "Direction", "Weight", "Target")
GOALPOST_COLUMNS = ("GPLower", "GPUpper")
RESERVED = ("uCode", "uName", "Time")
_TEXT_COLUMNS = ("iCode", "iName", "Parent", "Type", "Unit", "Denominator", "uCode", "uName")


def _row(pos: int) -> int:
    """Spreadsheet row number of the data row at 0-based position ``pos`` (header is row 1)."""
    return pos + 2


def read_table(path: str | Path, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV (``.csv``) or Excel (``.xlsx``/``.xlsm``) table, keeping code columns as text."""
    path = Path(path)
    suffix = path.suffix.lower()
    dtypes = dict.fromkeys(_TEXT_COLUMNS, "str")
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=dtypes)
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=dtypes)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise IndexInputError(path.name, f"cannot be read: {exc}") from exc
    raise IndexInputError(path.name, f"unsupported file type '{suffix}' (use .csv or .xlsx)")


def _blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, float) and np.isnan(value))
        or (isinstance(value, str) and value.strip() == "")
        or value is pd.NA
    )


def _numeric(frame: pd.DataFrame, column: str, source: str) -> pd.Series:
    """Column as float64; a cell that is not blank and not a number raises :class:`IndexInputError`."""
    col = frame[column]
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return _finite(col.astype(float), column, source)
    coerced = pd.to_numeric(col.astype(object).where(~col.map(_blank), np.nan), errors="coerce")
    bad = coerced.isna().to_numpy() & ~col.map(_blank).to_numpy(dtype=bool)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise IndexInputError(source, f"{col.iloc[pos]!r} is not a number", row=_row(pos), column=column)
    return _finite(coerced.astype(float), column, source)


def _finite(col: pd.Series, column: str, source: str) -> pd.Series:
    """``col`` unchanged; an infinite cell (``inf``, ``-inf``) raises :class:`IndexInputError`.

    An infinite value would pass every later step silently (a min-max range of ∞ turns the whole column into 0
    or NaN), so it is refused where it is read. A missing value is left blank, never written as ``inf``.
    """
    values = col.to_numpy(dtype=float)
    infinite = np.isinf(values)
    if infinite.any():
        pos = int(np.flatnonzero(infinite)[0])
        sign = "-" if values[pos] < 0 else ""
        raise IndexInputError(
            source, f"{sign}inf is not a finite number (leave the cell empty for a missing value)",
            row=_row(pos), column=column,
        )
    return col


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """Column as stripped text with blanks as missing values."""
    return pd.Series([None if _blank(v) else str(v).strip() for v in frame[column].tolist()], index=frame.index,
                     dtype=object)


def _first_duplicate(keys: Iterable[object]) -> tuple[int, int] | None:
    seen: dict[object, int] = {}
    for pos, key in enumerate(keys):
        if key in seen:
            return seen[key], pos
        seen[key] = pos
    return None


def validate_imeta(meta: pd.DataFrame, source: str = "iMeta") -> pd.DataFrame:
    """Check an iMeta table and return it with typed columns (text codes, float numbers, int levels).

    Checks: required columns present; iCodes non-empty, unique and not reserved; Type valid; numeric
    columns numeric; for Indicator/Aggregate rows: integer Level ≥ 1 (1 for indicators, ≥ 2 for
    aggregates), Direction ∈ {−1, 1}, finite Weight ≥ 0, Parent an Aggregate iCode of level Level + 1
    (empty at the top level); every aggregate has a child and its children's weights do not all equal 0;
    no cell of a numeric column is infinite; Denominator entries name Denominator rows.
    """
    for column in META_REQUIRED:
        if column not in meta.columns:
            raise IndexInputError(source, "required column is missing", column=column)
    meta = meta.reset_index(drop=True)
    for column in ("iCode", "iName", "Parent", "Type") + tuple(c for c in ("Unit", "Denominator") if c in meta.columns):
        meta[column] = _text(meta, column)
    numeric = [c for c in META_NUMERIC + GOALPOST_COLUMNS if c in meta.columns]
    for column in numeric:
        meta[column] = _numeric(meta, column, source)

    codes = meta["iCode"].tolist()
    for pos, code in enumerate(codes):
        if code is None:
            raise IndexInputError(source, "iCode is empty", row=_row(pos), column="iCode")
        if code in RESERVED:
            raise IndexInputError(source, f"'{code}' is reserved for iData identifiers", row=_row(pos), column="iCode")
    dup = _first_duplicate(codes)
    if dup is not None:
        first, pos = dup
        raise IndexInputError(
            source,
            f"duplicate iCode '{codes[pos]}' (first at row {_row(first)})",
            row=_row(pos),
            column="iCode",
        )
    for pos, typ in enumerate(meta["Type"].tolist()):
        if typ not in META_TYPES:
            raise IndexInputError(
                source,
                f"{typ!r} is not a valid Type (valid: {', '.join(META_TYPES)})",
                row=_row(pos),
                column="Type",
            )

    types = meta["Type"].tolist()
    if "Indicator" not in types:
        raise IndexInputError(source, "no row has Type Indicator", column="Type")
    framework = [pos for pos, typ in enumerate(types) if typ in ("Indicator", "Aggregate")]
    level_of, direction_of, weight_of = (meta[c].tolist() for c in ("Level", "Direction", "Weight"))
    parent_of = meta["Parent"].tolist()
    levels: dict[str, int] = {}
    for pos in framework:
        code, typ = codes[pos], types[pos]
        lev = level_of[pos]
        if np.isnan(lev) or lev != int(lev) or lev < 1:
            raise IndexInputError(source, f"Level must be an integer >= 1 for a {typ}", row=_row(pos), column="Level")
        if typ == "Indicator" and lev != 1:
            raise IndexInputError(
                source, f"an Indicator must have Level 1, got {int(lev)}", row=_row(pos), column="Level"
            )
        if typ == "Aggregate" and lev < 2:
            raise IndexInputError(
                source, f"an Aggregate must have Level >= 2, got {int(lev)}", row=_row(pos), column="Level"
            )
        levels[code] = int(lev)
        direction = direction_of[pos]
        if direction not in (-1.0, 1.0):
            raise IndexInputError(
                source, f"Direction must be -1 or 1, got {direction:g}", row=_row(pos), column="Direction"
            )
        weight = weight_of[pos]
        if not np.isfinite(weight) or weight < 0:
            raise IndexInputError(
                source, f"Weight must be a number >= 0, got {weight:g}", row=_row(pos), column="Weight"
            )
    max_level = max(levels.values())
    aggregates_by_level = {codes[pos]: levels[codes[pos]] for pos in framework if types[pos] == "Aggregate"}
    has_child: set[str] = set()
    for pos in framework:
        code = codes[pos]
        parent = parent_of[pos]
        lev = levels[code]
        if lev == max_level:
            if parent is not None:
                raise IndexInputError(
                    source,
                    f"'{code}' is at the top level {max_level} and cannot have a parent",
                    row=_row(pos),
                    column="Parent",
                )
            continue
        if parent is None:
            raise IndexInputError(
                source,
                f"'{code}' of level {lev} needs a parent of level {lev + 1}",
                row=_row(pos),
                column="Parent",
            )
        if aggregates_by_level.get(parent) != lev + 1:
            raise IndexInputError(
                source, f"{parent!r} is not an iCode of level {lev + 1}", row=_row(pos), column="Parent"
            )
        has_child.add(parent)
    for code in aggregates_by_level:
        if code not in has_child:
            raise IndexInputError(
                source, f"aggregate '{code}' has no children", row=_row(codes.index(code)), column="iCode"
            )
        kids = [pos for pos in framework if parent_of[pos] == code]
        if sum(float(weight_of[pos]) for pos in kids) == 0:
            rows = ", ".join(str(_row(pos)) for pos in kids)
            raise IndexInputError(
                source,
                f"the weights of the children of '{code}' ({', '.join(codes[pos] for pos in kids)}; rows {rows}) "
                "sum to 0, so it cannot be aggregated",
                row=_row(codes.index(code)),
                column="Weight",
            )
    meta["Level"] = meta["Level"].astype("Int64")
    if "Denominator" in meta.columns:
        denominators = {code for code, typ in zip(codes, types, strict=True) if typ == "Denominator"}
        for pos, denom in enumerate(meta["Denominator"].tolist()):
            if denom is None:
                continue
            if denom not in denominators:
                raise IndexInputError(
                    source,
                    f"{denom!r} is not an iCode of Type Denominator",
                    row=_row(pos),
                    column="Denominator",
                )
            if types[pos] != "Indicator":
                raise IndexInputError(
                    source, "only indicators can have a denominator", row=_row(pos), column="Denominator"
                )
    return meta


def validate_idata(data: pd.DataFrame, meta: pd.DataFrame, source: str = "iData") -> pd.DataFrame:
    """Check an iData table against a validated iMeta and return it with typed columns.

    Checks: ``uCode`` present and non-empty; every Indicator/Group/Denominator/Other iCode has a column
    and every other column is ``uName``/``Time`` or declared in iMeta; indicator, denominator and ``Time``
    columns numeric and finite (``Time`` integer); ``uCode`` unique, or ``(uCode, Time)`` unique when ``Time`` exists.
    """
    if "uCode" not in data.columns:
        raise IndexInputError(source, "required column is missing", column="uCode")
    data = data.reset_index(drop=True)
    declared = dict(zip(meta["iCode"], meta["Type"], strict=True))
    for pos, (code, typ) in enumerate(declared.items()):
        if typ != "Aggregate" and code not in data.columns:
            raise IndexInputError(source, f"missing (iMeta row {_row(pos)} declares {typ} '{code}')", column=code)
        if typ == "Aggregate" and code in data.columns:
            raise IndexInputError(source, f"'{code}' is an Aggregate in iMeta and is computed, not read", column=code)
    for column in data.columns:
        if column not in RESERVED and column not in declared:
            raise IndexInputError(
                source, "not declared in iMeta (add a row with Type Other to keep it)", column=str(column)
            )
    ucode = _text(data, "uCode")
    empty = ucode.isna().to_numpy()
    if empty.any():
        raise IndexInputError(source, "uCode is empty", row=_row(int(np.flatnonzero(empty)[0])), column="uCode")
    data["uCode"] = ucode.astype("str")
    if "uName" in data.columns:
        data["uName"] = _text(data, "uName")
    numeric_codes = [c for c, t in declared.items() if t in ("Indicator", "Denominator")]
    dtypes = data.dtypes
    for column in numeric_codes:
        if pd.api.types.is_float_dtype(dtypes[column]):
            _finite(data[column], column, source)  # a float column needs no conversion, only the check for ±inf
        else:
            data[column] = _numeric(data, column, source)
    if "Time" in data.columns:
        time = _numeric(data, "Time", source)
        bad = time.isna().to_numpy() | (time.to_numpy() != np.round(time.to_numpy()))
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise IndexInputError(source, "Time must be an integer (e.g. a year)", row=_row(pos), column="Time")
        data["Time"] = time.astype(np.int64)
        pairs: list[object] = list(zip(data["uCode"].tolist(), data["Time"].tolist(), strict=True))
        label = "unit-year"
    else:
        pairs = data["uCode"].tolist()
        label = "unit"
    dup = _first_duplicate(pairs) if len(set(pairs)) < len(pairs) else None
    if dup is not None:
        first, pos = dup
        key = pairs[pos]
        text = " ".join(map(str, key)) if isinstance(key, tuple) else str(key)
        raise IndexInputError(
            source, f"duplicate {label} '{text}' (first at row {_row(first)})", row=_row(pos), column="uCode"
        )
    return data


def read_imeta(path: str | Path, sheet: str | int | None = None) -> pd.DataFrame:
    """Read and validate an iMeta file (see :func:`validate_imeta`)."""
    return validate_imeta(read_table(path, sheet), Path(path).name)


def read_idata(path: str | Path, meta: pd.DataFrame, sheet: str | int | None = None) -> pd.DataFrame:
    """Read and validate an iData file against a validated iMeta (see :func:`validate_idata`)."""
    return validate_idata(read_table(path, sheet), meta, Path(path).name)
