"""Aggregate: combine children into parents level by level, as COINr's ``Aggregate``.

For a unit with available children x₁…xₘ and weights w₁…wₘ (missing children are dropped and the
remaining weights renormalised):

=============  =========================================================================
``a_amean``    Σwᵢxᵢ / Σwᵢ
``a_gmean``    exp(Σwᵢ ln xᵢ / Σwᵢ), refused if some xᵢ ≤ 0
``a_hmean``    Σwᵢ / Σ(wᵢ/xᵢ), refused if some xᵢ = 0
``a_genmean``  (Σwᵢxᵢᵖ / Σwᵢ)^(1/p), p ≠ 0, refused for p < 0 if some xᵢ ≤ 0
``a_copeland`` Σ_{v≠u} O(u, v) with the outranking O(u, v) = Σᵢ w̃ᵢ[xᵤᵢ > xᵥᵢ] + ½Σᵢ w̃ᵢ[xᵤᵢ = xᵥᵢ]
               (w̃ = w/Σw over all children) for u before v and O(v, u) = 1 − O(u, v), per year
=============  =========================================================================

Options: ``dat_thresh`` — the parent is missing when the share of available children is below it;
``missing = "group_mean"`` — a missing child is first filled with the mean of that child over the units of
the same group (``group`` column, per year; all units when ``group`` is None).

The means are computed for all units and parents of a level at once as matrix products
X₀·W / A·W (X₀ = children with missing values as 0, A = availability, W = child→parent weights).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from kechuang.index._columns import col_mean
from kechuang.index._grid import TIME, id_columns, make_frame, values_of
from kechuang.index.errors import ComputationError
from kechuang.index.structure import Structure

__all__ = ["AGGREGATE_METHODS", "WeightSource", "aggregate_level", "a_copeland", "aggregate", "aggregate_values"]

AGGREGATE_METHODS = ("a_amean", "a_gmean", "a_hmean", "a_genmean", "a_copeland")
DEFAULTS: dict[str, Any] = {"dat_thresh": None, "missing": "drop", "group": None}

WeightSource = Mapping[str, float] | Callable[[int, pd.DataFrame], Mapping[str, float]]
"""Weights by iCode, or a function (parent level, children scores frame) → weights of those children."""


def _refuse(method: str, parents: list[str], bad: np.ndarray, w: np.ndarray, what: str) -> None:
    counts = np.asarray(bad.astype(float) @ (w > 0).astype(float)).sum(axis=0)
    if counts.sum() > 0:
        names = ", ".join(p for p, c in zip(parents, counts.tolist(), strict=True) if c > 0)
        raise ComputationError(
            "aggregate", method, f"{what} among the children of {names}; normalise to a positive range first"
        )


def aggregate_level(
    x: np.ndarray, w: np.ndarray, method: str, parents: list[str], p: float | None = None
) -> np.ndarray:
    """Weighted means of children ``x`` (rows × m) into parents via the weight matrix ``w`` (m × P).

    ``w[i, j]`` is the weight of child i in parent j (0 when i is not a child of j). Missing children
    are dropped with their weights. Returns rows × P (NaN where no child is available).
    """
    avail = ~np.isnan(x)
    den = avail.astype(float) @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "a_amean":
            num = np.where(avail, x, 0.0) @ w
            return num / den
        if method == "a_gmean":
            _refuse(method, parents, avail & (x <= 0), w, "zero or negative values")
            return np.exp(np.where(avail, np.log(np.where(avail & (x > 0), x, 1.0)), 0.0) @ w / den)
        if method == "a_hmean":
            _refuse(method, parents, avail & (x == 0), w, "zero values")
            return den / (np.where(avail, 1.0 / np.where(avail & (x != 0), x, 1.0), 0.0) @ w)
        if method == "a_genmean":
            if p is None or p == 0:
                raise ComputationError("aggregate", method, "needs a non-zero exponent p")
            if p < 0:
                _refuse(method, parents, avail & (x <= 0), w, "zero or negative values with p < 0")
            return (np.where(avail, x, 0.0) ** p @ w / den) ** (1.0 / p)
    raise ValueError(f"unknown aggregation method {method!r} (valid: {', '.join(AGGREGATE_METHODS)})")


def a_copeland(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Copeland scores of the rows of ``x`` (units × children) with child weights ``w`` (see module)."""
    n, m = x.shape
    share = w / np.nansum(w)
    out = np.zeros((n, n))
    for i in range(m):
        col = x[:, i]
        out += share[i] * ((col[:, None] > col[None, :]) + 0.5 * (col[:, None] == col[None, :]))
    upper = np.triu(out, 1)
    out = upper + np.tril(1 - upper.T, -1)
    return out.sum(axis=1)


