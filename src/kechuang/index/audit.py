"""A statistical audit of a composite index, as the JRC's Competence Centre on Composite Indicators audits the
Global Innovation Index and the SDG Index (OECD/JRC 2008, *Handbook on Constructing Composite Indicators*, the
"10-step guide"; Saisana, Saltelli & Tarantola 2005; Paruolo, Saisana & Saltelli 2013).

Every function takes a built :class:`~kechuang.index.pipeline.Result` (or the inputs of a build) and returns
plain frames; nothing here renders. Cross-sectional statistics use the rows of one year (``year``) or, when
``year`` is ``None``, every row (unit-years pooled).

* :func:`coherence` — the correlation of every element with every one of its ancestors (indicator with its
  pillar, sub-index and the index), flagged ``negative`` (r < 0) or ``weak`` (r < 0.3); :func:`sibling_flags` —
  collinear (r > 0.92) and negative (r < −0.4) pairs of siblings at every level.
* :func:`dimension_structure` — per aggregate: the principal components of its children (share of variance of
  the first, number of eigenvalues > 1) and Cronbach's α.
* :func:`importance` — weights against importance: the correlation ratio (first-order effect) of each element
  on the index, estimated by a penalised B-spline smoother (:func:`correlation_ratio`), normalised as in
  Paruolo et al. 2013 and set beside the nominal and effective weights, with ``silent`` and ``dominant`` flags.
* :func:`optimise_weights` — weights that give the components of one level a chosen (e.g. equal) correlation
  with the index, as COINr's ``get_opt_weights`` (Becker et al. 2017, *Ecological Indicators* 80, 12–22), by
  the Nelder–Mead method of R's ``optim`` (:func:`nelder_mead`).
* :func:`added_value` — how often the index ranks a unit differently from each dimension by more than 10
  places; :func:`dimension_removal` — the effect on the ranking of dropping each dimension.
* :func:`external_links` — correlation of the index and its dimensions with external measures.
* :func:`efficiency_ratio` — the ratio of two groups of dimensions (GII: Output / Input sub-index).
* :func:`time_series_audit` — for an index of units over time (base-year indices): under an uncertainty spec,
  the probability that the index and each dimension rose from one year to the next and the 5–95 % interval
  of the year-on-year growth; the growth under each alternative base year; :func:`survey_noise` — the same
  under the sampling error of survey-based indicators.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.interpolate import BSpline

from kechuang.index._grid import TIME, UNIT, id_columns
from kechuang.index.aggregate import aggregate
from kechuang.index.analysis import correlation_flags, cronbach_alpha, principal_components
from kechuang.index.normalise import normalise
from kechuang.index.pipeline import Result, build, prepare
from kechuang.index.removal import removal_effects
from kechuang.index.results import ranks
from kechuang.index.spec import Spec, load_spec, parse_spec
from kechuang.index.uncertainty import sample_scores
from kechuang.index.uncertainty_spec import UncertaintySpec

__all__ = [
    "NelderMead",
    "nelder_mead",
    "OptimisedWeights",
    "optimise_weights",
    "pspline_smooth",
    "correlation_ratio",
    "importance",
    "coherence",
    "sibling_flags",
    "dimension_structure",
    "added_value",
    "dimension_removal",
    "external_links",
    "efficiency_ratio",
    "TimeSeriesAudit",
    "time_series_audit",
    "survey_noise",
    "default_dimensions",
    "top_code",
]

WEAK_R = 0.3
COLLINEAR_R = 0.92
NEGATIVE_PAIR_R = -0.4
ALPHA_MIN = 0.7
SILENT_RATIO = 0.5
DOMINANT_RATIO = 2.0
RANK_SHIFT = 10


# ------------------------------------------------------------------ helpers


def top_code(result: Result) -> str:
    """The top code of the framework (the index)."""
    return str(result.structure.at_level(result.structure.max_level)[0])


def default_dimensions(result: Result) -> list[str]:
    """The dimensions of an index: the children of its top code."""
    return list(result.structure.children[top_code(result)])


def _rows(frame: pd.DataFrame, year: int | None) -> pd.DataFrame:
    if year is None or TIME not in frame.columns:
        return frame
    out = frame[frame[TIME] == year]
    if out.empty:
        raise ValueError(f"year {year} has no rows (years: {', '.join(str(t) for t in sorted(set(frame[TIME])))})")
    return out


def _pair(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = ~(np.isnan(x) | np.isnan(y))
    return x[ok], y[ok]


def _corr(x: np.ndarray, y: np.ndarray, method: str = "pearson") -> float:
    """Correlation over pairwise-complete rows (``pearson`` or ``spearman``; NaN below 3 pairs or no spread)."""
    x, y = _pair(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return math.nan
    if method == "spearman":
        x, y = pd.Series(x).rank().to_numpy(), pd.Series(y).rank().to_numpy()
    return float(np.corrcoef(x, y)[0, 1])


def _ancestors(result: Result, code: str) -> list[str]:
    out = []
    node = result.structure.parent[code]
    while node is not None:
        out.append(node)
        node = result.structure.parent[node]
    return out


# ------------------------------------------------------------------ Nelder–Mead (R's optim)


@dataclass(frozen=True)
class NelderMead:
    """Outcome of :func:`nelder_mead`: the best point, its value, the number of function evaluations and
    whether the convergence test was met (``False``: the evaluation limit was reached or a shrink failed)."""

    x: np.ndarray
    fun: float
    evaluations: int
    converged: bool


def nelder_mead(fn: Callable[[np.ndarray], float], x0: Sequence[float] | np.ndarray, *, reltol: float = 1.49e-8,
                abstol: float = -math.inf, maxit: int = 500, alpha: float = 1.0, beta: float = 0.5,
                gamma: float = 2.0) -> NelderMead:
    """Minimise ``fn`` by the Nelder–Mead simplex method in the variant of Nash (1990, *Compact Numerical
    Methods for Computers*, 2nd ed., algorithm 19), which R's ``optim(method = "Nelder-Mead")`` uses.

    Start: the simplex x0 and x0 + s·eⱼ (s = 0.1·max|x0ᵢ|, or 0.1 when x0 = 0). Each iteration, with L the best
    and H the worst vertex and c the centroid of all vertices but H: reflection x_r = (1 + α)c − αx_H; if
    f(x_r) < f_L, expansion x_e = γx_r + (1 − γ)c (keep the better of the two); otherwise x_H is replaced by
    x_r when that is better, then contraction x_c = (1 − β)x_H + βc; if that fails and f(x_r) ≥ f_H, the
    simplex shrinks towards L (xⱼ ← β(xⱼ − x_L) + x_L; stop if its size does not decrease). Stop when
    f_H ≤ f_L + reltol·(|f(x0)| + reltol), when f_L ≤ abstol, or after more than ``maxit`` evaluations.
    Defaults α = 1, β = 0.5, γ = 2 and the tolerances are R's.
    """
    x0 = np.asarray(x0, dtype=float)
    n = len(x0)
    f0 = float(fn(x0))
    if not math.isfinite(f0):
        raise ValueError("the objective cannot be evaluated at the initial point")
    evaluations = 1
    tol = reltol * (abs(f0) + reltol)
    step = max(float(np.max(np.abs(x0))) * 0.1, 0.0) or 0.1
    simplex = np.tile(x0, (n + 1, 1))
    values = np.empty(n + 1)
    values[0] = f0
    size = 0.0
    for j in range(1, n + 1):
        trial = step
        while simplex[j, j - 1] == x0[j - 1]:
            simplex[j, j - 1] = x0[j - 1] + trial
            trial *= 10
        size += trial
    old_size = size
    big = 1.0e35

    def f(x: np.ndarray) -> float:
        value = float(fn(x))
        return value if math.isfinite(value) else big

    low, recompute, converged = 0, True, False
    while True:
        if recompute:
            for j in range(n + 1):
                if j != low:
                    values[j] = f(simplex[j])
                    evaluations += 1
            recompute = False
        f_low = f_high = values[low]
        high = low
        for j in range(n + 1):
            if j != low:
                if values[j] < f_low:
                    low, f_low = j, values[j]
                if values[j] > f_high:
                    high, f_high = j, values[j]
        if f_high <= f_low + tol or f_low <= abstol:
            converged = True
            break
        centroid = (simplex.sum(axis=0) - simplex[high]) / n
        reflected = (1 + alpha) * centroid - alpha * simplex[high]
        f_reflected = f(reflected)
        evaluations += 1
        if f_reflected < f_low:
            expanded = gamma * reflected + (1 - gamma) * centroid
            f_expanded = f(expanded)
            evaluations += 1
            if f_expanded < f_reflected:
                simplex[high], values[high] = expanded, f_expanded
            else:
                simplex[high], values[high] = reflected, f_reflected
        else:
            if f_reflected < f_high:
                simplex[high], values[high] = reflected, f_reflected
            contracted = (1 - beta) * simplex[high] + beta * centroid
            f_contracted = f(contracted)
            evaluations += 1
            if f_contracted < values[high]:
                simplex[high], values[high] = contracted, f_contracted
            elif f_reflected >= f_high:
                recompute = True
                others = np.arange(n + 1) != low
                simplex[others] = beta * (simplex[others] - simplex[low]) + simplex[low]
                size = float(np.abs(simplex[others] - simplex[low]).sum())
                if size >= old_size:
                    break
                old_size = size
        if evaluations > maxit:
            break
    return NelderMead(simplex[low].copy(), float(values[low]), evaluations, converged)


# ------------------------------------------------------------------ correlation-optimised weights


def _groups_frame(result: Result) -> pd.DataFrame:
    inputs = prepare(result.data, result.meta, result.spec)
    normalised = result.stages["Normalised"]
    group_cols = list(result.meta.loc[result.meta["Type"] == "Group", "iCode"])
    return inputs.base.loc[normalised.index, group_cols]


def _reaggregator(result: Result) -> Callable[[Mapping[str, float]], pd.DataFrame]:
    """A function weights → scores of every code, aggregating the build's ``Normalised`` stage as its spec."""
    step = result.spec.step("aggregate")
    assert step is not None
    normalised = result.stages["Normalised"]
    groups = _groups_frame(result)

    def run(weights: Mapping[str, float]) -> pd.DataFrame:
        scores, _ = aggregate(normalised, result.structure, weights, step.method, step.params, step.by_level, groups)
        return scores

    return run


