"""Results: ranks, growth over time and the decomposition of a composite's change into its children.

* rank: highest score = 1, ties share the lowest rank number (sport ranking, R ``ties.method = "min"``),
  per year;
* year-on-year growth: g_t = x_t / x_{t−1} − 1 (missing when year t − 1 is absent);
* compound annual growth rate over [t₀, T]: (x_T / x_{t₀})^(1/(T − t₀)) − 1;
* change of a weighted arithmetic mean y = Σwᵢxᵢ/Σw between two years: Δy = Σ w̃ᵢ Δxᵢ with w̃ = w/Σw, so
  child i contributes w̃ᵢΔxᵢ points, i.e. 100·w̃ᵢΔxᵢ/Δy % of the change (exact when the same children are
  available in both years; the weights are renormalised over the children available in both).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from kechuang.index._grid import TIME, UNIT, Grid, arrays_frame, id_columns, make_frame, values_of
from kechuang.index._parallel import column_blocks, run_blocks
from kechuang.index.normalise import rank_rows

__all__ = ["ranks", "rank_arrays", "rank_frame", "group_ranks", "strengths_weaknesses", "growth", "growth_rate",
           "cagr", "decompose_change"]


def _codes(frame: pd.DataFrame, codes: Sequence[str] | None) -> list[str]:
    ids = id_columns(frame)
    return [c for c in frame.columns if c not in ids] if codes is None else list(codes)


def ranks(scores: pd.DataFrame, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Rank units on every code, per year: highest = 1, ties share the lowest number; missing stays NA.

    Ranks are nullable ``Int32`` columns. Codes are processed in blocks (in parallel); within a block each
    (code, year) is one contiguous row of units to sort.
    """
    codes = _codes(scores, codes)
    ids = [(c, scores[c].array) for c in id_columns(scores)]
    return rank_frame(scores[codes].to_numpy(dtype=float), Grid.of(scores), codes, scores.index, ids)


def rank_frame(
    values: np.ndarray, grid: Grid, codes: list[str], index: pd.Index, ids: Sequence[tuple[str, object]]
) -> pd.DataFrame:
    """:func:`ranks` of a matrix of scores (rows × ``codes``) whose rows lie on ``grid``; the frame has the
    identifier columns ``ids`` (name, array) and the row labels ``index``."""
    ranked = rank_arrays(values, grid, codes)
    columns = [(name, array.copy()) for name, array in ids]  # type: ignore[attr-defined]
    return arrays_frame(index, columns + [(c, ranked[c]) for c in codes])


def rank_arrays(values: np.ndarray, grid: Grid, codes: Sequence[str]) -> dict[str, pd.arrays.IntegerArray]:
    """The rank columns of :func:`ranks` (nullable ``Int32``) of a matrix of scores (rows × ``codes``) whose rows
    lie on ``grid``."""
    n_u, n_t = grid.shape
    n_rows = len(values)
    ranked = np.zeros((len(codes), n_rows), dtype=np.int32)
    missing = np.zeros((len(codes), n_rows), dtype=bool)

    slot = grid.time_pos * n_u + grid.unit_pos

    def rank_block(block: slice) -> None:
        part = values[:, block].T
        layout = np.full((part.shape[0], n_t * n_u), np.nan)
        layout[:, slot] = part
        np.negative(layout, out=layout)
        r = rank_rows(layout.reshape(-1, n_u)).reshape(part.shape[0], n_t * n_u)[:, slot]
        nan = np.isnan(r)
        missing[block] = nan
        ranked[block] = np.where(nan, 0, r)

    run_blocks(rank_block, column_blocks(n_rows, len(codes)))
    return {c: pd.arrays.IntegerArray(ranked[j], missing[j]) for j, c in enumerate(codes)}


