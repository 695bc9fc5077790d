"""Uncertainty and sensitivity analysis of a composite index: vectorised Monte Carlo and Sobol' indices.

``uncertainty_analysis(data, meta, spec, ua, n)`` regenerates the index for n Monte Carlo samples of the
uncertain inputs declared in an uncertainty spec (:mod:`kechuang.index.uncertainty_spec`) and reports, for
every tracked code and unit (unit-year):

* score: nominal (the pipeline spec as given), mean, sd, median, 5th and 95th percentile, min and max;
* rank (per year, highest = 1, ties share the lowest): nominal, mean, median, 5th and 95th percentile, min, max
  (exact, from rank counts);
* for the target code, the probability that a unit ranks strictly above another (``pairwise``);
* per run: the parameters used, the mean absolute rank shift against the nominal ranking
  (1/n·Σ_u |rank_u − rank_u,nominal| over the units ranked in both) and whether it could be computed.

``sensitivity_analysis(data, meta, spec, ua, n)`` evaluates a Saltelli design of n base points
(n·(G + 2) regenerations for G uncertain parameters; :mod:`kechuang.index.sampling`) and estimates first-order
(Saltelli 2010: S_i = mean(f(B)·(f(AB_i) − f(A)))/V) and total-order (Jansen: S_Ti =
mean((f(A) − f(AB_i))²)/(2V)) indices with bootstrap intervals (:mod:`kechuang.index.sensitivity`) for
(a) the mean absolute rank shift of the target (COINr's output) and (b) each unit's own rank and score on the
target. Its rank statistics cover all its runs.

Runs are evaluated in blocks on a backend (:mod:`kechuang.index.backends`): the same seed gives the same
numbers on every backend. Runs are never held in full: each block reduces its runs to statistics
(:mod:`kechuang.index._accumulate`). A run that cannot be computed is listed in ``failures`` with its
parameters and the engine's message, and left out of the statistics; a sensitivity analysis drops the base
points with a failed run and says how many.

::

    from kechuang.index import read_idata, read_imeta, example_spec
    from kechuang.index.uncertainty import example_ua_spec, sensitivity_analysis

    meta = read_imeta("ASEM_iMeta.csv")
    data = read_idata("ASEM_iData.csv", meta)
    sa = sensitivity_analysis(data, meta, example_spec("asem_variant_a"), example_ua_spec(), n=500, seed=1)
    sa.ranks, sa.sensitivity, sa.runs, sa.failures
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from kechuang.index._accumulate import Moments, quantiles_from_counts, quantiles_from_histogram
from kechuang.index._batch import BlockResult, Layout, Problem, block_scores, normalised_setting, run_block
from kechuang.index.backends import Backend, make_backend
from kechuang.index.pipeline import Result, build, prepare
from kechuang.index.sampling import BLOCK_RUNS, Blocks
from kechuang.index.sensitivity import sobol_indices, split_salib
from kechuang.index.spec import DATA_STEPS, Spec, dump_spec, load_spec, parse_spec
from kechuang.index.uncertainty_spec import (
    Design,
    UncertaintySpec,
    example_ua_spec,
    load_ua_spec,
    parse_ua_spec,
    resolve,
)

__all__ = [
    "UncertaintyResult",
    "uncertainty_analysis",
    "sensitivity_analysis",
    "write_uncertainty",
    "run_spec",
    "sample_scores",
    "SampledScores",
    "example_ua_spec",
    "load_ua_spec",
    "parse_ua_spec",
]

PROBS = [0.05, 0.5, 0.95]
SCORE_BINS = 2048
BOOTSTRAP_KEY = 1 << 32
Progress = Callable[[int, int], None]
Bounds = Mapping[str, tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class UncertaintyResult:
    """Outcome of an analysis (``kind`` ``uncertainty`` or ``sensitivity``); see the module docstring.

    ``ranks``: one row per tracked code and unit (unit-year) with the score and rank statistics;
    ``pairwise``: code, (Time), uCode, other, p_above = P(uCode ranks strictly above other) over the successful
    runs (``None`` when not computed); ``runs``: one row per run with its parameters, status and mean absolute
    rank shift; ``failures``: one row per failing combination (parameters, message, number of runs);
    ``sensitivity``: target (``mean_abs_rank_shift``, ``rank`` or ``score``), code, uCode, (Time), parameter,
    S1, S1_conf, S1_lo, S1_hi, ST, ST_conf, ST_lo, ST_hi and a note (``None`` for an uncertainty analysis).
    """

    kind: str
    ua: UncertaintySpec
    design: Design
    blocks: Blocks
    nominal: Result
    n: int
    n_runs: int
    n_failed: int
    seed: int
    backend: str
    seconds: float
    ranks: pd.DataFrame
    pairwise: pd.DataFrame | None
    runs: pd.DataFrame
    failures: pd.DataFrame
    sensitivity: pd.DataFrame | None = None
    dropped_base_points: int = 0

    def summary(self) -> dict[str, Any]:
        """The figures of the run as plain data (what ``summary.json`` holds)."""
        return {
            "kind": self.kind,
            "n": self.n,
            "runs": self.n_runs,
            "failed_runs": self.n_failed,
            "dropped_base_points": self.dropped_base_points,
            "seed": self.seed,
            "backend": self.backend,
            "seconds": round(self.seconds, 3),
            "target": self.design.target,
            "tracked": list(self.design.tracked),
            "parameters": [f.name for f in self.design.factors],
        }


def _pipeline_spec(spec: Spec | Mapping[str, Any] | str | Path) -> Spec:
    if isinstance(spec, Spec):
        return spec
    if isinstance(spec, Mapping):
        return parse_spec(dict(spec))
    return load_spec(spec)


def _ua_spec(ua: UncertaintySpec | Mapping[str, Any] | str | Path) -> UncertaintySpec:
    if isinstance(ua, UncertaintySpec):
        return ua
    if isinstance(ua, Mapping):
        return parse_ua_spec(dict(ua))
    return load_ua_spec(ua)


def _settings(design: Design, blocks: Blocks) -> list[tuple[int, ...]]:
    """One discrete choice per distinct data + normalise setting used by the runs (a representative)."""
    upstream = [i for i, f in enumerate(design.discrete) if f.step in (*DATA_STEPS, "normalise")]
    seen: dict[tuple[int, ...], tuple[int, ...]] = {}
    for b in range(blocks.count):
        choices, _ = design.decode(blocks.points(b)[0])
        for row in np.unique(choices, axis=0) if choices.shape[1] else np.zeros((1, 0), dtype=np.int64):
            choice = tuple(int(v) for v in row)
            seen.setdefault(tuple(choice[i] for i in upstream), choice)
    return list(seen.values())


def _score_bounds(design: Design, problem: Problem, lo1: np.ndarray, hi1: np.ndarray) -> Bounds:
    """Per tracked code, bounds [lo, hi] of every score a run can give each row.

    Weighted means lie between their smallest and largest child, so a code's score lies between the extremes
    of its indicators' normalised scores over all settings; group-mean filling widens this to the extremes
    over all rows, Copeland scores lie in [0, units − 1].
    """
    structure = problem.inputs.structure
    indicators = list(structure.indicators)
    wide = copeland = False
    for variant in design.options_of("aggregate"):
        step = variant.step("aggregate")
        assert step is not None
        entries = [{"method": step.method, "params": step.params}, *step.by_level.values()]
        copeland |= any(e["method"] == "a_copeland" for e in entries)
        wide |= any(e["params"].get("missing") == "group_mean" for e in entries)
    out = {}
    for code in design.tracked:
        cols = [indicators.index(c) for c in structure.descendants(code, 1)]
        lo, hi = np.fmin.reduce(lo1[:, cols], axis=1), np.fmax.reduce(hi1[:, cols], axis=1)
        if structure.level[code] > 1 and (wide or copeland):
            lo = np.full_like(lo, np.nanmin(lo1[:, cols]))
            hi = np.full_like(hi, np.nanmax(hi1[:, cols]))
        if structure.level[code] > 1 and copeland:
            lo, hi = np.fmin(lo, 0.0), np.fmax(hi, problem.layout.n_units - 1.0)
        out[code] = (lo, hi)
    return out


class _Merger:
    """Adds up what the blocks send; integer counts as they arrive, moments in block order at the end."""

    def __init__(self, problem: Problem):
        lay = problem.layout
        self.problem = problem
        n_runs = problem.blocks.n_runs
        self.rank = {c: np.zeros(lay.rows * lay.n_units, dtype=np.int32) for c in problem.design.tracked}
        self.hist = {c: np.zeros(lay.rows * problem.bins, dtype=np.int32) for c in problem.design.tracked}
        self.moments: dict[int, dict[str, Moments]] = {}
        self.shift = np.full(n_runs, np.nan)
        self.failed = np.full(n_runs, -1, dtype=np.int64)
        self.reasons: list[str] = []
        self.pairwise = np.zeros((lay.n_times, lay.n_units, lay.n_units), dtype=np.int64) \
            if problem.design.pairwise else None
        self.unit_rank = np.full((n_runs, lay.rows), np.nan) if problem.per_unit else None
        self.unit_score = np.full((n_runs, lay.rows), np.nan) if problem.per_unit else None

    def add(self, res: BlockResult) -> None:
        for code, part in res.codes.items():
            self.rank[code][part.rank_ids] += part.rank_counts
            self.hist[code][part.hist_ids] += part.hist_counts
        self.moments[res.block] = {c: part.moments for c, part in res.codes.items()}
        self.shift[res.runs] = res.shift
        for pos, idx in zip(res.failed, res.reason, strict=True):
            reason = res.reasons[idx]
            if reason not in self.reasons:
                self.reasons.append(reason)
            self.failed[res.runs[pos]] = self.reasons.index(reason)
        if self.pairwise is not None and res.pairwise is not None:
            self.pairwise += res.pairwise
        if self.unit_rank is not None and res.unit_rank is not None and res.unit_score is not None:
            assert self.unit_score is not None
            self.unit_rank[res.runs] = res.unit_rank
            self.unit_score[res.runs] = res.unit_score

    def code_moments(self, code: str) -> Moments:
        total = Moments.empty(self.problem.layout.rows)
        for block in sorted(self.moments):
            total = total.merge(self.moments[block][code])
        return total


def _rank_table(problem: Problem, merger: _Merger, nominal: Result, bounds: Bounds) -> pd.DataFrame:
    lay = problem.layout
    names = _unit_names(nominal)
    frames = []
    for code in problem.design.tracked:
        counts = merger.rank[code].reshape(lay.rows, lay.n_units)
        hist = merger.hist[code].reshape(lay.rows, problem.bins)
        mom = merger.code_moments(code)
        lo, hi = bounds[code]
        n = counts.sum(axis=1)
        k = np.arange(1, lay.n_units + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            rank_mean = (counts * k).sum(axis=1) / n
        seen = counts > 0
        rank_min = np.where(n > 0, seen.argmax(axis=1) + 1.0, np.nan)
        rank_max = np.where(n > 0, lay.n_units - seen[:, ::-1].argmax(axis=1) + 0.0, np.nan)
        rq = quantiles_from_counts(counts, PROBS)
        sq = quantiles_from_histogram(hist, lo, hi, mom.lo, mom.hi, PROBS)
        frame = lay.ids.copy()
        frame.insert(0, "code", code)
        if names is not None:
            frame.insert(2, "uName", frame["uCode"].map(names))
        frame["runs"] = n
        frame["score_nominal"] = nominal.scores[code].to_numpy(dtype=float)
        frame["score_mean"] = np.where(mom.n > 0, mom.mean, np.nan)
        frame["score_sd"] = mom.sd
        frame["score_q05"], frame["score_median"], frame["score_q95"] = sq
        frame["score_min"], frame["score_max"] = mom.lo, mom.hi
        frame["score_resolution"] = (hi - lo) / problem.bins
        frame["rank_nominal"] = nominal.ranks[code].to_numpy(dtype=float, na_value=np.nan)
        frame["rank_mean"] = rank_mean
        frame["rank_q05"], frame["rank_median"], frame["rank_q95"] = rq
        frame["rank_min"], frame["rank_max"] = rank_min, rank_max
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _unit_names(nominal: Result) -> dict[str, str] | None:
    if "uName" not in nominal.data.columns:
        return None
    return {str(u): str(n) for u, n in zip(nominal.data["uCode"], nominal.data["uName"], strict=True)}


def _pairwise_table(problem: Problem, merger: _Merger, ok_runs: int) -> pd.DataFrame | None:
    if merger.pairwise is None:
        return None
    lay = problem.layout
    units = np.empty(lay.n_units, dtype=object)
    units[lay.unit_pos] = lay.ids["uCode"].to_numpy(dtype=object)
    times = None
    if "Time" in lay.ids.columns:
        times = np.empty(lay.n_times, dtype=object)
        times[lay.time_pos] = lay.ids["Time"].to_numpy()
    present = np.zeros((lay.n_times, lay.n_units), dtype=bool)
    present[lay.time_pos, lay.unit_pos] = True
    t, u, v = np.nonzero(present[:, :, None] & present[:, None, :] & ~np.eye(lay.n_units, dtype=bool)[None])
    out = pd.DataFrame({"code": np.full(len(t), problem.design.target, dtype=object)})
    if times is not None:
        out["Time"] = times[t]
    out["uCode"] = units[u]
    out["other"] = units[v]
    out["p_above"] = merger.pairwise[t, u, v] / max(ok_runs, 1)
    return out


def _runs_table(problem: Problem, merger: _Merger) -> pd.DataFrame:
    design, blocks = problem.design, problem.blocks
    parts = []
    for b in range(blocks.count):
        u, runs = blocks.points(b)
        choices, mult = design.decode(u)
        columns: dict[str, np.ndarray] = {"run": runs}
        if blocks.kind == "saltelli":
            step = blocks.runs_per_point
            names = ["A", *(f"AB:{f.name}" for f in design.factors), "B"]
            columns["base"] = runs // step
            columns["matrix"] = np.array(names, dtype=object)[runs % step]
        for j, f in enumerate(design.discrete):
            columns[f.name] = np.array(f.labels, dtype=object)[choices[:, j]]
        for col, (name, code) in enumerate((n.name, c) for n in design.noise for c in n.codes):
            columns[f"{name}:{code}"] = mult[:, col]
        run = columns["run"]
        failed = merger.failed[run]
        columns["status"] = np.where(failed >= 0, "failed", "ok").astype(object)
        columns["mean_abs_rank_shift"] = merger.shift[run]
        reasons = np.array([*merger.reasons, ""], dtype=object)
        columns["error"] = reasons[np.where(failed >= 0, failed, len(merger.reasons))]
        parts.append(pd.DataFrame(columns))
    return pd.concat(parts, ignore_index=True).sort_values("run", kind="stable").reset_index(drop=True)


def _failures_table(design: Design, runs: pd.DataFrame) -> pd.DataFrame:
    names = [f.name for f in design.discrete]
    failed = runs[runs["status"] == "failed"]
    columns = [*names, "error", "runs", "first_run"]
    if failed.empty:
        return pd.DataFrame(columns=columns)
    grouped = failed.groupby([*names, "error"], sort=False, dropna=False)["run"].agg(["size", "min"]).reset_index()
    return grouped.rename(columns={"size": "runs", "min": "first_run"})[columns]


def _sensitivity_table(problem: Problem, merger: _Merger, seed: int, num_resamples: int,
                       conf_level: float) -> tuple[pd.DataFrame, int]:
    design, lay = problem.design, problem.layout
    g = len(design.factors)
    fa, fb, fab = split_salib((merger.failed >= 0).astype(float), g)
    complete = (fa == 0) & (fb == 0) & ~(fab > 0).any(axis=1)
    dropped = int((~complete).sum())
    columns = ["target", "code", "uCode", *(["Time"] if "Time" in lay.ids else []), "parameter", "S1", "S1_conf",
               "S1_lo", "S1_hi", "ST", "ST_conf", "ST_lo", "ST_hi", "note"]
    if complete.sum() < 2:
        return pd.DataFrame(columns=columns), dropped
    boot = np.random.SeedSequence(seed, spawn_key=(BOOTSTRAP_KEY,))
    targets: list[tuple[str, np.ndarray]] = [("mean_abs_rank_shift", merger.shift[:, None])]
    if merger.unit_rank is not None and merger.unit_score is not None:
        targets += [("rank", merger.unit_rank), ("score" if problem.raw_scores else "score_std", merger.unit_score)]
    frames = []
    for name, y in targets:
        ya, yb, yab = (part[complete] for part in split_salib(y, g))
        idx = sobol_indices(ya, yb, yab, num_resamples=num_resamples, conf_level=conf_level, seed=boot)
        missing = np.isnan(ya).any(axis=0) | np.isnan(yb).any(axis=0) | np.isnan(yab).any(axis=(0, 1))
        t = y.shape[1]
        frame = pd.DataFrame({"target": np.full(t * g, name, dtype=object),
                              "code": np.full(t * g, design.target, dtype=object)})
        if name == "mean_abs_rank_shift":
            frame["uCode"] = ""
            if "Time" in lay.ids:
                frame["Time"] = pd.array([pd.NA] * (t * g), dtype="Int64")
        else:
            frame["uCode"] = np.repeat(lay.ids["uCode"].to_numpy(dtype=object), g)
            if "Time" in lay.ids:
                frame["Time"] = np.repeat(lay.ids["Time"].to_numpy(), g)
        frame["parameter"] = np.tile(np.array([f.name for f in design.factors], dtype=object), t)
        for key in ("S1", "S1_conf", "S1_lo", "S1_hi", "ST", "ST_conf", "ST_lo", "ST_hi"):
            frame[key] = getattr(idx, key).T.reshape(-1)
        note = np.where(np.repeat(idx.constant, g), "no variance: the same in every run", "")
        note = np.where(np.repeat(missing, g), "missing in some runs", note)
        frame["note"] = note
        frames.append(frame[columns])
    return pd.concat(frames, ignore_index=True), dropped


def _problem(kind: str, data: pd.DataFrame, meta: pd.DataFrame, spec: Spec | Mapping[str, Any] | str | Path,
             ua: UncertaintySpec, n: int, *, seed: int, bins: int = SCORE_BINS, block_runs: int = BLOCK_RUNS,
             per_unit: bool = False, raw_scores: bool = False) -> tuple[Result, Problem]:
    """The nominal build and the problem the blocks evaluate (design resolved, blocks planned)."""
    spec = _pipeline_spec(spec)
    nominal = build(data, meta, spec)
    inputs = prepare(data, meta, spec)
    design = resolve(ua, spec, inputs)
    blocks = Blocks.plan("mc" if kind == "uncertainty" else "saltelli", n, design.columns(), seed, block_runs)
    problem = Problem(
        token=uuid.uuid4().hex,
        inputs=inputs,
        design=design,
        blocks=blocks,
        layout=Layout.of(nominal.scores),
        nominal_rank=nominal.ranks[design.target].to_numpy(dtype=float, na_value=np.nan),
        bins=bins,
        per_unit=per_unit,
        raw_scores=raw_scores,
    )
    return nominal, problem


@dataclass(frozen=True)
class SampledScores:
    """The scores of every Monte Carlo run, kept whole: ``scores[code]`` is runs × rows (rows as
    ``nominal.scores``; a failed run is a row of NaN), ``failed`` marks the failed runs, ``reasons`` lists
    the distinct failure messages."""

    nominal: Result
    design: Design
    runs: pd.DataFrame
    scores: Mapping[str, np.ndarray]
    failed: np.ndarray
    reasons: list[str]


def sample_scores(
    data: pd.DataFrame,
    meta: pd.DataFrame,
    spec: Spec | Mapping[str, Any] | str | Path,
    ua: UncertaintySpec | Mapping[str, Any] | str | Path,
    n: int,
    *,
    seed: int = 0,
    codes: tuple[str, ...] | None = None,
) -> SampledScores:
    """Scores of ``codes`` (default: the uncertainty spec's tracked codes) in each of ``n`` Monte Carlo runs,
    the same runs as :func:`uncertainty_analysis` with the same seed, evaluated in this process.

    For analyses that need the runs themselves rather than per-unit statistics (e.g. the year-on-year changes
    of :func:`kechuang.index.audit.time_series_audit`); memory is n × rows × codes, so it suits small panels.
    """
    ua = _ua_spec(ua)
    if codes is not None:
        target = ua.target if ua.target is not None else codes[0]
        ua = replace(ua, target=target, track_codes=tuple(codes), track_levels=())
    nominal, problem = _problem("uncertainty", data, meta, spec, ua, n, seed=seed)
    blocks, design = problem.blocks, problem.design
    scores = {c: np.full((blocks.n_runs, problem.layout.rows), np.nan) for c in design.tracked}
    failed = np.zeros(blocks.n_runs, dtype=bool)
    reasons: list[str] = []
    for b in range(blocks.count):
        runs, part, bad, why = block_scores(problem, b)
        for code, x in part.items():
            scores[code][runs] = x
        failed[runs] = bad
        reasons += [r for r in why if r not in reasons]
    choices, mult = design.decode(np.concatenate([blocks.points(b)[0] for b in range(blocks.count)]))
    columns: dict[str, Any] = {"run": np.arange(blocks.n_runs)}
    for j, factor in enumerate(design.discrete):
        columns[factor.name] = np.array(factor.labels, dtype=object)[choices[:, j]]
    for col, (name, code) in enumerate((f.name, c) for f in design.noise for c in f.codes):
        columns[f"{name}:{code}"] = mult[:, col]
    columns["status"] = np.where(failed, "failed", "ok").astype(object)
    return SampledScores(nominal, design, pd.DataFrame(columns), scores, failed, reasons)


def _analyse(
    kind: str,
    data: pd.DataFrame,
    meta: pd.DataFrame,
    spec: Spec | Mapping[str, Any] | str | Path,
    ua: UncertaintySpec | Mapping[str, Any] | str | Path,
    n: int,
    *,
    seed: int,
    backend: str | Backend | None,
    scheduler: str | None,
    workers: int | None,
    progress: Progress | None,
    bins: int,
    block_runs: int,
    per_unit: bool,
    num_resamples: int,
    conf_level: float,
    raw_scores: bool = False,
) -> UncertaintyResult:
    start = time.perf_counter()
    ua = _ua_spec(ua)
    nominal, problem = _problem(kind, data, meta, spec, ua, n, seed=seed, bins=bins, block_runs=block_runs,
                                per_unit=per_unit and kind == "sensitivity", raw_scores=raw_scores)
    design, blocks, layout, inputs = problem.design, problem.blocks, problem.layout, problem.inputs
    k = len(inputs.structure.indicators)
    lo1, hi1 = np.full((layout.rows, k), np.nan), np.full((layout.rows, k), np.nan)
    merger = _Merger(problem)
    done = 0
    work = blocks.n_runs * layout.rows
    with make_backend(backend, scheduler=scheduler, workers=workers, blocks=blocks.count, work=work) as runner:
        for _, x in runner.map(normalised_setting, problem, _settings(design, blocks)):
            if not isinstance(x, str):
                lo1, hi1 = np.fmin(lo1, x), np.fmax(hi1, x)
        bounds = _score_bounds(design, problem, lo1, hi1)
        for _, res in runner.map(run_block, problem, [(b, bounds) for b in range(blocks.count)]):
            merger.add(res)
            done += len(res.runs)
            if progress is not None:
                progress(done, blocks.n_runs)
        backend_name = runner.name
    runs = _runs_table(problem, merger)
    n_failed = int((merger.failed >= 0).sum())
    sensitivity, dropped = None, 0
    if kind == "sensitivity":
        sensitivity, dropped = _sensitivity_table(problem, merger, seed, num_resamples, conf_level)
    return UncertaintyResult(
        kind=kind,
        ua=ua,
        design=design,
        blocks=blocks,
        nominal=nominal,
        n=n,
        n_runs=blocks.n_runs,
        n_failed=n_failed,
        seed=seed,
        backend=backend_name,
        seconds=time.perf_counter() - start,
        ranks=_rank_table(problem, merger, nominal, bounds),
        pairwise=_pairwise_table(problem, merger, blocks.n_runs - n_failed),
        runs=runs,
        failures=_failures_table(design, runs),
        sensitivity=sensitivity,
        dropped_base_points=dropped,
    )


def uncertainty_analysis(
    data: pd.DataFrame,
    meta: pd.DataFrame,
    spec: Spec | Mapping[str, Any] | str | Path,
    ua: UncertaintySpec | Mapping[str, Any] | str | Path,
    n: int,
    *,
    seed: int = 0,
    backend: str | Backend | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    bins: int = SCORE_BINS,
    block_runs: int = BLOCK_RUNS,
) -> UncertaintyResult:
    """Monte Carlo uncertainty analysis with ``n`` regenerations (see the module docstring).

    ``backend``: ``"serial"``, ``"processes"``, ``"dask"`` or a :class:`~kechuang.index.backends.Backend`;
    ``scheduler``: a Dask scheduler address (or ``"local"``); default: a process pool of ``workers`` processes
    (in process for small problems, see :func:`~kechuang.index.backends.make_backend`). ``progress(done,
    total)`` is called as blocks complete. ``bins``: histogram bins per unit for the score quantiles;
    ``block_runs``: runs per block.
    """
    return _analyse("uncertainty", data, meta, spec, ua, n, seed=seed, backend=backend, scheduler=scheduler,
                    workers=workers, progress=progress, bins=bins, block_runs=block_runs, per_unit=False,
                    num_resamples=0, conf_level=0.95)


def sensitivity_analysis(
    data: pd.DataFrame,
    meta: pd.DataFrame,
    spec: Spec | Mapping[str, Any] | str | Path,
    ua: UncertaintySpec | Mapping[str, Any] | str | Path,
    n: int,
    *,
    seed: int = 0,
    backend: str | Backend | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    bins: int = SCORE_BINS,
    block_runs: int = BLOCK_RUNS,
    per_unit: bool = True,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    raw_scores: bool = False,
) -> UncertaintyResult:
    """Sobol' sensitivity analysis on ``n`` Saltelli base points, n·(G + 2) regenerations (see the module
    docstring); ``per_unit`` adds each unit's rank and score as outputs; ``num_resamples`` bootstrap resamples
    give intervals at ``conf_level``. Other arguments as :func:`uncertainty_analysis`.

    The per-unit score output is scale-free by default (target ``score_std``): each run's scores standardised
    over the units of the year, z = (x − mean)/sd, so that a choice which only changes the scale of the scores
    (min-max [1, 100] against z-score (10, 2)) does not appear as an influence on every unit. ``raw_scores``
    analyses the raw scores instead (target ``score``), which mostly measures such changes of scale."""
    return _analyse("sensitivity", data, meta, spec, ua, n, seed=seed, backend=backend, scheduler=scheduler,
                    workers=workers, progress=progress, bins=bins, block_runs=block_runs, per_unit=per_unit,
                    num_resamples=num_resamples, conf_level=conf_level, raw_scores=raw_scores)


def run_spec(result: UncertaintyResult, run: int) -> Spec:
    """The pipeline spec that reproduces run ``run`` of an analysis with :func:`~kechuang.index.pipeline.build`.

    It is the run's variant (each discrete option applied) and, when weights are perturbed, the weights the
    run used as a weight set ``run<run>`` selected by the weights step: the variant's weights (iMeta, a named
    set or data-driven) times the run's multipliers.
    """
    blocks, design = result.blocks, result.design
    if not 0 <= run < blocks.n_runs:
        raise ValueError(f"run must be in 0 … {blocks.n_runs - 1}, got {run}")
    u, runs = blocks.points(run // blocks.runs_per_point // blocks.size)
    choices, mult = design.decode(u[runs == run])
    variant = design.variant_dict(choices[0])
    if design.noise_codes:
        used = build(result.nominal.data, result.nominal.meta, parse_spec(variant, design.spec_source)).weights
        weights = {str(c): float(w) for c, w in zip(used["iCode"], used["Weight"], strict=True)}
        for code, factor in zip(design.noise_codes, mult[0], strict=True):
            weights[code] *= float(factor)
        name = f"run{run}"
        variant["weight_sets"] = {**variant.get("weight_sets", {}), name: weights}
        step = {"step": "weights", "method": "set", "params": {"name": name}}
        verbs = [st["step"] for st in variant["steps"]]
        if "weights" in verbs:
            variant["steps"][verbs.index("weights")] = step
        else:
            variant["steps"].insert(verbs.index("aggregate"), step)
    return parse_spec(variant, f"{design.spec_source} (run {run})")


def write_uncertainty(result: UncertaintyResult, out: str | Path) -> list[Path]:
    """Write ``rank_stats.csv``, ``pairwise.csv``, ``sensitivity.csv``, ``runs.csv`` (per-run parameters),
    ``failures.csv``, the two specs (``spec.yaml``, ``ua_spec.yaml``) and ``summary.json`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tables: dict[str, pd.DataFrame | None] = {
        "rank_stats.csv": result.ranks,
        "pairwise.csv": result.pairwise,
        "sensitivity.csv": result.sensitivity,
        "runs.csv": result.runs,
        "failures.csv": result.failures,
    }
    written = []
    for name, frame in tables.items():
        if frame is not None:
            frame.to_csv(out / name, index=False, float_format="%.10g")
            written.append(out / name)
    (out / "spec.yaml").write_text(dump_spec(result.nominal.spec), encoding="utf-8")
    (out / "ua_spec.yaml").write_text(yaml.safe_dump(result.ua.to_dict(), sort_keys=False, allow_unicode=True),
                                      encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(result.summary(), indent=2), encoding="utf-8")
    written += [out / "spec.yaml", out / "ua_spec.yaml", out / "summary.json"]
    return written
