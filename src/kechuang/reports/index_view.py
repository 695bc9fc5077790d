"""The stored index build and the published series, read for a report (through ``index_results.service``).

Changes over more than one year are decomposed by adding the stored year-on-year decompositions: each
is exact for the weighted arithmetic mean (``kechuang.index.results.decompose_change``), so their sum is
the exact decomposition of the change over the whole span when the children are the same every year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kechuang.index_results import service as ir
from kechuang.index_results.models import IndexNode, IndexRun


@dataclass(frozen=True)
class Contribution:
    code: str
    name: str
    weight: float
    start: float | None
    end: float | None
    contribution: float | None
    share_pct: float | None


@dataclass(frozen=True)
class UnitScores:
    unit: str
    name: str
    rank: int | None
    scores: dict[str, float | None]


class IndexView:
    """One stored run of the index with names, the focus unit's series and the published figures."""

    def __init__(self, session: Session, run: IndexRun, plan_id: int, as_of: dt.date | None = None) -> None:
        self.session = session
        self.as_of = as_of
        self.run = run
        self.plan_id = plan_id
        self.nodes: list[IndexNode] = list(run.nodes)
        self.node = {n.code: n for n in self.nodes}
        self.root = run.index_code
        self.dims = [n.code for n in self.nodes if n.parent == self.root]
        self._series = ir.series(session, run, [n.code for n in self.nodes])
        self.years = sorted({y for y, _ in self._series[self.root]})

    def name(self, code: str, lang: str = "zh") -> str:
        if code not in self.node:
            return code
        node = self.node[code]
        return node.name_en if lang == "en" and node.name_en else node.name_zh

    def children(self, code: str) -> list[str]:
        return [n.code for n in self.nodes if n.parent == code]

    def value(self, code: str, year: int) -> float | None:
        return dict(self._series.get(code, [])).get(year)

    def year_for(self, year: int) -> int | None:
        """``year`` when the run has it, else the latest year before it (None when there is none)."""
        earlier = [y for y in self.years if y <= year]
        return earlier[-1] if earlier else None

    def decompose(self, parent: str, y0: int, y1: int) -> list[Contribution]:
        """Children's contributions (points, share of the change) to ``parent`` between ``y0`` and ``y1``."""
        total: dict[str, float | None] = {}
        weights: dict[str, float] = {}
        for year_to in range(y0 + 1, y1 + 1):
            for c in ir.contributions(self.session, self.run, parent, year_to):
                weights.setdefault(c.child, c.weight)
                held = total.get(c.child, 0.0)
                total[c.child] = None if held is None or c.contribution is None else held + c.contribution
        p0, p1 = self.value(parent, y0), self.value(parent, y1)
        change = None if p0 is None or p1 is None else p1 - p0
        out = []
        for code in self.children(parent):
            if code not in total:
                continue
            value = total[code]
            share = None if value is None or not change else 100 * value / change
            out.append(Contribution(code, self.name(code), weights[code], self.value(code, y0), self.value(code, y1),
                                    value, share))
        return out

    def ranking(self, year: int, codes: list[str]) -> list[UnitScores]:
        """Every unit's scores on ``codes`` in ``year``, by its rank on the composite."""
        rows: dict[str, UnitScores] = {}
        for s in ir.scores(self.session, self.run, year=year):
            if s.code not in codes:
                continue
            row = rows.setdefault(s.unit, UnitScores(s.unit, s.unit_name, None, {}))
            row.scores[s.code] = s.score
            if s.code == self.root:
                rows[s.unit] = UnitScores(s.unit, s.unit_name, s.rank, row.scores)
        return sorted(rows.values(), key=lambda r: (r.rank is None, r.rank or 0, r.unit))

    def published(self, code: str) -> dict[int, ir.PublishedFigure]:
        """The newest edition's published figure of ``code`` per year (released by the cut-off, when set)."""
        return ir.published_latest(self.published_all(code))

    def published_all(self, code: str) -> list[ir.PublishedFigure]:
        return published_figures(self.session, self.plan_id, code, self.as_of)

    def run_record(self) -> dict[str, object]:
        """What the build was made from (part of a report's snapshot)."""
        r = self.run
        return {"run_id": r.id, "framework": r.framework, "title": r.title_zh, "title_en": r.title_en or r.title_zh,
                "is_demo": r.is_demo,
                "created_at": r.created_at.isoformat(timespec="seconds"), "created_by": r.created_by,
                "data_sha256": r.data_hash, "meta_sha256": r.meta_hash, "spec_sha256": r.spec_hash,
                "engine_version": r.engine_version, "data_source": r.data_source, "index_code": r.index_code,
                "focus_unit": r.focus_unit}


def published_figures(session: Session, plan_id: int, code: str,
                      as_of: dt.date | None = None) -> list[ir.PublishedFigure]:
    """The published figures of index node ``code``; with ``as_of``, only those released by that day."""
    figures = ir.published(session, plan_id, code)
    return figures if as_of is None else [f for f in figures if released_by(f.edition, as_of)]


def released_by(released_on: str, as_of: dt.date) -> bool:
    """Whether a figure released on ``released_on`` (an ISO date, possibly followed by a note such as the
    document number) was public on ``as_of``; a release without a date counts as public."""
    try:
        day = dt.date.fromisoformat(released_on[:10])
    except ValueError:
        return True
    return day <= as_of


def load(session: Session, plan_id: int, as_of: dt.date | None = None) -> IndexView | None:
    """The latest stored build of the plan's composite index, or None when there is none. With ``as_of`` (a report's
    cut-off): the newest run created before the end of that day, and the published figures released by it."""
    if as_of is None:
        run = ir.latest_run(session)
    else:
        from kechuang.reports.data import before_cutoff

        runs = session.scalars(select(IndexRun).order_by(IndexRun.id.desc()))
        run = next((r for r in runs if before_cutoff(r.created_at, as_of)), None)
    return None if run is None else IndexView(session, run, plan_id, as_of)