@dataclass(frozen=True)
class OptimisedWeights:
    """Outcome of :func:`optimise_weights`.

    ``weights``: iCode, Level, Weight for every code (the build's weights; the optimised level's weights sum
    to 1 over the level, as COINr returns them); ``table``: iCode, Desired (target share), Obtained (the
    correlation with the index as a share of the level's total, at the optimum), Correlation (r at the
    optimum), Nominal (r with the build's weights), OptWeight; ``objective``, ``evaluations``, ``converged``.
    """

    level: int
    weights: pd.DataFrame
    table: pd.DataFrame
    objective: float
    evaluations: int
    converged: bool


def optimise_weights(result: Result, level: int, itarg: str | Sequence[float] | Mapping[str, float] = "equal", *,
                     cortype: str = "pearson", optype: str = "balance", toler: float = 0.1,
                     maxiter: int = 500) -> OptimisedWeights:
    """Weights of the codes of ``level`` that give them target shares of correlation with the index, as COINr's
    ``get_opt_weights`` (the linear version of Becker, Saisana, Paruolo & Vandecasteele 2017).

    With t = itarg/Σitarg (``"equal"``: all 1) and, for weights w (normalised w/Σw over the level, the other
    levels kept), rᵢ(w) the correlation (``cortype``) of code i with the index after re-aggregating the
    normalised data:

    * ``balance``: minimise log(Σᵢ(tᵢ − rᵢ/Σⱼrⱼ)² / m), starting from w = t;
    * ``infomax``: minimise −Σᵢrᵢ, starting from the build's weights;

    by :func:`nelder_mead` with ``reltol = toler`` and ``maxit = maxiter`` (COINr's defaults 0.1 and 500; the
    result is where that search stops, not the exact optimum: a smaller ``toler`` goes further).
    """
    structure = result.structure
    codes = list(structure.at_level(level))
    if level >= structure.max_level or level < 1:
        raise ValueError(f"level must be 1..{structure.max_level - 1}, got {level}")
    if optype not in ("balance", "infomax"):
        raise ValueError(f"optype must be balance or infomax, got {optype!r}")
    base = dict(zip(result.weights["iCode"], result.weights["Weight"].astype(float), strict=True))
    if isinstance(itarg, str):
        if itarg != "equal":
            raise ValueError(f"itarg must be 'equal' or one number per code of level {level}, got {itarg!r}")
        target = np.ones(len(codes))
    elif isinstance(itarg, Mapping):
        missing = [c for c in codes if c not in itarg]
        if missing:
            raise ValueError(f"itarg has no value for {', '.join(missing)}")
        target = np.array([float(itarg[c]) for c in codes])
    else:
        target = np.asarray(list(itarg), dtype=float)
        if len(target) != len(codes):
            raise ValueError(f"itarg has {len(target)} values; level {level} has {len(codes)} codes")
    if np.any(target < 0) or target.sum() <= 0:
        raise ValueError("itarg must be non-negative with a positive sum")
    target = target / target.sum()
    top = top_code(result)
    regenerate = _reaggregator(result)

    def correlations(w: np.ndarray) -> np.ndarray:
        weights = {**base, **dict(zip(codes, (float(v) for v in w), strict=True))}
        scores = regenerate(weights)
        index = scores[top].to_numpy(dtype=float)
        return np.array([_corr(scores[c].to_numpy(dtype=float), index, cortype) for c in codes])

    def objective(w: np.ndarray) -> float:
        r = correlations(w / w.sum())
        if optype == "infomax":
            return float(-r.sum())
        return float(np.log(np.sum((target - r / r.sum()) ** 2) / len(r)))

    start = target if optype == "balance" else np.array([base[c] for c in codes])
    opt = nelder_mead(objective, start, reltol=toler, maxit=maxiter)
    w_opt = opt.x / opt.x.sum()
    r_opt = correlations(w_opt)
    r_nominal = correlations(np.array([base[c] for c in codes]))
    full = {**base, **dict(zip(codes, (float(v) for v in w_opt), strict=True))}
    weights = pd.DataFrame({"iCode": list(structure.codes), "Level": [structure.level[c] for c in structure.codes],
                            "Weight": [full[c] for c in structure.codes]})
    table = pd.DataFrame({"iCode": codes, "Desired": target if optype == "balance" else np.nan,
                          "Obtained": r_opt / r_opt.sum() if optype == "balance" else r_opt,
                          "Correlation": r_opt, "Nominal": r_nominal, "OptWeight": w_opt})
    return OptimisedWeights(level, weights, table, opt.fun, opt.evaluations, opt.converged)


