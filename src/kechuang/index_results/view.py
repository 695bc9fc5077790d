"""The index page's view model, built from stored runs (pages never compute the index): the composite and
its dimensions beside the published official series, the decomposition of the latest change, the coverage of
the run's snapshot, the uncertainty analysis, and the plan's stated average growth checked against the
published figures.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kechuang.core.access import NotFound
from kechuang.index.results import growth_rate
from kechuang.index_results import frameworks as ir_frameworks
from kechuang.index_results import rebuild
from kechuang.index_results import service as ir
from kechuang.indicators import service as indicators
from kechuang.plan import service as plans


def framework(s: Session) -> tuple[Any, Any]:
    """The plan and its index framework; a plan without one has no index page (404)."""
    plan = plans.get_plan(s)
    try:
        return plan, ir_frameworks.get_framework(s, plan.id)
    except ir_frameworks.FrameworkError as exc:
        raise NotFound(str(exc)) from exc


def has_index(s: Session) -> bool:
    """Whether the plan's bundle has a composite index (a plan without one gets a page that says so)."""
    return bool(ir_frameworks.frameworks(s, plans.get_plan(s).id))


def latest_version(s: Session) -> Any:
    """The plan's latest version (for the page of a plan without an index)."""
    return plans.latest_version(s)


def method_note(s: Session) -> Any:
    """How the plan's index is computed, as its bundle's framework file explains it (None when it does not)."""
    bundle = plans.bundle_of(s, plans.latest_version(s))
    if bundle is None or bundle.index_folder is None:
        return None
    return ir_frameworks.read_bundle(bundle.index_folder).file.method_note


def index_page(s: Session, lang: str, run_id: int | None = None) -> dict[str, Any]:
    """What the index page shows of run ``run_id`` (default: the newest stored run of the plan's framework; before
    any run, the published figures only). Raises NotFound without a framework or for an unknown run."""
    plan, fw = framework(s)
    if run_id is not None:
        try:
            run: Any = rebuild.get_run(s, run_id)
        except LookupError as exc:
            raise NotFound(str(exc)) from exc
    else:
        run = ir.latest_run(s, fw.code)
    if run is None:
        return {"run": None, "framework": fw, "runs": [], **_published_only(s, plan.id, fw, lang)}
    nodes = list(run.nodes)
    name = {n.code: (n.name_en if lang == "en" and n.name_en else n.name_zh) for n in nodes}
    dims = [n.code for n in nodes if n.parent == run.index_code]
    codes = [run.index_code, *dims]
    computed = ir.series(s, run, codes)
    figures = {c: ir.published(s, plan.id, c) for c in codes}
    published = {c: ir.published_latest(figures[c]) for c in codes}
    editions = {c: ir.published_editions(figures[c]) for c in codes}
    all_published = figures[run.index_code]
    years = sorted({y for c in codes for y, _ in computed[c]} | {y for c in codes for y in published[c]})
    comparison = []
    comp = dict(computed[run.index_code])
    for y in years:
        pub = published[run.index_code].get(y)
        value = comp.get(y)
        comparison.append({"year": y, "computed": value, "published": pub.value if pub else None,
                           "edition": pub.edition if pub else "", "version": pub.version if pub else "",
                           "source": pub.source if pub else "",
                           "difference": (value - pub.value) if value is not None and pub else None})
    latest = ir.contributions(s, run, run.index_code)
    by_dim = {d: ir.contributions(s, run, d, latest[0].year_to if latest else None) for d in dims}
    chart = {
        "years": years,
        "series": [{"code": c, "name": name[c], "computed": [dict(computed[c]).get(y) for y in years],
                    "published": [{"edition": ed, "values": [by_year[y].value if y in by_year else None
                                                             for y in years]}
                                  for ed, by_year in editions[c].items()]}
                   for c in codes],
        "decomposition": [{"code": c.child, "name": name[c.child], "value": c.contribution} for c in latest],
        "tree": _tree(nodes, run.index_code, name),
        "radar": _radar(computed, dims, name),
    }
    ranking = ir.latest_scores(s, run, run.index_code)
    ua = ir.latest_uncertainty(s, run)
    uncertainty = _uncertainty(s, ua, run.index_code, single_unit=len(ranking) <= 1) if ua is not None else None
    if uncertainty is not None:
        chart["uncertainty"] = uncertainty.pop("chart")
    return {"run": run, "framework": fw, "nodes": nodes, "names": name, "dims": dims, "comparison": comparison,
            "latest": latest, "by_dim": by_dim, "growth": _growth(s, plan.id, fw, published[run.index_code]),
            "chart": chart, "all_published": all_published, "ranking": ranking if len(ranking) > 1 else [],
            "uncertainty": uncertainty, "runs": rebuild.runs(s, fw.code)[:10],
            "coverage_rows": _coverage_rows(run, name),
            "snapshot_size": rebuild.snapshot_size(s, run) if run.framework_id is not None else None}


