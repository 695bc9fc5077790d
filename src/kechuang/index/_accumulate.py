"""Online statistics of many regenerations, reduced block by block and merged in a fixed order.

Nothing here holds the runs themselves: per row (unit, or unit-year) and tracked code a block keeps

* exact rank counts c[row, k] = number of runs in which the row has rank k + 1;
* a histogram of the score over B equal bins of [lo, hi] (bounds known before the runs start);
* running moments (count, mean, M2 = Σ(x − mean)², min, max), merged with Chan et al.'s update
  mean = mean_a + δ·n_b/n, M2 = M2_a + M2_b + δ²·n_a·n_b/n (δ = mean_b − mean_a, n = n_a + n_b).

Counts are integers, so their totals do not depend on the order in which blocks arrive (each block sends its
distinct (row, value) pairs with their counts; see :func:`value_counts`); moments are merged in block order,
so the floating-point results do not either.

Quantiles follow NumPy's default (R type 7): with the n values sorted, q(p) = x_(i) + (h − i)(x_(i+1) − x_(i))
where h = (n − 1)·p and i = ⌊h⌋ (0-based order statistics). From rank counts they are exact. From a
histogram the j-th of the c values of bin b (0-based) is placed at lo + (b + (j + ½)/c)·width, clamped to the
observed [min, max], so a score quantile is within one bin width of the exact one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Moments", "value_counts", "quantiles_from_counts", "quantiles_from_histogram", "histogram_bins"]


@dataclass(frozen=True)
class Moments:
    """Count, mean, M2, min and max of each column (NaN values skipped)."""

    n: np.ndarray
    mean: np.ndarray
    m2: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    @classmethod
    def empty(cls, size: int) -> Moments:
        """No observations in ``size`` columns."""
        nan = np.full(size, np.nan)
        return cls(np.zeros(size), np.zeros(size), np.zeros(size), nan, nan.copy())

    @classmethod
    def of(cls, x: np.ndarray) -> Moments:
        """Moments of the columns of ``x`` (runs × columns)."""
        ok = ~np.isnan(x)
        n = ok.sum(axis=0).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(ok, x, 0.0).sum(axis=0) / n
            d = np.where(ok, x - mean, 0.0)
        mean = np.where(n > 0, mean, 0.0)
        return cls(n, mean, (d * d).sum(axis=0), np.fmin.reduce(x, axis=0), np.fmax.reduce(x, axis=0))

    def merge(self, other: Moments) -> Moments:
        """Moments of the union of both sets of observations (Chan et al.)."""
        n = self.n + other.n
        delta = other.mean - self.mean
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, self.mean + delta * other.n / n, 0.0)
            m2 = np.where(n > 0, self.m2 + other.m2 + delta * delta * self.n * other.n / n, 0.0)
        return Moments(n, mean, m2, np.fmin(self.lo, other.lo), np.fmax(self.hi, other.hi))

    @property
    def sd(self) -> np.ndarray:
        """Sample standard deviation √(M2/(n − 1)) (NaN for fewer than two observations)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n > 1, np.sqrt(self.m2 / (self.n - 1)), np.nan)


def value_counts(values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """How often each row takes each value: ``values`` (runs × rows) are integers in [0, size), −1 = none.

    Returns (ids, counts), each id once, with id = row·size + value, from one sort of each row's values and
    their run lengths (no array of rows × size is formed). Both are int32 when the ids fit.
    """
    v = np.sort(values.T, axis=1)
    rows, runs = v.shape
    flat = v.reshape(-1)
    row_of = np.repeat(np.arange(rows, dtype=np.int64), runs)
    start = np.ones(flat.size, dtype=bool)
    start[1:] = (flat[1:] != flat[:-1]) | (row_of[1:] != row_of[:-1])
    pos = np.flatnonzero(start)
    counts = np.diff(np.append(pos, flat.size))
    first = flat[pos].astype(np.int64)
    keep = first >= 0
    ids, counts = (row_of[pos] * size + first)[keep], counts[keep]
    small = rows * size < 2**31
    return ids.astype(np.int32 if small else np.int64), counts.astype(np.int32)


def histogram_bins(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, bins: int) -> np.ndarray:
    """Bin (0 … bins − 1) of each value of ``x`` (runs × rows) in its row's [lo, hi] (clipped)."""
    width = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        pos = np.where(width > 0, (x - lo) / width * bins, 0.0)
    pos = np.where(np.isfinite(pos), pos, 0.0)
    return np.clip(np.floor(pos), 0, bins - 1).astype(np.int64)


def _order_statistics(counts: np.ndarray, p: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the indices i and i + 1 of the type-7 order statistics for p, and the interpolation fraction."""
    n = counts.sum(axis=1)
    h = (n - 1) * p
    i = np.floor(h)
    return i.astype(np.int64), np.minimum(i + 1, np.maximum(n - 1, 0)).astype(np.int64), h - i, n


def _locate(cums: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Per row, the first bin whose cumulative count exceeds the 0-based order index k."""
    return np.minimum((cums <= k[:, None]).sum(axis=1), cums.shape[1] - 1)


def quantiles_from_counts(counts: np.ndarray, probs: list[float]) -> np.ndarray:
    """Type-7 quantiles (len(probs) × rows) of per-row counts of the values 1, 2, … (exact)."""
    counts = np.asarray(counts)
    cums = np.cumsum(counts, axis=1)
    out = np.full((len(probs), len(counts)), np.nan)
    for j, p in enumerate(probs):
        i, i1, frac, n = _order_statistics(counts, p)
        v0 = _locate(cums, i) + 1.0
        v1 = _locate(cums, i1) + 1.0
        out[j] = np.where(n > 0, v0 + frac * (v1 - v0), np.nan)
    return out


def quantiles_from_histogram(
    counts: np.ndarray, lo: np.ndarray, hi: np.ndarray, vmin: np.ndarray, vmax: np.ndarray, probs: list[float]
) -> np.ndarray:
    """Type-7 quantiles (len(probs) × rows) from per-row histograms over [lo, hi] (see the module docstring)."""
    counts = np.asarray(counts)
    bins = counts.shape[1]
    cums = np.cumsum(counts, axis=1)
    rows = np.arange(len(counts))
    width = (hi - lo) / bins

    def value(k: np.ndarray) -> np.ndarray:
        b = _locate(cums, k)
        before = np.where(b > 0, cums[rows, np.maximum(b - 1, 0)], 0)
        c = np.maximum(counts[rows, b], 1)
        v = lo + (b + (k - before + 0.5) / c) * width
        return np.clip(v, vmin, vmax)

    out = np.full((len(probs), len(counts)), np.nan)
    for j, p in enumerate(probs):
        i, i1, frac, n = _order_statistics(counts, p)
        v0, v1 = value(i), value(i1)
        out[j] = np.where(n > 0, v0 + frac * (v1 - v0), np.nan)
    return out
