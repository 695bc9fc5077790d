"""Weights: manual, equal, AHP and data-driven (entropy, CRITIC, coefficient of variation, PCA) weights,
normalisation within each parent and effective weights.

Weights are relative within a parent: the weight used in aggregation is w̃ᵢ = wᵢ / Σ_{siblings} w. The
effective weight of a code is the product of the w̃ along its chain up to the index.

Data-driven weights are computed from the children's scores x (rows = units, or unit-years pooled;
columns = the children of one parent):

* entropy (熵权法): pᵢⱼ = xᵢⱼ/Σᵢxᵢⱼ, eⱼ = −(1/ln nⱼ)·Σᵢ pᵢⱼ ln pᵢⱼ (0·ln 0 = 0), wⱼ ∝ 1 − eⱼ
  (requires x ≥ 0);
* CRITIC: wⱼ ∝ σⱼ·Σₖ(1 − rⱼₖ), σ the sample standard deviation, r the Pearson correlation;
* coefficient of variation: wⱼ ∝ σⱼ/|meanⱼ|;
* PCA: wⱼ = (loading of j on the first principal component of the standardised data)², which sum to 1
  (COINr uses the signed loadings, which can be negative).

AHP: w is the principal eigenvector of the pairwise comparison matrix A (aᵢⱼ = importance of i over j,
aⱼᵢ = 1/aᵢⱼ), normalised to sum 1; consistency index CI = (λmax − n)/(n − 1) and ratio CR = CI/RI(n) with
Saaty's random indices (CR = 0 for n ≤ 2).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from kechuang.index._columns import col_mean, col_sd
from kechuang.index._grid import arrays_frame
from kechuang.index.analysis import principal_components
from kechuang.index.errors import ComputationError
from kechuang.index.structure import Structure

__all__ = [
    "WEIGHT_METHODS",
    "RANDOM_INDEX",
    "equal_weights",
    "ahp_weights",
    "entropy_weights",
    "critic_weights",
    "cv_weights",
    "pca_weights",
    "data_driven_weights",
    "normalise_within_parent",
    "effective_weights",
]

WEIGHT_METHODS = ("manual", "equal", "set", "ahp", "entropy", "critic", "cv", "pca")
RANDOM_INDEX = (0.0, 0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)


def equal_weights(structure: Structure) -> dict[str, float]:
    """Weight 1 for every indicator and aggregate."""
    return dict.fromkeys(structure.codes, 1.0)


def ahp_weights(matrix: np.ndarray) -> tuple[np.ndarray, float]:
    """Principal-eigenvector weights (summing to 1) and consistency ratio of a pairwise matrix."""
    a = np.asarray(matrix, dtype=float)
    n = a.shape[0]
    values, vectors = np.linalg.eig(a)
    top = int(np.argmax(values.real))
    w = np.abs(vectors[:, top].real)
    w = w / w.sum()
    if n <= 2:
        return w, 0.0
    lambda_max = float(values[top].real)
    ci = (lambda_max - n) / (n - 1)
    ri = RANDOM_INDEX[n] if n < len(RANDOM_INDEX) else RANDOM_INDEX[-1]
    return w, max(ci / ri, 0.0)


def _share(raw: np.ndarray) -> np.ndarray:
    """Non-negative shares summing to 1 (NaN and negative rounding noise count as 0)."""
    raw = np.where(np.isfinite(raw) & (raw > 0), raw, 0.0)
    total = raw.sum()
    return raw / total if total > 0 else np.full(raw.shape, 1.0 / raw.size)


def entropy_weights(x: np.ndarray) -> np.ndarray:
    """Entropy weights of the columns of ``x`` (NaNs ignored; equal weights if no column varies)."""
    x = np.asarray(x, dtype=float)
    if np.fmin.reduce(x, axis=None) < 0:
        raise ComputationError("weights", "entropy", "needs non-negative scores (normalise with n_minmax first)")
    n = np.sum(~np.isnan(x), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / np.nansum(x, axis=0)
        plogp = np.where(p > 0, p * np.log(p), 0.0)
        e = -np.nansum(plogp, axis=0) / np.log(n)
    return _share(1 - e)


def critic_weights(x: np.ndarray) -> np.ndarray:
    """CRITIC weights σⱼ·Σₖ(1 − rⱼₖ) of the columns of ``x`` (pairwise-complete correlations)."""
    frame = pd.DataFrame(np.asarray(x, dtype=float))
    sd = frame.std(ddof=1).to_numpy()
    r = np.nan_to_num(frame.corr().to_numpy(), nan=0.0)
    return _share(sd * (1 - r).sum(axis=0))


def cv_weights(x: np.ndarray) -> np.ndarray:
    """Coefficient-of-variation weights σⱼ/|meanⱼ| of the columns of ``x``."""
    x = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _share(col_sd(x) / np.abs(col_mean(x)))


def pca_weights(x: np.ndarray) -> np.ndarray:
    """Squared first-component loadings of the standardised columns of ``x`` (complete rows); columns
    constant over the complete rows get weight 0 (equal weights if none varies)."""
    frame = pd.DataFrame(np.asarray(x, dtype=float)).dropna()
    varying = (frame.std(ddof=1) > 0).to_numpy()
    raw = np.zeros(frame.shape[1])
    if varying.sum() >= 1 and len(frame) >= 2:
        _, loadings = principal_components(frame.loc[:, varying], list(frame.columns[varying]))
        raw[varying] = loadings["PC1"].to_numpy() ** 2
    return _share(raw)


_DATA_DRIVEN = {"entropy": entropy_weights, "critic": critic_weights, "cv": cv_weights, "pca": pca_weights}


def data_driven_weights(method: str, scores: pd.DataFrame) -> dict[str, float]:
    """Weights of the columns of ``scores`` (one parent's children) by a data-driven ``method``."""
    if method not in _DATA_DRIVEN:
        raise ValueError(f"unknown data-driven weight method {method!r} (valid: {', '.join(_DATA_DRIVEN)})")
    w = _DATA_DRIVEN[method](scores.to_numpy(dtype=float))
    return {str(c): float(v) for c, v in zip(scores.columns, w, strict=True)}


def normalise_within_parent(weights: Mapping[str, float], structure: Structure) -> dict[str, float]:
    """w̃ᵢ = wᵢ / Σ_{j: parent(j) = parent(i)} wⱼ (top-level codes get 1; NaN if the siblings sum to 0)."""
    out: dict[str, float] = {}
    for code in structure.codes:
        parent = structure.parent[code]
        if parent is None:
            out[code] = 1.0
            continue
        total = sum(weights[c] for c in structure.children[parent])
        out[code] = weights[code] / total if total > 0 else float("nan")
    return out


def effective_weights(weights: Mapping[str, float], structure: Structure) -> pd.DataFrame:
    """Table of iCode, Level, Parent, Weight, Normalised (w̃) and EffWeight (product of w̃ up the chain)."""
    norm = normalise_within_parent(weights, structure)
    effective: list[float] = []
    for code in structure.codes:
        eff = 1.0
        node: str | None = code
        while node is not None:
            eff *= norm[node]
            node = structure.parent[node]
        effective.append(eff)
    codes = structure.codes
    return arrays_frame(None, [
        ("iCode", np.array(codes, dtype=object)),
        ("Level", np.array([structure.level[c] for c in codes], dtype=np.int64)),
        ("Parent", np.array([structure.parent[c] for c in codes], dtype=object)),
        ("Weight", np.array([weights[c] for c in codes])),
        ("Normalised", np.array([norm[c] for c in codes], dtype=float)),
        ("EffWeight", np.array(effective, dtype=float)),
    ])
