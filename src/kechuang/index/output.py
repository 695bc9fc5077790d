"""Writing a build's tables to files: CSV with every bit of each number, or Parquet.

Numbers are written in the shortest decimal form that reads back as the same IEEE-754 double (the
round-trip guarantee of Steele & White's and Loitsch's shortest-digit algorithms, here the double-conversion
library inside Apache Arrow's CSV writer): ``0.1`` is written ``0.1``, not ``0.10000000000000001``, and
reading it back yields the same 64 bits. Missing values are empty fields (CSV) or nulls (Parquet); an
integer-valued double may be written without a decimal point (``2`` for 2.0).

The formatting runs in Arrow's C++ writer, which releases the GIL, so the tables of a build are written on
several threads at once (pandas' ``to_csv`` formats each number in Python; docs/benchmarks.md has the
figures).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

if TYPE_CHECKING:
    from kechuang.index.pipeline import Result

__all__ = ["FORMATS", "Format", "result_tables", "write_table", "write_tables", "write_result"]

Format = Literal["csv", "parquet"]
FORMATS: tuple[Format, ...] = ("csv", "parquet")


def write_table(frame: pd.DataFrame, path: str | Path, fmt: Format = "csv") -> Path:
    """Write ``frame`` (without its index) to ``path`` as CSV or Parquet, keeping every bit of each number.

    CSV fields are quoted only when the file would be ambiguous otherwise: when a text value or a column name
    holds a comma, a quote or a line break, every text field of that file is quoted (RFC 4180).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}: use one of {', '.join(FORMATS)}")
    path = Path(path)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if fmt == "parquet":
        pq.write_table(table, path)
        return path
    names = [str(name) for name in frame.columns]
    plain = not any(_STRUCTURAL.intersection(name) for name in names)
    try:
        _write_csv(table, path, names, "none" if plain else "needed")
    except pa.ArrowInvalid:  # a text value needs quotes
        _write_csv(table, path, names, "needed")
    return path


_STRUCTURAL = frozenset(',"\r\n')


def _write_csv(table: object, path: Path, names: list[str], quoting: str) -> None:
    """The header line (names quoted only with ``quoting="needed"``), then Arrow's rows."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    quote = (lambda name: '"' + name.replace('"', '""') + '"') if quoting == "needed" else (lambda name: name)
    with pa.OSFile(str(path), "wb") as sink:
        sink.write((",".join(map(quote, names)) + "\n").encode("utf-8"))
        pa_csv.write_csv(table, sink, pa_csv.WriteOptions(include_header=False, quoting_style=quoting))


def write_tables(tables: Mapping[str, pd.DataFrame], out: str | Path, fmt: Format = "csv") -> list[Path]:
    """Write each ``stem → frame`` of ``tables`` to ``out/stem.csv`` (or ``.parquet``), on several threads;
    returns the paths in the order of ``tables``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{stem}.{fmt}" for stem in tables]
    with ThreadPoolExecutor(max_workers=min(len(paths), os.cpu_count() or 1) or 1) as pool:
        return list(pool.map(lambda item: write_table(item[1], item[0], fmt), zip(paths, tables.values(),
                                                                                  strict=True)))


def result_tables(result: Result) -> dict[str, pd.DataFrame]:
    """The tables of a build by file stem: each stage (``01_Raw`` … ``07_Aggregated``, numbered in the order
    run), ``results_scores``, ``results_ranks``, ``weights_effective`` and, when treated, ``treat_details``."""
    tables = {f"{n:02d}_{name}": frame for n, (name, frame) in enumerate(result.stages.items(), start=1)}
    tables |= {"results_scores": result.scores, "results_ranks": result.ranks, "weights_effective": result.weights}
    if result.treatment is not None:
        tables["treat_details"] = result.treatment.details
    return tables


def write_result(result: Result, out: str | Path, fmt: Format = "csv") -> list[Path]:
    """Write every table of :func:`result_tables` and the resolved spec (``spec.yaml``) into ``out``; returns
    the files written."""
    from kechuang.index.spec import dump_spec

    written = write_tables(result_tables(result), out, fmt)
    spec = Path(out) / "spec.yaml"
    spec.write_text(dump_spec(result.spec), encoding="utf-8")
    return [*written, spec]
