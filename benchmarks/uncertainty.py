"""Benchmarks of the uncertainty and sensitivity analysis (figures in docs/benchmarks.md).

``python -m benchmarks.uncertainty asem`` runs COINr's vignette sensitivity analysis on the ASEM
reference data (``examples/ua_coinr_vignette.yaml``; ``--n 500`` base points = 3,000 regenerations).

``python -m benchmarks.uncertainty synthetic`` runs a Monte Carlo uncertainty analysis with
``--runs 10000`` regenerations of the benchmark index (:mod:`benchmarks.engine`, one year of 2,844 units ×
200 indicators) under :func:`synthetic_ua`: Winsorisation cap 1–5, imputation by group mean or median,
normalisation by min-max to [1, 100] or ranks, ±25 % uniform noise on every weight below the index (224 weights)
and arithmetic or geometric aggregation — 20 distinct data + normalisation settings, 40 discrete combinations.
Ranks and scores are tracked for the index and its 4 sub-indices.

Both print the wall time of the analysis call (inputs excluded) and the peak resident memory of the whole
process tree (this process and its workers, sampled every 50 ms from /proc).
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path

from benchmarks.engine import bench_spec, synthetic_inputs
from kechuang.index.io import read_idata, read_imeta
from kechuang.index.spec import example_spec
from kechuang.index.uncertainty import UncertaintyResult, sensitivity_analysis, uncertainty_analysis
from kechuang.index.uncertainty_spec import UncertaintySpec, example_ua_spec, parse_ua_spec

__all__ = ["synthetic_ua", "TreeMemory", "main"]

ASEM = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reference" / "coinr-asem"


def synthetic_ua() -> UncertaintySpec:
    """The uncertainty spec of the synthetic benchmark (see the module docstring)."""
    return parse_ua_spec(
        {
            "name": "benchmark",
            "track": {"levels": [3, 4]},
            "parameters": [
                {"name": "Winmax", "step": "treat", "param": "winmax", "values": [1, 2, 3, 4, 5]},
                {"name": "Imputation", "step": "impute", "alternatives": [
                    {"method": "i_mean_grp", "params": {"group": "Region"}},
                    {"method": "i_median_grp", "params": {"group": "Region"}},
                ]},
                {"name": "Normalisation", "step": "normalise", "alternatives": [
                    {"method": "n_minmax", "params": {"l_u": [1, 100]}},
                    {"method": "n_rank"},
                ]},
                {"name": "Weights", "weights": {"noise": "uniform", "spread": 0.25, "levels": [1, 2, 3]}},
                {"name": "Aggregation", "step": "aggregate", "alternatives": [
                    {"method": "a_amean"},
                    {"method": "a_gmean"},
                ]},
            ],
        },
        "benchmark",
    )


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


class TreeMemory:
    """Samples the resident memory of this process tree in a thread; ``peak`` in bytes."""

    def __init__(self, interval: float = 0.05):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(os.getpid()))
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _tree_rss(os.getpid()))


def _report(result: UncertaintyResult, seconds: float, memory: TreeMemory) -> None:
    print(f"{result.kind}: {result.n_runs:,} regenerations, {result.n_failed:,} failed, backend {result.backend}")
    print(f"wall time: {seconds:.2f} s; peak RSS of the process tree: {memory.peak / 2**20:,.0f} MiB")
    if result.sensitivity is not None:
        shift = result.sensitivity[result.sensitivity["target"] == "mean_abs_rank_shift"]
        for row in shift.itertuples():
            print(f"  {row.parameter:<14} S1 {row.S1:6.3f} [{row.S1_lo:6.3f}, {row.S1_hi:6.3f}]   "
                  f"ST {row.ST:6.3f} [{row.ST_lo:6.3f}, {row.ST_hi:6.3f}]")
    if not result.failures.empty:
        print(result.failures.to_string(index=False, max_colwidth=80))


def main(argv: list[str] | None = None) -> None:
    """Run one benchmark (``asem`` or ``synthetic``) and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.uncertainty",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("case", choices=["asem", "synthetic"])
    parser.add_argument("--n", type=int, default=500, help="asem: Saltelli base points")
    parser.add_argument("--runs", type=int, default=10000, help="synthetic: Monte Carlo regenerations")
    parser.add_argument("--units", type=int, default=2844)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", default=None, help="serial, processes or dask (default: automatic)")
    parser.add_argument("--scheduler", default=None, help="Dask scheduler address, or 'local'")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    common = {"seed": args.seed, "backend": args.backend, "scheduler": args.scheduler, "workers": args.workers}
    if args.case == "asem":
        meta = read_imeta(ASEM / "ASEM_iMeta.csv")
        data = read_idata(ASEM / "ASEM_iData.csv", meta)
        with TreeMemory() as memory:
            start = time.perf_counter()
            result = sensitivity_analysis(data, meta, example_spec("asem_variant_a"), example_ua_spec(), args.n,
                                          **common)
            seconds = time.perf_counter() - start
    else:
        data, meta = synthetic_inputs(args.units, args.indicators, years=1, seed=0)
        data = data.drop(columns="Time")
        print(f"size: {args.units:,} units x {args.indicators} indicators, one year")
        with TreeMemory() as memory:
            start = time.perf_counter()
            result = uncertainty_analysis(data, meta, bench_spec(), synthetic_ua(), args.runs, **common)
            seconds = time.perf_counter() - start
    _report(result, seconds, memory)


if __name__ == "__main__":
    main()