def _fill_group_mean(frame: pd.DataFrame, codes: list[str], labels: np.ndarray | None) -> np.ndarray:
    keys: list[np.ndarray] = []
    if TIME in frame.columns:
        keys.append(frame[TIME].to_numpy())
    if labels is not None:
        keys.append(labels)
    x = values_of(frame, codes)
    if keys:
        fill = frame[codes].astype(float).groupby(keys, dropna=True).transform("mean").to_numpy(dtype=float)
    else:
        fill = np.broadcast_to(col_mean(x), x.shape)
    return np.where(np.isnan(x), fill, x)


def aggregate(
    frame: pd.DataFrame,
    structure: Structure,
    weights: WeightSource,
    method: str = "a_amean",
    params: Mapping[str, Any] | None = None,
    by_level: Mapping[int, Mapping[str, Any]] | None = None,
    groups: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Aggregate indicator scores up to the index; return (frame with every code, weights used).

    The indicator columns of the result share memory with ``frame``.

    ``frame`` holds identifiers and the indicator columns; ``by_level`` maps a parent level to
    ``{"method": ..., "params": {...}}`` replacing ``method``/``params`` at that level; ``groups`` holds the
    group columns (aligned with ``frame``) used by ``missing = "group_mean"``.
    """
    ids = frame[id_columns(frame)]
    indicators = list(structure.indicators)
    times = frame[TIME].to_numpy() if TIME in frame.columns else None
    values, used = aggregate_values(frame[indicators].to_numpy(dtype=float), structure, weights, method, params,
                                    by_level, times, groups, lambda x, codes: make_frame(ids, x, codes))
    aggregated = pd.DataFrame(values, columns=list(structure.aggregates), index=frame.index, copy=False)
    return pd.concat([frame[id_columns(frame) + indicators], aggregated], axis=1), used


def aggregate_values(
    scores: np.ndarray,
    structure: Structure,
    weights: WeightSource,
    method: str = "a_amean",
    params: Mapping[str, Any] | None = None,
    by_level: Mapping[int, Mapping[str, Any]] | None = None,
    times: np.ndarray | None = None,
    groups: pd.DataFrame | None = None,
    frame_of: Callable[[np.ndarray, list[str]], pd.DataFrame] | None = None,
) -> tuple[np.ndarray, dict[str, float]]:
    """:func:`aggregate` on the matrix of indicator scores (rows × indicators): returns the scores of the
    aggregates (rows × ``structure.aggregates``) and the weights used. ``times``: the Time of each row (``None``
    without Time); ``frame_of(x, codes)`` makes a stage frame of those rows, asked only when a data-driven weight
    source or ``missing = "group_mean"`` needs the children as a frame."""
    aggregates = list(structure.aggregates)
    values = np.empty((len(scores), len(aggregates)))
    position = {c: j for j, c in enumerate(aggregates)}
    used: dict[str, float] = {}
    for level in range(2, structure.max_level + 1):
        entry = (by_level or {}).get(level, {"method": method, "params": params or {}})
        lev_method = entry["method"]
        lev_params = {**DEFAULTS, **entry["params"]}
        children = list(structure.at_level(level - 1))
        parents = list(structure.at_level(level))
        x = scores if level == 2 else values[:, position[children[0]] : position[children[-1]] + 1]
        child_frame = None
        if callable(weights) or lev_params["missing"] == "group_mean":
            if frame_of is None:
                raise ValueError("aggregate_values needs frame_of for data-driven weights or missing = group_mean")
            child_frame = frame_of(x, children)
        level_weights = weights(level, cast(pd.DataFrame, child_frame)) if callable(weights) else weights
        used.update({c: float(level_weights[c]) for c in children})
        row = {c: i for i, c in enumerate(children)}
        w = np.zeros((len(children), len(parents)))
        for j, parent in enumerate(parents):
            for child in structure.children[parent]:
                w[row[child], j] = level_weights[child]
        if lev_params["missing"] == "group_mean" and child_frame is not None:
            group = lev_params["group"]
            labels = None if group is None or groups is None else groups[group].to_numpy(dtype=object)
            x_in = _fill_group_mean(child_frame, children, labels)
        else:
            x_in = x
        if lev_method == "a_copeland":
            y = np.full((len(x_in), len(parents)), np.nan)
            slots = times if times is not None else np.zeros(len(x_in))
            for t in np.unique(slots):
                rows = np.flatnonzero(slots == t)
                for j in range(len(parents)):
                    members = np.flatnonzero(w[:, j] > 0)
                    y[rows, j] = a_copeland(x_in[np.ix_(rows, members)], w[members, j])
        else:
            y = aggregate_level(x_in, w, lev_method, parents, lev_params.get("p"))
        if lev_params["dat_thresh"] is not None:
            membership = (w > 0).astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                share = (~np.isnan(x)).astype(float) @ membership / membership.sum(axis=0)
            y = np.where(share < lev_params["dat_thresh"], np.nan, y)
        values[:, position[parents[0]] : position[parents[-1]] + 1] = y
    return values, used
