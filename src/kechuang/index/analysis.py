"""Statistical analysis of indicator data: moments, indicator statistics, data availability, Cronbach's
alpha, correlations and principal components.

Skewness and kurtosis follow COINr (the sample-adjusted forms of ``e1071`` type 2, as in Excel), over the
non-missing values of each column with ``d = x − mean``::

    skew = √n · Σd³ / (Σd²)^1.5 · √(n(n−1)) / (n−2)
    kurt = ((n+1)(r−3) + 6)(n−1) / ((n−2)(n−3)),   r = n Σd⁴ / (Σd²)²

(NaN when n < 3 for the skewness, n < 4 for the kurtosis, or when the column is constant).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from kechuang.index._grid import id_columns, values_of
from kechuang.index._parallel import column_blocks, run_blocks

__all__ = [
    "correlation_flags",
    "skew_kurt",
    "indicator_stats",
    "data_availability",
    "cronbach_alpha",
    "correlations",
    "principal_components",
]


def skew_kurt(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column-wise skewness and kurtosis (COINr definitions above) of a 2-D array, ignoring NaNs.

    The mean is refined as in R (``m = Σx/n``, then ``m += Σ(x − m)/n``); columns are processed in blocks
    so that temporaries stay small (and blocks run in parallel).
    """
    x = np.asarray(x, dtype=float)
    n_rows, n_cols = x.shape
    skew = np.full(n_cols, np.nan)
    kurt = np.full(n_cols, np.nan)

    def block_moments(cols: slice) -> None:
        block = x[:, cols]
        missing = np.isnan(block)
        n = n_rows - missing.sum(axis=0).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(missing, 0.0, block).sum(axis=0) / n
            d = block - mean
            d[missing] = 0.0
            mean += d.sum(axis=0) / n
            np.subtract(block, mean, out=d)
            d[missing] = 0.0
            d2 = d * d
            s2 = d2.sum(axis=0)
            d *= d2
            s3 = d.sum(axis=0)
            d2 *= d2
            s4 = d2.sum(axis=0)
            sk = np.sqrt(n) * s3 / s2**1.5 * np.sqrt(n * (n - 1)) / (n - 2)
            r = n * s4 / s2**2
            kt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
        skew[cols] = np.where(n >= 3, sk, np.nan)
        kurt[cols] = np.where(n >= 4, kt, np.nan)

    run_blocks(block_moments, column_blocks(n_rows, n_cols))
    return skew, kurt


def _signif(values: np.ndarray, digits: int) -> np.ndarray:
    """Round to ``digits`` significant figures exactly as R's ``signif``: with e = digits − 1 − ⌊log₁₀|x|⌋,
    rint(x·10^e)/10^e for e > 0, else rint(x/10^−e)·10^−e (rint rounds half to even)."""
    values = np.asarray(values, dtype=float)
    out = values.copy()
    finite = np.isfinite(values) & (values != 0)
    x = np.abs(values[finite])
    e10 = digits - 1 - np.floor(np.log10(x))
    up = e10 > 0
    scale = 10.0 ** np.abs(e10)
    rounded = np.where(up, np.rint(x * scale) / scale, np.rint(x / scale) * scale)
    out[finite] = np.sign(values[finite]) * rounded
    return out


def indicator_stats(
    frame: pd.DataFrame,
    codes: Sequence[str] | None = None,
    *,
    t_skew: float = 2.0,
    t_kurt: float = 3.5,
    t_avail: float = 0.65,
    t_zero: float = 0.5,
    t_unq: float = 0.5,
    nsignif: int | None = None,
) -> pd.DataFrame:
    """Statistics of each indicator column, as COINr's ``get_stats``.

    Columns: Min, Max, Mean, Median, Std (sample, n − 1), Skew, Kurt, N.Avail (non-missing), N.NonZero,
    N.Unique, N.Same (size of the largest group of equal values), Frc.Avail = N.Avail/n,
    Frc.NonZero = N.NonZero/N.Avail, Frc.Unique = N.Unique/N.Avail, Frc.Same = N.Same/N.Avail (n = number of
    rows); flags: Flag.Avail ``LOW`` if Frc.Avail < t_avail, Flag.NonZero ``LOW`` if N.NonZero/n < t_zero,
    Flag.Unique ``LOW`` if N.Unique/n < t_unq, Flag.SkewKurt ``OUT`` if |Skew| > t_skew and Kurt > t_kurt.
    ``nsignif`` rounds the numbers to that many significant figures.
    """
    ids = id_columns(frame)
    codes = [c for c in frame.columns if c not in ids] if codes is None else list(codes)
    x = values_of(frame, codes)
    n = x.shape[0]
    avail = ~np.isnan(x)
    n_avail = avail.sum(axis=0)
    n_nonzero = (avail & (x != 0)).sum(axis=0)
    n_unique = np.zeros(len(codes), dtype=int)
    n_same = np.zeros(len(codes), dtype=int)
    for j in range(len(codes)):
        _, counts = np.unique(x[avail[:, j], j], return_counts=True)
        n_unique[j] = len(counts)
        n_same[j] = counts.max() if len(counts) else 0
    skew, kurt = skew_kurt(x)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        numbers = {
            "Min": np.nanmin(x, axis=0),
            "Max": np.nanmax(x, axis=0),
            "Mean": np.nanmean(x, axis=0),
            "Median": np.nanmedian(x, axis=0),
            "Std": np.nanstd(x, axis=0, ddof=1),
            "Skew": skew,
            "Kurt": kurt,
            "N.Avail": n_avail,
            "N.NonZero": n_nonzero,
            "N.Unique": n_unique,
            "N.Same": n_same,
            "Frc.Avail": n_avail / n,
            "Frc.NonZero": n_nonzero / n_avail,
            "Frc.Unique": n_unique / n_avail,
            "Frc.Same": n_same / n_avail,
        }
    if nsignif is not None:
        numbers = {k: (_signif(v, nsignif) if v.dtype.kind == "f" else v) for k, v in numbers.items()}
    out = pd.DataFrame({"iCode": codes, **numbers})
    out["Flag.Avail"] = np.where(n_avail / n >= t_avail, "ok", "LOW")
    out["Flag.NonZero"] = np.where(n_nonzero / n >= t_zero, "ok", "LOW")
    out["Flag.Unique"] = np.where(n_unique / n >= t_unq, "ok", "LOW")
    out["Flag.SkewKurt"] = np.where((np.abs(skew) > t_skew) & (kurt > t_kurt), "OUT", "ok")
    return out


