"""Normalise: bring indicators onto a common scale, as COINr's ``Normalise`` (column-wise, NaNs ignored).

Direction (iMeta ``Direction``) is applied first as x ← x·Direction, as in COINr, except for the two
methods that handle it themselves (``n_goalposts``, ``n_base_year``). Statistics are taken per year of a
panel, or over all years at once with ``global_=True``.

Unlike COINr, which returns NaN with a warning, a value that gets no defined score (a zero range, a zero
standard deviation, a reference equal to the minimum …) raises :class:`ComputationError` naming the
indicator and year; ``n_base_year`` alone gives a missing value where the denominator is 0.

=================  ==========================================================================
``n_minmax``       (x − min)/(max − min)·(u − l) + l, with ``l_u = (l, u)``
``n_zscore``       (x − mean)/sd·s + m with the sample sd (n − 1), ``m_sd = (m, s)``
``n_rank``         rank, ties get the lowest rank (R ``ties.method = "min"``)
``n_prank``        (rank − 1)/(n − 1), n = number of non-missing values
``n_borda``        rank − 1
``n_dist2max``     1 − (max − x)/(max − min)
``n_dist2ref``     1 − (x_ref − x)/(x_ref − min), x_ref the value of unit ``ref`` (capped at 1 if
                   ``cap_max``)
``n_dist2targ``    1 − (t − x)/(t − min) with t the iMeta target (t·Direction), capped if ``cap_max``
``n_fracmax``      x / max
``n_goalposts``    (x − L)/(U − L)·scale with the iMeta goalposts L (scores 0) and U (scores ``scale``),
                   censored to [0, scale] when ``trunc``; lower is better when the bounds are reversed
                   (L > U) or Direction = −1
``n_base_year``    x_t / x_base·scale per unit (Direction = −1: x_base / x_t·scale), so every unit scores
                   ``scale`` in the base year; missing where the denominator is 0
=================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kechuang.index._columns import col_max, col_mean, col_min, col_sd
from kechuang.index._grid import TIME, Grid, id_columns, make_frame, values_of
from kechuang.index._parallel import column_blocks, run_blocks
from kechuang.index.errors import ComputationError

__all__ = [
    "NORMALISE_METHODS",
    "normalise",
    "rank_min",
    "rank_rows",
    "n_minmax",
    "n_zscore",
    "n_rank",
    "n_prank",
    "n_borda",
    "n_dist2max",
    "n_dist2ref",
    "n_dist2targ",
    "n_fracmax",
    "n_goalposts",
    "n_base_year",
]

NORMALISE_METHODS = (
    "n_minmax",
    "n_zscore",
    "n_rank",
    "n_prank",
    "n_borda",
    "n_dist2max",
    "n_dist2ref",
    "n_dist2targ",
    "n_fracmax",
    "n_goalposts",
    "n_base_year",
)
DEFAULTS: dict[str, dict[str, Any]] = {
    "n_minmax": {"l_u": [0.0, 100.0]},
    "n_zscore": {"m_sd": [0.0, 1.0]},
    "n_rank": {},
    "n_prank": {},
    "n_borda": {},
    "n_dist2max": {},
    "n_dist2ref": {"ref_time": None, "cap_max": False},
    "n_dist2targ": {"target_col": "Target", "cap_max": False},
    "n_fracmax": {},
    "n_goalposts": {"lower_col": "GPLower", "upper_col": "GPUpper", "scale": 100.0, "trunc": True},
    "n_base_year": {"scale": 100.0},
}


def rank_rows(x: np.ndarray) -> np.ndarray:
    """Ascending ranks along each row of a 2-D array (1 = smallest), ties sharing the lowest rank; NaN
    stays NaN. (NaN is sorted as +inf, which keeps NumPy's fast sorting path.)"""
    missing = np.isnan(x)
    keys = np.where(missing, np.inf, x)
    order = np.argsort(keys, axis=1)
    ordered = np.take_along_axis(keys, order, axis=1)
    starts = np.empty(ordered.shape, dtype=bool)
    starts[:, 0] = True
    np.not_equal(ordered[:, 1:], ordered[:, :-1], out=starts[:, 1:])
    first = np.where(starts, np.arange(1, x.shape[1] + 1, dtype=np.float64), 0.0)
    np.maximum.accumulate(first, axis=1, out=first)
    np.put_along_axis(keys, order, first, axis=1)
    keys[missing] = np.nan
    return keys


def rank_min(x: np.ndarray) -> np.ndarray:
    """Column-wise ascending ranks (1 = smallest), ties sharing the lowest rank; NaN stays NaN.

    Columns are ranked in blocks, in parallel, each transposed so that every sort runs over contiguous
    memory.
    """
    x = np.asarray(x, dtype=float)
    n, m = x.shape
    out = np.empty((n, m))

    def block_ranks(cols: slice) -> None:
        out[:, cols] = rank_rows(np.ascontiguousarray(x[:, cols].T)).T

    run_blocks(block_ranks, column_blocks(n, m))
    return out


def n_minmax(x: np.ndarray, l_u: Sequence[float] = (0.0, 100.0), *, overwrite: bool = False) -> np.ndarray:
    """(x − min)/(max − min)·(u − l) + l per column (``overwrite``: computed in x's own memory)."""
    lo, hi = col_min(x), col_max(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.subtract(x, lo, out=x if overwrite else None)  # then in place: the same operations, same order
        y /= hi - lo
        y *= l_u[1] - l_u[0]
        y += l_u[0]
        return y


def n_zscore(x: np.ndarray, m_sd: Sequence[float] = (0.0, 1.0)) -> np.ndarray:
    """(x − mean)/sd·s + m per column, sd with n − 1."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x - col_mean(x)) / col_sd(x) * m_sd[1] + m_sd[0]


def n_rank(x: np.ndarray) -> np.ndarray:
    """Ranks per column (higher value → higher rank), ties min."""
    return rank_min(x)


def n_prank(x: np.ndarray) -> np.ndarray:
    """Percentile ranks (rank − 1)/(n − 1) per column."""
    n = np.sum(~np.isnan(x), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (rank_min(x) - 1) / (n - 1)


def n_borda(x: np.ndarray) -> np.ndarray:
    """Borda scores rank − 1 per column."""
    return rank_min(x) - 1


def n_dist2max(x: np.ndarray) -> np.ndarray:
    """1 − (max − x)/(max − min) per column."""
    lo, hi = col_min(x), col_max(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1 - (hi - x) / (hi - lo)


def _cap(y: np.ndarray, cap_max: bool) -> np.ndarray:
    return np.minimum(y, 1.0, where=~np.isnan(y), out=y.copy()) if cap_max else y


def n_dist2ref(x: np.ndarray, ref: np.ndarray, cap_max: bool = False) -> np.ndarray:
    """1 − (ref − x)/(ref − min) per column, ``ref`` one value per column; capped at 1 if ``cap_max``."""
    lo = col_min(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _cap(1 - (ref - x) / (ref - lo), cap_max)


def n_dist2targ(x: np.ndarray, targ: np.ndarray, cap_max: bool = False) -> np.ndarray:
    """1 − (targ − x)/(targ − min) per column, one target per column; capped at 1 if ``cap_max``."""
    lo = col_min(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _cap(1 - (targ - x) / (targ - lo), cap_max)


def n_fracmax(x: np.ndarray) -> np.ndarray:
    """x / max per column."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return x / col_max(x)


def n_goalposts(
    x: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    lower_is_better: np.ndarray,
    scale: float = 100.0,
    trunc: bool = True,
) -> np.ndarray:
    """Goalposts per column: with lo = min(L, U), hi = max(L, U), s = (x − lo)/(hi − lo) (higher is
    better) or s = (hi − x)/(hi − lo) (lower is better); censored to [0, 1] if ``trunc``; times ``scale``."""
    lo, hi = np.minimum(lower, upper), np.maximum(lower, upper)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(lower_is_better, (hi - x) / (hi - lo), (x - lo) / (hi - lo))
    if trunc:
        s = np.clip(s, 0.0, 1.0)
    return s * scale


def n_base_year(cube: np.ndarray, base: int, direction: np.ndarray, scale: float = 100.0) -> np.ndarray:
    """Base-year index on a ``(unit, time, indicator)`` cube: x_t/x_base·scale, inverted for Direction −1.

    A zero denominator gives a missing value.
    """
    base_values = cube[:, base : base + 1, :]
    num = np.where(direction < 0, base_values, cube)
    den = np.where(direction < 0, cube, base_values)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den == 0, np.nan, num / den) * scale


def _column_method(method: str, x: np.ndarray, params: Mapping[str, Any], col: Mapping[str, np.ndarray],
                   overwrite: bool = False) -> np.ndarray:
    if method == "n_minmax":
        return n_minmax(x, params["l_u"], overwrite=overwrite)
    if method == "n_zscore":
        return n_zscore(x, params["m_sd"])
    if method == "n_rank":
        return n_rank(x)
    if method == "n_prank":
        return n_prank(x)
    if method == "n_borda":
        return n_borda(x)
    if method == "n_dist2max":
        return n_dist2max(x)
    if method == "n_dist2ref":
        return n_dist2ref(x, col["ref"], params["cap_max"])
    if method == "n_dist2targ":
        return n_dist2targ(x, col["target"], params["cap_max"])
    if method == "n_fracmax":
        return n_fracmax(x)
    if method == "n_goalposts":
        return n_goalposts(x, col["lower"], col["upper"], col["lower_better"], params["scale"], params["trunc"])
    raise ValueError(f"unknown normalise method {method!r} (valid: {', '.join(NORMALISE_METHODS)})")


def _meta_column(meta: pd.DataFrame | None, column: str, codes: list[str], method: str) -> np.ndarray:
    if meta is None or column not in meta.columns:
        raise ValueError(f"{method} needs the iMeta column {column!r}")
    values = meta.set_index("iCode").loc[codes, column].to_numpy(dtype=float)
    if np.isnan(values).any():
        missing = [c for c, v in zip(codes, values, strict=True) if np.isnan(v)]
        raise ValueError(f"{method}: iMeta column {column!r} is empty for {', '.join(missing)}")
    return values


def normalise(
    frame: pd.DataFrame,
    codes: Sequence[str],
    directions: Mapping[str, int],
    method: str = "n_minmax",
    params: Mapping[str, Any] | None = None,
    indiv: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    global_: bool = False,
    meta: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Normalise every indicator column (see the module docstring for the formulas).

    ``params`` override the method defaults; ``indiv`` maps an indicator to
    ``{"method": ..., "params": {...}}`` (params merged over ``params`` when the method is the same).
    ``meta`` supplies targets (``n_dist2targ``) and goalposts (``n_goalposts``). With ``global_`` the
    statistics are pooled over all years of a panel.
    """
    codes = list(codes)
    panel = TIME in frame.columns
    values = normalise_values(values_of(frame, codes), lambda: Grid.of(frame), codes, directions, method, params,
                              indiv, global_=global_, meta=meta, panel=panel)
    return make_frame(frame[id_columns(frame)], values, codes)


def normalise_values(
    values: np.ndarray,
    grid: Callable[[], Grid],
    codes: list[str],
    directions: Mapping[str, int],
    method: str = "n_minmax",
    params: Mapping[str, Any] | None = None,
    indiv: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    global_: bool = False,
    meta: pd.DataFrame | None = None,
    panel: bool = False,
) -> np.ndarray:
    """:func:`normalise` on a matrix (rows × ``codes``; a copy the function may overwrite): returns the
    normalised matrix. ``grid`` gives the rows' grid (asked only for statistics per year); ``panel``: the rows
    have a ``Time`` column."""
    k = len(codes)
    direction = np.array([directions[c] for c in codes], dtype=float)
    groups: dict[str, tuple[str, dict[str, Any], list[int]]] = {}
    for j, code in enumerate(codes):
        entry = (indiv or {}).get(code)
        m = method if entry is None else entry.get("method", method)
        own = (params or {}) if m == method else {}
        p = {**DEFAULTS[m], **own, **(entry or {}).get("params", {})}
        key = repr((m, sorted(p.items())))
        groups.setdefault(key, (m, p, []))[2].append(j)
    pooled = global_ or not panel
    if pooled and not any(m in ("n_base_year", "n_dist2ref") for m, _, _ in groups.values()):
        for m, p, cols in groups.values():
            whole = len(cols) == k
            x = values if whole else values[:, cols]
            sub_codes = [codes[j] for j in cols]
            col = _meta_params(m, p, sub_codes, direction[cols], meta)
            if m != "n_goalposts":
                x *= direction[cols]
            finite = np.isfinite(x)
            y = _column_method(m, x, p, col, overwrite=True)  # x is this function's own
            _refuse_undefined(m, finite, y, sub_codes, None)
            if whole:
                values = y
            else:
                values[:, cols] = y
        return values
    rows = grid()
    cube = rows.cube(values)
    for m, p, cols in groups.values():
        whole = len(cols) == k
        x = cube if whole else cube[:, :, cols]
        y = _normalise_cube(m, p, x, [codes[j] for j in cols], direction[cols], rows, global_, meta, panel)
        if whole:
            cube = y
        else:
            cube[:, :, cols] = y
    return rows.rows(cube)


def _meta_params(
    m: str, p: Mapping[str, Any], codes: list[str], d: np.ndarray, meta: pd.DataFrame | None
) -> dict[str, np.ndarray]:
    """Per-column parameters from iMeta: targets (``n_dist2targ``) or goalposts (``n_goalposts``)."""
    col: dict[str, np.ndarray] = {}
    if m == "n_goalposts":
        col["lower"] = _meta_column(meta, p["lower_col"], codes, m)
        col["upper"] = _meta_column(meta, p["upper_col"], codes, m)
        col["lower_better"] = (col["lower"] > col["upper"]) | (d < 0)
    if m == "n_dist2targ":
        col["target"] = _meta_column(meta, p["target_col"], codes, m) * d
    return col


def _normalise_cube(
    m: str,
    p: Mapping[str, Any],
    x: np.ndarray,
    codes: list[str],
    d: np.ndarray,
    grid: Grid,
    global_: bool,
    meta: pd.DataFrame | None,
    time_labels: bool,
) -> np.ndarray:
    """Normalise a ``(unit, time, indicator)`` cube with one method; ``x`` may be modified in place."""
    n_u, n_t, k = x.shape
    if m == "n_base_year":
        hits = np.flatnonzero(grid.times == p["base_year"])
        if hits.size == 0:
            raise ValueError(
                f"n_base_year: base year {p['base_year']} is not a Time of the data (a Time column is needed)"
            )
        return n_base_year(x, int(hits[0]), d, p["scale"])
    col = _meta_params(m, p, codes, d, meta)
    if m != "n_goalposts":
        x *= d
    if m == "n_dist2ref":
        hits = np.flatnonzero(grid.units == p["ref"])
        if hits.size == 0:
            raise ValueError(f"n_dist2ref: reference unit {p['ref']!r} is not in the data")
        ref = x[hits[0]]
        if p["ref_time"] is not None:
            slot = np.flatnonzero(grid.times == p["ref_time"])
            if slot.size == 0:
                raise ValueError(f"n_dist2ref: reference time {p['ref_time']} is not in the data")
            ref = np.broadcast_to(ref[slot[0]], ref.shape)
        col["ref"] = ref[0] if global_ else ref.reshape(-1)
    if global_:
        flat = x.reshape(n_u * n_t, k)
        y = _column_method(m, flat, p, col)
        _refuse_undefined(m, np.isfinite(flat), y, codes, None)
        return y.reshape(n_u, n_t, k)
    for name in ("target", "lower", "upper", "lower_better"):
        if name in col:
            col[name] = np.tile(col[name], n_t)
    wide = x.reshape(n_u, n_t * k)
    y = _column_method(m, wide, p, col)
    _refuse_undefined(m, np.isfinite(wide), y, codes, grid.times if time_labels else None)
    return y.reshape(n_u, n_t, k)


def _refuse_undefined(
    m: str, finite: np.ndarray, y: np.ndarray, codes: list[str], times: np.ndarray | None
) -> None:
    """Raise when a value had no defined score (e.g. min-max of a column whose values are all equal); ``finite``
    marks the finite values before normalisation.

    Columns are indicators, or (year, indicator) pairs when ``times`` is given.
    """
    bad = (finite & ~np.isfinite(y)).any(axis=0)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        when = "" if times is None else f" in {times[j // len(codes)]}"
        raise ComputationError(
            "normalise",
            m,
            f"indicator '{codes[j % len(codes)]}'{when} has undefined scores (e.g. all its values are equal "
            "or the reference equals the minimum); exclude it or choose another method",
        )
