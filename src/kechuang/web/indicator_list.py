"""The public list of the plan's indicators (``/monitoring/indicators``): every indicator by area and task
with its latest approved value, target, status in words and rule, each linking to its own page; and each
indicator's chart as an embeddable page (``…/embed``) and an SVG file (``…/chart.svg``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from kechuang.assessment import progress
from kechuang.core import numbers
from kechuang.indicators.profile_service import indicator_by_code
from kechuang.plan import service as plans
from kechuang.progress import Standing
from kechuang.web.deps import get_session
from kechuang.web.i18n import request_lang, t
from kechuang.web.pages import plan_status, render

router = APIRouter(include_in_schema=False)


@router.get("/monitoring/indicators", response_class=HTMLResponse)
def indicator_list(request: Request, s: Session = Depends(get_session)) -> HTMLResponse:
    """Public: only approved data (and the plan's own figures) appear here."""
    version = plans.latest_version(s)
    cat = progress.catalogue(s, version)

    def rows(ps: list[progress.IndicatorProgress]) -> list[tuple[progress.IndicatorProgress, object]]:
        return [(p, cat.latest[p.indicator.id]) for p in ps]

    areas = [(a, [(task, rows(cat.by_task.get(task.code, []))) for task in plans.elements(s, version, "task", a.code)])
             for a in plans.elements(s, version, "area")]
    every = cat.all
    counts = {"total": len(every), "with_data": sum(cat.latest[p.indicator.id] is not None for p in every),
              "assessable": sum(p.assessment.standing is not Standing.NOT_APPLICABLE for p in every)}
    return render(request, "monitoring/indicators.html", version=version, areas=areas, unlinked=rows(cat.unlinked),
                  counts=counts, status=plan_status(s))


# --- embeds: each indicator's chart as a page of its own and as a server-side SVG --------------------------------

SVG_W, SVG_H, PAD_L, PAD_R, PAD_T, PAD_B = 640, 360, 64, 24, 48, 72


def chart_svg(name: str, unit: str, values: list[tuple[int, float]], target: tuple[int, float] | None,
              source: str, as_of: str, lang: str, demo: bool) -> str:
    """A line chart of an indicator's approved values (and its target as a point) as SVG, drawn on the server.

    Linear scales: x(year) = L + (year − y₀)/(y₁ − y₀)·(W − L − R), y(v) = T + (v_max − v)/(v_max − v_min)·(H − T − B),
    with the value range widened by 5 % each side (and by 1 when all values are equal); years are written as plain
    years (2020, not 2,020), the values through the one formatter. The source and the date of the data are part
    of the picture, so an embedded or downloaded chart still says where it comes from."""
    pts = [*values, *([target] if target else [])]
    years = [y for y, _ in pts] or [0]
    y0, y1 = min(years), max(years)
    lo, hi = (min(v for _, v in pts), max(v for _, v in pts)) if pts else (0.0, 1.0)
    span = hi - lo or 1.0
    lo, hi = lo - 0.05 * span, hi + 0.05 * span

    def x(year: int) -> float:
        return PAD_L + (0.5 if y1 == y0 else (year - y0) / (y1 - y0)) * (SVG_W - PAD_L - PAD_R)

    def y(value: float) -> float:
        return PAD_T + (hi - value) / (hi - lo) * (SVG_H - PAD_T - PAD_B)

    base = SVG_H - PAD_B
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SVG_W} {SVG_H}" role="img" '
           f'aria-label="{escape(name)}" font-family="sans-serif" font-size="13">',
           f'<title>{escape(name)}</title><rect width="100%" height="100%" fill="#fff"/>',
           f'<text x="{PAD_L}" y="22" font-size="15" font-weight="bold">{escape(name)}'
           f'{escape(" (" + unit + ")" if lang == "en" and unit else ("（" + unit + "）" if unit else ""))}</text>',
           f'<line x1="{PAD_L}" y1="{base}" x2="{SVG_W - PAD_R}" y2="{base}" stroke="#555"/>']
    for year in sorted(set(years)):
        out.append(f'<text x="{x(year):.1f}" y="{base + 18}" text-anchor="middle">{year}</text>')
    for value in (lo + span * 0.05, (lo + hi) / 2, hi - span * 0.05):
        out.append(f'<text x="{PAD_L - 6}" y="{y(value) + 4:.1f}" text-anchor="end">'
                   f'{escape(numbers.num(value, 2 if span < 10 else 0, lang=lang, group=True))}</text>')
    if values:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(yr):.1f},{y(v):.1f}" for i, (yr, v) in enumerate(values))
        out.append(f'<path d="{path}" fill="none" stroke="#1f5fa8" stroke-width="2.5"/>')
        out += [f'<circle cx="{x(yr):.1f}" cy="{y(v):.1f}" r="3.5" fill="#1f5fa8"/>' for yr, v in values]
    else:
        out.append(f'<text x="{SVG_W / 2}" y="{SVG_H / 2}" text-anchor="middle">'
                   f'{escape(t("no_data_yet", lang))}</text>')
    if target:
        out.append(f'<circle cx="{x(target[0]):.1f}" cy="{y(target[1]):.1f}" r="6" fill="none" stroke="#b35900" '
                   f'stroke-width="2.5"/><text x="{x(target[0]) - 8:.1f}" y="{y(target[1]) - 10:.1f}" '
                   f'text-anchor="end" fill="#8a4500">{escape(t("targets", lang))} '
                   f'{escape(numbers.num(target[1], lang=lang, group=True))}</text>')
    note = f"{t('source', lang)}{'：' if lang == 'zh' else ': '}{source} · {t('embed_as_of', lang)} {as_of}"
    if demo:
        note += f" · {t('demo_tag', lang)}"
    out.append(f'<text x="{PAD_L}" y="{SVG_H - 14}" font-size="12" fill="#333">{escape(note)}</text></svg>')
    return "\n".join(out)


