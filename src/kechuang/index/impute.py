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

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from kechuang.index._grid import TIME, Grid, id_columns, replace_columns, values_of

__all__ = ["IMPUTE_METHODS", "impute"]

IMPUTE_METHODS = ("i_mean", "i_median", "i_mean_grp", "i_median_grp", "impute_panel")
PANEL_TYPES = ("latest", "constant", "linear")


def _compensated_means(x: np.ndarray, ids: np.ndarray, n_cells: int) -> np.ndarray:
    """Mean of the observed values of each column within each cell (NaN where none), by Kahan summation in row
    order: y = v − c, t = s + y, c = (t − s) − y, s = t over a cell's rows, then s / n — the same operations,
    in the same order, as pandas' grouped mean, so the numbers are the same to the last bit."""
    rows = np.flatnonzero(ids >= 0)
    rows = rows[np.argsort(ids[rows], kind="stable")]
    cell = ids[rows]
    counts = np.bincount(cell, minlength=n_cells)
    rank = np.arange(rows.size) - (np.cumsum(counts) - counts)[cell]
    k = x.shape[1]
    total, comp, nobs = np.zeros((n_cells, k)), np.zeros((n_cells, k)), np.zeros((n_cells, k))
    by_rank = np.argsort(rank, kind="stable")
    bounds = np.cumsum(np.bincount(rank, minlength=int(counts.max(initial=0))))
    start = 0
    for stop in bounds.tolist():
        take = by_rank[start:stop]
        start = stop
        r, c = rows[take], cell[take]
        value, s, comp_c = x[r], total[c], comp[c]
        ok = ~np.isnan(value)
        with np.errstate(invalid="ignore", over="ignore"):  # ∞ − ∞ in the compensation, reset just below
            y = value - comp_c
            t = s + y
            new_comp = (t - s) - y
        new_comp[np.isnan(new_comp)] = 0.0  # an infinite value: keep the sum infinite, not NaN
        total[c] = np.where(ok, t, s)
        comp[c] = np.where(ok, new_comp, comp_c)
        nobs[c] += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(nobs > 0, total / nobs, np.nan)


def _cell_ids(n_rows: int, times: np.ndarray | None, groups: np.ndarray | None) -> tuple[np.ndarray, int]:
    """The cross-section (year × group) of each row as an integer (−1: a row without a group), and their number."""
    ids = np.zeros(n_rows, dtype=np.intp)
    n = 1
    if times is not None:
        uniq, inverse = np.unique(times, return_inverse=True)
        ids, n = inverse.astype(np.intp), len(uniq)
    if groups is not None:
        codes, labels = pd.factorize(np.asarray(groups, dtype=object), use_na_sentinel=True)
        ids = np.where(codes < 0, -1, ids * len(labels) + codes)
        n *= max(len(labels), 1)
    return ids, n


def _cross_section(x: np.ndarray, times: np.ndarray | None, stat: str, groups: np.ndarray | None) -> np.ndarray:
    """Fill each gap of ``x`` (in place; returned) with the mean or median of the observed values of its
    cross-section (year, group); ``times`` is the Time of each row (``None``: no Time column)."""
    missing = np.isnan(x)
    if times is None and groups is None:
        table = pd.DataFrame(x.copy(), copy=False)
        fill = (table.mean() if stat == "mean" else table.median()).to_numpy(dtype=float)[None, :]
        np.copyto(x, np.broadcast_to(fill, x.shape), where=missing)
        return x
    ids, n_cells = _cell_ids(len(x), times, groups)
    if stat == "mean":
        means = _compensated_means(x, ids, n_cells)
        r, c = np.nonzero(missing)
        grouped = ids[r] >= 0  # a row without a group stays missing
        r, c = r[grouped], c[grouped]
        x[r, c] = means[ids[r], c]
        return x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a cross-section without an observation stays missing
        for cell in np.unique(ids[missing.any(axis=1)]).tolist():
            if cell >= 0:
                rows = np.flatnonzero(ids == cell)
                block = x[rows]
                np.copyto(block, np.broadcast_to(np.nanmedian(block, axis=0), block.shape), where=np.isnan(block))
                x[rows] = block
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


def _panel(x: np.ndarray, grid: Grid, imp_type: str, max_time: int | None) -> np.ndarray:
    cube = grid.cube(x)
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


def impute_values(
    x: np.ndarray,
    method: str,
    times: np.ndarray | None,
    groups: np.ndarray | None,
    grid: Callable[[], Grid],
    imp_type: str = "latest",
    max_time: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`impute` on a matrix ``x`` (rows × indicators, not modified): returns the positions of the
    columns with gaps and their imputed values (rows × those columns). ``times``: the Time of each row
    (``None`` without Time); ``groups``: the group label of each row; ``grid``: gives the rows' grid (panel)."""
    if method not in IMPUTE_METHODS:
        raise ValueError(f"unknown impute method {method!r} (valid: {', '.join(IMPUTE_METHODS)})")
    gaps = np.flatnonzero(np.isnan(x).any(axis=0))
    if not gaps.size:
        return gaps, x[:, gaps]
    if method in ("i_mean_grp", "i_median_grp") and groups is None:
        raise ValueError(f"{method} needs the group label of each row")
    if method == "impute_panel":
        if times is None:
            raise ValueError("impute_panel needs a Time column")
        if imp_type not in PANEL_TYPES:
            raise ValueError(f"unknown imp_type {imp_type!r} (valid: {', '.join(PANEL_TYPES)})")
    sub = x[:, gaps] if gaps.size < x.shape[1] else np.array(x, dtype=float, order="C", copy=True)
    if method in ("i_mean", "i_median"):
        return gaps, _cross_section(sub, times, method[2:], None)
    if method in ("i_mean_grp", "i_median_grp"):
        return gaps, _cross_section(sub, times, method[2:-4], np.asarray(groups, dtype=object))
    return gaps, _panel(sub, grid(), imp_type, max_time)


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
    times = frame[TIME].to_numpy() if TIME in frame.columns else None
    labels = None if groups is None else np.asarray(groups, dtype=object)
    gaps, x = impute_values(values_of(frame, codes), method, times, labels, lambda: Grid.of(frame), imp_type,
                            max_time)
    return replace_columns(frame[id_columns(frame) + codes], [codes[j] for j in gaps], x)
