"""Column-wise statistics over non-missing values that return NaN for empty columns without warnings."""

from __future__ import annotations

import numpy as np


def col_min(x: np.ndarray) -> np.ndarray:
    """Minimum of each column, ignoring NaN (NaN for an all-missing column)."""
    return np.fmin.reduce(x, axis=0)


def col_max(x: np.ndarray) -> np.ndarray:
    """Maximum of each column, ignoring NaN (NaN for an all-missing column)."""
    return np.fmax.reduce(x, axis=0)


def col_mean(x: np.ndarray) -> np.ndarray:
    """Mean of each column over its non-missing values."""
    missing = np.isnan(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(missing, 0.0, x).sum(axis=0) / (~missing).sum(axis=0)


def col_sd(x: np.ndarray, ddof: int = 1) -> np.ndarray:
    """Standard deviation √(Σ(x − mean)² / (n − ddof)) of each column over its non-missing values."""
    missing = np.isnan(x)
    n = (~missing).sum(axis=0)
    d = np.where(missing, 0.0, x - col_mean(x))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(np.where(n > ddof, (d * d).sum(axis=0) / (n - ddof), np.nan))
