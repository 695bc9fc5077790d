"""Build the index with the engine and store the result; store and read the published official series.

``build_and_store`` is the one place the product computes an index: it runs ``kechuang.index.build`` on
(iData, iMeta, spec), hashes the inputs, and writes the framework, every score and rank, and the
decomposition of every year's change (focus unit) in one transaction. Pages only read what it wrote.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from kechuang import __version__
from kechuang.index.io import read_table
from kechuang.index.pipeline import Result, build
from kechuang.index.results import decompose_years
from kechuang.index.spec import Spec, dump_spec
from kechuang.index.uncertainty import UncertaintyResult
from kechuang.index.uncertainty_spec import UncertaintySpec
from kechuang.index_results.frameworks import indicator_code
from kechuang.index_results.models import (
    IndexContribution,
    IndexFramework,
    IndexNode,
    IndexRun,
    IndexScore,
    IndexSensitivity,
    IndexUncertaintyRank,
    IndexUncertaintyRun,
)
from kechuang.indicators.models import Indicator, Observation


def frame_hash(frame: pd.DataFrame) -> str:
    """SHA-256 of a table written as CSV with full float precision (same table, same hash)."""
    return hashlib.sha256(frame.to_csv(index=False, float_format="%.17g").encode("utf-8")).hexdigest()


def spec_hash(spec: Spec) -> str:
    return hashlib.sha256(dump_spec(spec).encode("utf-8")).hexdigest()


def _num(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value) else float(value)


def _clean(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value) else str(value)


def _text(row: pd.Series, column: str) -> str:
    return _clean(row.get(column))


@dataclass(frozen=True)
class BuildRequest:
    """What to build and how to label it."""

    framework: str
    title_zh: str
    title_en: str
    index_code: str
    focus_unit: str
    is_demo: bool
    data_source: str


def build_and_store(session: Session, data: pd.DataFrame, meta: pd.DataFrame, spec: Spec, req: BuildRequest,
                    *, by: str, labels: pd.DataFrame | None = None) -> IndexRun:
    """Build the index and store the run (see module docstring). ``labels`` is the raw iMeta table whose
    extra columns (iName_en, Status, DataType, Evidence) label the framework nodes."""
    result = build(data, meta, spec)
    run = IndexRun(
        framework=req.framework, title_zh=req.title_zh, title_en=req.title_en, created_by=by, is_demo=req.is_demo,
        spec=json.loads(json.dumps(result.spec.to_dict())),
        data_hash=frame_hash(result.data), meta_hash=frame_hash(result.meta), spec_hash=spec_hash(result.spec),
        engine_version=__version__, data_source=req.data_source, index_code=req.index_code, focus_unit=req.focus_unit,
    )
    session.add(run)
    session.flush()
    _store_nodes(session, run, result, labels if labels is not None else meta)
    _store_scores(session, run, result)
    _store_contributions(session, run, result)
    return run


def _store_nodes(session: Session, run: IndexRun, result: Result, labels: pd.DataFrame) -> None:
    lab = labels.set_index("iCode")
    eff = result.weights.set_index("iCode")
    rows = []
    for pos, code in enumerate(result.structure.codes):
        row = lab.loc[code] if code in lab.index else pd.Series(dtype=object)
        rows.append(dict(
            run_id=run.id, position=pos, code=code, level=result.structure.level[code],
            parent=result.structure.parent[code], name_zh=_text(row, "iName") or code, name_en=_text(row, "iName_en"),
            weight=float(eff.loc[code, "Weight"]) if code in eff.index else result.structure.weight[code],
            effective_weight=float(eff.loc[code, "EffWeight"]) if code in eff.index else 1.0,
            direction=result.structure.direction[code], unit=_text(row, "Unit"), status=_text(row, "Status"),
            data_type=_text(row, "DataType"), evidence=" ".join(filter(None, [_text(row, "Evidence"),
                                                                              _text(row, "EvidenceURL")])),
        ))
    session.execute(insert(IndexNode), rows)


def _store_scores(session: Session, run: IndexRun, result: Result) -> None:
    scores, ranks = result.scores, result.ranks
    names = dict(zip(result.data["uCode"], result.data.get("uName", result.data["uCode"]), strict=False))
    has_time = "Time" in scores.columns
    rows = []
    for code in result.structure.codes:
        for i in range(len(scores)):
            unit = str(scores["uCode"].iat[i])
            rank = ranks[code].iat[i]
            rows.append(dict(run_id=run.id, unit=unit, unit_name=str(names.get(unit, unit)),
                             year=int(scores["Time"].iat[i]) if has_time else None, code=code,
                             score=_num(scores[code].iat[i]), rank=None if pd.isna(rank) else int(rank)))
    session.execute(insert(IndexScore), rows)


def _store_contributions(session: Session, run: IndexRun, result: Result) -> None:
    """Decompose each year's change of every aggregate of the focus unit into its children's contributions
    (exact for the weighted arithmetic mean; stored only for a panel)."""
    scores = result.scores
    if "Time" not in scores.columns:
        return
    focus = scores[scores["uCode"] == run.focus_unit]
    rows = []
    for parent in result.structure.aggregates:
        dec = decompose_years(focus, result.child_weights(parent), parent)
        for rec in dec.to_dict("records"):
            rows.append(dict(run_id=run.id, unit=run.focus_unit, parent=parent, child=rec["iCode"],
                             year_from=int(rec["year_from"]), year_to=int(rec["year_to"]),
                             weight=float(rec["weight"]), start=_num(rec["start"]), end=_num(rec["end"]),
                             contribution=_num(rec["contribution"]), share_pct=_num(rec["share_pct"]),
                             parent_change=_num(rec["parent_change"])))
    if rows:
        session.execute(insert(IndexContribution), rows)


# ------------------------------------------------------------------ uncertainty and sensitivity


def ua_hash(ua: UncertaintySpec) -> str:
    """SHA-256 of an uncertainty spec in its plain-data form."""
    return hashlib.sha256(json.dumps(ua.to_dict(), sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def store_uncertainty(session: Session, run: IndexRun, result: UncertaintyResult, *, by: str,
                      is_demo: bool) -> IndexUncertaintyRun:
    """Store an uncertainty or sensitivity analysis of a stored build: its spec, size and seed, the rank and
    score statistics of every tracked code and the Sobol' indices."""
    ua = IndexUncertaintyRun(
        run_id=run.id, created_by=by, is_demo=is_demo, kind=result.kind, ua_spec=result.ua.to_dict(),
        ua_hash=ua_hash(result.ua), n=result.n, n_runs=result.n_runs, n_failed=result.n_failed, seed=result.seed,
        target=result.design.target, seconds=float(result.seconds), engine_version=__version__,
    )
    session.add(ua)
    session.flush()
    stats = ("score_nominal", "score_mean", "score_q05", "score_median", "score_q95", "rank_nominal", "rank_mean",
             "rank_q05", "rank_median", "rank_q95")
    ranks = result.ranks
    session.execute(insert(IndexUncertaintyRank), [
        dict(ua_run_id=ua.id, code=str(r["code"]), unit=str(r["uCode"]), unit_name=str(r.get("uName", r["uCode"])),
             year=None if pd.isna(r.get("Time")) else int(r["Time"]), runs=int(r["runs"]),
             **{k: _num(r[k]) for k in stats})
        for r in ranks.to_dict("records")
    ])
    if result.sensitivity is not None and not result.sensitivity.empty:
        session.execute(insert(IndexSensitivity), [
            dict(ua_run_id=ua.id, target=str(r["target"]), code=str(r["code"]), unit=str(r["uCode"]),
                 year=None if pd.isna(r.get("Time")) else int(r["Time"]), parameter=str(r["parameter"]),
                 s1=_num(r["S1"]), s1_lo=_num(r["S1_lo"]), s1_hi=_num(r["S1_hi"]), st=_num(r["ST"]),
                 st_lo=_num(r["ST_lo"]), st_hi=_num(r["ST_hi"]), note=str(r["note"]))
            for r in result.sensitivity.to_dict("records")
        ])
    session.flush()
    return ua


