"""Plan-office administration pages: organisations and accounts, indicator settings and targets,
reporting periods; and the audit trail (every role sees what concerns it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kechuang.accounts import service as accounts
from kechuang.core import clock
from kechuang.core.access import Principal, Role
from kechuang.core.numbers import NumberError, parse_number
from kechuang.indicators import profile_service as monitoring
from kechuang.indicators import service as indicators
from kechuang.indicators.profiles import BINDINGS, FREQUENCIES, KINDS, METHODS, RULES
from kechuang.plan import service as plans
from kechuang.submissions import service as submissions
from kechuang.submissions.completeness import completeness
from kechuang.web import audit_view
from kechuang.web.i18n import request_lang, t
from kechuang.web.pages import render
from kechuang.web.security import admin_only, db, plan_office, principal

router = APIRouter(include_in_schema=False)


@router.get("/admin", response_class=HTMLResponse)
def admin_home(who: Principal = Depends(admin_only)) -> Response:
    return RedirectResponse("/admin/accounts", status_code=303)


@router.get("/admin/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, who: Principal = Depends(admin_only), s: Session = Depends(db)) -> HTMLResponse:
    return render(request, "monitoring/admin_accounts.html", who=who, accounts=accounts.accounts(s),
                  departments=accounts.departments(s), roles=list(Role), done=request.query_params.get("done"))


@router.post("/admin/accounts")
def create_account(username: str = Form(...), display_name: str = Form(""), password: str = Form(...),
                   role: str = Form(""), department_id: str = Form(""), email: str = Form(""),
                   who: Principal = Depends(admin_only), s: Session = Depends(db)) -> Response:
    accounts.create_account(s, who, username=username, display_name=display_name, password=password,
                            role=role, department_id=int(department_id) if department_id.isdigit() else None,
                            email=email)
    s.commit()
    return RedirectResponse("/admin/accounts?done=created", status_code=303)


@router.post("/admin/accounts/{account_id}")
def update_account(account_id: int, role: str = Form(""), department_id: str = Form(""),
                   display_name: str = Form(""), email: str | None = Form(None), who: Principal = Depends(admin_only),
                   s: Session = Depends(db)) -> Response:
    """Change an account's role, department and e-mail address (audited)."""
    accounts.update_account(s, who, account_id, role=role, display_name=display_name, email=email,
                            department_id=int(department_id) if department_id.isdigit() else None)
    s.commit()
    return RedirectResponse("/admin/accounts?done=updated", status_code=303)


@router.post("/admin/accounts/{account_id}/password")
def reset_password(account_id: int, password: str = Form(...), who: Principal = Depends(admin_only),
                   s: Session = Depends(db)) -> Response:
    """Give an account a temporary password; its next login must set a new one (audited)."""
    accounts.reset_password(s, who, account_id, password)
    s.commit()
    return RedirectResponse("/admin/accounts?done=reset", status_code=303)


@router.post("/admin/accounts/{account_id}/active")
def set_active(account_id: int, active: str = Form(...), reason: str = Form(""),
               who: Principal = Depends(admin_only), s: Session = Depends(db)) -> Response:
    accounts.set_active(s, who, account_id, active == "1", reason)
    s.commit()
    return RedirectResponse("/admin/accounts", status_code=303)


@router.post("/admin/departments")
def create_department(code: str = Form(...), name_zh: str = Form(...), name_en: str = Form(""),
                      kind: str = Form("department"), who: Principal = Depends(admin_only),
                      s: Session = Depends(db)) -> Response:
    accounts.create_department(s, who, code=code.strip(), name_zh=name_zh.strip(), name_en=name_en.strip(), kind=kind)
    s.commit()
    return RedirectResponse("/admin/accounts", status_code=303)


MISSING = ("owner", "baseline", "target")
"""What the indicator list can be filtered by as not yet set."""


@router.get("/admin/indicators", response_class=HTMLResponse)
def indicators_page(request: Request, q: str = Query(""), department: str = Query(""), missing: str = Query(""),
                    who: Principal = Depends(admin_only), s: Session = Depends(db)) -> HTMLResponse:
    """The indicators with their settings; ``q`` searches code and names, ``department`` keeps one owner's
    (``none``: no owner), ``missing`` keeps those without an owner, a baseline or a target."""
    plan = plans.get_plan(s)
    rows = [(i, monitoring.profile_of(s, i.id)) for i in indicators.list_indicators(s, plan.id)]
    total = len(rows)
    needle = q.strip().lower()
    if needle:
        rows = [(i, p) for i, p in rows if needle in f"{i.code} {i.name_zh} {i.name_en}".lower()]
    if department == "none":
        rows = [(i, p) for i, p in rows if p is None or p.owner_department_id is None]
    elif department.isdigit():
        rows = [(i, p) for i, p in rows if p is not None and p.owner_department_id == int(department)]
    if missing == "owner":
        rows = [(i, p) for i, p in rows if p is None or p.owner_department_id is None]
    elif missing == "baseline":
        rows = [(i, p) for i, p in rows if p is None or p.baseline_value is None]
    elif missing == "target":
        rows = [(i, p) for i, p in rows if p is None or not p.targets]
    return render(request, "monitoring/admin_indicators.html", who=who, rows=rows, total=total, q=q,
                  department=department, missing=missing, missing_choices=MISSING,
                  departments=accounts.departments(s))


