"""Build the index with the engine and store the result; store and read the published official series.

``build_and_store`` is the one place the product computes an index: it runs ``kechuang.index.build`` on
(iData, iMeta, spec), hashes the inputs, and writes the framework, every score and rank, and the
decomposition of every year's change (focus unit) in one transaction. Pages only read what it wrote.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from kechuang import __version__
from kechuang.index.io import read_idata, read_imeta, read_table
from kechuang.index.pipeline import Result, build
from kechuang.index.results import decompose_change
from kechuang.index.spec import Spec, dump_spec, load_spec
from kechuang.index.uncertainty import UncertaintyResult, sensitivity_analysis
from kechuang.index.uncertainty_spec import UncertaintySpec, load_ua_spec
from kechuang.index_results.models import (
    IndexContribution,
    IndexNode,
    IndexRun,
    IndexScore,
    IndexSensitivity,
    IndexUncertaintyRank,
    IndexUncertaintyRun,
)
from kechuang.indicators.models import Indicator, Observation

YANGPU_INDEX_DIR = Path(__file__).resolve().parent.parent / "data" / "yangpu" / "index"
YANGPU_FRAMEWORK = "yangpu"
YANGPU_UA = YANGPU_INDEX_DIR / "uncertainty.yaml"
DEMO_UA_N = 128
DEMO_UA_SEED = 1
PUBLISHED_PREFIX = "IDX_"


def frame_hash(frame: pd.DataFrame) -> str:
    """SHA-256 of a table written as CSV with full float precision (same table, same hash)."""
    return hashlib.sha256(frame.to_csv(index=False, float_format="%.17g").encode("utf-8")).hexdigest()


def spec_hash(spec: Spec) -> str:
    return hashlib.sha256(dump_spec(spec).encode("utf-8")).hexdigest()


def _num(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value) else float(value)


def _text(row: pd.Series, column: str) -> str:
    value = row.get(column)
    return "" if value is None or pd.isna(value) else str(value)


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
    years = sorted(int(y) for y in focus["Time"].unique())
    rows = []
    for parent in result.structure.aggregates:
        weights = result.child_weights(parent)
        for y0, y1 in zip(years, years[1:], strict=False):
            dec = decompose_change(focus, weights, parent, y0, y1)
            for rec in dec.to_dict("records"):
                rows.append(dict(run_id=run.id, unit=run.focus_unit, parent=parent, child=rec["iCode"], year_from=y0,
                                 year_to=y1, weight=float(rec["weight"]), start=_num(rec["start"]),
                                 end=_num(rec["end"]), contribution=_num(rec["contribution"]),
                                 share_pct=_num(rec["share_pct"]), parent_change=_num(rec["parent_change"])))
    if rows:
        session.execute(insert(IndexContribution), rows)


# ------------------------------------------------------------------ the bundled Yangpu index


def build_yangpu_demo(session: Session, *, by: str) -> tuple[IndexRun, bool]:
    """Build the bundled Yangpu index on its demo data (演示数据) unless a run of the same inputs exists.

    Returns the run and whether it was newly built.
    """
    meta = read_imeta(YANGPU_INDEX_DIR / "iMeta.csv")
    data = read_idata(YANGPU_INDEX_DIR / "demo_iData.csv", meta)
    spec = load_spec(YANGPU_INDEX_DIR / "spec.yaml")
    hashes = (frame_hash(data), frame_hash(meta), spec_hash(spec))
    for run in session.scalars(select(IndexRun).where(IndexRun.framework == YANGPU_FRAMEWORK)):
        if (run.data_hash, run.meta_hash, run.spec_hash) == hashes:
            _demo_uncertainty(session, run, data, meta, spec, by=by)
            return run, False
    req = BuildRequest(framework=YANGPU_FRAMEWORK, title_zh="杨浦创新指数（演示数据）",
                       title_en="Yangpu innovation index (demo data)", index_code="YPI", focus_unit="YP",
                       is_demo=True, data_source="bundled: data/yangpu/index/demo_iData.csv (演示数据)")
    run = build_and_store(session, data, meta, spec, req, by=by, labels=read_table(YANGPU_INDEX_DIR / "iMeta.csv"))
    _demo_uncertainty(session, run, data, meta, spec, by=by)
    return run, True


def _demo_uncertainty(session: Session, run: IndexRun, data: pd.DataFrame, meta: pd.DataFrame, spec: Spec, *,
                      by: str) -> None:
    """Store the demo sensitivity analysis of the demo build (``uncertainty.yaml``, 128 base points, in
    process: a fraction of a second) unless the same analysis is stored for it."""
    ua = load_ua_spec(YANGPU_UA)
    stored = session.scalar(select(IndexUncertaintyRun).where(
        IndexUncertaintyRun.run_id == run.id, IndexUncertaintyRun.ua_hash == ua_hash(ua),
        IndexUncertaintyRun.n == DEMO_UA_N, IndexUncertaintyRun.seed == DEMO_UA_SEED))
    if stored is None:
        result = sensitivity_analysis(data, meta, spec, ua, DEMO_UA_N, seed=DEMO_UA_SEED, backend="serial")
        store_uncertainty(session, run, result, by=by, is_demo=True)


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


def sensitivity(session: Session, ua: IndexUncertaintyRun, target: str = "mean_abs_rank_shift",
                unit: str = "") -> list[IndexSensitivity]:
    """Sobol' indices of one output (default the mean absolute rank shift), in parameter order."""
    return list(session.scalars(select(IndexSensitivity).where(
        IndexSensitivity.ua_run_id == ua.id, IndexSensitivity.target == target, IndexSensitivity.unit == unit)
        .order_by(IndexSensitivity.id)))