def _embed_data(s: Session, code: str, lang: str) -> dict[str, Any]:
    version = plans.latest_version(s)
    ind = indicator_by_code(s, version.plan_id, code)
    p = progress.indicator_progress(s, ind, progress.final_years(version))
    annual = [o for o in progress.approved_history(s, ind.id) if o.period is None
              and o.source_kind in ("submission", "demo", "published", "plan_text")]
    by_year: dict[int, float] = {}
    for o in annual:
        by_year.setdefault(o.year, o.value)  # one value a year: approved first (history is ordered by id)
    target = (p.target.year, p.target.value) if p.target is not None and p.target.value is not None else None
    source = (p.profile.data_source_en if lang == "en" and p.profile and p.profile.data_source_en
              else (p.profile.data_source_zh if p.profile else "")) or t("embed_source_default", lang)
    as_of = max((o.year for o in annual), default=None)
    demo = p.uses_demo or any(o.is_demo for o in annual)
    return {"ind": ind, "values": sorted(by_year.items()), "target": target, "source": source,
            "as_of": str(as_of) if as_of else "—", "demo": demo}


@router.get("/monitoring/indicators/{code}/chart.svg")
def indicator_chart_svg(code: str, request: Request, s: Session = Depends(get_session)) -> Response:
    """The indicator's chart as an SVG file, with its source and the year of its latest value."""
    lang = request_lang(request)
    d = _embed_data(s, code, lang)
    svg = chart_svg(d["ind"].name(lang), d["ind"].unit(lang), d["values"], d["target"], d["source"], d["as_of"],
                    lang, d["demo"])
    return Response(svg, media_type="image/svg+xml; charset=utf-8")


@router.get("/monitoring/indicators/{code}/embed", response_class=HTMLResponse)
def indicator_embed(code: str, request: Request, s: Session = Depends(get_session)) -> HTMLResponse:
    """The indicator's chart alone, to put into another page (an iframe): the chart, its source and date, and
    the stable address of the indicator's page."""
    lang = request_lang(request)
    d = _embed_data(s, code, lang)
    svg = chart_svg(d["ind"].name(lang), d["ind"].unit(lang), d["values"], d["target"], d["source"], d["as_of"],
                    lang, d["demo"])
    return render(request, "monitoring/embed.html", svg=Markup(svg), permalink=f"/monitoring/indicators/{code}",
                  **d)