# ------------------------------------------------------------------ correlation ratio


def pspline_smooth(x: np.ndarray, y: np.ndarray, *, segments: int | None = None, degree: int = 3,
                   order: int = 2, lambdas: Sequence[float] | None = None) -> tuple[np.ndarray, float, float]:
    """Fitted values of y on x by a penalised B-spline (P-spline; Eilers & Marx 1996, *Statistical Science*
    11, 89–121): a = argmin ‖y − Ba‖² + λ‖Dₒa‖², ŷ = Ba, with B the degree-``degree`` B-spline basis on
    ``segments`` equal segments of [min x, max x] (default clip(n/5, 4, 20)) and Dₒ the ``order``-th
    difference matrix; λ minimises the generalised cross-validation score GCV(λ) = n·RSS/(n − tr H)² over
    ``lambdas`` (default 10^−4 … 10^6, 41 values), H = B(BᵀB + λDᵀD)⁻¹Bᵀ.

    Returns (ŷ, the effective degrees of freedom tr H, λ). With order 2 the penalty leaves straight lines
    unpenalised, so a linear relation is fitted without bias whatever λ. x with at most degree + 2 distinct
    values is treated as discrete: ŷ is the mean of y at each value (exact E[y | x]).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    values, inverse = np.unique(x, return_inverse=True)
    if len(values) <= degree + 2:
        means = np.bincount(inverse, weights=y) / np.bincount(inverse)
        return means[inverse], float(len(values)), 0.0
    lo, hi = float(values[0]), float(values[-1])
    u = (x - lo) / (hi - lo)
    nseg = segments if segments is not None else int(np.clip(n // 5, 4, 20))
    h = 1.0 / nseg
    knots = np.arange(-degree, nseg + degree + 1) * h
    basis = BSpline.design_matrix(np.clip(u, knots[degree], knots[-degree - 1]), knots, degree).toarray()
    m = basis.shape[1]
    diff = np.diff(np.eye(m), n=order, axis=0)
    # Demmler–Reinsch form, for every λ at once: with A = BᵀB + DᵀD = LLᵀ (positive definite: the penalty's null
    # space, straight lines, is seen by ≥ 2 distinct x) and L⁻¹BᵀBL⁻ᵀ = U diag(c) Uᵀ (0 ≤ c ≤ 1), the columns
    # qᵢ = BL⁻ᵀuᵢ/√cᵢ are orthonormal and ŷ = Σ fᵢ zᵢ qᵢ with zᵢ = qᵢᵀy, fᵢ = cᵢ/(cᵢ + λ(1 − cᵢ)); tr H = Σfᵢ and
    # RSS = ‖y‖² − Σ(2fᵢ − fᵢ²)zᵢ².
    lower = np.linalg.cholesky(basis.T @ basis + diff.T @ diff)
    left = np.linalg.solve(lower, basis.T).T  # B L⁻ᵀ
    c, vec = np.linalg.eigh(left.T @ left)
    seen = c > 1e-12
    c, vec = np.clip(c[seen], 0.0, 1.0), vec[:, seen]
    q = left @ vec / np.sqrt(c)
    z = q.T @ y
    grid = np.asarray(lambdas if lambdas is not None else 10.0 ** np.linspace(-4, 6, 41), dtype=float)
    f = c[None, :] / (c[None, :] + grid[:, None] * (1.0 - c[None, :]))
    edf = f.sum(axis=1)
    rss = np.maximum(float(y @ y) - ((2 * f - f * f) * z**2).sum(axis=1), 0.0)
    gcv = n * rss / np.maximum(n - edf, 1e-9) ** 2
    best = int(np.argmin(gcv))
    return q @ (f[best] * z), float(edf[best]), float(grid[best])


def correlation_ratio(x: np.ndarray, y: np.ndarray, **smoother: Any) -> float:
    """Pearson's correlation ratio η² = V[E(y | x)] / V(y), the first-order sensitivity index of y to x
    (Paruolo, Saisana & Saltelli 2013, *JRSS A* 176, 609–634, eq. 4), estimated as the sample variance of the
    P-spline fit (:func:`pspline_smooth`, keyword arguments passed on) over that of y, clipped to [0, 1].

    Pairs with a missing value are dropped. η² = r² when E(y | x) is linear; it also captures non-linear
    dependence. Error of the smoother (tests/index/test_audit.py): on a full factorial design of a linear model
    it is exact to 1e-9; on a 20 × 20 × 20 grid of the Ishigami function within 0.01 of the analytic indices
    (0.3139, 0.4424, 0). On a random sample the sampling error of order 1/√n comes on top (within 0.05 at
    n = 2,000); a variable with no influence gets a small positive value of order (edf − 1)/n. Returns NaN
    when y is constant or fewer than 5 pairs remain, 0 when x is constant.
    """
    x, y = _pair(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    if len(x) < 5 or np.ptp(y) == 0:
        return math.nan
    if np.ptp(x) == 0:
        return 0.0
    fitted, _, _ = pspline_smooth(x, y, **smoother)
    return float(np.clip(np.var(fitted, ddof=1) / np.var(y, ddof=1), 0.0, 1.0))


def importance(result: Result, level: int = 1, *, target: str | None = None, year: int | None = None,
               silent: float = SILENT_RATIO, dominant: float = DOMINANT_RATIO) -> pd.DataFrame:
    """Weights against importance of the codes of ``level`` on ``target`` (default: the index).

    For each code i: Sᵢ = η²(target | xᵢ) (:func:`correlation_ratio`), r the Pearson correlation, the nominal
    weight w̃ᵢ (relative within the parent) and the effective weight eᵢ (product of w̃ up to the index).
    Following Paruolo et al. (2013), importance and weight are compared as shares over the level:
    Ŝᵢ = Sᵢ/ΣⱼSⱼ against êᵢ = eᵢ/Σⱼeⱼ, ratio Ŝᵢ/êᵢ (1 when importance follows the nominal weight). Flags:
    ``silent`` when the ratio < ``silent`` (the code's influence is less than half what its weight says),
    ``dominant`` when > ``dominant``. Columns: iCode, Level, Parent, Weight, EffWeight, r, S, S_share,
    W_share, Ratio, Flag.
    """
    structure = result.structure
    target = target or top_code(result)
    scores = _rows(result.scores, year)
    y = scores[target].to_numpy(dtype=float)
    codes = [c for c in structure.at_level(level) if c != target]
    w = result.weights.set_index("iCode")
    s = np.array([correlation_ratio(scores[c].to_numpy(dtype=float), y) for c in codes])
    r = np.array([_corr(scores[c].to_numpy(dtype=float), y) for c in codes])
    eff = w.loc[codes, "EffWeight"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        s_share = s / np.nansum(s)
        w_share = eff / eff.sum()
        ratio = s_share / w_share
    flag = np.where(ratio < silent, "silent", np.where(ratio > dominant, "dominant", ""))
    return pd.DataFrame({"iCode": codes, "Level": level, "Parent": [structure.parent[c] for c in codes],
                         "Weight": w.loc[codes, "Normalised"].to_numpy(dtype=float), "EffWeight": eff, "r": r,
                         "S": s, "S_share": s_share, "W_share": w_share, "Ratio": ratio, "Flag": flag})


# ------------------------------------------------------------------ coherence and structure


def coherence(result: Result, *, year: int | None = None, method: str = "pearson",
              weak: float = WEAK_R) -> pd.DataFrame:
    """The correlation of every element (indicator or aggregate) with each of its ancestors, level by level
    (``method`` pearson or spearman, pairwise-complete rows).

    A well-built index has every element positively and clearly correlated with each aggregate it enters
    (OECD/JRC 2008, step 4; the JRC audits of the GII). Flags: ``negative`` (r < 0), ``weak`` (0 ≤ r < ``weak``),
    and ``closer elsewhere`` when the element correlates more with another aggregate of its parent's level than
    with its own parent (named in ``Closest``). Columns: iCode, Level, Ancestor, AncestorLevel, r, Closest, Flag.
    """
    structure = result.structure
    scores = _rows(result.scores, year)
    cols = {c: scores[c].to_numpy(dtype=float) for c in structure.codes}
    rows = []
    for code in structure.codes:
        ancestors = _ancestors(result, code)
        for k, anc in enumerate(ancestors):
            r = _corr(cols[code], cols[anc], method)
            closest = ""
            flag = "negative" if r < 0 else ("weak" if r < weak else "")
            if k == 0:
                peers = [p for p in structure.at_level(structure.level[anc]) if p != anc]
                others = {p: _corr(cols[code], cols[p], method) for p in peers}
                better = {p: v for p, v in others.items() if v > r}
                if better:
                    closest = max(better, key=lambda p: better[p])
                    flag = flag or "closer elsewhere"
            rows.append((code, structure.level[code], anc, structure.level[anc], r, closest, flag))
    return pd.DataFrame(rows, columns=["iCode", "Level", "Ancestor", "AncestorLevel", "r", "Closest", "Flag"])


def sibling_flags(result: Result, *, year: int | None = None, high: float = COLLINEAR_R,
                  low: float = NEGATIVE_PAIR_R) -> pd.DataFrame:
    """Pairs of siblings (same parent) that are collinear (r > ``high``) or negatively correlated (r < ``low``),
    at every level (:func:`kechuang.index.analysis.correlation_flags`, COINr's ``get_corr_flags``); with the
    level of the pair in a column ``Level``."""
    structure = result.structure
    scores = _rows(result.scores, year)
    frames = []
    for level in range(1, structure.max_level):
        codes = list(structure.at_level(level))
        flags = correlation_flags(scores, dict(structure.parent), codes, high=high, low=low)
        flags.insert(0, "Level", level)
        frames.append(flags)
    return pd.concat(frames, ignore_index=True)


def dimension_structure(result: Result, *, year: int | None = None, alpha_min: float = ALPHA_MIN) -> pd.DataFrame:
    """Per aggregate, whether its children measure one thing: the principal components of the standardised
    children (complete rows; :func:`kechuang.index.analysis.principal_components`) and Cronbach's α
    (:func:`kechuang.index.analysis.cronbach_alpha`).

    Columns: iCode, Level, Children, PC1_share (λ₁/Σλ, the share of variance of the first component),
    Eigen_gt1 (how many eigenvalues λ of the correlation matrix exceed 1, Kaiser's rule), Alpha, Flag:
    ``several components`` when more than one eigenvalue exceeds 1, ``alpha < 0.7`` when α < ``alpha_min``.
    An aggregate with one child has no correlation structure (empty statistics).
    """
    structure = result.structure
    scores = _rows(result.scores, year)
    rows = []
    for code in structure.aggregates:
        kids = list(structure.children[code])
        share = alpha = math.nan
        eig: float = math.nan
        flags: list[str] = []
        if len(kids) >= 2:
            try:
                shares, _ = principal_components(scores, kids)
                share = float(shares[0])
                eig = float(np.sum(shares * len(kids) > 1.0))
            except ValueError:
                pass
            alpha = cronbach_alpha(scores, kids)
            if eig > 1:
                flags.append("several components")
            if alpha < alpha_min:
                flags.append(f"alpha < {alpha_min:g}")
        rows.append((code, structure.level[code], len(kids), share, eig, alpha, "; ".join(flags)))
    return pd.DataFrame(rows, columns=["iCode", "Level", "Children", "PC1_share", "Eigen_gt1", "Alpha", "Flag"])


# ------------------------------------------------------------------ added value, external links, efficiency


def added_value(result: Result, codes: Sequence[str] | None = None, *, threshold: int = RANK_SHIFT) -> pd.DataFrame:
    """How the index ranks units differently from each of ``codes`` (default: its dimensions), per year.

    For each code d and year: Shifted = share of units with |rank_index − rank_d| > ``threshold`` (the JRC
    reports the share shifting by more than 10 places: a high share means the index adds information that no
    single dimension gives), MeanAbsShift, MaxAbsShift, Units (ranked on both). Columns: iCode, [Time], Units,
    Shifted, MeanAbsShift, MaxAbsShift.
    """
    top = top_code(result)
    codes = list(codes) if codes is not None else default_dimensions(result)
    table = result.ranks
    keys = id_columns(table)
    rows = []
    years = sorted(set(table[TIME])) if TIME in keys else [None]
    for year in years:
        part = table if year is None else table[table[TIME] == year]
        index = part[top].to_numpy(dtype=float, na_value=np.nan)
        for code in codes:
            x, y = _pair(index, part[code].to_numpy(dtype=float, na_value=np.nan))
            diff = np.abs(x - y)
            row: dict[str, Any] = {"iCode": code}
            if year is not None:
                row[TIME] = year
            row.update(Units=len(diff), Shifted=float(np.mean(diff > threshold)) if len(diff) else math.nan,
                       MeanAbsShift=float(diff.mean()) if len(diff) else math.nan,
                       MaxAbsShift=float(diff.max()) if len(diff) else math.nan)
            rows.append(row)
    return pd.DataFrame(rows)


def dimension_removal(result: Result, level: int | None = None) -> pd.DataFrame:
    """The effect on the index ranking of dropping each element of ``level`` (default: the dimensions' level):
    :func:`kechuang.index.removal.removal_effects` on the build's inputs and spec."""
    lev = result.structure.max_level - 1 if level is None else level
    return removal_effects(result.data, result.meta, result.spec, lev)


def external_links(result: Result, external: pd.DataFrame, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Correlation of the index and its dimensions (or ``codes``) with external measures.

    ``external`` has ``uCode`` (and ``Time`` to match years) and one numeric column per measure. Units are
    matched on uCode (and Time when both have it); for each measure and code: N (matched pairs), Pearson r,
    Spearman ρ. Columns: Measure, iCode, N, Pearson, Spearman.
    """
    if UNIT not in external.columns:
        raise ValueError("the external measures need a uCode column")
    codes = list(codes) if codes is not None else [top_code(result), *default_dimensions(result)]
    keys = [UNIT, TIME] if TIME in external.columns and TIME in result.scores.columns else [UNIT]
    measures = [c for c in external.columns if c not in (UNIT, TIME)]
    ext = external.copy()
    ext[UNIT] = ext[UNIT].astype(str)
    merged = result.scores[keys + codes].merge(ext[keys + measures], on=keys, how="inner", suffixes=("", " (ext)"))
    rows = []
    for m in measures:
        col = m if m not in codes else f"{m} (ext)"
        y = pd.to_numeric(merged[col], errors="coerce").to_numpy(dtype=float)
        for code in codes:
            x = merged[code].to_numpy(dtype=float)
            n = int((~(np.isnan(x) | np.isnan(y))).sum())
            rows.append((m, code, n, _corr(x, y), _corr(x, y, "spearman")))
    return pd.DataFrame(rows, columns=["Measure", "iCode", "N", "Pearson", "Spearman"])


def efficiency_ratio(result: Result, numerator: Sequence[str], denominator: Sequence[str]) -> pd.DataFrame:
    """The ratio of two groups of aggregates, as the GII's Innovation Efficiency Ratio (Output Sub-Index /
    Input Sub-Index).

    Each group's score is the weighted arithmetic mean of its codes' scores with their build weights,
    G = Σwᵢxᵢ/Σwᵢ (the code's own score when the group has one code); ratio = G_num / G_den (NaN when
    G_den ≤ 0), ranked per year (highest = 1). Columns: uCode, [Time], Numerator, Denominator, Ratio, Rank.
    """
    weights = result.weights.set_index("iCode")["Weight"].astype(float)
    scores = result.scores

    def group(codes: Sequence[str]) -> np.ndarray:
        unknown = [c for c in codes if c not in weights.index]
        if not codes or unknown:
            raise ValueError(f"not iCodes of the framework: {', '.join(unknown) or '(empty group)'}")
        w = weights.loc[list(codes)].to_numpy()
        return np.asarray(scores[list(codes)].to_numpy(dtype=float) @ w / w.sum())

    num, den = group(numerator), group(denominator)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(den > 0, num / den, np.nan)
    out = scores[id_columns(scores)].copy()
    out["Numerator"], out["Denominator"], out["Ratio"] = num, den, ratio
    out["Rank"] = ranks(out, ["Ratio"])["Ratio"].to_numpy()
    return out.reset_index(drop=True)


# ------------------------------------------------------------------ time series


@dataclass(frozen=True)
class TimeSeriesAudit:
    """Outcome of :func:`time_series_audit`.

    ``growth``: one row per code, unit and year t with a year t − 1: Nominal (growth x_t/x_{t−1} − 1 of the
    build as specified), P_rise (share of the successful runs with x_t > x_{t−1}), P_fall (x_t < x_{t−1}),
    Q05, Median, Q95 of the growth over the runs, Runs; ``base_years``: code, unit, year, base year and the
    nominal growth under each alternative base year (empty unless the spec normalises with ``n_base_year``);
    ``n_runs``, ``n_failed``, ``reasons`` (distinct failure messages).
    """

    growth: pd.DataFrame
    base_years: pd.DataFrame
    n_runs: int
    n_failed: int
    reasons: list[str]


def _growth(x_prev: np.ndarray, x: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(x_prev > 0, x / x_prev - 1.0, np.nan)


def _pairs(scores: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Row positions (previous, current) of every unit-year whose unit also has the year before."""
    pos = {(u, int(t)): i for i, (u, t) in enumerate(zip(scores[UNIT], scores[TIME], strict=True))}
    prev, cur = [], []
    for (u, t), i in pos.items():
        j = pos.get((u, t - 1))
        if j is not None:
            prev.append(j)
            cur.append(i)
    return np.array(prev, dtype=np.intp), np.array(cur, dtype=np.intp)


def _growth_table(scores: pd.DataFrame, runs: Mapping[str, np.ndarray], rel_tol: float) -> pd.DataFrame:
    """Year-on-year statistics of the runs (code → runs × rows, rows as ``scores``) against the nominal
    ``scores``: see :class:`TimeSeriesAudit`."""
    prev, cur = _pairs(scores)
    frames = []
    for code, x in runs.items():
        a, b = x[:, prev], x[:, cur]
        eps = rel_tol * np.abs(a)
        with np.errstate(invalid="ignore"):
            valid = ~(np.isnan(a) | np.isnan(b))
            rise = ((b - a) > eps) & valid
            fall = ((b - a) < -eps) & valid
        count = valid.sum(axis=0)
        g = _growth(a, b)
        if len(g) and valid.any():
            with np.errstate(invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                q = np.nanquantile(np.where(valid, g, np.nan), [0.05, 0.5, 0.95], axis=0)
        else:
            q = np.full((3, len(cur)), np.nan)
        nominal_x = scores[code].to_numpy(dtype=float)
        frames.append(pd.DataFrame({
            "code": code, UNIT: scores[UNIT].to_numpy()[cur], TIME: scores[TIME].to_numpy()[cur],
            "Nominal": _growth(nominal_x[prev], nominal_x[cur]),
            "P_rise": np.where(count > 0, rise.sum(axis=0) / np.maximum(count, 1), np.nan),
            "P_fall": np.where(count > 0, fall.sum(axis=0) / np.maximum(count, 1), np.nan),
            "Q05": q[0], "Median": q[1], "Q95": q[2], "Runs": count}))
    return pd.concat(frames, ignore_index=True).sort_values(["code", UNIT, TIME], kind="stable", ignore_index=True)


def survey_noise(data: pd.DataFrame, meta: pd.DataFrame, spec: Spec | Mapping[str, Any] | str | Path,
                 se: Mapping[str, float], n: int = 1000, *, seed: int = 0, codes: Sequence[str] | None = None,
                 rel_tol: float = 1e-12) -> pd.DataFrame:
    """The year-on-year audit under the sampling error of survey-based indicators alone (nominal method and
    weights): how sure is a rise, given that a perception indicator is a survey estimate?

    Each of ``n`` runs multiplies every value of each indicator c in ``se`` by (1 + e), e ~ N(0, se_c²) drawn
    independently per unit-year (se_c = the relative standard error of the survey estimate, e.g. 0.02 for
    ±2 %), applied to the data as they enter the normalisation; the runs are then normalised and aggregated as
    the spec does, all at once (each run's rows are its own units). Returns the table of
    :class:`TimeSeriesAudit` ``growth`` (P_rise, P_fall, growth quantiles against the nominal growth).

    The normalisation must work per unit over time (``n_base_year``) and the aggregation row by row (not
    ``a_copeland`` nor ``missing: group_mean``), so that runs cannot mix; others are refused.
    """
    spec_obj = spec if isinstance(spec, Spec) else (parse_spec(dict(spec)) if isinstance(spec, Mapping)
                                                      else load_spec(spec))
    norm, agg = spec_obj.step("normalise"), spec_obj.step("aggregate")
    assert norm is not None and agg is not None
    methods = {norm.method, *(e["method"] for e in norm.indiv.values())}
    if methods != {"n_base_year"}:
        raise ValueError(f"survey noise needs the per-unit normalisation n_base_year, not {', '.join(sorted(methods))}")
    entries = [{"method": agg.method, "params": agg.params}, *agg.by_level.values()]
    if any(e["method"] == "a_copeland" or e["params"].get("missing") == "group_mean" for e in entries):
        raise ValueError("survey noise needs a row-by-row aggregation (not a_copeland, not missing: group_mean)")
    nominal = build(data, meta, spec_obj)
    structure, scores = nominal.structure, nominal.scores
    if TIME not in scores.columns:
        raise ValueError("a time-series audit needs a Time column in iData")
    indicators = list(structure.indicators)
    unknown = [c for c in se if c not in indicators]
    if unknown:
        raise ValueError(f"not indicators of the framework: {', '.join(unknown)}")
    bad = [c for c, v in se.items() if not (math.isfinite(v) and 0 <= v < 0.5)]
    if bad:
        raise ValueError(f"a relative standard error must be >= 0 and < 0.5: {', '.join(bad)}")
    codes = list(codes) if codes is not None else [top_code(nominal), *default_dimensions(nominal)]
    names = list(nominal.stages)
    before = nominal.stages[names[names.index("Normalised") - 1]]
    x = before[indicators].to_numpy(dtype=float)
    rows = len(before)
    sd = np.array([float(se.get(c, 0.0)) for c in indicators])
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    noisy = x[None, :, :] * (1.0 + rng.standard_normal((n, rows, len(indicators))) * sd)
    units = before[UNIT].to_numpy(dtype=object)
    stacked = pd.DataFrame(noisy.reshape(n * rows, len(indicators)), columns=indicators)
    stacked.insert(0, UNIT, [f"{u}\x1f{s}" for s in range(n) for u in units])
    stacked.insert(1, TIME, np.tile(before[TIME].to_numpy(), n))
    normalised = normalise(stacked, indicators, structure.direction, norm.method, norm.params, norm.indiv,
                           meta=nominal.meta)
    weights = dict(zip(nominal.weights["iCode"], nominal.weights["Weight"].astype(float), strict=True))
    out, _ = aggregate(normalised, structure, weights, agg.method, agg.params, agg.by_level)
    runs = {c: out[c].to_numpy(dtype=float).reshape(n, rows) for c in codes}
    return _growth_table(scores, runs, rel_tol)


def time_series_audit(data: pd.DataFrame, meta: pd.DataFrame, spec: Spec | Mapping[str, Any] | str | Path,
                      ua: UncertaintySpec | Mapping[str, Any] | str | Path, n: int = 1000, *, seed: int = 0,
                      codes: Sequence[str] | None = None, base_years: Sequence[int] | None = None,
                      rel_tol: float = 1e-12) -> TimeSeriesAudit:
    """Year-on-year audit of an index over time under the uncertain choices of an uncertainty spec.

    The index is regenerated for ``n`` Monte Carlo samples of the uncertainty spec (the runs of
    :func:`kechuang.index.uncertainty.uncertainty_analysis` with the same seed; :func:`sample_scores`). For
    each code (default: the index and its dimensions), unit and year t whose unit has year t − 1:

    * P_rise = #{runs: x_t − x_{t−1} > ε} / #runs and P_fall = #{runs: x_t − x_{t−1} < −ε}, with
      ε = ``rel_tol``·|x_{t−1}| (equal computations give equal numbers; ε only absorbs rounding);
    * growth g = x_t / x_{t−1} − 1 (as :func:`kechuang.index.results.growth`; missing when x_{t−1} ≤ 0), its
      5 %, 50 % and 95 % quantiles over the runs (NumPy's default, R type 7) beside the nominal growth.

    A rise the index really shows has P_rise near 1 whatever the weights; a year where the dimensions move in
    opposite directions and the index is flat only by the chosen weights gets P_rise near 0.5.

    ``base_years``: when the spec normalises with ``n_base_year``, the nominal growth is also computed with
    each of these base years (the effect of the base-year choice on the growth, which the base year changes
    through the arithmetic mean of ratios).
    """
    spec_obj = spec if isinstance(spec, Spec) else None
    nominal = build(data, meta, spec)
    spec_obj = nominal.spec if spec_obj is None else spec_obj
    scores = nominal.scores
    if TIME not in scores.columns:
        raise ValueError("a time-series audit needs a Time column in iData")
    codes = list(codes) if codes is not None else [top_code(nominal), *default_dimensions(nominal)]
    sampled = sample_scores(data, meta, spec_obj, ua, n, seed=seed, codes=tuple(codes))
    ok = ~sampled.failed
    growth = _growth_table(scores, {c: sampled.scores[c][ok] for c in codes}, rel_tol)
    return TimeSeriesAudit(growth, _base_year_effect(data, meta, spec_obj, codes, base_years),
                           int(len(sampled.failed)), int(sampled.failed.sum()), sampled.reasons)


def _base_year_effect(data: pd.DataFrame, meta: pd.DataFrame, spec: Spec, codes: list[str],
                      base_years: Sequence[int] | None) -> pd.DataFrame:
    columns = ["code", UNIT, TIME, "BaseYear", "Growth"]
    norm = spec.step("normalise")
    if not base_years or norm is None or norm.method != "n_base_year":
        return pd.DataFrame(columns=columns)
    frames = []
    for year in base_years:
        plain = copy.deepcopy(spec.to_dict())
        for step in plain["steps"]:
            if step["step"] == "normalise":
                step["params"]["base_year"] = int(year)
        result = build(data, meta, parse_spec(plain, f"{spec.source} (base year {year})"))
        prev, cur = _pairs(result.scores)
        for code in codes:
            x = result.scores[code].to_numpy(dtype=float)
            frames.append(pd.DataFrame({"code": code, UNIT: result.scores[UNIT].to_numpy()[cur],
                                        TIME: result.scores[TIME].to_numpy()[cur], "BaseYear": int(year),
                                        "Growth": _growth(x[prev], x[cur])}))
    return pd.concat(frames, ignore_index=True)[columns]
