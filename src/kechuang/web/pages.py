"""Server-rendered pages of the plan: overview, task, measure, baseline facts, goals, glossary, places,
versions. Each handler reads through the plan service and renders a template; nothing is computed here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from kechuang.assessment import progress
from kechuang.core import clock, numbers
from kechuang.core.numbers import input_value
from kechuang.indicators import service as indicators
from kechuang.plan import service as plans
from kechuang.submissions.service import requirement_text
from kechuang.web import audit_view
from kechuang.web.cache import data_fingerprint
from kechuang.web.deps import get_session
from kechuang.web.i18n import label, request_lang, t

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)


def num(value: float | None, lang: str = "zh") -> str:
    """A number as people write it on a page: 99.04, 973, 1.8, 12,345 (grouped, at most two decimals, no
    trailing .0); no value is empty. The one formatter (:mod:`kechuang.core.numbers`)."""
    return numbers.num(value, lang=lang, max_digits=2, group=True, empty="")


def target_range(attrs: dict[str, Any], lang: str = "zh") -> str:
    """'2–3' for a range, '3' for a single bound."""
    lo, hi = attrs.get("value_min"), attrs.get("value_max")
    if lo is not None and hi is not None and lo != hi:
        return f"{num(lo, lang)}–{num(hi, lang)}"
    return num(lo if lo is not None else hi, lang)


_INTERNAL_PATH = re.compile(r"\s*[(（]?(?:bundled: )?(?:shared|data|src)/[\w./-]+[)）]?")
_CODE_IN_BRACKETS = re.compile(r"（([A-Za-z][A-Za-z0-9_]*)）")


def provenance(text: str | None) -> str:
    """A source note as recorded, without the internal file paths some notes carry
    ("… (shared/seed/000_….txt)", "bundled: data/<district>/…"): a reader cannot open them."""
    return _INTERNAL_PATH.sub("", text or "").strip()


def mark_codes(text: str | None) -> Markup:
    """A description with the code in its brackets marked as code: 指标（BizConf） → 指标（<code>BizConf</code>）."""
    return Markup(_CODE_IN_BRACKETS.sub(lambda m: f"（<code>{m.group(1)}</code>）", str(escape(text or ""))))


def _in_page_language(fn: Any) -> Any:
    """A filter that formats in the page's language (the template's ``lang``)."""
    return pass_context(lambda context, value, *args, **kwargs: fn(value, *args, lang=context.get("lang", "zh"),
                                                                   **kwargs))


# numbers, shares and changes on every page through the one formatter, in the page language:
# {{ x|num }}, {{ share|pct }} (0.1225 → 12.3%), {{ share|pct(0) }}, {{ change|signed(2) }}, {{ x|fixed(1) }}
templates.env.filters.update(
    num=_in_page_language(lambda value, lang: num(value, lang)),
    fixed=_in_page_language(lambda value, digits, lang: numbers.num(value, digits, lang=lang, group=True)),
    pct=_in_page_language(lambda value, digits=1, lang="zh": numbers.pct(value, digits, lang=lang)),
    signed=_in_page_language(lambda value, digits=1, lang="zh": numbers.signed(value, digits, lang=lang)),
    day=_in_page_language(lambda value, lang: numbers.date_text(value, lang)))
templates.env.filters.update(audit_value=audit_view.describe, audit_field=audit_view.field_text,
                             audit_field_value=audit_view.field_value, audit_reason=audit_view.reason_text)
templates.env.filters["input_value"] = input_value  # what an input box holds: never the display format
templates.env.filters["target_range"] = _in_page_language(target_range)
templates.env.filters.update(provenance=provenance, mark_codes=mark_codes, requirement=requirement_text)
# every time on a page in the plan's time zone, with the zone said (kechuang.core.clock)
templates.env.filters.update(local_date=clock.date_text, local_time=clock.time_text, iso_time=clock.iso,
                             local_seconds=lambda moment: clock.time_text(moment, seconds=True))


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``name`` with the language helpers; remember an explicit ``?lang=`` in a cookie."""
    lang = request_lang(request)
    other = "en" if lang == "zh" else "zh"
    switched = request.url.include_query_params(lang=other)
    switch_url = f"{switched.path}?{switched.query}"
    response = templates.TemplateResponse(
        request, name, {"lang": lang, "t": lambda key: t(key, lang),
                        "label": lambda prefix, code: label(prefix, code, lang), "switch_url": switch_url, **context},
        status_code=status_code,
    )
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def not_found(request: Request, detail: str) -> HTMLResponse:
    return render(request, "not_found.html", status_code=404, detail=detail)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, s: Session = Depends(get_session)) -> HTMLResponse:
    v = plans.latest_version(s)
    areas = [(a, [(task, plans.elements(s, v, "measure", task.code)) for task in plans.elements(s, v, "task", a.code)])
             for a in plans.elements(s, v, "area")]
    return render(request, "overview.html", version=v, meta=v.document["plan"], areas=areas, status=plan_status(s),
                  goals=plans.elements(s, v, "goal"), sub_goals=plans.elements(s, v, "sub_goal"))


