"""Index runs from approved observations: snapshot → coverage → engine → stored run, and comparing runs.

``rebuild`` takes a snapshot of exactly the approved values of a framework's indicators (observations of
source kind ``submission``, or ``demo`` for a demonstration department's approved values; never published or
plan-text figures, which are shown beside the result, not fed into it), up to a year if asked, checks its
coverage, runs the engine with the framework's stored spec and stores the run with the snapshot, the coverage
and the warnings. Earlier runs are never overwritten; a run whose snapshot, iMeta and spec equal the newest
run's is not built again. A run that used any demo value is a demo run (labelled 演示数据 wherever it is shown).

Coverage rules (checked before computing):

- at least two indicators with values (a "composite" of one indicator is not an index);
- base-year normalisation (``n_base_year``) needs every indicator's base-year value: a missing one is refused
  with the indicator and the year, or, with ``allow_gaps``, the indicator is left out of the run and the
  warning stored with it;
- other missing cells are allowed only when the aggregation drops missing children (``missing: drop``), and
  are listed as warnings; the coverage per indicator, dimension and year is stored beside the result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from kechuang.index.io import validate_idata, validate_imeta
from kechuang.index.spec import Spec, parse_spec
from kechuang.index.uncertainty import sensitivity_analysis
from kechuang.index.uncertainty_spec import UncertaintySpec
from kechuang.index_results.frameworks import indicator_code, leaves
from kechuang.index_results.models import IndexFramework, IndexRun, IndexRunValue, IndexScore
from kechuang.index_results.service import BuildRequest, build_and_store, frame_hash, spec_hash, store_uncertainty
from kechuang.indicators.models import Indicator, Observation

APPROVED_KINDS = ("submission", "demo")


class CoverageError(ValueError):
    """The approved values do not cover what the method needs; the message names the missing cells."""


@dataclass
class Snapshot:
    """The approved values of a framework's indicators as the engine's iData (one row per year)."""

    framework: IndexFramework
    data: pd.DataFrame
    values: list[dict[str, Any]]

    @property
    def demo_count(self) -> int:
        return sum(1 for v in self.values if v["source_kind"] == "demo")

    @property
    def digest(self) -> str:
        return frame_hash(self.data)


def snapshot(session: Session, fw: IndexFramework, until: int | None = None) -> Snapshot:
    """Approved annual observations of the framework's indicators (years ≤ ``until`` when given); a submitted
    value wins over a demo one of the same year."""
    rows = leaves(fw)
    by_code = {indicator_code(fw, str(r["iCode"])): str(r["iCode"]) for r in rows}
    inds = {i.id: by_code[i.code] for i in session.scalars(select(Indicator).where(
        Indicator.plan_id == fw.plan_id, Indicator.code.in_(list(by_code))))}
    stmt = select(Observation).where(Observation.indicator_id.in_(list(inds)), Observation.period.is_(None),
                                     Observation.source_kind.in_(APPROVED_KINDS))
    if until is not None:
        stmt = stmt.where(Observation.year <= until)
    chosen: dict[tuple[str, int], Observation] = {}
    for obs in session.scalars(stmt.order_by(Observation.year, Observation.id)):
        key = (inds[obs.indicator_id], obs.year)
        held = chosen.get(key)
        if held is None or (held.source_kind == "demo" and obs.source_kind == "submission"):
            chosen[key] = obs
    years = sorted({y for _, y in chosen})
    icodes = [str(r["iCode"]) for r in rows]
    table = pd.DataFrame({"uCode": [fw.unit_code] * len(years), "uName": [fw.unit_name_zh] * len(years),
                          "Time": years})
    for code in icodes:
        table[code] = [chosen[(code, y)].value if (code, y) in chosen else np.nan for y in years]
    values = [{"code": c, "year": y, "value": o.value, "source_kind": o.source_kind, "source": o.source,
               "observation_id": o.id} for (c, y), o in sorted(chosen.items())]
    return Snapshot(fw, table, values)


def _base_year(spec: Spec) -> int | None:
    step = spec.step("normalise")
    if step is not None and step.method == "n_base_year":
        return int(step.params.get("base_year", 0)) or None
    return None


def _drops_missing(spec: Spec) -> bool:
    step = spec.step("aggregate")
    return step is not None and step.params.get("missing", "drop") == "drop"


def coverage(fw: IndexFramework, data: pd.DataFrame) -> dict[str, Any]:
    """Availability of the snapshot: per indicator the years with and without a value, per dimension (the
    composite's children) and per year the share of indicators with a value."""
    icodes = [str(r["iCode"]) for r in leaves(fw)]
    years = [int(y) for y in data["Time"]]
    parent = {str(r["iCode"]): r.get("Parent") for r in fw.meta}

    def dimension(code: str) -> str:
        node = code
        while parent.get(node) and parent.get(node) != fw.index_code:
            node = str(parent[node])
        return node

    present = {c: [y for y, v in zip(years, data[c], strict=True) if not pd.isna(v)] for c in icodes}
    dims: dict[str, list[str]] = {}
    for c in icodes:
        dims.setdefault(dimension(c), []).append(c)
    return {
        "years": years,
        "indicators": {c: {"years": present[c], "missing": [y for y in years if y not in present[c]]}
                       for c in icodes},
        "dimensions": {d: {str(y): round(sum(y in present[c] for c in cs) / len(cs), 6) for y in years}
                       for d, cs in dims.items()},
        "by_year": {str(y): round(sum(y in present[c] for c in icodes) / len(icodes), 6) for y in years},
    }


@dataclass
class Checked:
    data: pd.DataFrame
    meta: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def check_coverage(fw: IndexFramework, snap: Snapshot, spec: Spec, *, allow_gaps: bool) -> Checked:
    """Apply the coverage rules of the module docstring; returns the data and iMeta to build with and the
    warnings, or raises CoverageError naming the missing cells."""
    data = snap.data
    meta = pd.DataFrame.from_records(fw.meta)
    icodes = [str(r["iCode"]) for r in leaves(fw)]
    if data.empty:
        raise CoverageError(f"{fw.code}: no approved values of its indicators yet (approve a period or import a "
                            "history first)")
    with_values = [c for c in icodes if data[c].notna().any()]
    if len(with_values) < 2:
        raise CoverageError(f"{fw.code}: only {len(with_values)} indicator has approved values "
                            f"({', '.join(indicator_code(fw, c) for c in with_values) or 'none'}); a composite of "
                            "one indicator is not an index")
    warnings: list[str] = []
    dropped: list[str] = []
    base = _base_year(spec)
    if base is not None:
        has_base = data["Time"].eq(base).any()
        lacking = [c for c in icodes if not has_base or pd.isna(data.loc[data["Time"] == base, c]).all()]
        if lacking:
            cells = ", ".join(f"{indicator_code(fw, c)} ({c}) {base}" for c in lacking)
            if not allow_gaps:
                raise CoverageError(f"{fw.code}: base-year normalisation needs every indicator's {base} value; "
                                    f"missing: {cells}")
            warnings.append(f"missing base-year ({base}) values, left out of every year: {cells}")
            dropped = lacking
    kept = [c for c in icodes if c not in dropped]
    if len(kept) < 2:
        raise CoverageError(f"{fw.code}: fewer than two indicators have a {base} value; not an index")
    gaps = [(c, int(y)) for c in kept for y, v in zip(data["Time"], data[c], strict=True) if pd.isna(v)]
    if gaps:
        listed = ", ".join(f"{indicator_code(fw, c)} {y}" for c, y in gaps[:20])
        more = f" and {len(gaps) - 20} more" if len(gaps) > 20 else ""
        if not _drops_missing(spec) and not allow_gaps:
            raise CoverageError(f"{fw.code}: the aggregation does not allow missing values; missing: {listed}{more}")
        warnings.append(f"{len(gaps)} missing cells, aggregated over the indicators present: {listed}{more}")
    if dropped:
        data = data.drop(columns=dropped)
        meta = _prune(meta, dropped)
    return Checked(data, meta, warnings)


def _prune(meta: pd.DataFrame, dropped: list[str]) -> pd.DataFrame:
    """iMeta without the ``dropped`` indicators and without aggregates left with no children."""
    meta = meta[~meta["iCode"].isin(dropped)]
    while True:
        parents = set(meta["Parent"].dropna())
        empty = meta[(meta["Type"] == "Aggregate") & ~meta["iCode"].isin(parents) & (meta["Level"] > 1)]
        if empty.empty:
            return meta
        meta = meta[~meta["iCode"].isin(empty["iCode"])]


@dataclass(frozen=True)
class RebuildResult:
    run: IndexRun
    built: bool


def rebuild(session: Session, fw: IndexFramework, *, by: str, until: int | None = None,
            allow_gaps: bool = False) -> RebuildResult:
    """Build and store a run from the approved values (see the module docstring)."""
    spec = parse_spec(fw.spec, f"framework {fw.code}")
    snap = snapshot(session, fw, until)
    checked = check_coverage(fw, snap, spec, allow_gaps=allow_gaps)
    meta = validate_imeta(checked.meta.reset_index(drop=True), f"framework {fw.code} iMeta")
    data = validate_idata(checked.data, meta, f"snapshot of {fw.code}")
    newest = session.scalar(select(IndexRun).where(IndexRun.framework_id == fw.id).order_by(IndexRun.id.desc())
                            .limit(1))
    if newest is not None and (newest.data_hash, newest.meta_hash, newest.spec_hash, newest.until_year) == (
            frame_hash(data), frame_hash(meta), spec_hash(spec), until):
        return RebuildResult(newest, False)
    demo = snap.demo_count > 0
    label_zh, label_en = ("（演示数据）", " (demo data)") if demo else ("", "")
    source = (f"approved observations: {len(snap.values)} values"
              + (f", of which {snap.demo_count} demo data (演示数据)" if demo else "")
              + f"; snapshot {snap.digest[:12]}" + (f"; years up to {until}" if until else ""))
    req = BuildRequest(framework=fw.code, title_zh=fw.title_zh + label_zh, title_en=fw.title_en + label_en,
                       index_code=fw.index_code, focus_unit=fw.unit_code, is_demo=demo, data_source=source)
    run = build_and_store(session, data, meta, spec, req, by=by, labels=meta)
    run.framework_id, run.until_year = fw.id, until
    run.coverage, run.warnings, run.demo_values = coverage(fw, snap.data), checked.warnings, snap.demo_count
    session.execute(insert(IndexRunValue), [dict(run_id=run.id, unit=fw.unit_code, **v) for v in snap.values])
    session.flush()
    return RebuildResult(run, True)


def runs(session: Session, framework: str | None = None) -> list[IndexRun]:
    """Stored runs, newest first."""
    stmt = select(IndexRun)
    if framework is not None:
        stmt = stmt.where(IndexRun.framework == framework)
    return list(session.scalars(stmt.order_by(IndexRun.id.desc())))


def get_run(session: Session, run_id: int) -> IndexRun:
    run = session.get(IndexRun, run_id)
    if run is None:
        raise LookupError(f"no index run {run_id}")
    return run


def run_values(session: Session, run: IndexRun) -> list[IndexRunValue]:
    return list(session.scalars(select(IndexRunValue).where(IndexRunValue.run_id == run.id)
                                .order_by(IndexRunValue.code, IndexRunValue.year)))


def snapshot_size(session: Session, run: IndexRun) -> int:
    """How many approved values the run was built from."""
    return int(session.scalar(select(func.count(IndexRunValue.id)).where(IndexRunValue.run_id == run.id)) or 0)


def snapshot_frame(session: Session, run: IndexRun) -> pd.DataFrame:
    """The run's snapshot as iData (what ``kechuang index export`` writes): the engine's Raw stage."""
    vals = run_values(session, run)
    years = sorted({v.year for v in vals})
    codes = [n.code for n in run.nodes if n.level == 1]
    names = {s.unit: s.unit_name for s in session.scalars(select(IndexScore).where(IndexScore.run_id == run.id)
                                                           .limit(1))}
    table = pd.DataFrame({"uCode": [run.focus_unit] * len(years),
                          "uName": [names.get(run.focus_unit, run.focus_unit)] * len(years), "Time": years})
    cell = {(v.code, v.year): v.value for v in vals}
    for code in codes:
        table[code] = [cell.get((code, y), np.nan) for y in years]
    return table


def inputs_of(session: Session, run: IndexRun) -> tuple[pd.DataFrame, pd.DataFrame, Spec]:
    """The iData, iMeta and spec a run from approved observations was built with, read back from what is stored
    (its snapshot, its framework's iMeta restricted to the run's nodes, its spec); checked against the run's
    hashes, so ``build`` on them gives the stored run again."""
    fw = session.get(IndexFramework, run.framework_id) if run.framework_id is not None else None
    if fw is None:
        raise LookupError(f"index run {run.id} was not built from approved observations")
    codes = {n.code for n in run.nodes}
    meta = validate_imeta(pd.DataFrame.from_records([r for r in fw.meta if str(r["iCode"]) in codes]),
                          f"framework {fw.code} iMeta")
    data = validate_idata(snapshot_frame(session, run), meta, f"snapshot of run {run.id}")
    spec = parse_spec(run.spec, f"run {run.id}")
    if frame_hash(meta) != run.meta_hash:
        raise LookupError(f"index run {run.id}: framework {fw.code} changed since the run was built")
    if frame_hash(data) != run.data_hash:
        raise LookupError(f"index run {run.id}: its stored snapshot does not match its data hash")
    return data, meta, spec


def analyse(session: Session, run: IndexRun, ua: UncertaintySpec, n: int, *, seed: int, by: str) -> None:
    """Store an uncertainty and sensitivity analysis (``n`` base points, in process) of a run from approved
    observations, labelled demo when the run is. A run of one unit (the district over time) is analysed on its
    raw scores (target ``score``): standardising within a year over one unit is undefined, and a base-year index
    has one scale whatever the weights."""
    data, meta, spec = inputs_of(session, run)
    single = data["uCode"].nunique() == 1
    result = sensitivity_analysis(data, meta, spec, ua, n, seed=seed, backend="serial", raw_scores=single)
    store_uncertainty(session, run, result, by=by, is_demo=run.is_demo)


@dataclass(frozen=True)
class ValueChange:
    code: str
    year: int
    old: float | None
    new: float | None
    source: str


@dataclass(frozen=True)
class ScoreChange:
    code: str
    year: int
    old: float | None
    new: float | None

    @property
    def delta(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old


@dataclass(frozen=True)
class Comparison:
    """What changed from run ``a`` to run ``b``: the input values and the scores they moved."""

    a: IndexRun
    b: IndexRun
    values: list[ValueChange]
    scores: list[ScoreChange]
    spec_changed: bool


def compare(session: Session, a: IndexRun, b: IndexRun, *, tolerance: float = 1e-12) -> Comparison:
    """The values that differ between two runs' snapshots and the aggregate scores of the focus unit that
    moved by more than ``tolerance``."""
    va = {(v.code, v.year): v for v in run_values(session, a)}
    vb = {(v.code, v.year): v for v in run_values(session, b)}
    values = []
    for key in sorted(set(va) | set(vb)):
        old, new = va.get(key), vb.get(key)
        held = new or old
        if held is not None and (old is None or new is None or old.value != new.value):
            values.append(ValueChange(key[0], key[1], None if old is None else old.value,
                                      None if new is None else new.value, held.source))
    aggregates = {n.code for n in b.nodes if n.level > 1} | {n.code for n in a.nodes if n.level > 1}

    def focus(run: IndexRun) -> dict[tuple[str, int], float | None]:
        return {(s.code, int(s.year)): s.score for s in session.scalars(select(IndexScore).where(
            IndexScore.run_id == run.id, IndexScore.unit == run.focus_unit, IndexScore.code.in_(aggregates)))
            if s.year is not None}

    sa, sb = focus(a), focus(b)
    scores = []
    for key in sorted(set(sa) | set(sb)):
        before, after = sa.get(key), sb.get(key)
        if before is None or after is None or abs(after - before) > tolerance:
            scores.append(ScoreChange(key[0], key[1], before, after))
    return Comparison(a, b, values, scores, a.spec_hash != b.spec_hash)


def comparison_dict(c: Comparison) -> dict[str, Any]:
    """A comparison as plain data (for the API and the command line)."""
    return {"from_run": c.a.id, "to_run": c.b.id, "spec_changed": c.spec_changed,
            "values": [asdict(v) for v in c.values],
            "scores": [{**asdict(sc), "delta": sc.delta} for sc in c.scores]}