def _growth(s: Session, plan_id: int, fw: Any, pub: dict[int, ir.PublishedFigure]) -> dict[str, Any] | None:
    """The average annual growth over the period the plan text states it for, from the published figures."""
    stated = _stated_growth(s, plan_id, fw)
    if stated is None or not stated.period:
        return None
    start, end = (int(y) for y in stated.period.split("-"))
    if start not in pub or end not in pub:
        return None
    return {"code": stated.indicator.code, "start": start, "end": end, "v0": pub[start].value, "v1": pub[end].value,
            "rate": float(growth_rate(pub[start].value, pub[end].value, end - start)), "stated": stated.value}


def _published_only(s: Session, plan_id: int, fw: Any, lang: str) -> dict[str, Any]:
    """What the page shows before any run is stored: the published figures of the composite, per edition."""
    figures = ir.published(s, plan_id, fw.index_code)
    editions = ir.published_editions(figures)
    years = sorted({f.year for f in figures})
    return {"all_published": figures, "growth": _growth(s, plan_id, fw, ir.published_latest(figures)),
            "chart": {"years": years, "series": [{"code": fw.index_code, "name": fw.title_en if lang == "en"
                                                  else fw.title_zh, "computed": [None] * len(years),
                                                  "published": [{"edition": ed, "values": [
                                                      by_year[y].value if y in by_year else None for y in years]}
                                                      for ed, by_year in editions.items()]}]}}


def _coverage_rows(run: Any, name: dict[str, str]) -> list[dict[str, Any]]:
    """Per indicator of the run's snapshot: the years with a value and the years missing."""
    indicators = (run.coverage or {}).get("indicators", {})
    return [{"code": code, "name": name.get(code, code), "years": len(c["years"]), "missing": c["missing"]}
            for code, c in indicators.items()]


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


def _uncertainty(s: Session, ua: Any, code: str, *, single_unit: bool = False) -> dict[str, Any]:
    """Rank intervals of ``code`` in the latest year and the Sobol' indices of the mean rank shift; for a run of
    one unit (a district over time), where ranks do not vary, the score intervals of every year and the Sobol'
    indices of the latest year's score."""
    if single_unit:
        return _uncertainty_over_time(s, ua, code)
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


def _uncertainty_over_time(s: Session, ua: Any, code: str) -> dict[str, Any]:
    bars = ir.uncertainty_ranks_all_years(s, ua, code)
    unit = bars[0].unit if bars else ""
    year = bars[-1].year if bars else None
    indices = [x for x in ir.sensitivity(s, ua, target="score", unit=unit) if x.year == year and x.code == code]
    chart = {
        "years": [b.year for b in bars],
        "nominal": [b.score_nominal for b in bars],
        "median": [b.score_median for b in bars],
        "interval": [[i, b.score_q05, b.score_q95] for i, b in enumerate(bars)],
        "parameters": [x.parameter for x in indices],
        "s1": [x.s1 for x in indices], "st": [x.st for x in indices],
        "s1_ci": [[i, x.s1_lo, x.s1_hi] for i, x in enumerate(indices)],
        "st_ci": [[i, x.st_lo, x.st_hi] for i, x in enumerate(indices)],
    }
    return {"ua": ua, "bars": bars, "indices": indices, "year": year, "over_time": True,
            "parameters": _describe(ua.ua_spec), "chart": chart}


def _stated_growth(s: Session, plan_id: int, fw: Any) -> Any:
    """The plan text's own statement of the index's average annual growth (an observation with a period)."""
    code = fw.growth_fact_indicator
    return next((o for i, o in indicators.plan_facts(s, plan_id) if i.code == code), None) if code else None


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