def _indicator_page(request: Request, s: Session, who: Principal, code: str, *, errors: dict[str, str] | None = None,
                    typed: dict[str, str] | None = None, message: str = "", status_code: int = 200) -> HTMLResponse:
    """The settings form; after a refused save ``typed`` refills every field and ``errors`` (field → reason)
    is shown beside each offending field."""
    v = plans.latest_version(s)
    ind = monitoring.indicator_by_code(s, v.plan_id, code)
    linked = [c for c, inds in monitoring.links(s, v.plan_id).items() if any(i.id == ind.id for i in inds)]
    tasks = [(e.code, e) for e in plans.elements(s, v) if e.kind in ("task", "measure")]
    profile = monitoring.ensure_profile(s, ind)
    suggestion = None
    if profile.baseline_value is None and not typed:
        suggestion = monitoring.baseline_suggestion(s, ind, int(v.document["plan"]["period_start"]))
    return render(request, "monitoring/admin_indicator.html", status_code=status_code, who=who, ind=ind,
                  profile=profile, departments=accounts.departments(s), linked=linked, suggestion=suggestion,
                  tasks=tasks, errors=errors or {}, typed=typed or {}, message=message,
                  saved=request.query_params.get("saved"),
                  choices={"frequency": FREQUENCIES, "kind": KINDS, "binding": BINDINGS, "method": METHODS,
                           "rule": RULES})


@router.get("/admin/indicators/{code}", response_class=HTMLResponse)
def indicator_settings(request: Request, code: str, who: Principal = Depends(admin_only),
                       s: Session = Depends(db)) -> HTMLResponse:
    response = _indicator_page(request, s, who, code)
    s.commit()  # a profile with defaults may have been created
    return response


_NUMBERS = {"baseline_value": ("baseline", "value"), "valid_min": ("valid_min",), "valid_max": ("valid_max",),
            "max_change_pct": ("max_change_pct",)}
"""The number fields of the settings form and the catalog keys of their labels."""
_TEXTS = ("data_source_zh", "data_source_en", "baseline_source", "rule_reason_zh", "rule_reason_en", "frequency",
          "kind", "binding", "method", "rule")


@router.post("/admin/indicators/{code}", response_class=HTMLResponse)
async def save_indicator_settings(request: Request, code: str, who: Principal = Depends(admin_only),
                                  s: Session = Depends(db)) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return await run_in_threadpool(_save_settings, request, s, who, code, fields)


def _label(field: str, lang: str) -> str:
    return " ".join(t(key, lang) for key in _NUMBERS.get(field, (field,)))


def _save_settings(request: Request, s: Session, who: Principal, code: str, form: dict[str, str]) -> Response:
    lang = request_lang(request)
    v = plans.latest_version(s)
    ind = monitoring.indicator_by_code(s, v.plan_id, code)
    changes: dict[str, Any] = {k: form.get(k, "").strip() for k in _TEXTS if k in form}
    errors: dict[str, str] = {}
    unit = ind.unit_zh
    for k in _NUMBERS:
        if k in form:
            try:
                changes[k] = parse_number(form[k], unit if k != "max_change_pct" else "%")
            except NumberError as exc:
                errors[k] = f"{_label(k, lang)}：{exc.reason(lang)}"
    if "baseline_year" in form:
        year = form["baseline_year"].strip()
        if year and not (year.isdigit() and 1949 <= int(year) <= 2100):
            errors["baseline_year"] = f"{t('baseline', lang)} {t('year', lang)}：{t('year_expected', lang)}"
        else:
            changes["baseline_year"] = int(year) if year else None
    if "owner_department_id" in form:
        changes["owner_department_id"] = int(form["owner_department_id"]) if form["owner_department_id"] else None
    changes["required"] = form.get("required") == "1"
    changes["is_demo"] = form.get("is_demo") == "1"
    version = form.get("version", "")
    if not version.isdigit():
        errors["version"] = t("settings_version_missing", lang)
    if errors:
        return _indicator_page(request, s, who, code, errors=errors, typed=form, status_code=422)
    try:
        monitoring.update_profile(s, who, ind, changes, expected_version=int(version), reason=form.get("reason", ""))
    except monitoring.ProfileError as exc:
        s.rollback()
        key = exc.field if exc.field in _NUMBERS or exc.field in _TEXTS else "form"
        return _indicator_page(request, s, who, code, errors={key: f"{_label(key, lang)}：{exc.reason(lang)}"},
                               typed=form, status_code=422)
    except monitoring.StaleEdit as exc:
        s.rollback()
        return _indicator_page(request, s, who, code, typed=form, message=str(exc), status_code=409)
    s.commit()
    return RedirectResponse(f"/admin/indicators/{code}?saved=1", status_code=303)