def data_availability(frame: pd.DataFrame, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Data availability of each row (unit or unit-year) over the indicator columns, as COINr.

    N_missing = number of NaN, N_zero = number of zeros, N_miss_or_zero = their sum,
    Dat_Avail = 1 − N_missing/k, Non_Zero = 1 − N_zero/(k − N_missing) (k = number of indicators).
    """
    ids = id_columns(frame)
    codes = [c for c in frame.columns if c not in ids] if codes is None else list(codes)
    table: dict[str, object] = {c: frame[c].array for c in ids}
    table.update(availability(frame[list(codes)].to_numpy(dtype=float)))
    return pd.DataFrame(table, index=frame.index)


def availability(x: np.ndarray) -> dict[str, np.ndarray]:
    """The columns of :func:`data_availability` (``N_missing`` … ``Non_Zero``) for the rows of a matrix ``x``
    (rows × k indicators)."""
    k = x.shape[1]
    missing = np.isnan(x).sum(axis=1)
    zero = (x == 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        non_zero = 1 - zero / (k - missing)
    return {"N_missing": missing, "N_zero": zero, "N_miss_or_zero": missing + zero, "Dat_Avail": 1 - missing / k,
            "Non_Zero": non_zero}


def cronbach_alpha(frame: pd.DataFrame, codes: Sequence[str]) -> float:
    """Cronbach's alpha of a set of columns, as COINr's ``get_cronbach``.

    With C the covariance matrix (pairwise-complete observations) of the k columns:
    α = k² · mean(off-diagonal C) / ΣC = k² · ((ΣC − tr C) / (k(k−1))) / ΣC.
    """
    cov = frame[list(codes)].astype(float).cov().to_numpy()
    k = cov.shape[0]
    total = np.nansum(cov)
    mean_off = (total - np.nansum(np.diag(cov))) / (k * (k - 1))
    return float(k * k * mean_off / total)


def correlations(frame: pd.DataFrame, codes: Sequence[str] | None = None, method: str = "pearson") -> pd.DataFrame:
    """Correlation matrix of columns over pairwise-complete rows (``pearson``, ``spearman`` or ``kendall``)."""
    ids = id_columns(frame)
    codes = [c for c in frame.columns if c not in ids] if codes is None else list(codes)
    return frame[list(codes)].astype(float).corr(method=method)


def principal_components(frame: pd.DataFrame, codes: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """PCA of standardised columns over complete rows (as ``prcomp(center, scale)``).

    Returns the share of variance explained by each component (eigenvalues of the correlation matrix over
    their sum, descending) and the loadings (unit eigenvectors, one column ``PC1`` … per component). The
    sign of each component is fixed so that its loadings sum to a non-negative number.
    """
    x = frame[list(codes)].astype(float).dropna().to_numpy()
    if x.shape[0] < 2:
        raise ValueError("principal components need at least two complete rows")
    sd = x.std(axis=0, ddof=1)
    if np.any(sd == 0):
        constant = [c for c, v in zip(codes, sd, strict=True) if v == 0]
        raise ValueError(f"principal components need varying columns; constant: {', '.join(constant)}")
    z = (x - x.mean(axis=0)) / sd
    corr = z.T @ z / (x.shape[0] - 1)
    values, vectors = np.linalg.eigh(corr)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    vectors = vectors * np.where(vectors.sum(axis=0) < 0, -1.0, 1.0)
    loadings = pd.DataFrame(vectors, index=list(codes), columns=[f"PC{i + 1}" for i in range(len(codes))])
    return values / values.sum(), loadings


def correlation_flags(
    frame: pd.DataFrame,
    parent: dict[str, str | None],
    codes: Sequence[str],
    *,
    high: float = 0.9,
    low: float = -0.4,
    method: str = "pearson",
) -> pd.DataFrame:
    """Pairs of sibling codes (same parent) whose correlation is a concern, as COINr's ``get_corr_flags``.

    A pair is flagged ``Collinear`` when r > ``high`` (they measure the same thing twice) and
    ``Negative`` when r < ``low`` (they pull the parent in opposite directions). Columns: ``Parent``,
    ``A``, ``B``, ``r``, ``Flag``; sorted by parent, then |r| descending.
    """
    corr = correlations(frame, codes, method)
    rows = []
    codes = list(codes)
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            if parent.get(a) is None or parent.get(a) != parent.get(b):
                continue
            r = float(corr.loc[a, b])
            if r > high:
                rows.append((parent[a], a, b, r, "Collinear"))
            elif r < low:
                rows.append((parent[a], a, b, r, "Negative"))
    out = pd.DataFrame(rows, columns=["Parent", "A", "B", "r", "Flag"])
    return out.sort_values(["Parent", "r"], key=lambda c: c.abs() if c.name == "r" else c,
                           ascending=[True, False], ignore_index=True)