@router.get("/tasks/{code}", response_class=HTMLResponse)
def task_page(code: str, request: Request, s: Session = Depends(get_session)) -> HTMLResponse:
    v = plans.latest_version(s)
    task = plans.element(s, v, code, "task")
    measures = [(m, plans.elements(s, v, "project", m.code), plans.elements(s, v, "target", m.code))
                for m in plans.elements(s, v, "measure", code)]
    return render(request, "task.html", version=v, task=task, area=plans.element(s, v, task.parent_code or ""),
                  measures=measures, terms=_terms(s, v, [code] + [m.code for m, _, _ in measures]),
                  indicators=_with_latest(s, progress.task_indicators(s, v, code)), status=plan_status(s).get(code),
                  items=progress.task_items(s, v, code, clock.today(),
                                            request.app.state.supervision_settings.reminder_days))


@router.get("/measures/{code}", response_class=HTMLResponse)
def measure_page(code: str, request: Request, s: Session = Depends(get_session)) -> HTMLResponse:
    v = plans.latest_version(s)
    m = plans.element(s, v, code, "measure")
    task = plans.element(s, v, m.parent_code or "", "task")
    places = {p.code: p for p in plans.elements(s, v, "place")}
    targets = plans.elements(s, v, "target", code)
    return render(request, "measure.html", version=v, measure=m, task=task,
                  projects=plans.elements(s, v, "project", code), targets=targets,
                  original_targets=plans.originals(s, v, targets),
                  places=places, terms=_terms(s, v, [code]),
                  indicators=_with_latest(s, progress.task_indicators(s, v, task.code)))


def _with_latest(s: Session, ps: list[progress.IndicatorProgress]) -> list[tuple[Any, Any]]:
    """Each assessed indicator with its latest approved value (what the indicator tables show)."""
    return [(p, progress.latest_observation(s, p.indicator.id)) for p in ps]


_status_memo: dict[tuple[Any, ...], dict[str, progress.Summary]] = {}


def plan_status(s: Session) -> dict[str, progress.Summary]:
    """Roll-up of every area and task (code → Summary: roll-up, demo flag, coverage) from approved data,
    recomputed only when the database, its data fingerprint or the date changes (the roll-up reads every
    indicator's history)."""
    today = clock.today()
    key = (str(s.get_bind().engine.url), data_fingerprint(s), today)
    found = _status_memo.get(key)
    if found is None:
        board = progress.dashboard(s, today)
        found = {row.area.code: row.summary() for row in board.areas}
        found.update({t.task.code: t.summary() for row in board.areas for t in row.tasks})
        _status_memo.clear()
        _status_memo[key] = found
    return found


def _terms(s: Session, v: Any, codes: list[str]) -> list[Any]:
    term_codes = {c for code in codes for c in plans.terms_of(s, v, code)}
    return [g for g in plans.elements(s, v, "glossary_term") if g.code in term_codes]


@router.get("/basis", response_class=HTMLResponse)
def basis_page(request: Request, s: Session = Depends(get_session)) -> HTMLResponse:
    v = plans.latest_version(s)
    sections = [(sec, plans.elements(s, v, "basis_paragraph", sec.code))
                for sec in plans.elements(s, v, "basis_section")]
    return render(request, "basis.html", version=v, summary=plans.element(s, v, "BASIS"), sections=sections,
                  conclusion=plans.element(s, v, "BASIS_END"), facts=indicators.plan_facts(s, v.plan_id),
                  shortcomings=plans.elements(s, v, "shortcoming"), trends=plans.elements(s, v, "trend"))


@router.get("/goals", response_class=HTMLResponse)
def goals_page(request: Request, s: Session = Depends(get_session)) -> HTMLResponse:
    v = plans.latest_version(s)
    return render(request, "goals.html", version=v, guiding=plans.element(s, v, "GUIDING"),
                  principles=plans.elements(s, v, "principle"), goals=plans.elements(s, v, "goal"),
                  sub_goals=plans.elements(s, v, "sub_goal"), safeguards=plans.elements(s, v, "safeguard"))


