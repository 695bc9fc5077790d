"""Screen: remove units (rows) with too little data or too many zeros, as COINr's ``Screen``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kechuang.index._grid import arrays_frame, id_columns
from kechuang.index.analysis import availability

__all__ = ["SCREEN_METHODS", "screen", "screen_rows"]

SCREEN_METHODS = ("byNA", "byzeros", "byNAandzeros")


def screen(
    frame: pd.DataFrame,
    codes: Sequence[str],
    method: str = "byNA",
    *,
    dat_thresh: float = 2 / 3,
    nonzero_thresh: float = 0.05,
    force_in: Sequence[str] = (),
    force_out: Sequence[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the rows that pass the data rule; return ``(screened frame, summary)``.

    With the availability measures of :func:`~kechuang.index.analysis.data_availability`:
    LowData = Dat_Avail < dat_thresh, LowNonZero = Non_Zero < nonzero_thresh,
    LowDatOrZeroFlag = LowData or LowNonZero. ``byNA`` keeps rows without LowData, ``byzeros`` rows without
    LowNonZero, ``byNAandzeros`` rows without either. Units in ``force_in`` are always kept and units in
    ``force_out`` always removed (every year of a panel). The summary adds ``Included`` per row.
    """
    ids = {c: frame[c].array for c in id_columns(frame)}
    summary = screen_rows(frame[list(codes)].to_numpy(dtype=float), ids, frame.index, method, dat_thresh=dat_thresh,
                          nonzero_thresh=nonzero_thresh, force_in=force_in, force_out=force_out)
    included = summary["Included"].to_numpy()
    if included.all():
        return frame, summary
    return frame[included], summary


def screen_rows(
    x: np.ndarray,
    ids: Mapping[str, Any],
    index: pd.Index,
    method: str = "byNA",
    *,
    dat_thresh: float = 2 / 3,
    nonzero_thresh: float = 0.05,
    force_in: Sequence[str] = (),
    force_out: Sequence[str] = (),
) -> pd.DataFrame:
    """The summary of :func:`screen` for the rows of the matrix ``x`` (rows × indicators), whose identifier
    columns are ``ids`` (``uCode`` and, in a panel, ``Time``) and row labels ``index``; its ``Included``
    column is the rule."""
    if method not in SCREEN_METHODS:
        raise ValueError(f"unknown screen method {method!r} (valid: {', '.join(SCREEN_METHODS)})")
    table: dict[str, Any] = dict(ids)
    table.update(availability(x))
    low_data = table["Dat_Avail"] < dat_thresh
    with np.errstate(invalid="ignore"):
        low_zero = table["Non_Zero"] < nonzero_thresh
    table["LowData"] = low_data
    table["LowNonZero"] = low_zero
    table["LowDatOrZeroFlag"] = low_data | low_zero
    rule = {"byNA": low_data, "byzeros": low_zero, "byNAandzeros": low_data | low_zero}[method]
    included = ~rule
    units = np.asarray(ids["uCode"])
    if len(force_in):
        included |= np.isin(units, list(force_in))
    if len(force_out):
        included &= ~np.isin(units, list(force_out))
    table["Included"] = included
    return arrays_frame(index, list(table.items()))
