"""Benchmark: the whole pipeline on a seeded synthetic panel (default 2,844 units × 200 indicators × 30 years).

Run ``python -m benchmarks.engine`` from the repository root (options: ``--units``, ``--indicators``,
``--years``, ``--seed``); ``python -m benchmarks.run`` runs it with the other benchmarks.
Prints the size, the wall time of :func:`~kechuang.index.pipeline.build` (the first build in a fresh
process, which pays for first-touching its memory, and a second build of the same inputs) and the peak
resident memory of the process after the first build (which includes the synthetic inputs).

The synthetic index has 10 indicators per pillar, 5 pillars per sub-index and one index; a fifth of the
indicators are divided by a denominator, a quarter are heavily skewed (log-normal with outliers), 5 % of
the values are missing at random and 2 % of the unit-years have 60 % missing (screened out). The spec
denominates, screens at 2/3 availability, imputes by group mean, Winsorises with log fallback, min-max
normalises over all years at once and aggregates with the arithmetic mean.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from kechuang.index.pipeline import build
from kechuang.index.spec import Spec, parse_spec

__all__ = ["synthetic_inputs", "bench_spec", "main"]


def synthetic_inputs(
    units: int = 2844, indicators: int = 200, years: int = 30, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded synthetic (iData, iMeta) of the given size (``indicators`` a multiple of 50)."""
    if indicators % 50:
        raise ValueError("indicators must be a multiple of 50 (10 per pillar, 5 pillars per sub-index)")
    rng = np.random.default_rng(seed)
    n_pillars = indicators // 10
    n_sub = n_pillars // 5
    codes = [f"I{i:03d}" for i in range(indicators)]
    pillars = [f"P{i:02d}" for i in range(n_pillars)]
    subs = [f"S{i}" for i in range(n_sub)]
    meta_rows = [
        {
            "iCode": c,
            "iName": c,
            "Level": 1,
            "Parent": pillars[i // 10],
            "Type": "Indicator",
            "Direction": -1 if i % 7 == 0 else 1,
            "Weight": 1.0 + (i % 3),
            "Denominator": ("Pop" if i % 10 == 0 else "GDP") if i % 5 == 0 else None,
        }
        for i, c in enumerate(codes)
    ]
    meta_rows += [
        {
            "iCode": p,
            "iName": p,
            "Level": 2,
            "Parent": subs[i // 5],
            "Type": "Aggregate",
            "Direction": 1,
            "Weight": 1.0,
            "Denominator": None,
        }
        for i, p in enumerate(pillars)
    ]
    meta_rows += [
        {
            "iCode": s,
            "iName": s,
            "Level": 3,
            "Parent": "Index",
            "Type": "Aggregate",
            "Direction": 1,
            "Weight": 1.0,
            "Denominator": None,
        }
        for s in subs
    ]
    meta_rows.append(
        {
            "iCode": "Index",
            "iName": "Index",
            "Level": 4,
            "Parent": None,
            "Type": "Aggregate",
            "Direction": 1,
            "Weight": 1.0,
            "Denominator": None,
        }
    )
    meta_rows += [
        {"iCode": "Region", "iName": "Region", "Type": "Group"},
        {"iCode": "Pop", "iName": "Population", "Type": "Denominator"},
        {"iCode": "GDP", "iName": "GDP", "Type": "Denominator"},
    ]
    meta = pd.DataFrame(meta_rows)

    n = units * years
    unit_codes = np.array([f"U{u:05d}" for u in range(units)], dtype=object)
    values = rng.normal(50.0, 10.0, size=(n, indicators))
    skewed = np.arange(indicators) % 4 == 0
    values[:, skewed] = rng.lognormal(2.0, 0.6, size=(n, int(skewed.sum())))
    outliers = rng.random((n, indicators)) < 0.002
    values[outliers & skewed[None, :]] *= 20.0
    values[rng.random((n, indicators)) < 0.05] = np.nan
    sparse_rows = rng.random(n) < 0.02
    values[np.ix_(sparse_rows, np.arange(indicators))] = np.where(
        rng.random((int(sparse_rows.sum()), indicators)) < 0.6, np.nan, values[sparse_rows]
    )
    data = pd.DataFrame(values, columns=codes, copy=False)
    data.insert(0, "uCode", np.repeat(unit_codes, years))
    data.insert(1, "Time", np.tile(np.arange(1995, 1995 + years), units))
    data.insert(2, "Region", np.repeat(rng.choice(["A", "B", "C", "D", "E", "F"], size=units), years))
    data.insert(3, "Pop", rng.lognormal(8.0, 1.0, size=n))
    data.insert(4, "GDP", rng.lognormal(10.0, 1.0, size=n))
    return data, meta


def bench_spec() -> Spec:
    """The spec run by the benchmark."""
    return parse_spec(
        {
            "name": "benchmark",
            "steps": [
                {"step": "denominate"},
                {"step": "screen", "method": "byNA", "params": {"dat_thresh": 2 / 3}},
                {"step": "impute", "method": "i_mean_grp", "params": {"group": "Region"}},
                {"step": "treat", "method": "winsorise", "params": {"winmax": 5}},
                {"step": "normalise", "method": "n_minmax", "global": True},
                {"step": "aggregate", "method": "a_amean"},
            ],
        },
        "bench",
    )


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str] | None = None) -> None:
    """Build the synthetic inputs, time the pipeline and print wall time and peak RSS."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.engine", description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=2844)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--years", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    data, meta = synthetic_inputs(args.units, args.indicators, args.years, args.seed)
    spec = bench_spec()
    rss_inputs = _peak_rss_mib()
    start = time.perf_counter()
    result = build(data, meta, spec)
    first = time.perf_counter() - start
    rss_first = _peak_rss_mib()
    del result
    start = time.perf_counter()
    result = build(data, meta, spec)
    second = time.perf_counter() - start
    print(
        f"size: {args.units} units x {args.indicators} indicators x {args.years} years "
        f"= {len(data):,} rows, {len(data) * args.indicators:,} values (seed {args.seed})"
    )
    print(f"rows kept after screening: {len(result.scores):,}")
    print(f"pipeline wall time: {first:.2f} s (first build in this process; second build: {second:.2f} s)")
    print(f"peak RSS: {rss_first:.0f} MiB after the first build (after building the inputs: {rss_inputs:.0f} MiB)")


if __name__ == "__main__":
    main()
