"""Treat: outlier treatment by Winsorisation with a log / Box-Cox fallback, as COINr's ``Treat``.

For each indicator (in each year of a panel) the skewness/kurtosis check of
:func:`~kechuang.index.analysis.skew_kurt` decides: the column *passes* when |skew| < skew_thresh OR
kurt < kurt_thresh. A failing column gets the first treatment; if it still fails, the fallback is applied to
the ORIGINAL column (to the treated one with ``combine``):

* ``winsorise``: if skew ≥ 0 every value equal to the maximum is replaced by the largest remaining value
  (otherwise the same at the minimum); repeated until the column passes or ``winmax`` points have been
  Winsorised (ties count, so the count can overshoot; ``winmax = None`` means no limit). The count is
  COINr's ``nwin``: the number of points at the last Winsorised maximum plus those at the last Winsorised
  minimum.
* ``log_CT``: x' = ln(x − min + 0.01·(max − min)).
* ``boxcox``: with ``makepos`` x ← x − min + 1, then x' = (x^λ − 1)/λ (λ ≠ 0) or ln x (λ = 0).

A column whose check cannot be computed (fewer than 4 values, or constant) is left untreated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kechuang.index._columns import col_max, col_min
from kechuang.index._grid import TIME, UNIT, Grid, arrays_frame, id_columns, replace_columns, values_of
from kechuang.index._parallel import column_blocks, run_blocks
from kechuang.index.analysis import skew_kurt

__all__ = [
    "TREAT_METHODS",
    "Treatment",
    "check_skew_kurt",
    "winsorise",
    "log_ct",
    "boxcox",
    "treat",
]

TREAT_METHODS = ("winsorise", "log_CT", "boxcox")
DEFAULTS: dict[str, dict[str, Any]] = {
    "winsorise": {
        "winmax": 5,
        "skew_thresh": 2.0,
        "kurt_thresh": 3.5,
        "force_win": False,
        "fallback": "log_CT",
        "lambda": None,
        "makepos": True,
        "combine": False,
    },
    "log_CT": {"skew_thresh": 2.0, "kurt_thresh": 3.5},
    "boxcox": {"lambda": None, "makepos": True, "skew_thresh": 2.0, "kurt_thresh": 3.5},
}


def check_skew_kurt(
    x: np.ndarray, skew_thresh: float = 2.0, kurt_thresh: float = 3.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Column-wise check: returns ``(passes, known, skew, kurt)``.

    passes = (|skew| < skew_thresh) or (kurt < kurt_thresh); ``known`` is false where skew or kurtosis
    cannot be computed (then ``passes`` is true: nothing is treated).
    """
    skew, kurt = skew_kurt(x)
    known = ~(np.isnan(skew) | np.isnan(kurt))
    with np.errstate(invalid="ignore"):
        passes = (np.abs(skew) < skew_thresh) | (kurt < kurt_thresh) | ~known
    return passes, known, skew, kurt


def log_ct(x: np.ndarray) -> np.ndarray:
    """Column-wise COIN Tool log: x' = ln(x − min + 0.01·(max − min)), NaNs ignored."""
    lo = col_min(x)
    hi = col_max(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x - lo + 0.01 * (hi - lo))


def boxcox(x: np.ndarray, lam: float, makepos: bool = True) -> np.ndarray:
    """Column-wise Box-Cox: x' = (x^λ − 1)/λ, or ln x for λ = 0; ``makepos`` first shifts x − min + 1."""
    if makepos:
        x = x - col_min(x) + 1
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x) if lam == 0 else (x**lam - 1) / lam