@router.get("/glossary", response_class=HTMLResponse)
def glossary_page(request: Request, s: Session = Depends(get_session)) -> HTMLResponse:
    v = plans.latest_version(s)
    by_code = {e.code: e for e in plans.elements(s, v)}
    uses = plans.term_uses(s, v)
    terms = [(g, [by_code[c] for c in uses.get(g.code, [])]) for g in plans.elements(s, v, "glossary_term")]
    return render(request, "glossary.html", version=v, terms=terms, by_code=by_code)


@router.get("/places", response_class=HTMLResponse)
def places_page(request: Request, s: Session = Depends(get_session)) -> HTMLResponse:
    v = plans.latest_version(s)
    places = plans.elements(s, v, "place")
    lang = request_lang(request)
    points = [{"name": p.title(lang), "code": p.code, "zone": p.attrs.get("zone") or "none",
               "value": [p.attrs["lon"], p.attrs["lat"]]}
              for p in places if p.attrs.get("lon") is not None and p.attrs.get("lat") is not None]
    return render(request, "places.html", version=v, places=places, points=points, **place_labels(s, v, lang))


#: colour (Okabe–Ito palette) and shape of each zone on the map, in the order the plan lists its zones; places of
#: no zone (the whole district) are grey squares. Shapes keep the zones apart for colour-blind readers.
ZONE_MARKS = (
    ("#0072B2", "circle", '<circle cx="7" cy="7" r="6" fill="#0072B2"/>'),
    ("#D55E00", "triangle", '<polygon points="7,1 13,13 1,13" fill="#D55E00"/>'),
    ("#009E73", "diamond", '<polygon points="7,0 14,7 7,14 0,7" fill="#009E73"/>'),
    ("#CC79A7", "roundRect", '<rect x="1" y="1" width="12" height="12" rx="4" fill="#CC79A7"/>'),
    ("#56B4E9", "pin", '<path d="M7 13 C2 7 2 1 7 1 C12 1 12 7 7 13Z" fill="#56B4E9"/>'),
    ("#E69F00", "arrow", '<polygon points="7,0 13,14 7,10 1,14" fill="#E69F00"/>'),
)
NO_ZONE_MARK = ("#666666", "rect", '<rect x="1" y="1" width="12" height="12" fill="#666666"/>')


def zone_marks(zones: dict[str, str]) -> dict[str, dict[str, str]]:
    """The mark of every zone code (see ``ZONE_MARKS``; the palette repeats beyond six zones)."""
    marks = {}
    for i, code in enumerate(zones):
        color, symbol, svg = NO_ZONE_MARK if code == "none" else ZONE_MARKS[i % len(ZONE_MARKS)]
        marks[code] = {"color": color, "symbol": symbol, "svg": svg}
    return marks


def place_labels(s: Session, v: Any, lang: str) -> dict[str, Any]:
    """The plan's zones (with "none": the whole district) and place types with their labels, and the zones' marks,
    for the templates."""
    zones = {**plans.labels(s, v, "zone", lang), "none": t("zone_none", lang)}
    return {"zones": zones, "place_types": plans.labels(s, v, "place_type", lang), "zone_marks": zone_marks(zones)}


@router.get("/versions", response_class=HTMLResponse)
def versions_page(request: Request, a: int | None = Query(None), b: int | None = Query(None),
                  s: Session = Depends(get_session)) -> HTMLResponse:
    versions = plans.list_versions(s)
    diffs = plans.diff_versions(s, a, b) if a is not None and b is not None else None
    return render(request, "versions.html", versions=versions, diffs=diffs, a=a, b=b)


def index_headline(s: Session) -> dict[str, Any] | None:
    """The leader's index figure: the newest published value of the plan's index (it leads) and the newest
    computed run with its demo flag (shown second, labelled 演示数据 when demo values went in); None when the plan
    has no index framework."""
    from kechuang.index_results import frameworks as ir_frameworks
    from kechuang.index_results import service as ir

    v = plans.latest_version(s)
    try:
        fw = ir_frameworks.get_framework(s, v.plan_id)
    except ir_frameworks.FrameworkError:
        return None
    run = ir.latest_run(s, fw.code)
    index_code = run.index_code if run is not None else fw.index_code
    latest = ir.published_latest(ir.published(s, v.plan_id, index_code))
    year = max(latest, default=None)
    return {"framework": fw, "published": latest[year] if year is not None else None, "run": run}
