"""Impute: fill missing indicator values, as COINr's ``Impute`` and ``impute_panel``.

Cross-sectional methods work within each year of a panel (like COINr applied to each coin of a purse);
observed values are never changed.

* ``i_mean`` / ``i_median``: x̂ = mean / median of the observed values of the indicator (per year).
* ``i_mean_grp`` / ``i_median_grp``: x̂ = mean / median over the units of the same group (per year);
  units without a group are left missing.
* ``impute_panel`` over ``Time`` for each unit and indicator:
  ``latest`` — last observation carried forward, at most ``max_time`` time points back (none at the start);
  ``constant`` — last observation carried forward, values before the first observation take the first one;
  ``linear`` — x̂(t) = x₀ + (x₁ − x₀)(t − t₀)/(t₁ − t₀) between the nearest observations t₀ < t < t₁,
  the nearest observation outside the observed range (R's ``approx(rule = 2)``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kechuang.index._grid import TIME, Grid, id_columns, replace_columns, values_of

__all__ = ["IMPUTE_METHODS", "impute"]

IMPUTE_METHODS = ("i_mean", "i_median", "i_mean_grp", "i_median_grp", "impute_panel")
PANEL_TYPES = ("latest", "constant", "linear")


def _cross_section(frame: pd.DataFrame, codes: list[str], stat: str, groups: np.ndarray | None) -> np.ndarray:
    x = values_of(frame, codes)
    keys: list[np.ndarray] = []
    if TIME in frame.columns:
        keys.append(frame[TIME].to_numpy())
    if groups is not None:
        keys.append(np.asarray(groups, dtype=object))
    if keys:
        fill = frame[codes].astype(float).groupby(keys, dropna=True).transform(stat).to_numpy(dtype=float)
    else:
        table = frame[codes].astype(float)
        fill = (table.mean() if stat == "mean" else table.median()).to_numpy(dtype=float)[None, :]
    missing = np.isnan(x)
    np.copyto(x, np.broadcast_to(fill, x.shape), where=missing)
    return x


def _forward_index(observed: np.ndarray) -> np.ndarray:
    """For each time slot, the index of the last observed slot at or before it (−1 if none)."""
    slots = np.arange(observed.shape[1], dtype=np.int32)[None, :, None]
    idx = np.where(observed, slots, np.int32(-1))
    return np.maximum.accumulate(idx, axis=1)


def _backward_index(observed: np.ndarray) -> np.ndarray:
    """For each time slot, the index of the first observed slot at or after it (T if none)."""
    n_t = observed.shape[1]
    slots = np.arange(n_t, dtype=np.int32)[None, :, None]
    idx = np.where(observed, slots, np.int32(n_t))
    return np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1]


def _panel(frame: pd.DataFrame, codes: list[str], imp_type: str, max_time: int | None) -> np.ndarray:
    grid = Grid.of(frame)
    cube = grid.cube(values_of(frame, codes))
    observed = ~np.isnan(cube)
    n_t = cube.shape[1]
    slots = np.arange(n_t, dtype=np.int32)[None, :, None]
    prev = _forward_index(observed)
    prev_val = np.take_along_axis(cube, np.maximum(prev, 0), axis=1)
    if imp_type == "latest":
        usable = prev >= 0
        if max_time is not None:
            usable &= slots - prev <= max_time
        filled = np.where(usable, prev_val, np.nan)
    else:
        nxt = _backward_index(observed)
        next_val = np.take_along_axis(cube, np.minimum(nxt, n_t - 1), axis=1)
        if imp_type == "constant":
            filled = np.where(prev >= 0, prev_val, next_val)
        else:
            times = grid.times.astype(float)
            t0 = times[np.maximum(prev, 0)]
            t1 = times[np.minimum(nxt, n_t - 1)]
            t = times[None, :, None]
            with np.errstate(invalid="ignore", divide="ignore"):
                inner = prev_val + (next_val - prev_val) * (t - t0) / (t1 - t0)
            filled = np.where(prev < 0, next_val, np.where(nxt >= n_t, prev_val, inner))
    cube = np.where(observed, cube, filled)
    return grid.rows(cube)


def impute(
    frame: pd.DataFrame,
    codes: Sequence[str],
    method: str = "i_mean",
    *,
    groups: np.ndarray | pd.Series | None = None,
    imp_type: str = "latest",
    max_time: int | None = None,
) -> pd.DataFrame:
    """Return ``frame`` (identifiers + ``codes``) with missing values imputed by ``method``.

    Only columns with missing values are recomputed; the others share memory with ``frame``.

    ``groups`` gives the group label of each row for ``i_mean_grp``/``i_median_grp``; ``imp_type`` and
    ``max_time`` configure ``impute_panel`` (which needs a ``Time`` column). See the module docstring for
    the formulas.
    """
    codes = list(codes)
    if method not in IMPUTE_METHODS:
        raise ValueError(f"unknown impute method {method!r} (valid: {', '.join(IMPUTE_METHODS)})")
    gaps = [c for c, gap in zip(codes, frame[codes].isna().any().tolist(), strict=True) if gap]
    if not gaps:
        return frame[id_columns(frame) + codes]
    if method in ("i_mean", "i_median"):
        x = _cross_section(frame, gaps, method[2:], None)
    elif method in ("i_mean_grp", "i_median_grp"):
        if groups is None:
            raise ValueError(f"{method} needs the group label of each row")
        x = _cross_section(frame, gaps, method[2:-4], np.asarray(groups, dtype=object))
    else:
        if TIME not in frame.columns:
            raise ValueError("impute_panel needs a Time column")
        if imp_type not in PANEL_TYPES:
            raise ValueError(f"unknown imp_type {imp_type!r} (valid: {', '.join(PANEL_TYPES)})")
        x = _panel(frame, gaps, imp_type, max_time)
    return replace_columns(frame[id_columns(frame) + codes], gaps, x)
