"""Sampling the unit hypercube [0, 1)^D in deterministic blocks, for Monte Carlo and Saltelli designs.

The runs of an analysis are split into blocks whose boundaries depend only on the number of runs and the block
size — never on the number of workers — and each block draws its own points from the seed, so any backend
that evaluates the same blocks gives the same numbers:

* **Monte Carlo** (uncertainty analysis): block b holds samples b·size … (b + 1)·size − 1, drawn uniformly
  by ``numpy.random.default_rng(SeedSequence(seed).spawn(n_blocks)[b])`` (the child seed with spawn key
  (b,), so a block's points do not depend on how many blocks there are).
* **Saltelli** (sensitivity analysis; Saltelli et al. 2010): N base points of a scrambled Sobol' sequence
  in 2D dimensions (``scipy.stats.qmc.Sobol(2D, rng=seed)``; N a power of 2 keeps its balance) give the
  matrices A (first D columns) and B (last D). For each factor group g, AB_g is A with the columns of g
  taken from B. Block b holds base points b·size … and evaluates their A, B and AB_g rows; it
  fast-forwards the sequence to its first point, so blocks can be drawn independently.

Runs are numbered as SALib lays them out (``SALib.analyze.sobol`` with ``calc_second_order=False``): base
point j has runs j·(G + 2) + 0 (A), + g (AB_g, g = 1 … G) and + G + 1 (B).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

__all__ = ["BLOCK_RUNS", "Blocks", "saltelli_matrices"]

BLOCK_RUNS = 256


def saltelli_matrices(base: np.ndarray, groups: list[int]) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Split base points (N × 2D) into A, B and the cross matrices AB_g (A with group g's columns from B).

    ``groups[c]`` is the group of column c (0 … G − 1).
    """
    d = len(groups)
    a, b = base[:, :d], base[:, d:]
    cols = np.asarray(groups)
    ab = []
    for g in range(max(groups) + 1):
        m = a.copy()
        m[:, cols == g] = b[:, cols == g]
        ab.append(m)
    return a, b, ab


@dataclass(frozen=True)
class Blocks:
    """The blocks of an analysis: ``kind`` ``"mc"`` (n samples) or ``"saltelli"`` (n base points, n·(G + 2) runs),
    over D = ``len(groups)`` columns grouped into G factors, drawn from ``seed``; ``size`` samples or base
    points per block."""

    kind: str
    n: int
    groups: tuple[int, ...]
    seed: int
    size: int

    @classmethod
    def plan(cls, kind: str, n: int, groups: list[int], seed: int, block_runs: int = BLOCK_RUNS) -> Blocks:
        """Blocks of about ``block_runs`` runs each."""
        if kind not in ("mc", "saltelli"):
            raise ValueError(f"unknown sampling {kind!r} (valid: mc, saltelli)")
        least = 1 if kind == "mc" else 2
        if n < least:
            raise ValueError(f"n must be at least {least}, got {n}")
        per_point = 1 if kind == "mc" else max(groups) + 3
        return cls(kind, n, tuple(groups), seed, max(1, block_runs // per_point))

    @property
    def n_groups(self) -> int:
        """G, the number of factors."""
        return max(self.groups) + 1

    @property
    def runs_per_point(self) -> int:
        """1 for Monte Carlo, G + 2 for Saltelli."""
        return 1 if self.kind == "mc" else self.n_groups + 2

    @property
    def n_runs(self) -> int:
        """Total number of regenerations."""
        return self.n * self.runs_per_point

    @property
    def count(self) -> int:
        """Number of blocks."""
        return -(-self.n // self.size)

    def span(self, block: int) -> range:
        """The samples (Monte Carlo) or base points (Saltelli) of a block."""
        return range(block * self.size, min(self.n, (block + 1) * self.size))

    def points(self, block: int) -> tuple[np.ndarray, np.ndarray]:
        """The points of a block's runs (runs × D) and their run numbers (see the module docstring).

        Saltelli blocks list their rows matrix by matrix: A, AB_1 … AB_G, B, each over the block's base
        points in order.
        """
        span = self.span(block)
        d = len(self.groups)
        if self.kind == "mc":
            rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(block,)))
            return rng.random((len(span), d)), np.arange(span.start, span.stop)
        sobol = qmc.Sobol(d=2 * d, scramble=True, rng=self.seed)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The balance properties of Sobol")
            if span.start:
                sobol.fast_forward(span.start)
            base = sobol.random(len(span))
        a, b, ab = saltelli_matrices(base, list(self.groups))
        j = np.arange(span.start, span.stop)
        step = self.runs_per_point
        runs = np.concatenate([j * step] + [j * step + g + 1 for g in range(len(ab))] + [j * step + step - 1])
        return np.concatenate([a, *ab, b]), runs