def winsorise(
    x: np.ndarray,
    *,
    winmax: int | None = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    force_win: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Winsorise every column of ``x`` (see the module docstring), vectorised across columns.

    Returns ``(x_winsorised, nwin, side)`` where ``nwin`` is the per-column count and ``side`` marks each
    changed point with +1 (Winsorised at the top) or −1 (at the bottom).
    """
    x = np.array(x, dtype=float, copy=True)
    n_cols = x.shape[1]
    side = np.zeros(x.shape, dtype=np.int8)
    hi_count = np.zeros(n_cols, dtype=np.int64)
    lo_count = np.zeros(n_cols, dtype=np.int64)
    passes, known, skew, _ = check_skew_kurt(x, skew_thresh, kurt_thresh)
    limit = np.inf if winmax is None else winmax
    active = (~passes | force_win) & known & (limit > 0)
    while active.any():
        cols = np.flatnonzero(active)
        sign = np.where(skew[cols] >= 0, 1.0, -1.0)
        sub = x[:, cols] * sign
        with np.errstate(invalid="ignore"):
            extreme = np.fmax.reduce(sub, axis=0)
            at = sub == extreme
            replacement = np.fmax.reduce(np.where(at, -np.inf, sub), axis=0)
        empty = ~np.isfinite(replacement)
        at[:, empty] = False
        np.copyto(sub, np.broadcast_to(replacement, sub.shape), where=at)
        sub *= sign
        x[:, cols] = sub
        count = at.sum(axis=0)
        high = sign > 0
        hi_count[cols[high]] = count[high]
        lo_count[cols[~high]] = count[~high]
        marks = side[:, cols]
        np.copyto(marks, np.broadcast_to(sign.astype(np.int8), sub.shape), where=at)
        side[:, cols] = marks
        sub_passes, sub_known, sub_skew, _ = check_skew_kurt(sub, skew_thresh, kurt_thresh)
        skew[cols] = sub_skew
        nwin = hi_count[cols] + lo_count[cols]
        active[cols] = (~sub_passes | force_win) & sub_known & (nwin < limit) & ~empty
    return x, hi_count + lo_count, side


def _transform(x: np.ndarray, name: str, params: Mapping[str, Any]) -> np.ndarray:
    if name == "log_CT":
        return log_ct(x)
    if params["lambda"] is None:
        raise ValueError("boxcox needs the parameter lambda")
    return boxcox(x, float(params["lambda"]), bool(params["makepos"]))


def _treat_block(x: np.ndarray, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Treat the columns of one configuration (``x`` is not modified).

    Returns the per-column record (checks, counts, fallback) and, for the failing columns ``fail`` only,
    their ``original`` and ``treated`` values and the Winsorisation ``side`` marks (+1 top, −1 bottom;
    cleared when the fallback replaces the Winsorised column).
    """
    n_cols = x.shape[1]
    st, kt = float(params["skew_thresh"]), float(params["kurt_thresh"])
    pass0, known0, skew0, kurt0 = check_skew_kurt(x, st, kt)
    nan = np.full(n_cols, np.nan)
    rec: dict[str, Any] = {
        "pass_0": np.where(known0, pass0, np.nan),
        "skew_0": skew0,
        "kurt_0": kurt0,
        "n_winsorised": nan.copy(),
        "pass_1": nan.copy(),
        "skew_1": nan.copy(),
        "kurt_1": nan.copy(),
        "fallback": np.full(n_cols, "", dtype=object),
        "pass_2": nan.copy(),
        "skew_2": nan.copy(),
        "kurt_2": nan.copy(),
    }
    force = method == "winsorise" and bool(params["force_win"])
    fail = np.flatnonzero(known0 & (~pass0 | force))
    rec["fail"] = fail
    original = x[:, fail]
    rec["original"] = original
    if method == "winsorise":
        treated, nwin, side = winsorise(
            original, winmax=params["winmax"], skew_thresh=st, kurt_thresh=kt, force_win=force
        )
        rec["n_winsorised"][fail] = nwin
        fallback = params["fallback"]
    else:
        treated = _transform(original, method, params)
        side = np.zeros(original.shape, dtype=np.int8)
        fallback = "none"
    pass1, known1, skew1, kurt1 = check_skew_kurt(treated, st, kt)
    rec["pass_1"][fail] = np.where(known1, pass1, np.nan)
    rec["skew_1"][fail] = skew1
    rec["kurt_1"][fail] = kurt1
    again = np.flatnonzero(known1 & ~pass1)
    if fallback != "none" and again.size:
        cols = fail[again]
        if params["combine"]:
            second = _transform(treated[:, again], fallback, params)
        else:
            second = _transform(original[:, again], fallback, params)
            side[:, again] = 0
        pass2, known2, skew2, kurt2 = check_skew_kurt(second, st, kt)
        rec["fallback"][cols] = fallback
        rec["pass_2"][cols] = np.where(known2, pass2, np.nan)
        rec["skew_2"][cols] = skew2
        rec["kurt_2"][cols] = kurt2
        treated[:, again] = second
    rec["treated"] = treated
    rec["side"] = side
    return rec


@dataclass(frozen=True)
class Treatment:
    """Outcome of :func:`treat`.

    ``data``: the treated frame. ``details``: one row per indicator (per year for panels) with the checks
    before (``pass_0``, ``skew_0``, ``kurt_0``), after the first treatment (``pass_1`` …) and after the
    fallback (``pass_2`` …), the first treatment applied (``treatment``: winsorise / log_CT / boxcox, empty
    when the column passed, ``none`` when excluded), the Winsorised count ``n_winsorised`` and the
    ``fallback`` used (COINr's ``check_SkewKurt0.*``, ``winsorise.nwin``, ``check_SkewKurt1.*``).
    ``points``: one row per Winsorised value that was kept in the result, with ``original``, ``treated`` and
    ``reason`` (``winhi``: Winsorised at the top, ``winlo``: at the bottom). A column transformed as a whole
    (log_CT / boxcox, as first treatment or fallback) changes in every value; it is recorded once in
    ``details`` (``treatment`` / ``fallback``) rather than point by point.
    """

    data: pd.DataFrame
    details: pd.DataFrame
    points: pd.DataFrame


def _config_key(entry: Mapping[str, Any]) -> str:
    return repr(sorted(entry.items(), key=lambda kv: kv[0]))


def treat(
    frame: pd.DataFrame,
    codes: Sequence[str],
    method: str = "winsorise",
    params: Mapping[str, Any] | None = None,
    indiv: Mapping[str, Any] | None = None,
) -> Treatment:
    """Treat outliers in every indicator column, separately in each year of a panel.

    ``params`` override the method defaults (:data:`DEFAULTS`); ``indiv`` maps an indicator to ``"none"``
    (left untreated) or to ``{"method": ..., "params": {...}}`` (params merged over ``params`` when the
    method is the same). Columns sharing a configuration are treated together, vectorised, in column
    blocks run in parallel.
    """
    codes = list(codes)
    touched, rows, details, points = treat_values(values_of(frame, codes), Grid.of(frame), codes, method, params,
                                                  indiv, TIME in frame.columns)
    data = replace_columns(frame[id_columns(frame) + codes], [codes[j] for j in touched], rows)
    return Treatment(data, details, points)


def treat_values(
    x: np.ndarray,
    grid: Grid,
    codes: list[str],
    method: str = "winsorise",
    params: Mapping[str, Any] | None = None,
    indiv: Mapping[str, Any] | None = None,
    panel: bool = False,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame, pd.DataFrame]:
    """:func:`treat` on a matrix ``x`` (rows × ``codes``, not modified) whose rows lie on ``grid``: returns the
    positions of the columns changed, their treated values (rows × those columns), and the ``details`` and
    ``points`` tables of :class:`Treatment` (``panel``: the rows have a ``Time`` column)."""
    if method not in TREAT_METHODS:
        raise ValueError(f"unknown treat method {method!r} (valid: {', '.join(TREAT_METHODS)})")
    k = len(codes)
    base = {**DEFAULTS[method], **(params or {})}
    base_key = _config_key({"method": method, **base})
    configs: dict[str, tuple[str, dict[str, Any]]] = {}
    code_config: list[str] = []
    for code in codes:
        entry = (indiv or {}).get(code)
        if entry == "none":
            code_config.append("none")
            continue
        if entry is None:
            configs[base_key] = (method, base)
            code_config.append(base_key)
            continue
        m = entry.get("method", method)
        p = {**DEFAULTS[m], **(base if m == method else {}), **entry.get("params", {})}
        key = _config_key({"method": m, **p})
        configs[key] = (m, p)
        code_config.append(key)

    n_u, n_t = grid.shape
    if grid.complete:
        matrix = x.reshape(n_u, n_t * k)  # a view: column t·k + j is indicator j in year t

        def columns_of(chunk: np.ndarray) -> np.ndarray:
            return matrix[:, chunk]
    else:  # gathered block by block, not as a whole (unit, year, indicator) cube
        row_at = np.full((n_u, n_t), -1, dtype=np.intp)
        row_at[grid.unit_pos, grid.time_pos] = np.arange(len(x))

        def columns_of(chunk: np.ndarray) -> np.ndarray:
            at = row_at[:, chunk // k]
            return np.where(at >= 0, x[np.maximum(at, 0), (chunk % k)[None, :]], np.nan)
    col_code = np.tile(np.arange(k), n_t)
    col_config = np.array(code_config, dtype=object)[col_code]
    n_total = n_t * k
    record: dict[str, np.ndarray] = {
        key: np.full(n_total, np.nan)
        for key in (
            "pass_0",
            "skew_0",
            "kurt_0",
            "n_winsorised",
            "pass_1",
            "skew_1",
            "kurt_1",
            "pass_2",
            "skew_2",
            "kurt_2",
        )
    }
    treatment = np.where(col_config == "none", "none", "").astype(object)
    fallback = np.full(n_total, "", dtype=object)
    pieces = []
    for key, (m, p) in configs.items():
        cols = np.flatnonzero(col_config == key)

        def run(chunk: np.ndarray, m: str = m, p: dict[str, Any] = p) -> dict[str, Any]:
            return _treat_block(columns_of(chunk), m, p)

        chunks = [cols[s] for s in column_blocks(n_u, cols.size)]
        for chunk, rec in zip(chunks, run_blocks(run, chunks), strict=True):
            for name in record:
                record[name][chunk] = rec[name]
            fallback[chunk] = rec["fallback"]
            changed = chunk[rec["fail"]]
            treatment[changed] = m
            pieces.append((changed, rec["original"], rec["treated"], rec["side"]))

    touched = np.unique(np.concatenate([np.zeros(0, dtype=np.intp), *(p[0] % k for p in pieces)]))
    rows = x[:, touched]
    where = np.full(k, -1, dtype=np.intp)
    where[touched] = np.arange(touched.size)
    by_time = np.argsort(grid.time_pos, kind="stable")
    starts = np.searchsorted(grid.time_pos[by_time], np.arange(n_t + 1))
    for changed, _, treated, _ in pieces:  # the treated (year, indicator) columns back into the rows
        slot = changed // k
        for t in np.unique(slot).tolist():
            cols = np.flatnonzero(slot == t)
            at = by_time[starts[t] : starts[t + 1]]
            rows[np.ix_(at, where[changed[cols] % k])] = treated[np.ix_(grid.unit_pos[at], cols)]

    def flag(values: np.ndarray) -> pd.arrays.BooleanArray:  # 1.0 / 0.0 / NaN → True / False / NA
        return pd.arrays.BooleanArray(values == 1.0, np.isnan(values))

    nwin = record["n_winsorised"]
    table: dict[str, Any] = {"iCode": np.array(codes, dtype=object)[col_code]}
    if panel:
        table[TIME] = np.repeat(grid.times, k)
    table.update({
        "pass_0": flag(record["pass_0"]), "skew_0": record["skew_0"], "kurt_0": record["kurt_0"],
        "treatment": treatment,
        "n_winsorised": pd.arrays.IntegerArray(np.where(np.isnan(nwin), 0, nwin).astype(np.int64), np.isnan(nwin)),
        "pass_1": flag(record["pass_1"]), "skew_1": record["skew_1"], "kurt_1": record["kurt_1"],
        "fallback": fallback,
        "pass_2": flag(record["pass_2"]), "skew_2": record["skew_2"], "kurt_2": record["kurt_2"],
    })
    return touched, rows, arrays_frame(None, list(table.items())), _points(pieces, grid, codes, panel)




def _points(
    pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    grid: Grid,
    codes: list[str],
    panel: bool,
) -> pd.DataFrame:
    """Long table of the Winsorised points (original and treated value, ``winhi``/``winlo``)."""
    k = len(codes)
    units, cols, before, after, sides = [], [], [], [], []
    for changed, original, treated, side in pieces:
        u_idx, c_idx = np.nonzero(side)
        units.append(u_idx)
        cols.append(changed[c_idx])
        before.append(original[u_idx, c_idx])
        after.append(treated[u_idx, c_idx])
        sides.append(side[u_idx, c_idx])
    u = np.concatenate([np.zeros(0, dtype=np.intp), *units])
    c = np.concatenate([np.zeros(0, dtype=np.intp), *cols])
    order = np.lexsort((c % k, c // k, u))
    columns: list[tuple[str, Any]] = [(UNIT, grid.units[u[order]])]
    if panel:
        columns.append((TIME, grid.times[c[order] // k]))
    side_all = np.concatenate([np.zeros(0, dtype=np.int8), *sides])[order]
    columns += [
        ("iCode", np.array(codes, dtype=object)[c[order] % k]),
        ("original", np.concatenate([np.zeros(0), *before])[order]),
        ("treated", np.concatenate([np.zeros(0), *after])[order]),
        ("reason", np.where(side_all > 0, "winhi", "winlo").astype(object)),
    ]
    return arrays_frame(None, columns)
