"""Denominate: scale indicators by a size variable (population, GDP, area …)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from kechuang.index._grid import id_columns, replace_columns, values_of

__all__ = ["denominate", "denominators_from_meta", "divide"]


def denominators_from_meta(meta: pd.DataFrame) -> dict[str, str]:
    """Indicator → denominator column, from the iMeta ``Denominator`` column (empty when absent)."""
    if "Denominator" not in meta.columns:
        return {}
    rows = meta[(meta["Type"] == "Indicator") & meta["Denominator"].notna()]
    return {str(c): str(d) for c, d in zip(rows["iCode"], rows["Denominator"], strict=True)}


def denominate(
    frame: pd.DataFrame,
    codes: Sequence[str],
    denominators: Mapping[str, str],
    source: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return identifiers + ``codes`` with each listed indicator divided by its denominator: x' = x / d.

    ``denominators`` maps an indicator to a denominator column, read from ``source`` (rows matched on the
    index) or from ``frame`` itself. A zero or missing denominator gives a missing value (never ±inf).
    """
    listed = [c for c in codes if c in denominators]
    values = values_of(frame, listed)
    columns = sorted({denominators[c] for c in listed})
    table = frame[columns] if source is None else source.loc[frame.index, columns]
    dens = {name: table[name].to_numpy(dtype=float) for name in columns}
    divide(values, [dens[denominators[code]] for code in listed])
    return replace_columns(frame[id_columns(frame) + list(codes)], listed, values)


def divide(values: np.ndarray, dens: Sequence[np.ndarray]) -> None:
    """In place, column j of ``values`` ← x / d with d = ``dens[j]``; a zero or missing d gives NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        for j, den in enumerate(dens):
            values[:, j] = np.where(den == 0, np.nan, values[:, j] / den)
