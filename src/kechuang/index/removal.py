"""The effect on the ranking of removing any one element (COINr ``remove_elements``).

For each element ``e`` of a level, ``e`` is dropped (its weight set to 0, so its siblings' weights are
renormalised) and the index is rebuilt; the effect is the mean absolute rank change of the index over the
units, MARS(e) = (1/n)·Σ_u |rank_u(without e) − rank_u(nominal)|, per year for a panel.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kechuang.index._grid import TIME, UNIT
from kechuang.index.pipeline import build
from kechuang.index.spec import Spec
from kechuang.index.structure import Structure

__all__ = ["removal_effects"]


def removal_effects(data: pd.DataFrame, meta: pd.DataFrame, spec: Spec | Mapping[str, Any] | str | Path,
                    level: int, target: str | None = None) -> pd.DataFrame:
    """Mean absolute rank shift of ``target`` (default: the index) when each element of ``level`` is removed.

    Returns one row per removed element (and year for a panel): ``iCode``, [``Time``], ``MeanAbsRankShift``,
    ``MaxAbsRankShift``. An element that is its parent's only child cannot be removed and is skipped.
    """
    nominal = build(data, meta, spec)
    structure: Structure = nominal.structure
    target = target or structure.at_level(structure.max_level)[0]
    keys = [UNIT, TIME] if TIME in nominal.ranks.columns else [UNIT]
    base = nominal.ranks[keys + [target]].rename(columns={target: "nominal"})
    rows = []
    for code in structure.at_level(level):
        parent = structure.parent[code]
        if parent is None or len(structure.children[parent]) < 2:
            continue
        reduced = meta.copy()
        reduced.loc[reduced["iCode"] == code, "Weight"] = 0.0
        ranks = build(data, reduced, spec).ranks[keys + [target]]
        both = base.merge(ranks, on=keys)
        shift = (both[target].astype(float) - both["nominal"].astype(float)).abs()
        grouped = shift.groupby(both[TIME]) if TIME in keys else shift.groupby(np.zeros(len(shift)))
        for t, values in grouped:
            row: dict[str, Any] = {"iCode": code}
            if TIME in keys:
                row[TIME] = t
            row["MeanAbsRankShift"] = float(values.mean())
            row["MaxAbsRankShift"] = float(values.max())
            rows.append(row)
    return pd.DataFrame(rows)