def load_published(session: Session, plan_id: int, path: Path | None = None) -> int:
    """Store the published official Yangpu index figures (composite and sub-indices, every edition) as
    observations with source_kind ``published``; values derived from growth rates are not stored.

    Idempotent (observations are keyed by edition and year). Returns the number of figures stored.
    """
    table = read_table(path or YANGPU_INDEX_DIR / "published.csv")
    table = table[(table["series"].str.startswith("Yangpu")) & (~table["derived"].astype(str).str.lower().eq("true"))
                  & table["iCode"].notna()]
    names = {"composite": ("杨浦双创综合指数 / 杨浦创新指数（官方发布）", "Yangpu index (published)")}
    meta = read_table(YANGPU_INDEX_DIR / "iMeta.csv")
    english = {str(c): str(n) for c, n in zip(meta["iCode"], meta["iName_en"], strict=True) if not pd.isna(n)}
    indicators: dict[str, Indicator] = {
        i.code: i for i in session.scalars(select(Indicator).where(Indicator.plan_id == plan_id,
                                                                   Indicator.code.startswith(PUBLISHED_PREFIX)))
    }
    stored = 0
    for row in table.to_dict("records"):
        code = PUBLISHED_PREFIX + str(row["iCode"])
        ind = indicators.get(code)
        if ind is None:
            measure = str(row["measure"])
            sub = measure.startswith("sub-index ")  # the published dimensions ("sub-index 创新要素")
            en_name = english.get(str(row["iCode"]), measure)  # the framework's English name
            zh, en = names.get(measure, (f"{measure.removeprefix('sub-index ')}（{'分指数，' if sub else ''}官方发布）",
                                         f"{en_name}{' sub-index' if sub else ''} (published)"))
            ind = Indicator(plan_id=plan_id, code=code, name_zh=zh, name_en=en, unit_zh="指数（2013=100）",
                            unit_en="index (2013 = 100)", direction=1)
            session.add(ind)
            session.flush()
            indicators[code] = ind
        edition = str(row["edition"]) if not pd.isna(row["edition"]) else "plan text"
        ref = f"published:{edition}:{int(row['data_year'])}"
        obs = session.scalar(select(Observation).where(Observation.indicator_id == ind.id, Observation.ref == ref))
        if obs is None:
            obs = Observation(indicator_id=ind.id, ref=ref, source_kind="published")
            session.add(obs)
        obs.year = int(row["data_year"])
        obs.value = float(row["value"])
        label = "" if pd.isna(row["version_label"]) else f"{row['version_label']}，"  # some rows name no version
        obs.scope_zh = f"{label}{edition} 发布"
        obs.scope_en = f"{label.rstrip('，')}{', ' if label else ''}edition {edition}"
        obs.source = str(row["source_url"])
        obs.quote = " ".join(str(row[c]) for c in ("quote", "note") if not pd.isna(row.get(c)))
        stored += 1
    session.flush()
    return stored


# ------------------------------------------------------------------ reading


def latest_run(session: Session, framework: str = YANGPU_FRAMEWORK) -> IndexRun | None:
    return session.scalar(select(IndexRun).where(IndexRun.framework == framework).order_by(IndexRun.id.desc()).limit(1))


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
    edition: str
    label: str
    source: str
    quote: str


def published(session: Session, plan_id: int, icode: str) -> list[PublishedFigure]:
    """Every published figure of a framework node (all editions), by year then edition."""
    stmt = (select(Observation).join(Observation.indicator)
            .where(Indicator.plan_id == plan_id, Indicator.code == PUBLISHED_PREFIX + icode,
                   Observation.source_kind == "published").order_by(Observation.year, Observation.ref))
    return [PublishedFigure(o.year, o.value, o.ref.split(":")[1], o.scope_zh, o.source, o.quote)
            for o in session.scalars(stmt)]


def published_latest(figures: list[PublishedFigure]) -> dict[int, PublishedFigure]:
    """For each year the figure of the newest edition (editions are ISO dates; 'plan text' sorts first)."""
    out: dict[int, PublishedFigure] = {}
    for f in sorted(figures, key=lambda f: (f.year, f.edition if f.edition[:1].isdigit() else "")):
        out[f.year] = f
    return out
