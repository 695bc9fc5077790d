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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kechuang.index._accumulate import Moments, histogram_bins, sparse_counts
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

__all__ = ["Layout", "Problem", "BlockResult", "run_block", "normalised_setting", "clear_cache", "in_worker"]

_CHUNK_ELEMENTS = 1 << 22
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


@dataclass
class _State:
    problem: Problem
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
        state = _CACHE[problem.token] = _State(problem)
    return state


def clear_cache() -> None:
    """Forget the cached settings of this process."""
    _CACHE.clear()


def in_worker() -> None:
    """Configure a worker process or thread of a parallel backend: engine blocks run inline."""
    run_inline()


# ------------------------------------------------------------------ batched aggregation


def _contract(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Σ_i v[s, r, i]·W[s, i, p] for v (Sv × rows × m) and W (Sw × m × P), broadcasting S; one matrix product
    when v is shared (Sv = 1)."""
    sv, rows, m = v.shape
    sw, _, p = w.shape
    if sv == 1:
        flat = v[0] @ w.transpose(1, 0, 2).reshape(m, sw * p)
        return flat.reshape(rows, sw, p).transpose(1, 0, 2)
    return np.matmul(v, w)


_REFUSALS = {
    "a_gmean": ("zero or negative values", lambda x: x <= 0),
    "a_hmean": ("zero values", lambda x: x == 0),
    "a_genmean": ("zero or negative values with p < 0", lambda x: x <= 0),
}


def _means(
    x: np.ndarray, w: np.ndarray, member: np.ndarray, method: str, p: float | None, parents: list[str]
) -> tuple[np.ndarray, list[str | None]]:
    """Weighted means of children x (Sx × rows × m) with weights w (Sw × m) into parents; returns the scores
    (S × rows × P) and, per run, the engine's refusal message (``None`` when computed)."""
    if len(x) == 1 and len(w) == 1:
        try:
            return aggregate_level(x[0], w[0][:, None] * member, method, parents, p)[None], [None]
        except ComputationError as exc:
            return np.full((1, x.shape[1], len(parents)), np.nan), [str(exc)]
    big_w = w[:, :, None] * member[None]
    s = max(len(x), len(w))
    avail = ~np.isnan(x)
    den = _contract(avail.astype(float), big_w)
    reasons: list[str | None] = [None] * s
    refusal = _REFUSALS.get(method)
    if refusal is not None and (method != "a_genmean" or (p is not None and p < 0)):
        what, test = refusal
        with np.errstate(invalid="ignore"):
            bad_child = (avail & test(np.where(avail, x, 1.0))).any(axis=1)  # Sx × m
        hit = (bad_child[:, :, None] & (big_w > 0)).any(axis=1)  # S × P
        hit = np.broadcast_to(hit, (s, len(parents)))
        for i in np.flatnonzero(hit.any(axis=1)):
            names = ", ".join(pa for pa, bad in zip(parents, hit[i], strict=True) if bad)
            reasons[i] = str(ComputationError(
                "aggregate", method, f"{what} among the children of {names}; normalise to a positive range first"
            ))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if method == "a_amean":
            y = _contract(np.where(avail, x, 0.0), big_w) / den
        elif method == "a_gmean":
            logs = np.where(avail, np.log(np.where(avail & (x > 0), x, 1.0)), 0.0)
            y = np.exp(_contract(logs, big_w) / den)
        elif method == "a_hmean":
            inv = np.where(avail, 1.0 / np.where(avail & (x != 0), x, 1.0), 0.0)
            y = den / _contract(inv, big_w)
        elif method == "a_genmean":
            if p is None or p == 0:
                raise ComputationError("aggregate", method, "needs a non-zero exponent p")
            y = (_contract(np.where(avail, x, 0.0) ** p, big_w) / den) ** (1.0 / p)
        else:
            raise ValueError(f"unknown aggregation method {method!r}")
    return y, reasons


def _copeland(x: np.ndarray, w: np.ndarray, member: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Copeland scores (S × rows × P) per year (see :func:`kechuang.index.aggregate.a_copeland`); with shared
    children the outranking matrices are built once and weighted for all runs at once."""
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
            cmp = (sub.T[:, :, None] > sub.T[:, None, :]) + 0.5 * (sub.T[:, :, None] == sub.T[:, None, :])
            share = w[:, kids] / np.nansum(w[:, kids], axis=1, keepdims=True)
            out = np.einsum("si,iuv->suv", share, cmp)
            upper = np.triu(np.ones((len(rows), len(rows)), dtype=bool), 1)
            out = np.where(upper, out, 0.0)
            out = out + np.where(upper.T, 1 - out.transpose(0, 2, 1), 0.0)
            y[:, rows, j] = out.sum(axis=2)
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


def _aggregate(problem: Problem, spec: Spec, x1: np.ndarray, mult: np.ndarray) -> tuple[list[np.ndarray], list[str | None]]:
    """Scores of every level for the runs of one setting: level 1 = ``x1`` (rows × indicators), ``mult`` the
    weight multipliers (S × noise codes). Returns per level an array (S or 1 × rows × codes of the level)
    and per run the message of a refusal."""
    structure = problem.inputs.structure
    s = len(mult)
    noise_col = {c: j for j, c in enumerate(problem.design.noise_codes)}
    step = spec.step("aggregate")
    assert step is not None
    base, source = weight_source(spec, structure)
    levels: list[np.ndarray] = [x1[None]]
    reasons: list[str | None] = [None] * s
    for level in range(2, structure.max_level + 1):
        children = list(structure.at_level(level - 1))
        parents = list(structure.at_level(level))
        entry = step.by_level.get(level, {"method": step.method, "params": step.params})
        method, params = entry["method"], {**AGG_DEFAULTS, **entry["params"]}
        x = levels[-1]
        if callable(source):
            weights = source(level, make_frame(problem.layout.ids, x[0], children))
        else:
            weights = base
        w0 = np.array([weights[c] for c in children], dtype=float)
        noisy = [(i, noise_col[c]) for i, c in enumerate(children) if c in noise_col]
        if noisy:
            w = np.repeat(w0[None], s, axis=0)
            cols = np.array([i for i, _ in noisy])
            w[:, cols] = w0[cols] * mult[:, [j for _, j in noisy]]
        else:
            w = w0[None]
        member = np.zeros((len(children), len(parents)))
        for j, parent in enumerate(parents):
            for child in structure.children[parent]:
                member[children.index(child), j] = 1.0
        x_in = x
        if params["missing"] == "group_mean":
            x_in = _group_fill(x, *_group_ids(problem, params["group"]))
        if method == "a_copeland":
            y = _copeland(x_in, w, member, problem.layout.time_pos)
            level_reasons: list[str | None] = [None] * len(y)
        else:
            y, level_reasons = _means(x_in, w, member, method, params.get("p"), parents)
        if params["dat_thresh"] is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                share = _contract((~np.isnan(x)).astype(float), member[None]) / member.sum(axis=0)
            y = np.where(share < params["dat_thresh"], np.nan, y)
        for i, reason in enumerate(level_reasons):
            if reason is not None:
                for k in range(s) if len(level_reasons) == 1 else [i]:
                    reasons[k] = reasons[k] or reason
        levels.append(y)
    return levels, reasons


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
        self.rank_ids: dict[str, list[np.ndarray]] = {c: [] for c in problem.design.tracked}
        self.hist_ids: dict[str, list[np.ndarray]] = {c: [] for c in problem.design.tracked}
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
        rows = np.arange(lay.rows)
        for code, x in scores.items():
            ranks = lay.ranks(x)
            ok = ~np.isnan(ranks)
            self.rank_ids[code].append((rows * lay.n_units + np.where(ok, ranks, 1).astype(np.int64) - 1)[ok])
            lo, hi = self.bounds[code]
            defined = ~np.isnan(x)
            self.hist_ids[code].append((rows * self.p.bins + histogram_bins(x, lo, hi, self.p.bins))[defined])
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
                    self.unit_score[pos] = x

    def result(self, block: int, runs: np.ndarray) -> BlockResult:
        rows = self.p.layout.rows
        codes = {}
        for code in self.p.design.tracked:
            r_ids, r_counts = sparse_counts(_concat(self.rank_ids[code]), rows * self.p.layout.n_units)
            h_ids, h_counts = sparse_counts(_concat(self.hist_ids[code]), rows * self.p.bins)
            codes[code] = CodeBlock(r_ids, r_counts, h_ids, h_counts, self.moments[code])
        failed = np.flatnonzero(self.reason >= 0)
        return BlockResult(block, runs, self.shift, failed, self.reason[failed], self.reasons, codes, self.pairwise,
                           self.unit_rank, self.unit_score)


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


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
        levels, reasons = _aggregate(problem, spec, x1, mult)
    except Failure as exc:
        on_fail(pos, str(exc))
        return None
    except (ValueError, ArithmeticError) as exc:
        on_fail(pos, str(exc))
        return None
    structure = problem.inputs.structure
    s = len(mult)
    out = {}
    for code in problem.design.tracked:
        lev = structure.level[code]
        col = structure.at_level(lev).index(code)
        out[code] = np.broadcast_to(levels[lev - 1][:, :, col], (s, problem.layout.rows))
    bad = np.array([r is not None for r in reasons])
    for i in np.flatnonzero(bad):
        on_fail(pos[i : i + 1], str(reasons[i]))
    if bad.any():
        out = {c: np.where(bad[:, None], np.nan, v) for c, v in out.items()}
    return out


def run_block(problem: Problem, task: tuple[int, Mapping[str, tuple[np.ndarray, np.ndarray]]]) -> BlockResult:
    """Evaluate every run of one block and reduce them to the block's statistics."""
    block, bounds = task
    state = _state(problem)
    u, runs = problem.blocks.points(block)
    choices, mult = problem.design.decode(u)
    acc = _Block(problem, bounds, len(runs))
    if choices.shape[1]:
        keys, inverse = np.unique(choices, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
    else:
        keys, inverse = np.zeros((1, 0), dtype=np.int64), np.zeros(len(runs), dtype=np.int64)
    size = _chunk_size(problem)
    for g, key in enumerate(keys):
        members = np.flatnonzero(inverse == g)
        for start in range(0, len(members), size):
            pos = members[start : start + size]
            scores = _evaluate(problem, state, tuple(int(k) for k in key), mult[pos], acc.fail, pos)
            if scores is None:
                continue
            ok = acc.reason[pos] < 0
            if not ok.all():
                pos = pos[ok]
                scores = {c: v[ok] for c, v in scores.items()}
            if len(pos):
                acc.add(pos, scores)
    return acc.result(block, runs)