def latest_uncertainty(session: Session, run: IndexRun) -> IndexUncertaintyRun | None:
    """The newest analysis stored for a build."""
    return session.scalar(select(IndexUncertaintyRun).where(IndexUncertaintyRun.run_id == run.id)
                          .order_by(IndexUncertaintyRun.id.desc()).limit(1))


def uncertainty_ranks(session: Session, ua: IndexUncertaintyRun, code: str,
                      year: int | None = None) -> list[IndexUncertaintyRank]:
    """Rank statistics of one code (in one year: default the latest), by nominal rank."""
    if year is None:
        year = session.scalar(select(IndexUncertaintyRank.year).where(IndexUncertaintyRank.ua_run_id == ua.id)
                              .order_by(IndexUncertaintyRank.year.desc()).limit(1))
    stmt = select(IndexUncertaintyRank).where(IndexUncertaintyRank.ua_run_id == ua.id,
                                              IndexUncertaintyRank.code == code)
    if year is not None:
        stmt = stmt.where(IndexUncertaintyRank.year == year)
    return list(session.scalars(stmt.order_by(IndexUncertaintyRank.rank_nominal, IndexUncertaintyRank.unit)))


def uncertainty_ranks_all_years(session: Session, ua: IndexUncertaintyRun, code: str,
                                unit: str | None = None) -> list[IndexUncertaintyRank]:
    """Score and rank statistics of one code for one unit (default: the first) in every year, by year."""
    stmt = select(IndexUncertaintyRank).where(IndexUncertaintyRank.ua_run_id == ua.id,
                                              IndexUncertaintyRank.code == code)
    rows = list(session.scalars(stmt.order_by(IndexUncertaintyRank.unit, IndexUncertaintyRank.year)))
    unit = unit or (rows[0].unit if rows else None)
    return [r for r in rows if r.unit == unit and r.year is not None]


