"""The index page and its JSON API: the stored Yangpu index build beside the published official series."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from kechuang.index.results import growth_rate
from kechuang.index_results import service as ir
from kechuang.indicators import service as indicators
from kechuang.plan import service as plans
from kechuang.web.deps import get_session
from kechuang.web.i18n import request_lang
from kechuang.web.pages import render

router = APIRouter()


def _page_data(s: Session, lang: str) -> dict[str, Any]:
    plan = plans.get_plan(s)
    run = ir.latest_run(s)
    if run is None:
        raise plans.PlanNotFound("no index build stored (run `kechuang init`)")
    nodes = list(run.nodes)
    name = {n.code: (n.name_en if lang == "en" and n.name_en else n.name_zh) for n in nodes}
    dims = [n.code for n in nodes if n.parent == run.index_code]
    codes = [run.index_code, *dims]
    computed = ir.series(s, run, codes)
    figures = {c: ir.published(s, plan.id, c) for c in codes}
    published = {c: ir.published_latest(figures[c]) for c in codes}
    all_published = figures[run.index_code]
    years = sorted({y for c in codes for y, _ in computed[c]} | {y for c in codes for y in published[c]})
    comparison = []
    comp = dict(computed[run.index_code])
    for y in years:
        pub = published[run.index_code].get(y)
        value = comp.get(y)
        comparison.append({"year": y, "computed": value, "published": pub.value if pub else None,
                           "edition": pub.edition if pub else "", "source": pub.source if pub else "",
                           "difference": (value - pub.value) if value is not None and pub else None})
    latest = ir.contributions(s, run, run.index_code)
    by_dim = {d: ir.contributions(s, run, d, latest[0].year_to if latest else None) for d in dims}
    pub_ypi = published[run.index_code]
    growth = None
    stated = _stated_growth(s, plan.id)
    if stated is not None and stated.period:
        start, end = (int(y) for y in stated.period.split("-"))
        if start in pub_ypi and end in pub_ypi:
            growth = {"code": stated.indicator.code, "start": start, "end": end, "v0": pub_ypi[start].value,
                      "v1": pub_ypi[end].value,
                      "rate": float(growth_rate(pub_ypi[start].value, pub_ypi[end].value, end - start)),
                      "stated": stated.value}
    chart = {
        "years": years,
        "series": [{"code": c, "name": name[c], "computed": [dict(computed[c]).get(y) for y in years],
                    "published": [published[c][y].value if y in published[c] else None for y in years]}
                   for c in codes],
        "decomposition": [{"code": c.child, "name": name[c.child], "value": c.contribution} for c in latest],
        "tree": _tree(nodes, run.index_code, name),
        "radar": _radar(computed, dims, name),
    }
    ua = ir.latest_uncertainty(s, run)
    uncertainty = _uncertainty(s, ua, run.index_code) if ua is not None else None
    if uncertainty is not None:
        chart["uncertainty"] = uncertainty.pop("chart")
    return {"run": run, "nodes": nodes, "names": name, "dims": dims, "comparison": comparison,
            "latest": latest, "by_dim": by_dim, "growth": growth, "chart": chart, "all_published": all_published,
            "ranking": ir.latest_scores(s, run, run.index_code), "uncertainty": uncertainty}


def _describe(spec: dict[str, Any]) -> list[str]:
    """One line per uncertain parameter of a stored uncertainty spec."""
    out = []
    for p in spec.get("parameters", []):
        if "weights" in p:
            w = p["weights"]
            where = ", ".join(str(v) for v in w.get("levels", []) + w.get("codes", []))
            out.append(f"{p['name']}: {w['noise']} ±{100 * w['spread']:g}% ({where})")
        elif "values" in p:
            out.append(f"{p['name']}: {p['step']}.{p['param']} ∈ {{{', '.join(str(v) for v in p['values'])}}}")
        else:
            labels = [a if isinstance(a, str) else a.get("label") or a.get("method", "") for a in p["alternatives"]]
            out.append(f"{p['name']}: {' / '.join(labels)}")
    return out


def _uncertainty(s: Session, ua: Any, code: str) -> dict[str, Any]:
    """Rank intervals of ``code`` in the latest year and the Sobol' indices of the mean rank shift."""
    bars = ir.uncertainty_ranks(s, ua, code)
    indices = ir.sensitivity(s, ua)
    chart = {
        "units": [b.unit_name or b.unit for b in bars],
        "nominal": [b.rank_nominal for b in bars],
        "median": [b.rank_median for b in bars],
        "interval": [[i, b.rank_q05, b.rank_q95] for i, b in enumerate(bars)],
        "parameters": [x.parameter for x in indices],
        "s1": [x.s1 for x in indices],
        "st": [x.st for x in indices],
        "s1_ci": [[i, x.s1_lo, x.s1_hi] for i, x in enumerate(indices)],
        "st_ci": [[i, x.st_lo, x.st_hi] for i, x in enumerate(indices)],
    }
    return {"ua": ua, "bars": bars, "indices": indices, "year": bars[0].year if bars else None,
            "parameters": _describe(ua.ua_spec), "chart": chart}


