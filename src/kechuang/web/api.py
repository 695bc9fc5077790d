"""JSON API under ``/api/v1`` (documented by OpenAPI at ``/docs``).

Lists are paginated with ``offset`` and ``limit`` and return ``{"total", "offset", "limit", "items"}``.
Texts are bilingual objects ``{"zh": …, "en": …}``. ``?version=N`` reads an earlier plan version.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from kechuang.indicators import service as indicators
from kechuang.indicators.models import Indicator
from kechuang.plan import service as plans
from kechuang.plan.models import PlanElement, PlanVersion
from kechuang.web.deps import get_session

router = APIRouter(prefix="/api/v1", tags=["plan"])


class Bilingual(BaseModel):
    zh: str
    en: str


class ElementOut(BaseModel):
    code: str
    kind: str
    parent: str | None
    title: Bilingual
    text: Bilingual
    attrs: dict[str, Any]


class Page(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[Any]


class VersionOut(BaseModel):
    number: int
    created_at: str
    created_by: str
    reason: str
    source: str
    content_hash: str


class PlanOut(BaseModel):
    code: str
    title: Bilingual
    version: VersionOut
    meta: dict[str, Any]
    counts: dict[str, int]


class ObservationOut(BaseModel):
    year: int
    period: str | None
    value: float
    qualifier: str
    scope: Bilingual
    source_kind: str
    source: str
    quote: str
    is_demo: bool


class IndicatorOut(BaseModel):
    code: str
    name: Bilingual
    unit: Bilingual
    direction: int
    observations: list[ObservationOut]


class DiffOut(BaseModel):
    code: str
    kind: str
    status: str
    fields: dict[str, list[Any]]


VersionQuery = Query(None, description="plan version number (default: the newest)", ge=1)
Offset = Query(0, ge=0)
Limit = Query(100, ge=1, le=1000)


def _el(e: PlanElement) -> ElementOut:
    return ElementOut(code=e.code, kind=e.kind, parent=e.parent_code, title=Bilingual(zh=e.title_zh, en=e.title_en),
                      text=Bilingual(zh=e.text_zh, en=e.text_en), attrs=e.attrs)


def _ver(v: PlanVersion) -> VersionOut:
    return VersionOut(number=v.number, created_at=v.created_at.isoformat(), created_by=v.created_by,
                      reason=v.reason, source=v.source, content_hash=v.content_hash)


def _page(items: list[Any], offset: int, limit: int) -> Page:
    return Page(total=len(items), offset=offset, limit=limit, items=items[offset:offset + limit])


def _kind_list(s: Session, kind: str, version: int | None, offset: int, limit: int,
               parent: str | None = None) -> Page:
    v = plans.get_version(s, None, version)
    return _page([_el(e) for e in plans.elements(s, v, kind, parent)], offset, limit)


@router.get("/plan", response_model=PlanOut, summary="The plan: metadata, version, element counts")
def get_plan(version: int | None = VersionQuery, s: Session = Depends(get_session)) -> PlanOut:
    v = plans.get_version(s, None, version)
    counts: dict[str, int] = {}
    for e in plans.elements(s, v):
        counts[e.kind] = counts.get(e.kind, 0) + 1
    return PlanOut(code=v.plan.code, title=Bilingual(zh=v.plan.title_zh, en=v.plan.title_en), version=_ver(v),
                   meta=v.document["plan"], counts=counts)


@router.get("/areas", response_model=Page, summary="Task areas")
def list_areas(version: int | None = VersionQuery, offset: int = Offset, limit: int = Limit,
               s: Session = Depends(get_session)) -> Page:
    return _kind_list(s, "area", version, offset, limit)


@router.get("/tasks", response_model=Page, summary="Tasks, optionally of one area")
def list_tasks(area: str | None = Query(None, description="area code, e.g. A1"), version: int | None = VersionQuery,
               offset: int = Offset, limit: int = Limit, s: Session = Depends(get_session)) -> Page:
    return _kind_list(s, "task", version, offset, limit, area)


@router.get("/tasks/{code}", response_model=ElementOut, summary="One task")
def get_task(code: str, version: int | None = VersionQuery, s: Session = Depends(get_session)) -> ElementOut:
    return _el(plans.element(s, plans.get_version(s, None, version), code, "task"))


@router.get("/measures", response_model=Page, summary="Measures, optionally of one task")
def list_measures(task: str | None = Query(None, description="task code, e.g. T1"),
                  version: int | None = VersionQuery, offset: int = Offset, limit: int = Limit,
                  s: Session = Depends(get_session)) -> Page:
    return _kind_list(s, "measure", version, offset, limit, task)


@router.get("/measures/{code}", response_model=ElementOut, summary="One measure")
def get_measure(code: str, version: int | None = VersionQuery, s: Session = Depends(get_session)) -> ElementOut:
    return _el(plans.element(s, plans.get_version(s, None, version), code, "measure"))


@router.get("/elements", response_model=Page, summary="Any plan elements, filtered by kind and parent")
def list_elements(kind: str | None = Query(None, description="e.g. project, target, goal, principle"),
                  parent: str | None = None, version: int | None = VersionQuery, offset: int = Offset,
                  limit: int = Limit, s: Session = Depends(get_session)) -> Page:
    v = plans.get_version(s, None, version)
    return _page([_el(e) for e in plans.elements(s, v, kind, parent)], offset, limit)


@router.get("/places", response_model=Page, summary="Places of the spatial structure")
def list_places(zone: str | None = Query(None, pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$",
                                         description="a zone code of the plan"),
                version: int | None = VersionQuery, offset: int = Offset, limit: int = Limit,
                s: Session = Depends(get_session)) -> Page:
    v = plans.get_version(s, None, version)
    items = [_el(e) for e in plans.elements(s, v, "place") if zone is None or e.attrs.get("zone") == zone]
    return _page(items, offset, limit)


@router.get("/glossary", response_model=Page, summary="Glossary terms with the elements that use them")
def list_glossary(version: int | None = VersionQuery, offset: int = Offset, limit: int = Limit,
                  s: Session = Depends(get_session)) -> Page:
    v = plans.get_version(s, None, version)
    uses = plans.term_uses(s, v)
    items = [{**_el(g).model_dump(), "used_in": uses.get(g.code, [])} for g in plans.elements(s, v, "glossary_term")]
    return _page(items, offset, limit)


def _ind(i: Indicator) -> IndicatorOut:
    return IndicatorOut(
        code=i.code, name=Bilingual(zh=i.name_zh, en=i.name_en), unit=Bilingual(zh=i.unit_zh, en=i.unit_en),
        direction=i.direction,
        observations=[ObservationOut(year=o.year, period=o.period, value=o.value, qualifier=o.qualifier,
                                     scope=Bilingual(zh=o.scope_zh, en=o.scope_en), source_kind=o.source_kind,
                                     source=o.source, quote=o.quote, is_demo=o.is_demo) for o in i.observations],
    )


@router.get("/indicators", response_model=Page, summary="Indicators with their observations")
def list_indicators(offset: int = Offset, limit: int = Limit, s: Session = Depends(get_session)) -> Page:
    plan = plans.get_plan(s)
    items = [_ind(i) for i in indicators.list_indicators(s, plan.id, offset=offset, limit=limit)]
    return Page(total=indicators.count_indicators(s, plan.id), offset=offset, limit=limit, items=items)


@router.get("/indicators/{code}", response_model=IndicatorOut, summary="One indicator with its observations")
def get_indicator(code: str, s: Session = Depends(get_session)) -> IndicatorOut:
    found = indicators.list_indicators(s, plans.get_plan(s).id, code=code)
    if not found:
        raise plans.PlanNotFound(f"no indicator {code!r}")
    return _ind(found[0])


@router.get("/versions", response_model=list[VersionOut], summary="Versions of the plan (who, when, why)")
def list_versions(s: Session = Depends(get_session)) -> list[VersionOut]:
    return [_ver(v) for v in plans.list_versions(s)]


@router.get("/versions/diff", response_model=list[DiffOut], summary="Differences between two versions")
def diff(a: int = Query(..., ge=1), b: int = Query(..., ge=1), s: Session = Depends(get_session)) -> list[DiffOut]:
    return [DiffOut(code=d.code, kind=d.kind, status=d.status, fields={k: list(v) for k, v in d.fields.items()})
            for d in plans.diff_versions(s, a, b)]
