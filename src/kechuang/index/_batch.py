"""Vectorised regeneration of an index for the sampled variants of one block (used by ``uncertainty``).

A block's runs are grouped by their discrete choices (one option per discrete factor). For each group:

1. the data steps (denominate, impute, screen, treat) and normalise run once per distinct setting, through
   the engine's own :func:`~kechuang.index.pipeline.run_step`, and are cached in the process (a worker
   computes each setting once, whichever blocks it gets);
2. aggregation runs for all runs of the group at once, level by level. Children scores are a matrix
   X (rows × m) while no weight noise has reached them, then a tensor (S × rows × m); each run s has its own
   weights w_s, so with W_s = diag(w_s)·M (M the child → parent membership) the weighted means are

       a_amean  Y_s = (X₀ W_s) / (A W_s)                 X₀ = X with missing values as 0, A = availability
       a_gmean  Y_s = exp((ln X)₀ W_s / (A W_s))
       a_hmean  Y_s = (A W_s) / ((1/X)₀ W_s)
       a_genmean Y_s = ((Xᵖ)₀ W_s / (A W_s))^(1/p)

   one tensor contraction per level for all S runs (a single matrix product X₀·[W_1 … W_S] while X is
   shared). Levels without noise below them are computed once, by the engine's ``aggregate_level``.
3. ranks of the tracked codes (per year, highest = 1, ties share the lowest) and the block's statistics
   (see :mod:`kechuang.index._accumulate`).

A setting that cannot be computed (an engine error: a normalisation without defined scores, a geometric mean
over non-positive values, a variant that keeps other units) fails its runs with the engine's message; the
runs are reported, never turned into missing values.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kechuang.index._accumulate import Moments, histogram_bins, value_counts
from kechuang.index._grid import TIME, UNIT, make_frame, values_of
from kechuang.index._parallel import run_inline
from kechuang.index.aggregate import DEFAULTS as AGG_DEFAULTS
from kechuang.index.aggregate import a_copeland, aggregate_level
from kechuang.index.errors import ComputationError
from kechuang.index.normalise import rank_rows
from kechuang.index.pipeline import Inputs, run_step, weight_source
from kechuang.index.sampling import Blocks
from kechuang.index.spec import DATA_STEPS, Spec
from kechuang.index.uncertainty_spec import Design

__all__ = ["Layout", "Problem", "BlockResult", "run_block", "block_scores", "standardise_within_runs",
           "normalised_setting", "clear_cache", "in_worker"]

_CHUNK_ELEMENTS = 1 << 24
_MAX_CHUNK = 256


@dataclass(frozen=True)
class Layout:
    """The rows of the nominal result: identifiers, positions in the (time, unit) grid, grid size."""

    ids: pd.DataFrame
    index: np.ndarray
    unit_pos: np.ndarray
    time_pos: np.ndarray
    n_units: int
    n_times: int

    @classmethod
    def of(cls, scores: pd.DataFrame) -> Layout:
        """Layout of the rows of a scores frame (uCode [+ Time])."""
        _, unit_pos = np.unique(scores[UNIT].to_numpy(dtype=object), return_inverse=True)
        if TIME in scores.columns:
            _, time_pos = np.unique(scores[TIME].to_numpy(), return_inverse=True)
        else:
            time_pos = np.zeros(len(scores), dtype=np.intp)
        ids = scores[[c for c in (UNIT, TIME) if c in scores.columns]].reset_index(drop=True)
        return cls(ids, scores.index.to_numpy(), unit_pos, time_pos, int(unit_pos.max()) + 1,
                   int(time_pos.max()) + 1)

    @property
    def rows(self) -> int:
        """Number of rows."""
        return len(self.ids)

    def ranks(self, scores: np.ndarray) -> np.ndarray:
        """Ranks (S × rows) of scores (S × rows) within each year: highest = 1, ties share the lowest; NaN
        stays NaN (as :func:`kechuang.index.results.ranks`)."""
        s = len(scores)
        full = np.full((s, self.n_times, self.n_units), np.nan)
        full[:, self.time_pos, self.unit_pos] = -scores
        r = rank_rows(full.reshape(s * self.n_times, self.n_units)).reshape(s, self.n_times, self.n_units)
        return r[:, self.time_pos, self.unit_pos]

    def grid(self, values: np.ndarray) -> np.ndarray:
        """Rows → (S × times × units) with NaN for absent unit-years."""
        full = np.full((len(values), self.n_times, self.n_units), np.nan)
        full[:, self.time_pos, self.unit_pos] = values
        return full


@dataclass(frozen=True)
class Problem:
    """Everything a worker needs to evaluate blocks (shipped once per worker)."""

    token: str
    inputs: Inputs
    design: Design
    blocks: Blocks
    layout: Layout
    nominal_rank: np.ndarray
    bins: int
    per_unit: bool
    raw_scores: bool = False


def standardise_within_runs(layout: Layout, x: np.ndarray) -> np.ndarray:
    """Scores (S × rows) standardised within each run and year: z = (x − mean)/sd over the units of that year
    (sample sd, n − 1; NaN where fewer than two units have a score or all are equal). A scale-free output: a
    change of normalisation that only rescales the scores leaves z unchanged."""
    full = layout.grid(x)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(full, axis=2, keepdims=True)
        sd = np.nanstd(full, axis=2, ddof=1, keepdims=True)
        z = np.where(sd > 0, (full - mean) / sd, np.nan)
    return z[:, layout.time_pos, layout.unit_pos]


@dataclass
class CodeBlock:
    """Statistics of one tracked code over a block (see :mod:`kechuang.index._accumulate`)."""

    rank_ids: np.ndarray
    rank_counts: np.ndarray
    hist_ids: np.ndarray
    hist_counts: np.ndarray
    moments: Moments


@dataclass
class BlockResult:
    """What a block sends back: per-run target summaries and failures, per-code statistics."""

    block: int
    runs: np.ndarray
    shift: np.ndarray
    failed: np.ndarray
    reason: np.ndarray
    reasons: list[str]
    codes: dict[str, CodeBlock]
    pairwise: np.ndarray | None
    unit_rank: np.ndarray | None
    unit_score: np.ndarray | None


class Failure(Exception):
    """A variant that cannot be computed; the message names the step and the reason."""


# ------------------------------------------------------------------ per-process cache of settings


@dataclass(frozen=True)
class _Level:
    """Children and parents of one aggregation level, the membership matrix (children × parents) and, per
    parent, the positions of its children; where the noise multipliers of children are (column in the
    multiplier matrix, position among the children)."""

    children: list[str]
    parents: list[str]
    member: np.ndarray
    kids: list[np.ndarray]
    noise_cols: np.ndarray
    noise_pos: np.ndarray


def _levels(problem: Problem) -> list[_Level]:
    structure = problem.inputs.structure
    noise = {c: j for j, c in enumerate(problem.design.noise_codes)}
    out = []
    for level in range(2, structure.max_level + 1):
        children = list(structure.at_level(level - 1))
        parents = list(structure.at_level(level))
        position = {c: i for i, c in enumerate(children)}
        member = np.zeros((len(children), len(parents)))
        for j, parent in enumerate(parents):
            member[[position[c] for c in structure.children[parent]], j] = 1.0
        noisy = [(i, noise[c]) for i, c in enumerate(children) if c in noise]
        out.append(_Level(children, parents, member, [np.flatnonzero(member[:, j]) for j in range(len(parents))],
                          np.array([j for _, j in noisy], dtype=np.intp),
                          np.array([i for i, _ in noisy], dtype=np.intp)))
    return out


@dataclass
class _State:
    problem: Problem
    levels: list[_Level] = field(default_factory=list)
    tracked: dict[str, tuple[int, int]] = field(default_factory=dict)
    memo: dict[tuple[tuple[int, ...], int], dict[str, Any]] = field(default_factory=dict)
    specs: dict[tuple[int, ...], Spec | Failure] = field(default_factory=dict)
    data: dict[str, pd.DataFrame | Failure] = field(default_factory=dict)
    normalised: dict[str, np.ndarray | Failure] = field(default_factory=dict)

    def spec(self, choice: tuple[int, ...]) -> Spec:
        if choice not in self.specs:
            try:
                self.specs[choice] = self.problem.design.variant(choice)
            except ValueError as exc:
                self.specs[choice] = Failure(str(exc))
        return _value(self.specs[choice])

    def indicators(self, spec: Spec) -> np.ndarray:
        """Normalised indicator scores (rows × indicators) of a variant, aligned with the nominal rows."""
        steps = [s for s in spec.steps if s.step in DATA_STEPS]
        data_key = json.dumps([s.to_dict() for s in steps], sort_keys=True)
        norm = spec.step("normalise")
        assert norm is not None
        key = data_key + json.dumps(norm.to_dict(), sort_keys=True)
        if key not in self.normalised:
            try:
                frame, _ = run_step(norm, self._data(data_key, steps, spec), self.problem.inputs, spec.source)
                self.normalised[key] = self._aligned(frame)
            except Failure as exc:
                self.normalised[key] = exc
            except (ValueError, ArithmeticError) as exc:
                self.normalised[key] = Failure(str(exc))
        return _value(self.normalised[key])

    def _data(self, key: str, steps: list[Any], spec: Spec) -> pd.DataFrame:
        if key not in self.data:
            try:
                current = self.problem.inputs.raw
                for step in steps:
                    current, _ = run_step(step, current, self.problem.inputs, spec.source)
                self.data[key] = current
            except (ValueError, ArithmeticError) as exc:
                self.data[key] = Failure(str(exc))
        return _value(self.data[key])

    def _aligned(self, frame: pd.DataFrame) -> np.ndarray:
        layout = self.problem.layout
        if len(frame) != layout.rows or not np.array_equal(frame.index.to_numpy(), layout.index):
            raise Failure(
                f"screen: this variant keeps {len(frame)} rows where the nominal build keeps {layout.rows}; "
                "ranks of different sets of units cannot be compared"
            )
        return values_of(frame, self.problem.inputs.structure.indicators)


def _value(entry: Any) -> Any:
    if isinstance(entry, Failure):
        raise entry
    return entry


_CACHE: dict[str, _State] = {}


def _state(problem: Problem) -> _State:
    state = _CACHE.get(problem.token)
    if state is None:
        _CACHE.clear()
        structure = problem.inputs.structure
        tracked = {c: (structure.level[c], structure.at_level(structure.level[c]).index(c))
                   for c in problem.design.tracked}
        state = _CACHE[problem.token] = _State(problem, _levels(problem), tracked)
    return state


def clear_cache() -> None:
    """Forget the cached settings of this process."""
    _CACHE.clear()


def in_worker() -> None:
    """Configure a worker process or thread of a parallel backend: engine blocks run inline."""
    run_inline()


# ------------------------------------------------------------------ batched aggregation


def _contract(v: np.ndarray, w: np.ndarray, kids: list[np.ndarray]) -> np.ndarray:
    """Σ_{i ∈ children(p)} v[s, r, i]·w[s, i] for v (Sv × rows × m), w (Sw × m) and the children of each parent
    p; S = max(Sv, Sw). One matrix product per parent: X_p·w_pᵀ (rows × S) while v is shared (Sv = 1), a batched
    matrix-vector product otherwise."""
    sv, rows, _ = v.shape
    s = max(sv, len(w))
    out = np.empty((s, rows, len(kids)))
    for p, idx in enumerate(kids):
        if sv == 1:
            out[:, :, p] = (v[0][:, idx] @ w[:, idx].T).T
        else:
            out[:, :, p] = np.matmul(v[:, :, idx], w[:, idx, None])[:, :, 0]
    return out


_REFUSALS = {
    "a_gmean": ("zero or negative values", lambda x: x <= 0),
    "a_hmean": ("zero values", lambda x: x == 0),
    "a_genmean": ("zero or negative values with p < 0", lambda x: x <= 0),
}


def _means(
    x: np.ndarray,
    w: np.ndarray,
    member: np.ndarray,
    kids: list[np.ndarray],
    method: str,
    p: float | None,
    parents: list[str],
    memo: dict[str, Any] | None = None,
) -> tuple[np.ndarray, list[str | None]]:
    """Weighted means of children x (Sx × rows × m) with weights w (Sw × m) into parents (``member``: children ×
    parents, ``kids``: children positions per parent); returns the scores (S × rows × P) and, per run, the
    engine's refusal message (``None`` when computed). ``memo`` keeps what depends on x alone (its
    availability, transform and refusals) for the next call with the same x."""
    if len(x) == 1 and len(w) == 1:
        try:
            return aggregate_level(x[0], w[0][:, None] * member, method, parents, p)[None], [None]
        except ComputationError as exc:
            return np.full((1, x.shape[1], len(parents)), np.nan), [str(exc)]
    if method not in ("a_amean", "a_gmean", "a_hmean", "a_genmean"):
        raise ValueError(f"unknown aggregation method {method!r}")
    if method == "a_genmean" and (p is None or p == 0):
        raise ComputationError("aggregate", method, "needs a non-zero exponent p")
    memo = {} if memo is None else memo
    if "avail" not in memo:
        avail = ~np.isnan(x)
        memo["avail"], memo["complete"] = avail, bool(avail.all())
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            if method == "a_gmean":
                memo["values"] = np.where(avail, np.log(np.where(avail & (x > 0), x, 1.0)), 0.0)
            elif method == "a_hmean":
                memo["values"] = np.where(avail, 1.0 / np.where(avail & (x != 0), x, 1.0), 0.0)
            else:
                memo["values"] = np.where(avail, x, 0.0) ** (1.0 if method == "a_amean" else p)
        refusal = _REFUSALS.get(method)
        if refusal is not None and (method != "a_genmean" or (p is not None and p < 0)):
            with np.errstate(invalid="ignore"):
                memo["bad"] = (refusal[0], (avail & refusal[1](np.where(avail, x, 1.0))).any(axis=1))  # Sx × m
    s = max(len(x), len(w))
    den = (w @ member)[:, None, :] if memo["complete"] else _contract(memo["avail"].astype(float), w, kids)
    reasons: list[str | None] = [None] * s
    if "bad" in memo:
        what, bad_child = memo["bad"]
        hit = np.broadcast_to((bad_child[:, :, None] & ((w[:, :, None] * member[None]) > 0)).any(axis=1),
                              (s, len(parents)))
        for i in np.flatnonzero(hit.any(axis=1)):
            names = ", ".join(pa for pa, bad in zip(parents, hit[i], strict=True) if bad)
            reasons[i] = str(ComputationError(
                "aggregate", method, f"{what} among the children of {names}; normalise to a positive range first"
            ))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        total = _contract(memo["values"], w, kids)
        if method == "a_amean":
            y = total / den
        elif method == "a_gmean":
            y = np.exp(total / den)
        elif method == "a_hmean":
            y = den / total
        else:
            y = (total / den) ** (1.0 / float(p or 1.0))
    return y, reasons


def _copeland(x: np.ndarray, w: np.ndarray, member: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Copeland scores (S × rows × P) per year (see :func:`kechuang.index.aggregate.a_copeland`); with shared
    children each comparison matrix is weighted for all runs at once (O(S·m·rows²) memory-bound work)."""
    s = max(len(x), len(w))
    y = np.full((s, x.shape[1], member.shape[1]), np.nan)
    for t in np.unique(times):
        rows = np.flatnonzero(times == t)
        for j in range(member.shape[1]):
            kids = np.flatnonzero(member[:, j] > 0)
            if len(x) > 1:
                for i in range(s):
                    y[i, rows, j] = a_copeland(x[i][np.ix_(rows, kids)], w[min(i, len(w) - 1), kids])
                continue
            sub = x[0][np.ix_(rows, kids)]
            share = w[:, kids] / np.nansum(w[:, kids], axis=1, keepdims=True)
            out = np.zeros((len(w), len(rows), len(rows)))
            for i in range(len(kids)):
                col = sub[:, i]
                out += share[:, i, None, None] * ((col[:, None] > col[None, :]) + 0.5 * (col[:, None] == col[None, :]))
            upper = np.triu(out, 1)
            y[:, rows, j] = (upper + np.tril(1 - upper.transpose(0, 2, 1), -1)).sum(axis=2)
    return y