def growth(scores: pd.DataFrame, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Year-on-year growth x_t / x_{t−1} − 1 of every code (needs ``Time``; NaN without year t − 1)."""
    if TIME not in scores.columns:
        raise ValueError("growth needs a Time column")
    codes = _codes(scores, codes)
    grid = Grid.of(scores)
    cube = grid.cube(values_of(scores, codes))
    out = np.full(cube.shape, np.nan)
    consecutive = np.diff(grid.times) == 1
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = cube[:, 1:] / cube[:, :-1] - 1
    out[:, 1:] = np.where(consecutive[None, :, None], ratio, np.nan)
    return make_frame(scores[id_columns(scores)], grid.rows(out), codes)


def growth_rate(start: np.ndarray | float, end: np.ndarray | float, periods: float) -> np.ndarray:
    """Compound growth rate per period: (end / start)^(1/periods) − 1."""
    if periods <= 0:
        raise ValueError("periods must be > 0")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.power(np.asarray(end, dtype=float) / np.asarray(start, dtype=float), 1.0 / periods) - 1


def _year(scores: pd.DataFrame, year: int, codes: list[str]) -> pd.DataFrame:
    if TIME not in scores.columns:
        raise ValueError("a Time column is needed")
    rows = scores[scores[TIME] == year]
    if rows.empty:
        raise ValueError(f"no rows for Time {year}")
    return rows.set_index(UNIT)[codes]


def cagr(scores: pd.DataFrame, start: int, end: int, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Compound annual growth rate of every code between ``start`` and ``end``, one row per unit.

    CAGR = (x_end / x_start)^(1/(end − start)) − 1; units missing either year get NaN.
    """
    codes = _codes(scores, codes)
    x0, x1 = _year(scores, start, codes), _year(scores, end, codes)
    units = x0.index.union(x1.index)
    x0, x1 = x0.reindex(units), x1.reindex(units)
    rate = growth_rate(x0.to_numpy(dtype=float), x1.to_numpy(dtype=float), end - start)
    out = pd.DataFrame(rate, index=units, columns=codes).reset_index()
    return out.rename(columns={"index": UNIT})


def _contributions(c0: np.ndarray, c1: np.ndarray, w: np.ndarray, delta: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shares w̃ (weights renormalised over the children present in both years), contributions w̃·Δx and their
    % of the parent's change Δy, for rows of children's values ``c0`` → ``c1`` (rows × children); NaN where a
    child is missing in either year. Returns (share, contribution, pct, present)."""
    both = ~np.isnan(c0) & ~np.isnan(c1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(both, w, 0.0) / np.where(both, w, 0.0).sum(axis=1, keepdims=True)
        contribution = share * (c1 - c0)
        pct = 100 * contribution / delta[:, None]
    return share, np.where(both, contribution, np.nan), np.where(both, pct, np.nan), both


def decompose_change(
    scores: pd.DataFrame, weights: Mapping[str, float], code: str, start: int, end: int
) -> pd.DataFrame:
    """Contributions of the children of ``code`` (weighted arithmetic mean) to its change start → end.

    ``weights`` maps each child to its (relative) weight. One row per unit and child with the normalised
    weight w̃, the child's values, its contribution w̃·Δx in points and as % of the parent's change Δy
    (``parent_change``); see the module docstring.
    """
    children = list(weights)
    x0 = _year(scores, start, [code, *children])
    x1 = _year(scores, end, [code, *children]).reindex(x0.index)
    c0, c1 = x0[children].to_numpy(dtype=float), x1[children].to_numpy(dtype=float)
    w = np.array([weights[c] for c in children], dtype=float)
    delta = (x1[code] - x0[code]).to_numpy(dtype=float)
    share, contribution, pct, _ = _contributions(c0, c1, w, delta)
    n_u, m = c0.shape
    return pd.DataFrame(
        {
            UNIT: np.repeat(x0.index.to_numpy(), m),
            "iCode": np.tile(children, n_u),
            "weight": share.reshape(-1),
            "start": c0.reshape(-1),
            "end": c1.reshape(-1),
            "contribution": contribution.reshape(-1),
            "share_pct": pct.reshape(-1),
            "parent_change": np.repeat(delta, m),
        }
    )


def decompose_years(unit_scores: pd.DataFrame, weights: Mapping[str, float], code: str) -> pd.DataFrame:
    """:func:`decompose_change` of one unit's panel for every pair of consecutive years at once (the same
    formula, vectorised over years): one row per pair and child with ``year_from`` and ``year_to``."""
    children = list(weights)
    frame = unit_scores.sort_values(TIME)
    years = frame[TIME].to_numpy()
    values = frame[[code, *children]].to_numpy(dtype=float)
    c0, c1 = values[:-1, 1:], values[1:, 1:]
    delta = values[1:, 0] - values[:-1, 0]
    w = np.array([weights[c] for c in children], dtype=float)
    share, contribution, pct, _ = _contributions(c0, c1, w, delta)
    n, m = c0.shape
    return pd.DataFrame({
        "year_from": np.repeat(years[:-1], m), "year_to": np.repeat(years[1:], m), "iCode": np.tile(children, n),
        "weight": share.reshape(-1), "start": c0.reshape(-1), "end": c1.reshape(-1),
        "contribution": contribution.reshape(-1), "share_pct": pct.reshape(-1), "parent_change": np.repeat(delta, m),
    })


def group_ranks(scores: pd.DataFrame, groups: Sequence[object], codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Ranks within each group (and year): the same rule as :func:`ranks`, applied to each group's units.

    ``groups`` gives the group label of every row of ``scores`` (e.g. the ``EurAsia_group`` column).
    """
    codes = _codes(scores, codes)
    labels = pd.Series(list(groups), index=scores.index)
    parts = [ranks(scores.loc[idx], codes) for _, idx in labels.groupby(labels, sort=True).groups.items()]
    return pd.concat(parts).loc[scores.index]


def strengths_weaknesses(rank_table: pd.DataFrame, unit: str, codes: Sequence[str], n: int = 5,
                         year: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A unit's strengths and weaknesses: its ``n`` best- and worst-ranked codes (COINr ``get_str_weak``).

    Returns two frames (``iCode``, ``Rank``), best first and worst first; ties keep the order of ``codes``.
    """
    rows = rank_table[rank_table[UNIT] == unit]
    if TIME in rank_table.columns:
        rows = rows[rows[TIME] == (rows[TIME].max() if year is None else year)]
    if len(rows) != 1:
        raise ValueError(f"unit {unit!r} has {len(rows)} rows for that year")
    r = rows.iloc[0][list(codes)].dropna().astype(int)
    table = pd.DataFrame({"iCode": r.index, "Rank": r.to_numpy()})
    best = table.sort_values("Rank", kind="stable").head(n).reset_index(drop=True)
    worst = table.sort_values("Rank", ascending=False, kind="stable").head(n).reset_index(drop=True)
    return best, worst