def sensitivity(session: Session, ua: IndexUncertaintyRun, target: str = "mean_abs_rank_shift",
                unit: str = "") -> list[IndexSensitivity]:
    """Sobol' indices of one output (default the mean absolute rank shift), in parameter order."""
    return list(session.scalars(select(IndexSensitivity).where(
        IndexSensitivity.ua_run_id == ua.id, IndexSensitivity.target == target, IndexSensitivity.unit == unit)
        .order_by(IndexSensitivity.id)))


def _public_source(source: str) -> str:
    """A source as the public reads it: a project-internal file reference in brackets, e.g.
    ``(shared/seed/….txt)``, is dropped (the document number before it is the source)."""
    return re.sub(r"\s*\((?:shared|data|src)/[^)]*\)", "", source).strip()


def load_published(session: Session, fw: IndexFramework, path: Path, series: Collection[str] = ()) -> int:
    """Store the published figures of a framework (``published.csv`` of its bundle) as observations with
    source_kind ``published``, each under the indicator of its node (the composite under the plan's headline
    indicator, a sub-index under its aggregate, an indicator value under its indicator, so each keeps its own
    unit) with its edition (index version, e.g. 1.0 or 2.0) and release date. Values derived from growth rates
    and rows of no framework node are not stored, nor, when ``series`` names some (``published_series`` of the
    framework file), rows of other series.

    Idempotent (observations are keyed by release and year). Returns the number of figures stored.
    """
    table = read_table(path)
    nodes = {str(r["iCode"]) for r in fw.meta}
    keep = ~table["derived"].astype(str).str.lower().eq("true") & table["iCode"].isin(nodes)
    if series:
        keep &= table["series"].isin(list(series))
    table = table[keep]
    indicators: dict[str, Indicator] = {
        i.code: i for i in session.scalars(select(Indicator).where(Indicator.plan_id == fw.plan_id))}
    stored = 0
    for row in table.to_dict("records"):
        ind = indicators.get(indicator_code(fw, str(row["iCode"])))
        if ind is None:
            continue
        release = _clean(row["edition"]) or "plan text"
        version = _clean(row["version"])
        ref = f"published:{release}:{int(row['data_year'])}"
        obs = session.scalar(select(Observation).where(Observation.indicator_id == ind.id, Observation.ref == ref))
        if obs is None:
            obs = Observation(indicator_id=ind.id, ref=ref, source_kind="published")
            session.add(obs)
        obs.year = int(row["data_year"])
        obs.value = float(row["value"])
        obs.edition, obs.released_on = version, release
        obs.scope_zh = f"{fw.title_zh} {version} 版，{release} 发布" if version else f"{release} 发布"
        obs.scope_en = f"{fw.title_en}, edition {version}, released {release}" if version else f"released {release}"
        obs.source = _public_source(str(row["source_url"]))
        obs.quote = " ".join(_clean(row.get(c)) for c in ("quote", "note") if _clean(row.get(c)))
        stored += 1
    session.flush()
    return stored


# ------------------------------------------------------------------ reading


def latest_run(session: Session, framework: str | None = None) -> IndexRun | None:
    """The newest stored run (of ``framework`` when given)."""
    stmt = select(IndexRun)
    if framework is not None:
        stmt = stmt.where(IndexRun.framework == framework)
    return session.scalar(stmt.order_by(IndexRun.id.desc()).limit(1))