@router.post("/admin/indicators/{code}/targets")
def save_target(request: Request, code: str, year: str = Form(""), value: str = Form(""), is_demo: str = Form(""),
                note: str = Form(""), who: Principal = Depends(admin_only), s: Session = Depends(db)) -> Response:
    """Set (empty value: remove) the target of a year; a refusal keeps what was typed, the error on its field."""
    lang = request_lang(request)
    v = plans.latest_version(s)
    ind = monitoring.indicator_by_code(s, v.plan_id, code)
    errors: dict[str, str] = {}
    year = year.strip()
    if not (year.isdigit() and 1949 <= int(year) <= 2100):
        errors["target_year"] = f"{t('year', lang)}：{t('year_expected', lang)}"
    try:
        number = parse_number(value, ind.unit_zh)
    except NumberError as exc:
        errors["target_value"] = f"{t('value', lang)}：{exc.reason(lang)}"
    if errors:
        typed = {"target_year": year, "target_value": value, "target_note": note, "target_is_demo": is_demo}
        return _indicator_page(request, s, who, code, errors=errors, typed=typed, status_code=422)
    monitoring.set_target(s, who, ind, int(year), number, is_demo=is_demo == "1", note=note.strip())
    s.commit()
    return RedirectResponse(f"/admin/indicators/{code}?saved=1", status_code=303)


@router.post("/admin/indicators/{code}/links")
def add_link(code: str, element_code: str = Form(...), who: Principal = Depends(admin_only),
             s: Session = Depends(db)) -> Response:
    v = plans.latest_version(s)
    ind = monitoring.indicator_by_code(s, v.plan_id, code)
    plans.element(s, v, element_code)
    monitoring.link_indicator(s, who, ind, element_code)
    s.commit()
    return RedirectResponse(f"/admin/indicators/{code}", status_code=303)


@router.get("/admin/periods", response_class=HTMLResponse)
def periods_page(request: Request, opened: str = Query(""), who: Principal = Depends(admin_only),
                 s: Session = Depends(db)) -> HTMLResponse:
    """The reporting periods; after opening one (``opened``), what it created and for which frequency."""
    plan = plans.get_plan(s)
    all_periods = submissions.periods(s, plan.id)
    subs = submissions.visible_submissions(s, who)
    just_opened = next((p for p in all_periods if p.code == opened), None)
    created = [x for x in subs if just_opened is not None and x.period_id == just_opened.id]
    return render(request, "monitoring/admin_periods.html", who=who, periods=all_periods, subs=subs,
                  state_label=submissions.state_label, opened=just_opened, created=created,
                  frequency=submissions.period_frequency(opened) if just_opened else "")


@router.post("/admin/periods")
def open_period(code: str = Form(...), label_zh: str = Form(...), label_en: str = Form(""),
                due_on: dt.date = Form(...), who: Principal = Depends(admin_only),
                s: Session = Depends(db)) -> Response:
    plan = plans.get_plan(s)
    period = submissions.open_period(s, who, plan_id=plan.id, code=code.strip(), label_zh=label_zh.strip(),
                                     label_en=label_en.strip(), due_on=due_on)
    s.commit()
    return RedirectResponse(f"/admin/periods?opened={period.code}", status_code=303)


@router.get("/admin/periods/{code}/completeness", response_class=HTMLResponse)
def completeness_page(request: Request, code: str, who: Principal = Depends(plan_office),
                      s: Session = Depends(db)) -> HTMLResponse:
    """Reporting completeness of a period: each department's state, indicators filled, on time or late."""
    plan = plans.get_plan(s)
    tz = clock.zone()
    report = completeness(s, who, plan.id, code, today=clock.today(), tz=tz)
    return render(request, "monitoring/completeness.html", who=who, report=report,
                  state_label=submissions.state_label)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, who: Principal = Depends(principal), s: Session = Depends(db)) -> Response:
    """The audit trail: everything for the plan office, one's own department for the others; filtered by who,
    what, when and department (kechuang.web.audit_view), as a page or (``format=csv|xlsx``) a file."""
    return audit_view.respond(request, who, s)
