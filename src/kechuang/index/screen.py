"""Screen: remove units (rows) with too little data or too many zeros, as COINr's ``Screen``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kechuang.index.analysis import data_availability

__all__ = ["SCREEN_METHODS", "screen"]

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
    if method not in SCREEN_METHODS:
        raise ValueError(f"unknown screen method {method!r} (valid: {', '.join(SCREEN_METHODS)})")
    summary = data_availability(frame, codes)
    low_data = (summary["Dat_Avail"] < dat_thresh).to_numpy()
    low_zero = (summary["Non_Zero"] < nonzero_thresh).to_numpy()
    summary["LowData"] = low_data
    summary["LowNonZero"] = low_zero
    summary["LowDatOrZeroFlag"] = low_data | low_zero
    rule = {"byNA": low_data, "byzeros": low_zero, "byNAandzeros": low_data | low_zero}[method]
    included = ~rule
    units = frame["uCode"].to_numpy()
    included |= np.isin(units, list(force_in))
    included &= ~np.isin(units, list(force_out))
    summary["Included"] = included
    if included.all():
        return frame, summary
    return frame[included], summary