def _stated_growth(s: Session, plan_id: int) -> Any:
    """The plan text's own statement of the index's average annual growth (an observation with a period)."""
    return next((o for i, o in indicators.plan_facts(s, plan_id) if i.code == "IND_SCI_GROWTH"), None)


def _radar(computed: ir.Series, dims: list[str], name: dict[str, str]) -> dict[str, Any]:
    """The four dimensions of the focus unit in its latest year and the year before, for a radar chart."""
    by_year = {c: dict(computed[c]) for c in dims}
    years = sorted({y for c in dims for y in by_year[c]})
    latest = years[-2:]
    top = max((v or 0) for c in dims for v in by_year[c].values())
    return {"indicators": [{"name": name[c], "max": round(top * 1.1, 1)} for c in dims],
            "series": [{"name": str(y), "value": [by_year[c].get(y) for c in dims]} for y in latest]}


def _tree(nodes: list[Any], root: str, name: dict[str, str]) -> dict[str, Any]:
    kids: dict[str | None, list[Any]] = {}
    for n in nodes:
        kids.setdefault(n.parent, []).append(n)

    def walk(code: str, status: str) -> dict[str, Any]:
        children = [walk(k.code, k.status) for k in kids.get(code, [])]
        node: dict[str, Any] = {"name": name[code], "status": status}
        if children:
            node["children"] = children
        return node

    top = next(n for n in nodes if n.code == root)
    return walk(root, top.status)


@router.get("/index", response_class=HTMLResponse, include_in_schema=False)
def index_page(request: Request, s: Session = Depends(get_session)) -> HTMLResponse:
    return render(request, "index.html", **_page_data(s, request_lang(request)))


class ScoreOut(BaseModel):
    unit: str
    unit_name: str
    year: int | None
    code: str
    score: float | None
    rank: int | None


class RunOut(BaseModel):
    id: int
    framework: str
    title: dict[str, str]
    is_demo: bool
    created_at: str
    data_hash: str
    meta_hash: str
    spec_hash: str
    engine_version: str
    data_source: str
    spec: dict[str, Any]


@router.get("/api/v1/index/run", response_model=RunOut, tags=["index"],
            summary="The latest stored index build: what it was built from (hashes, spec), demo or not")
def api_run(s: Session = Depends(get_session)) -> RunOut:
    run = ir.latest_run(s)
    if run is None:
        raise plans.PlanNotFound("no index build stored")
    return RunOut(id=run.id, framework=run.framework, title={"zh": run.title_zh, "en": run.title_en},
                  is_demo=run.is_demo, created_at=run.created_at.isoformat(), data_hash=run.data_hash,
                  meta_hash=run.meta_hash, spec_hash=run.spec_hash, engine_version=run.engine_version,
                  data_source=run.data_source, spec=run.spec)


@router.get("/api/v1/index/scores", response_model=list[ScoreOut], tags=["index"],
            summary="Scores and ranks of the latest build, filtered by code, unit and year")
def api_scores(code: str | None = Query(None, description="iCode, e.g. YPI or Elem"), unit: str | None = None,
               year: int | None = None, s: Session = Depends(get_session)) -> list[ScoreOut]:
    run = ir.latest_run(s)
    if run is None:
        raise plans.PlanNotFound("no index build stored")
    return [ScoreOut(unit=r.unit, unit_name=r.unit_name, year=r.year, code=r.code, score=r.score, rank=r.rank)
            for r in ir.scores(s, run, code, unit, year)]
