"""Public disclosure portal: public opinions (comment on a task, measure, project or indicator; campaigns;
plan-office moderation and official replies), the map of the spatial structure, key projects and data
coverage. Handlers translate HTTP into service calls and render templates under ``templates/portal/``.

Moderation and replies are protected by one dependency each (``MODERATOR`` and ``REPLIER``, from
``kechuang.web.security.require``); every POST carries the CSRF token (``security.security_context``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from kechuang.accounts import service as accounts
from kechuang.comments import service as comments
from kechuang.comments.models import STATUSES, TARGET_KINDS
from kechuang.comments.schemas import CampaignIn, CommentForm, TopicSummary
from kechuang.core import clock
from kechuang.core.access import Principal, Role
from kechuang.core.settings import Settings, get_settings
from kechuang.core.spreadsheet import csv_bytes, xlsx_bytes
from kechuang.indicators import service as indicators
from kechuang.opendata import formats
from kechuang.opendata.coverage import coverage
from kechuang.opendata.projects import key_projects
from kechuang.plan import service as plans
from kechuang.plan.models import PlanElement, PlanVersion
from kechuang.web.downloads import attachment
from kechuang.web.i18n import request_lang, t
from kechuang.web.pages import place_labels, render
from kechuang.web.security import CSRF_COOKIE, db, require

router = APIRouter(include_in_schema=False)

MODERATOR = Depends(require(*comments.MODERATORS))
REPLIER = Depends(require(*comments.MODERATORS, Role.REVIEWER))


def comment_settings() -> Settings:
    """The comment settings (a dependency, so tests and deployments can override it)."""
    return get_settings()


def _today() -> dt.date:
    return clock.today()


# ---------------------------------------------------------------- public opinions


def _csrf(request: Request) -> tuple[str, bool]:
    """The CSRF token for a form on this page, and whether the pre-login cookie must be set."""
    token = getattr(request.state, "csrf", "") or request.cookies.get(CSRF_COOKIE, "")
    return (token, False) if token else (secrets.token_urlsafe(32), True)


def _target_context(s: Session, v: PlanVersion, kind: str, code: str) -> dict[str, Any]:
    """What the item page shows about the item beside its comments."""
    if kind == "indicator":
        found = indicators.list_indicators(s, v.plan_id, code=code)
        return {"indicator": found[0] if found else None}
    el = plans.element(s, v, code, kind)
    ctx: dict[str, Any] = {"element": el}
    if kind == "task":
        ctx["children"] = plans.elements(s, v, "measure", code)
    elif kind == "measure":
        ctx["children"] = plans.elements(s, v, "project", code)
        ctx["parent"] = plans.element(s, v, el.parent_code or "", "task")
    else:
        ctx["parent"] = plans.element(s, v, el.parent_code or "", "measure")
    return ctx


def _error_message(exc: comments.CommentError, lang: str, settings: Settings) -> str:
    if isinstance(exc, comments.RateLimited):
        return t("po_err_rate", lang).format(time=clock.clock_text(exc.until))
    key = {("invalid", "body"): "po_err_body", ("invalid", "author_name"): "po_err_name",
           ("spam", "body"): "po_err_links", ("spam", "website"): "po_err_spam",
           ("spam", "token"): "po_err_token", ("duplicate", "body"): "po_err_duplicate"}.get(
        (exc.code, exc.field), "po_err_body")
    return t(key, lang).format(min=settings.comment_min_length, max=settings.comment_max_length,
                               links=settings.comment_max_links, name=comments.MAX_NAME_LENGTH)


def _item_page(request: Request, s: Session, settings: Settings, kind: str, code: str, *,
               status_code: int = 200, error: str = "", error_field: str = "", form: CommentForm | None = None,
               sent: bool = False) -> HTMLResponse:
    if kind not in TARGET_KINDS:
        raise plans.PlanNotFound(f"comments are taken on {', '.join(TARGET_KINDS)}, not {kind!r}")
    v = plans.latest_version(s)
    try:
        target = comments.resolve_target(s, v.plan_id, kind, code)
    except comments.UnknownTarget as exc:
        raise plans.PlanNotFound(str(exc)) from None
    csrf, new_cookie = _csrf(request)
    campaign = comments.open_campaign(s, v.plan_id, clock.today())
    response = render(request, "portal/opinion_item.html", status_code=status_code, version=v, target=target,
                      kind=kind, code=code, shown=comments.published(s, v.plan_id, kind, code), csrf=csrf,
                      token=comments.issue_token(settings, kind, code), error=error, error_field=error_field,
                      form=form, sent=sent, campaign=campaign, settings=settings,
                      **_target_context(s, v, kind, code))
    if new_cookie:
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="lax", path="/",
                            secure=request.app.state.account_settings.secure_cookies)
    return response


@router.get("/opinions", response_class=HTMLResponse)
def opinions_home(request: Request, s: Session = Depends(db),
                  settings: Settings = Depends(comment_settings)) -> HTMLResponse:
    v = plans.latest_version(s)
    recent = list(reversed(comments.published(s, v.plan_id)))[:20]
    tree = {e.code: e for e in plans.elements(s, v) if e.kind in ("task", "measure", "project")}
    names = {i.code: i for i in indicators.list_indicators(s, v.plan_id)}
    areas = [(a, plans.elements(s, v, "task", a.code)) for a in plans.elements(s, v, "area")]
    return render(request, "portal/opinions.html", version=v, recent=recent, tree=tree, names=names, areas=areas,
                  campaigns=comments.campaigns(s, v.plan_id), today=clock.today(),
                  counts=comments.published_counts(s, v.plan_id), settings=settings)


@router.get("/opinions/summary.{fmt}")
def opinions_summary(fmt: str, campaign: int | None = Query(None), s: Session = Depends(db)) -> Response:
    """What was received, by topic, as CSV or XLSX (counts only; comment texts are in the open data)."""
    v = plans.latest_version(s)
    if campaign is not None:
        comments.get_campaign(s, campaign)
    rows = comments.summary(s, v.plan_id, campaign)
    name = f"opinions-summary{'-campaign-' + str(campaign) if campaign else ''}"
    if fmt == "csv":
        return Response(_summary_csv(rows), media_type=formats.MEDIA_TYPES["csv"],
                        headers=attachment(f"{name}.csv"))
    if fmt == "xlsx":
        return Response(_summary_xlsx(rows), media_type=formats.MEDIA_TYPES["xlsx"],
                        headers=attachment(f"{name}.xlsx"))
    raise plans.PlanNotFound(f"no summary format {fmt!r} (csv or xlsx)")


SUMMARY_COLUMNS = ("topic_kind", "topic_code", "number", "title_zh", "title_en", "received", "published",
                   "pending", "rejected", "replied")


def _summary_csv(rows: list[TopicSummary]) -> bytes:
    return csv_bytes(SUMMARY_COLUMNS, ([r.model_dump()[c] for c in SUMMARY_COLUMNS] for r in rows))


def _summary_xlsx(rows: list[TopicSummary]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "summary"
    ws.append(list(SUMMARY_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r.model_dump()[c] for c in SUMMARY_COLUMNS])
    return xlsx_bytes(wb)


@router.get("/opinions/{kind}/{code}", response_class=HTMLResponse)
def opinion_item(kind: str, code: str, request: Request, sent: int = Query(0), s: Session = Depends(db),
                 settings: Settings = Depends(comment_settings)) -> HTMLResponse:
    return _item_page(request, s, settings, kind, code, sent=bool(sent))


@router.post("/opinions/{kind}/{code}", response_class=HTMLResponse)
def opinion_submit(kind: str, code: str, request: Request, body: str = Form(""), author_name: str = Form(""),
                   token: str = Form(""), website: str = Form(""), s: Session = Depends(db),
                   settings: Settings = Depends(comment_settings)) -> Response:
    if kind not in TARGET_KINDS or len(code) > 100:
        raise plans.PlanNotFound(f"no {kind} {code!r} to comment on")
    form = CommentForm(target_kind=kind, target_code=code, body=body, author_name=author_name, token=token,  # type: ignore[arg-type]
                       website=website)
    plan = plans.get_plan(s)
    try:
        comments.submit(s, settings, plan.id, form, client_ip=request.client.host if request.client else "")
    except comments.UnknownTarget as exc:
        raise plans.PlanNotFound(str(exc)) from None
    except comments.CommentError as exc:
        s.rollback()
        status = 429 if isinstance(exc, comments.RateLimited) else 400
        response = _item_page(request, s, settings, kind, code, status_code=status, form=form,
                              error=_error_message(exc, request_lang(request), settings), error_field=exc.field)
        if isinstance(exc, comments.RateLimited):
            response.headers["Retry-After"] = str(max(1, int((exc.until - dt.datetime.now(dt.UTC)).total_seconds())))
        return response
    s.commit()
    return RedirectResponse(f"/opinions/{kind}/{code}?sent=1#comment-form", status_code=303)


# ---------------------------------------------------------------- moderation (plan office) and replies


@router.get("/admin/opinions", response_class=HTMLResponse)
def moderation_page(request: Request, status: str = Query("pending"), who: Principal = REPLIER,
                    s: Session = Depends(db), error: str = "") -> HTMLResponse:
    plan = plans.get_plan(s)
    moderator = who.role in comments.MODERATORS
    if status not in STATUSES or (not moderator and status != "published"):
        status = "published" if not moderator else "pending"
    rows = comments.queue(s, who, plan.id, status) if moderator else comments.answerable(s, who, plan.id)
    v = plans.latest_version(s)
    targets = comments.resolve_targets(s, plan.id, sorted({(c.target_kind, c.target_code) for c in rows}))
    return render(request, "portal/moderation.html", version=v, who=who, status=status, rows=rows, targets=targets,
                  moderator=moderator, departments=accounts.departments(s) if moderator else [],
                  campaigns=comments.campaigns(s, plan.id) if moderator else [], error=error,
                  csrf=getattr(request.state, "csrf", ""))


def _back(status: str, comment_id: int | None = None) -> RedirectResponse:
    anchor = f"#c{comment_id}" if comment_id else ""
    return RedirectResponse(f"/admin/opinions?status={status}{anchor}", status_code=303)


@router.post("/admin/opinions/{comment_id}/publish")
def moderation_publish(comment_id: int, who: Principal = MODERATOR, s: Session = Depends(db)) -> Response:
    comments.publish(s, who, comment_id)
    s.commit()
    return _back("pending")


@router.post("/admin/opinions/{comment_id}/reject", response_class=HTMLResponse)
def moderation_reject(comment_id: int, request: Request, reason: str = Form(""), who: Principal = MODERATOR,
                      s: Session = Depends(db)) -> Response:
    try:
        comments.reject(s, who, comment_id, reason)
    except comments.ModerationError:
        s.rollback()
        return _moderation_error(request, who, s, "po_err_reason", "pending")
    s.commit()
    return _back("pending")


@router.post("/admin/opinions/{comment_id}/reply", response_class=HTMLResponse)
def moderation_reply(comment_id: int, request: Request, body: str = Form(""), department: str = Form(""),
                     who: Principal = REPLIER, s: Session = Depends(db)) -> Response:
    try:
        comments.reply(s, who, comment_id, body, department_id=int(department) if department.isdigit() else None)
    except comments.ModerationError:
        s.rollback()
        return _moderation_error(request, who, s, "po_err_reply", "published")
    s.commit()
    return _back("published", comment_id)


@router.post("/admin/opinions/campaigns", response_class=HTMLResponse)
def campaign_create(request: Request, title_zh: str = Form(""), title_en: str = Form(""),
                    description_zh: str = Form(""), description_en: str = Form(""), starts_on: str = Form(""),
                    ends_on: str = Form(""), who: Principal = MODERATOR, s: Session = Depends(db)) -> Response:
    try:
        data = CampaignIn(title_zh=title_zh.strip(), title_en=title_en.strip(), description_zh=description_zh.strip(),
                          description_en=description_en.strip(), starts_on=starts_on, ends_on=ends_on)  # type: ignore[arg-type]
    except ValueError:
        return _moderation_error(request, who, s, "po_err_campaign", "pending")
    comments.create_campaign(s, who, plans.get_plan(s).id, data)
    s.commit()
    return RedirectResponse("/opinions", status_code=303)


def _moderation_error(request: Request, who: Principal, s: Session, key: str, status: str) -> HTMLResponse:
    response = moderation_page(request, status=status, who=who, s=s, error=t(key, request_lang(request)))
    response.status_code = 400
    return response


# ---------------------------------------------------------------- map, key projects, coverage


@lru_cache(maxsize=8)
def _outline(path: Path) -> bytes:
    return path.read_bytes()


@router.get("/map/districts.geojson")
def districts_geojson(s: Session = Depends(db)) -> Response:
    """The district outline of the plan's bundle (source, licence and precision: the bundle's map README)."""
    bundle = plans.bundle_of(s, plans.latest_version(s))
    if bundle is None or bundle.map_outline is None:
        raise plans.PlanNotFound("the plan's bundle has no map outline")
    return Response(_outline(bundle.map_outline), media_type="application/geo+json",
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, s: Session = Depends(db)) -> HTMLResponse:
    v = plans.latest_version(s)
    lang = request_lang(request)
    places = plans.elements(s, v, "place")
    by_code = {p.code: p for p in places}
    labels = place_labels(s, v, lang)
    points = [{"name": p.title(lang), "code": p.code, "zone": p.attrs.get("zone") or "none",
               "type": labels["place_types"].get(p.attrs["place_type"], p.attrs["place_type"]),
               "approximate": bool(p.attrs.get("approximate")),
               "value": [p.attrs["lon"], p.attrs["lat"]]}
              for p in places if p.attrs.get("lon") is not None and p.attrs.get("lat") is not None]
    projects: dict[str, list[PlanElement]] = {}
    for pr in plans.elements(s, v, "project"):
        if pr.attrs.get("place"):
            projects.setdefault(pr.attrs["place"], []).append(pr)
    bundle = plans.bundle_of(s, v)
    term = next((g for g in plans.elements(s, v, "glossary_term")
                 if bundle is not None and g.code == bundle.manifest.places_term), None)
    return render(request, "portal/map.html", version=v, places=places, by_code=by_code, points=points,
                  projects=projects, term=term, map=bundle.manifest.map if bundle else None,
                  **labels)


@router.get("/projects", response_class=HTMLResponse)
def projects_page(request: Request, s: Session = Depends(db)) -> HTMLResponse:
    v = plans.latest_version(s)
    today = _today()
    groups = key_projects(s, v, today)
    tracked = any(m.items or any(items for _, _, items in m.projects) for g in groups for m in g.measures)
    return render(request, "portal/projects.html", version=v, groups=groups, tracked=tracked, today=today,
                  counts=comments.published_counts(s, v.plan_id),
                  total=sum(g.count for g in groups))


@router.get("/coverage", response_class=HTMLResponse)
def coverage_page(request: Request, s: Session = Depends(db)) -> HTMLResponse:
    v = plans.latest_version(s)
    return render(request, "portal/coverage.html", version=v, cov=coverage(s, v, _today()),
                  kinds=("plan_text", "published", "submission", "demo"))

