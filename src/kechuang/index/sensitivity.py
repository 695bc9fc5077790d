"""Variance-based (Sobol') sensitivity indices from Saltelli designs, with bootstrap confidence intervals.

Given model outputs on the matrices A, B and AB_g of a Saltelli design (see :mod:`kechuang.index.sampling`),
with N base points and G factors (groups):

* the outputs are first standardised, f ← (f − mean)/sd over all N·(G + 2) runs (as SALib does: the
  first-order estimator is not invariant to a shift of f, and centring reduces its bias);
* V = Var(f(A) ∪ f(B)) (population variance over the 2N runs of A and B);
* first order (Saltelli et al. 2010): S_g = mean(f(B)·(f(AB_g) − f(A))) / V;
* total order (Jansen 1999): S_Tg = mean((f(A) − f(AB_g))²) / (2V);
* bootstrap: R resamples of the N base points (indices ``default_rng(seed).integers(N, size=(N, R))``),
  each giving both estimators with its own V; ``*_conf`` = z_{(1+c)/2}·sd of the resampled estimates
  (SALib's half-width) and ``*_lo``/``*_hi`` the (1 − c)/2 and (1 + c)/2 percentiles of them.

These are SALib's estimators (``SALib.analyze.sobol.analyze`` with ``calc_second_order=False``): the same
A/B/AB outputs and seed give the same indices and intervals. Outputs may carry trailing dimensions (one
column per target, e.g. each unit's rank); a target that is constant over the runs has no variance to
apportion, so its indices are NaN and ``constant`` is true for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

__all__ = ["SobolIndices", "sobol_indices", "split_salib"]

_CHUNK_ELEMENTS = 1 << 22


@dataclass(frozen=True)
class SobolIndices:
    """First- and total-order indices (G × targets, or G for a single output), their bootstrap half-widths
    (``*_conf``) and percentile intervals (``*_lo``, ``*_hi``); ``constant`` marks outputs without variance."""

    S1: np.ndarray
    S1_conf: np.ndarray
    S1_lo: np.ndarray
    S1_hi: np.ndarray
    ST: np.ndarray
    ST_conf: np.ndarray
    ST_lo: np.ndarray
    ST_hi: np.ndarray
    constant: np.ndarray


def split_salib(y: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outputs in SALib's run order (N·(G + 2) rows: A, AB_1 … AB_G, B per base point) → f(A) (N, …),
    f(B) (N, …) and f(AB) (N, G, …)."""
    y = np.asarray(y, dtype=float)
    step = n_groups + 2
    if len(y) % step:
        raise ValueError(f"{len(y)} outputs are not a multiple of G + 2 = {step}")
    blocks = y.reshape(len(y) // step, step, *y.shape[1:])
    return blocks[:, 0], blocks[:, -1], blocks[:, 1:-1]


def _estimates(a: np.ndarray, b: np.ndarray, ab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """S1 and ST (axis 0 = base points is reduced; ``ab`` has the group axis at position 1)."""
    var = np.concatenate([a, b]).var(axis=0)
    a1, b1 = a[:, None], b[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        s1 = np.mean(b1 * (ab - a1), axis=0) / var[None]
        st = 0.5 * np.mean((a1 - ab) ** 2, axis=0) / var[None]
    return s1, st


def sobol_indices(
    y_a: np.ndarray,
    y_b: np.ndarray,
    y_ab: np.ndarray,
    *,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int | np.random.SeedSequence | None = None,
) -> SobolIndices:
    """Sobol' indices of outputs f(A) (N or N × T), f(B) (same) and f(AB) (N × G or N × G × T); see the
    module docstring for the formulas."""
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be between 0 and 1")
    a, b, ab = (np.asarray(v, dtype=float) for v in (y_a, y_b, y_ab))
    single = a.ndim == 1
    if single:
        a, b, ab = a[:, None], b[:, None], ab[:, :, None]
    n, g, t = ab.shape
    if a.shape != (n, t) or b.shape != (n, t):
        raise ValueError(f"f(A) and f(B) must be {n} × {t} like f(AB) {ab.shape}")
    every = np.concatenate([a, b, ab.reshape(n * g, t)])
    mean, sd = every.mean(axis=0), every.std(axis=0)
    constant = ~(sd > 0)
    scale = np.where(constant, 1.0, sd)
    a, b, ab = (a - mean) / scale, (b - mean) / scale, (ab - mean) / scale
    s1, st = _estimates(a, b, ab)
    r = np.random.default_rng(seed).integers(n, size=(n, num_resamples))
    z = norm.ppf(0.5 + conf_level / 2)
    q = [(1 - conf_level) / 2, (1 + conf_level) / 2]
    out = {k: np.full((g, t), np.nan) for k in ("S1_conf", "S1_lo", "S1_hi", "ST_conf", "ST_lo", "ST_hi")}
    width = max(1, _CHUNK_ELEMENTS // max(1, n * num_resamples * g))
    for start in range(0, t, width):
        cols = slice(start, min(t, start + width))
        ra, rb, rab = a[r, cols], b[r, cols], ab[:, :, cols][r].transpose(0, 2, 1, 3)
        rs1, rst = _estimates(ra, rb, rab)  # G × resamples × targets
        flat = np.ptp(np.concatenate([ra, rb]), axis=(0, 1)) == 0
        for name, res in (("S1", rs1), ("ST", rst)):
            conf = z * res.std(axis=1, ddof=1)
            out[f"{name}_conf"][:, cols] = np.where(flat[None], 0.0, conf)
            lo, hi = np.quantile(res, q, axis=1)
            out[f"{name}_lo"][:, cols] = lo
            out[f"{name}_hi"][:, cols] = hi
    nan = constant[None]
    fields = {"S1": s1, "ST": st, **out}
    fields = {k: np.where(nan, np.nan, v) for k, v in fields.items()}
    if single:
        fields = {k: v[:, 0] for k, v in fields.items()}
        return SobolIndices(**fields, constant=np.asarray(constant[0]))
    return SobolIndices(**fields, constant=constant)