Series = dict[str, list[tuple[int, float | None]]]


def series(session: Session, run: IndexRun, codes: list[str], unit: str | None = None) -> Series:
    """(year, score) of each code for one unit (default: the run's focus unit), by year."""
    stmt = (select(IndexScore.code, IndexScore.year, IndexScore.score)
            .where(IndexScore.run_id == run.id, IndexScore.unit == (unit or run.focus_unit), IndexScore.code.in_(codes))
            .order_by(IndexScore.year))
    out: dict[str, list[tuple[int, float | None]]] = {c: [] for c in codes}
    for code, year, score in session.execute(stmt):
        if year is not None:
            out[code].append((int(year), score))
    return out


def scores(session: Session, run: IndexRun, code: str | None = None, unit: str | None = None,
           year: int | None = None) -> list[IndexScore]:
    """Stored scores of a run, optionally of one code, unit and/or year."""
    stmt = select(IndexScore).where(IndexScore.run_id == run.id)
    for column, value in ((IndexScore.code, code), (IndexScore.unit, unit), (IndexScore.year, year)):
        if value is not None:
            stmt = stmt.where(column == value)
    return list(session.scalars(stmt.order_by(IndexScore.code, IndexScore.unit, IndexScore.year)))


def latest_scores(session: Session, run: IndexRun, code: str) -> list[IndexScore]:
    """Scores and ranks of all units on ``code`` in the latest year of the run, best first."""
    year = session.scalar(select(IndexScore.year).where(IndexScore.run_id == run.id).order_by(IndexScore.year.desc())
                          .limit(1))
    return list(session.scalars(select(IndexScore).where(IndexScore.run_id == run.id, IndexScore.code == code,
                                                          IndexScore.year == year).order_by(IndexScore.rank)))


def contributions(session: Session, run: IndexRun, parent: str, year_to: int | None = None) -> list[IndexContribution]:
    """Children's contributions to the change of ``parent`` into ``year_to`` (default: the latest year)."""
    if year_to is None:
        year_to = session.scalar(select(IndexContribution.year_to).where(IndexContribution.run_id == run.id)
                                 .order_by(IndexContribution.year_to.desc()).limit(1))
    return list(session.scalars(select(IndexContribution).where(
        IndexContribution.run_id == run.id, IndexContribution.parent == parent,
        IndexContribution.year_to == year_to).order_by(IndexContribution.id)))


@dataclass(frozen=True)
class PublishedFigure:
    year: int
    value: float
    edition: str  # the release (date), e.g. 2024-11-20
    label: str
    source: str
    quote: str
    version: str = ""  # the index edition, e.g. 2.0 (a re-basing starts a new one)


def published(session: Session, plan_id: int, icode: str) -> list[PublishedFigure]:
    """Every published figure of a framework node (all releases), by year then release."""
    codes = [indicator_code(fw, icode) for fw in session.scalars(select(IndexFramework).where(
        IndexFramework.plan_id == plan_id))]
    stmt = (select(Observation).join(Observation.indicator)
            .where(Indicator.plan_id == plan_id, Indicator.code.in_(codes),
                   Observation.source_kind == "published").order_by(Observation.year, Observation.ref))
    return [PublishedFigure(o.year, o.value, o.released_on or o.ref.split(":")[1], o.scope_zh, o.source, o.quote,
                            o.edition) for o in session.scalars(stmt)]


def published_latest(figures: list[PublishedFigure]) -> dict[int, PublishedFigure]:
    """For each year the figure of the newest release (releases are ISO dates; 'plan text' sorts first)."""
    out: dict[int, PublishedFigure] = {}
    for f in sorted(figures, key=lambda f: (f.year, f.edition if f.edition[:1].isdigit() else "")):
        out[f.year] = f
    return out


def published_editions(figures: list[PublishedFigure]) -> dict[str, dict[int, PublishedFigure]]:
    """Per index edition (1.0, 2.0 …) the figure of each year as first published in that edition: one line per
    edition on a chart, never joined across a re-basing."""
    out: dict[str, dict[int, PublishedFigure]] = {}
    for f in sorted(figures, key=lambda f: (f.year, f.edition if f.edition[:1].isdigit() else "")):
        out.setdefault(f.version or "", {}).setdefault(f.year, f)
    return dict(sorted(out.items()))