def _group_fill(x: np.ndarray, group_ids: np.ndarray, n_groups: int) -> np.ndarray:
    """Missing children filled with the child's mean over the rows of the same group (-1 = no group)."""
    if n_groups == 0:
        return x
    one_hot = np.zeros((len(group_ids), n_groups))
    ok = group_ids >= 0
    one_hot[np.flatnonzero(ok), group_ids[ok]] = 1.0
    avail = ~np.isnan(x)
    sums = np.einsum("rg,srm->sgm", one_hot, np.where(avail, x, 0.0))
    counts = np.einsum("rg,srm->sgm", one_hot, avail.astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    fill = np.where(ok[None, :, None], means[:, np.maximum(group_ids, 0)], np.nan)
    return np.where(avail, x, fill)


def _group_ids(problem: Problem, group: str | None) -> tuple[np.ndarray, int]:
    """Group of each row for ``missing: group_mean``: year × group label (all rows of a year when None)."""
    keys: list[np.ndarray] = [problem.layout.time_pos.astype(object)]
    if group is not None:
        keys.append(problem.inputs.base[group].to_numpy(dtype=object)[problem.layout.index])
    frame = pd.DataFrame({str(i): k for i, k in enumerate(keys)})
    codes = frame.groupby(list(frame.columns), dropna=True, sort=True).ngroup().to_numpy()
    return codes.astype(np.int64), int(codes.max()) + 1 if len(codes) else 0


def _aggregate(
    problem: Problem, state: _State, choice: tuple[int, ...], spec: Spec, x1: np.ndarray, mult: np.ndarray
) -> tuple[list[np.ndarray], list[str | None]]:
    """Scores of every level for the runs of one setting (``choice``): level 1 = ``x1`` (rows × indicators),
    ``mult`` the weight multipliers (S × noise codes). Returns per level an array (S or 1 × rows × codes of the
    level) and per run the message of a refusal."""
    s = len(mult)
    levels = state.levels
    step = spec.step("aggregate")
    assert step is not None
    base, source = weight_source(spec, problem.inputs.structure)
    out: list[np.ndarray] = [x1[None]]
    reasons: list[str | None] = [None] * s
    for level, lev in enumerate(levels, start=2):
        entry = step.by_level.get(level, {"method": step.method, "params": step.params})
        method, params = entry["method"], {**AGG_DEFAULTS, **entry["params"]}
        x = out[-1]
        weights = source(level, make_frame(problem.layout.ids, x[0], lev.children)) if callable(source) else base
        w = np.array([weights[c] for c in lev.children], dtype=float)[None]
        if len(lev.noise_pos):
            w = np.repeat(w, s, axis=0)
            w[:, lev.noise_pos] *= mult[:, lev.noise_cols]
        x_in = x
        if params["missing"] == "group_mean":
            x_in = _group_fill(x, *_group_ids(problem, params["group"]))
        if method == "a_copeland":
            y = _copeland(x_in, w, lev.member, problem.layout.time_pos)
            level_reasons: list[str | None] = [None] * len(y)
        else:
            memo = state.memo.setdefault((choice, level), {}) if len(x_in) == 1 else None
            y, level_reasons = _means(x_in, w, lev.member, lev.kids, method, params.get("p"), lev.parents, memo)
        if params["dat_thresh"] is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                share = (~np.isnan(x)).astype(float) @ lev.member / lev.member.sum(axis=0)
            y = np.where(share < params["dat_thresh"], np.nan, y)
        if any(r is not None for r in level_reasons):
            spread = level_reasons * s if len(level_reasons) == 1 else level_reasons
            reasons = [old or new for old, new in zip(reasons, spread, strict=True)]
        out.append(y)
    return out, reasons


# ------------------------------------------------------------------ blocks


def normalised_setting(problem: Problem, choice: tuple[int, ...]) -> np.ndarray | str:
    """The normalised indicator scores of one discrete setting, or the reason it cannot be computed."""
    state = _state(problem)
    try:
        return state.indicators(state.spec(choice))
    except Failure as exc:
        return str(exc)


class _Block:
    """Accumulates the statistics of one block's runs, chunk after chunk in a fixed order."""

    def __init__(self, problem: Problem, bounds: Mapping[str, tuple[np.ndarray, np.ndarray]], n_runs: int):
        self.p = problem
        self.bounds = bounds
        rows = problem.layout.rows
        self.shift = np.full(n_runs, np.nan)
        self.reason = np.full(n_runs, -1, dtype=np.int64)
        self.reasons: list[str] = []
        self.ranks: dict[str, list[np.ndarray]] = {c: [] for c in problem.design.tracked}
        self.bins: dict[str, list[np.ndarray]] = {c: [] for c in problem.design.tracked}
        self.moments = {c: Moments.empty(rows) for c in problem.design.tracked}
        lay = problem.layout
        self.pairwise = np.zeros((lay.n_times, lay.n_units, lay.n_units), dtype=np.int64) if problem.design.pairwise \
            else None
        self.unit_rank = np.full((n_runs, rows), np.nan) if problem.per_unit else None
        self.unit_score = np.full((n_runs, rows), np.nan) if problem.per_unit else None

    def fail(self, pos: np.ndarray, reason: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)
        self.reason[pos] = self.reasons.index(reason)

    def add(self, pos: np.ndarray, scores: Mapping[str, np.ndarray]) -> None:
        lay = self.p.layout
        for code, x in scores.items():
            ranks = lay.ranks(x)
            self.ranks[code].append(np.where(np.isnan(ranks), 0, ranks).astype(np.int32) - 1)
            lo, hi = self.bounds[code]
            self.bins[code].append(np.where(np.isnan(x), -1, histogram_bins(x, lo, hi, self.p.bins)).astype(np.int32))
            self.moments[code] = self.moments[code].merge(Moments.of(x))
            if code == self.p.design.target:
                with np.errstate(invalid="ignore"):
                    diff = np.abs(ranks - self.p.nominal_rank)
                both = ~np.isnan(diff)
                with np.errstate(invalid="ignore", divide="ignore"):
                    self.shift[pos] = np.where(both.any(axis=1), np.where(both, diff, 0).sum(axis=1) / both.sum(axis=1),
                                               np.nan)
                if self.pairwise is not None:
                    full = lay.grid(ranks)
                    self.pairwise += (full[:, :, :, None] < full[:, :, None, :]).sum(axis=0)
                if self.unit_rank is not None and self.unit_score is not None:
                    self.unit_rank[pos] = ranks
                    self.unit_score[pos] = x if self.p.raw_scores else standardise_within_runs(lay, x)

    def result(self, block: int, runs: np.ndarray) -> BlockResult:
        rows = self.p.layout.rows
        codes = {}
        for code in self.p.design.tracked:
            r_ids, r_counts = value_counts(_stack(self.ranks[code], rows), self.p.layout.n_units)
            h_ids, h_counts = value_counts(_stack(self.bins[code], rows), self.p.bins)
            codes[code] = CodeBlock(r_ids, r_counts, h_ids, h_counts, self.moments[code])
        failed = np.flatnonzero(self.reason >= 0)
        return BlockResult(block, runs, self.shift, failed, self.reason[failed], self.reasons, codes, self.pairwise,
                           self.unit_rank, self.unit_score)


def _stack(parts: list[np.ndarray], rows: int) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros((0, rows), dtype=np.int32)


def _chunk_size(problem: Problem) -> int:
    structure = problem.inputs.structure
    width = max(1, len(structure.codes) - len(structure.indicators)) + len(problem.design.tracked)
    return int(np.clip(_CHUNK_ELEMENTS // (problem.layout.rows * width), 1, _MAX_CHUNK))


def _evaluate(problem: Problem, state: _State, choice: tuple[int, ...], mult: np.ndarray,
              on_fail: Callable[[np.ndarray, str], None], pos: np.ndarray) -> dict[str, np.ndarray] | None:
    """Tracked scores (S × rows) of the runs of one setting; failed runs are reported through ``on_fail``."""
    try:
        spec = state.spec(choice)
        x1 = state.indicators(spec)
        levels, reasons = _aggregate(problem, state, choice, spec, x1, mult)
    except Failure as exc:
        on_fail(pos, str(exc))
        return None
    except (ValueError, ArithmeticError) as exc:
        on_fail(pos, str(exc))
        return None
    s = len(mult)
    out = {}
    for code, (lev, col) in state.tracked.items():
        out[code] = np.broadcast_to(levels[lev - 1][:, :, col], (s, problem.layout.rows))
    bad = np.array([r is not None for r in reasons])
    for i in np.flatnonzero(bad):
        on_fail(pos[i : i + 1], str(reasons[i]))
    if bad.any():
        out = {c: np.where(bad[:, None], np.nan, v) for c, v in out.items()}
    return out


def _setting_scores(problem: Problem, state: _State, choices: np.ndarray, mult: np.ndarray,
                    on_fail: Callable[[np.ndarray, str], None]) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
    """The runs of one block grouped by discrete setting, in chunks: (positions, tracked scores S × rows) of the
    runs that could be computed; the others are reported through ``on_fail``."""
    n_runs = len(mult)
    if choices.shape[1]:
        keys, inverse = np.unique(choices, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
    else:
        keys, inverse = np.zeros((1, 0), dtype=np.int64), np.zeros(n_runs, dtype=np.int64)
    failed = np.zeros(n_runs, dtype=bool)

    def fail(pos: np.ndarray, reason: str) -> None:
        failed[pos] = True
        on_fail(pos, reason)

    size = _chunk_size(problem)
    for g, key in enumerate(keys):
        members = np.flatnonzero(inverse == g)
        for start in range(0, len(members), size):
            pos = members[start : start + size]
            scores = _evaluate(problem, state, tuple(int(k) for k in key), mult[pos], fail, pos)
            if scores is None:
                continue
            ok = ~failed[pos]
            if not ok.all():
                pos = pos[ok]
                scores = {c: v[ok] for c, v in scores.items()}
            if len(pos):
                yield pos, scores


def run_block(problem: Problem, task: tuple[int, Mapping[str, tuple[np.ndarray, np.ndarray]]]) -> BlockResult:
    """Evaluate every run of one block and reduce them to the block's statistics."""
    block, bounds = task
    state = _state(problem)
    u, runs = problem.blocks.points(block)
    choices, mult = problem.design.decode(u)
    acc = _Block(problem, bounds, len(runs))
    for pos, scores in _setting_scores(problem, state, choices, mult, acc.fail):
        acc.add(pos, scores)
    return acc.result(block, runs)


def block_scores(problem: Problem, block: int) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray, list[str]]:
    """The tracked scores of every run of one block, kept whole (for analyses of small problems that need the
    runs themselves, e.g. year-on-year changes): (run numbers, code → scores runs × rows with NaN rows for the
    failed runs, which runs failed, the distinct failure messages)."""
    state = _state(problem)
    u, runs = problem.blocks.points(block)
    choices, mult = problem.design.decode(u)
    out = {c: np.full((len(runs), problem.layout.rows), np.nan) for c in problem.design.tracked}
    failed = np.zeros(len(runs), dtype=bool)
    reasons: list[str] = []

    def fail(pos: np.ndarray, reason: str) -> None:
        failed[pos] = True
        if reason not in reasons:
            reasons.append(reason)

    for pos, scores in _setting_scores(problem, state, choices, mult, fail):
        for code, x in scores.items():
            out[code][pos] = x
    return runs, out, failed, reasons
