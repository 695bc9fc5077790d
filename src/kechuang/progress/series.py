"""The input of every progress rule: one indicator's baseline, observations and target.

Notation (docs/progress.md): baseline ``(t0, x0)``, latest observation ``(t, xt)``, target ``(T, X)``,
direction ``d`` (+1 higher is better, −1 lower is better / 逆向).
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, FiniteFloat, field_validator, model_validator

InputValue = float | int | str | None


class Point(NamedTuple):
    """One ``(year, value)`` pair; plain tuples such as ``(2022, 125.0)`` are accepted wherever a Point is."""

    year: int
    value: FiniteFloat


class Direction(IntEnum):
    """Normative direction ``d``: +1 when a higher value is better (正向), −1 when lower is better (逆向)."""

    HIGHER = 1
    LOWER = -1

    @property
    def zh(self) -> str:
        """Chinese label: 正向 or 逆向."""
        return "正向" if self is Direction.HIGHER else "逆向"

    @property
    def en(self) -> str:
        """English label."""
        return "higher is better" if self is Direction.HIGHER else "lower is better"


class Method(StrEnum):
    """How the target is stated: 水平法 (a level reached in year T) or 累计法 (a total summed over t0+1..T)."""

    LEVEL = "level"
    CUMULATIVE = "cumulative"

    @property
    def zh(self) -> str:
        """Chinese label: 水平法 or 累计法."""
        return "水平法" if self is Method.LEVEL else "累计法"

    @property
    def en(self) -> str:
        """English label."""
        return "level method" if self is Method.LEVEL else "cumulative method"


class Binding(StrEnum):
    """Plan status of an indicator: 约束性 (binding) or 预期性 (guiding)."""

    BINDING = "binding"
    GUIDING = "guiding"

    @property
    def zh(self) -> str:
        """Chinese label: 约束性 or 预期性."""
        return "约束性" if self is Binding.BINDING else "预期性"


class Series(BaseModel):
    """One indicator's numbers, validated.

    * ``baseline`` — ``(t0, x0)``.
    * ``observations`` — ``(t, x)`` with ``t0 < t`` (and ``t <= T`` when there is a target), sorted on input.
      Under 累计法 each ``x`` is the amount of that single year and the years must run ``t0+1, t0+2, …``
      without a gap, so that the running total ``S(t) = Σ x`` is complete.
    * ``target`` — ``(T, X)`` with ``T > t0``; optional for 水平法 (only the CAGR rule works without it),
      required for 累计法, where ``X > 0`` is the period total.
    * ``annual_targets`` — 累计法 only: the planned amount of every year ``t0+1..T`` (non-negative, not all
      zero); the planned share by year t is then ``Σ_{y<=t} a_y / Σ a_y`` instead of the time share.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    baseline: Point
    observations: tuple[Point, ...] = ()
    target: Point | None = None
    direction: Direction = Direction.HIGHER
    method: Method = Method.LEVEL
    binding: Binding = Binding.GUIDING
    annual_targets: tuple[Point, ...] = ()

    @field_validator("observations", "annual_targets")
    @classmethod
    def _sorted_unique(cls, points: tuple[Point, ...]) -> tuple[Point, ...]:
        ordered = tuple(sorted(points, key=lambda p: p.year))
        years = [p.year for p in ordered]
        if len(set(years)) != len(years):
            raise ValueError(f"duplicate years in {years}")
        return ordered

    @model_validator(mode="after")
    def _consistent(self) -> Series:
        t0 = self.baseline.year
        early = [p.year for p in self.observations if p.year <= t0]
        if early:
            raise ValueError(f"observations must come after the baseline year {t0}: {early}")
        if self.target is not None:
            if self.target.year <= t0:
                raise ValueError(f"target year {self.target.year} must be after the baseline year {t0}")
            late = [p.year for p in self.observations if p.year > self.target.year]
            if late:
                raise ValueError(f"observations after the target year {self.target.year}: {late}")
        if self.method is Method.CUMULATIVE:
            self._check_cumulative()
        elif self.annual_targets:
            raise ValueError("annual_targets apply to the cumulative method (累计法) only")
        return self

    def _check_cumulative(self) -> None:
        t0 = self.baseline.year
        if self.target is None or self.target.value <= 0:
            raise ValueError("the cumulative method (累计法) needs a target total X > 0")
        years = [p.year for p in self.observations]
        if years != list(range(t0 + 1, t0 + 1 + len(years))):
            raise ValueError(f"cumulative observations must cover every year from {t0 + 1} without gaps: {years}")
        if self.annual_targets:
            planned_years = [p.year for p in self.annual_targets]
            if planned_years != list(range(t0 + 1, self.target.year + 1)):
                raise ValueError(f"annual_targets must cover exactly the years {t0 + 1}..{self.target.year}")
            if any(p.value < 0 for p in self.annual_targets) or sum(p.value for p in self.annual_targets) <= 0:
                raise ValueError("annual_targets must be non-negative and not all zero")

    @property
    def latest(self) -> Point | None:
        """The latest observation ``(t, xt)``, or None before the first observation after the baseline."""
        return self.observations[-1] if self.observations else None

    def path(self) -> tuple[Point, ...]:
        """The progress path from the baseline on: ``(t0, v0), (t1, v1), …``.

        水平法: ``v = x`` (the levels themselves, baseline included).
        累计法: ``v(t) = S(t) = Σ_{t0 < y <= t} x_y`` (running totals, ``v0 = 0``), so the trend rules compare the
        running total with the period total X.
        """
        if self.method is Method.LEVEL:
            return (self.baseline, *self.observations)
        running = 0.0
        totals = [Point(self.baseline.year, 0.0)]
        for point in self.observations:
            running += point.value
            totals.append(Point(point.year, running))
        return tuple(totals)

    def planned_to_date(self, year: int) -> float:
        """Planned cumulative amount by ``year`` (累计法).

        ``P(year) = Σ_{y<=year} a_y`` with annual targets, else ``X·(year − t0)/(T − t0)``.
        """
        if self.target is None:
            raise ValueError("planned_to_date needs a target")
        if self.annual_targets:
            return sum(p.value for p in self.annual_targets if p.year <= year)
        t0 = self.baseline.year
        return self.target.value * (year - t0) / (self.target.year - t0)

    def inputs(self) -> dict[str, InputValue]:
        """The series as the flat ``inputs`` record every Assessment carries (keys t0, x0, t, xt, T, X, …)."""
        latest = self.latest
        return {
            "t0": self.baseline.year,
            "x0": self.baseline.value,
            "t": None if latest is None else latest.year,
            "xt": None if latest is None else latest.value,
            "T": None if self.target is None else self.target.year,
            "X": None if self.target is None else self.target.value,
            "direction": int(self.direction),
            "method": self.method.value,
            "binding": self.binding.value,
        }
