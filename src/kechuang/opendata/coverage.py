"""Data coverage: which indicators have observations for which years, from which kinds of source, what is
missing in the monitoring period, and when each indicator was last updated."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kechuang.indicators import service as indicators
from kechuang.indicators.models import SOURCE_KINDS, Indicator
from kechuang.plan.models import PlanVersion


@dataclass(frozen=True)
class IndicatorCoverage:
    """One indicator's row: for each year the source kinds observed (``demo`` for demo data), the years of
    the monitoring period with no real (non-demo) observation, and the newest observation's entry time."""

    indicator: Indicator
    cells: dict[int, tuple[str, ...]]
    missing: tuple[int, ...]
    last_update: dt.datetime | None

    @property
    def observed(self) -> int:
        return sum(len(k) > 0 for k in self.cells.values())


@dataclass(frozen=True)
class Coverage:
    """The whole table: the years shown, the monitoring period, one row per indicator, counts by kind."""

    years: tuple[int, ...]
    period: tuple[int, int]
    rows: list[IndicatorCoverage]
    by_kind: dict[str, int]
    last_update: dt.datetime | None

    @property
    def complete(self) -> list[IndicatorCoverage]:
        """Indicators with a real observation for every year of the monitoring period so far."""
        return [r for r in self.rows if not r.missing]

    @property
    def without_any(self) -> list[IndicatorCoverage]:
        """Indicators with no real observation in the monitoring period at all."""
        span = self.period[1] - self.period[0] + 1
        return [r for r in self.rows if len(r.missing) == span]


def coverage(s: Session, version: PlanVersion, today: dt.date) -> Coverage:
    """Coverage of the plan's indicators.

    The monitoring period runs from the baseline year (the year before the plan period starts) to the
    plan's last year or last year, whichever is earlier: a year's statistics appear the year after. The
    years shown are the monitoring period's plus every year that has an observation.
    """
    meta = version.document["plan"]
    first = int(meta["period_start"]) - 1
    last = min(int(meta["period_end"]), today.year - 1)
    rows = []
    years = set(range(first, int(meta["period_end"]) + 1))
    by_kind = dict.fromkeys(SOURCE_KINDS, 0)
    for ind in indicators.list_indicators(s, version.plan_id):
        cells: dict[int, set[str]] = {}
        for o in ind.observations:
            kind = "demo" if o.is_demo else o.source_kind
            cells.setdefault(o.year, set()).add(kind)
            by_kind[kind] = by_kind.get(kind, 0) + 1
            years.add(o.year)
        real = {y for y, kinds in cells.items() if kinds - {"demo"}}
        missing = tuple(y for y in range(first, last + 1) if y not in real)
        stamps = [o.created_at for o in ind.observations]
        rows.append(IndicatorCoverage(ind, {y: tuple(k for k in SOURCE_KINDS if k in v) for y, v in cells.items()},
                                      missing, max(stamps) if stamps else None))
    stamps = [r.last_update for r in rows if r.last_update is not None]
    return Coverage(tuple(sorted(years)), (first, last), rows, by_kind, max(stamps) if stamps else None)
