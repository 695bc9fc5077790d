"""The stored index build and the published series, read for a report (through ``index_results.service``).

Changes over more than one year are decomposed by adding the stored year-on-year decompositions: each
is exact for the weighted arithmetic mean (``kechuang.index.results.decompose_change``), so their sum is
the exact decomposition of the change over the whole span when the children are the same every year.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    def __init__(self, session: Session, run: IndexRun, plan_id: int) -> None:
        self.session = session
        self.run = run
        self.plan_id = plan_id
        self.nodes: list[IndexNode] = list(run.nodes)
        self.node = {n.code: n for n in self.nodes}
        self.root = run.index_code
        self.dims = [n.code for n in self.nodes if n.parent == self.root]
        self._series = ir.series(session, run, [n.code for n in self.nodes])
        self.years = sorted({y for y, _ in self._series[self.root]})

    def name(self, code: str) -> str:
        return self.node[code].name_zh if code in self.node else code

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
        """The newest edition's published figure of ``code`` per year."""
        return ir.published_latest(ir.published(self.session, self.plan_id, code))

    def published_all(self, code: str) -> list[ir.PublishedFigure]:
        return ir.published(self.session, self.plan_id, code)

    def run_record(self) -> dict[str, object]:
        """What the build was made from (part of a report's snapshot)."""
        r = self.run
        return {"run_id": r.id, "framework": r.framework, "title": r.title_zh, "is_demo": r.is_demo,
                "created_at": r.created_at.isoformat(timespec="seconds"), "created_by": r.created_by,
                "data_sha256": r.data_hash, "meta_sha256": r.meta_hash, "spec_sha256": r.spec_hash,
                "engine_version": r.engine_version, "data_source": r.data_source, "index_code": r.index_code,
                "focus_unit": r.focus_unit}


def load(session: Session, plan_id: int) -> IndexView | None:
    """The latest stored build of the Yangpu index, or None when there is none."""
    run = ir.latest_run(session)
    return None if run is None else IndexView(session, run, plan_id)
