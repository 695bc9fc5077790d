"""Pages of supervision (督办): the items an account may see, one item (acknowledge, report progress with
evidence, milestones, review), evidence downloads and the e-mail-ready digest of a department."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from kechuang.accounts import service as accounts
from kechuang.assessment.reminders import deadline_kind_label, digest
from kechuang.audit.service import trail
from kechuang.core import clock
from kechuang.core.access import Principal, Role
from kechuang.notifications import ladder
from kechuang.plan import service as plans
from kechuang.plan.models import PlanElement
from kechuang.progress import Stage
from kechuang.supervision import service as supervision
from kechuang.supervision.models import EvidenceFile, Milestone, SupervisionItem
from kechuang.web.pages import render
from kechuang.web.resources import visible_evidence, visible_item, visible_milestone
from kechuang.web.security import admin_only, db, principal

router = APIRouter(include_in_schema=False)


@router.get("/supervision", response_class=HTMLResponse)
def items_page(request: Request, who: Principal = Depends(principal), s: Session = Depends(db)) -> HTMLResponse:
    plan = plans.get_plan(s)
    today = clock.today()
    days = request.app.state.supervision_settings.reminder_days
    items = [(i, supervision.item_status(i, today, days)) for i in supervision.visible_items(s, who, plan.id)]
    return render(request, "monitoring/supervision_list.html", who=who, items=items, today=today,
                  departments=accounts.departments(s) if who.role is Role.ADMIN else [],
                  measures=_assignable(s) if who.role is Role.ADMIN else [])


def _assignable(s: Session) -> list[tuple[str, PlanElement]]:
    """Measures and key projects of the plan, as (code, element) for the admin's assignment form (the page
    shows each title in its language)."""
    v = plans.latest_version(s)
    return [(e.code, e) for e in plans.elements(s, v) if e.kind in ("measure", "project")]


@router.get("/supervision/digest.txt", response_class=PlainTextResponse)
def digest_text(request: Request, department: str = Query(..., description="department code"),
                who: Principal = Depends(principal), s: Session = Depends(db)) -> PlainTextResponse:
    """The e-mail-ready reminder digest of one department (its own, or any for the plan office)."""
    dept = accounts.department_by_code(s, department)
    who.require_department(dept.id, "the digest")
    plan = plans.get_plan(s)
    base = str(request.base_url).rstrip("/")
    text = digest(s, dept, plan.id, clock.today(), request.app.state.supervision_settings.reminder_days, base)
    return PlainTextResponse(text)


@router.get("/supervision/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, item: SupervisionItem = Depends(visible_item), who: Principal = Depends(principal),
              s: Session = Depends(db)) -> HTMLResponse:
    today = clock.today()
    status = supervision.item_status(item, today, request.app.state.supervision_settings.reminder_days)
    reporter = who.role in supervision.REPORTING_ROLES
    is_lead = reporter and who.department_id == item.lead_department_id
    return render(request, "monitoring/supervision_item.html", who=who, item=item, status=status, today=today,
                  stage_zh=Stage(item.stage).zh, is_lead=is_lead,
                  can_acknowledge=is_lead and item.stage == Stage.ASSIGNED.value,
                  can_report=reporter and who.department_id in item.department_ids()
                  and item.stage != Stage.CLOSED.value,
                  can_review=who.role in supervision.REVIEWING_ROLES and item.stage == Stage.FEEDBACK.value,
                  trail=trail(s, who, entity="supervision_item", entity_id=item.id),
                  ladder=ladder.steps_of(s, item.id), step_label=ladder.step_label,
                  deadline_kind=deadline_kind_label,
                  settings=request.app.state.supervision_settings)


@router.post("/supervision/{item_id}/acknowledge")
def acknowledge(item: SupervisionItem = Depends(visible_item), version: int | None = Form(None),
                who: Principal = Depends(principal), s: Session = Depends(db)) -> Response:
    supervision.acknowledge(s, who, item.id, expected_version=version)
    s.commit()
    return RedirectResponse(f"/supervision/{item.id}", status_code=303)


@router.post("/supervision/{item_id}/reports")
def report(request: Request, item: SupervisionItem = Depends(visible_item), text: str = Form(""),
           percent: int = Form(..., ge=0, le=100), version: int | None = Form(None),
           files: list[UploadFile] = File(default=[]), who: Principal = Depends(principal),
           s: Session = Depends(db)) -> Response:
    uploads = tuple(supervision.Upload(f.filename or "evidence", f.file.read()) for f in files if f.filename)
    supervision.report_progress(s, who, item.id, text=text, percent=percent, files=uploads, expected_version=version,
                                settings=request.app.state.supervision_settings)
    s.commit()
    return RedirectResponse(f"/supervision/{item.id}", status_code=303)


@router.post("/supervision/{item_id}/review")
def review(item: SupervisionItem = Depends(visible_item), decision: str = Form(...), comment: str = Form(""),
           version: int | None = Form(None), who: Principal = Depends(principal), s: Session = Depends(db)) -> Response:
    supervision.review(s, who, item.id, close=decision == "close", comment=comment, today=clock.today(),
                       expected_version=version)
    s.commit()
    return RedirectResponse(f"/supervision/{item.id}", status_code=303)


@router.post("/supervision/{item_id}/milestones")
def add_milestone(item: SupervisionItem = Depends(visible_item), title: str = Form(...), due_on: dt.date = Form(...),
                  who: Principal = Depends(admin_only), s: Session = Depends(db)) -> Response:
    supervision.add_milestone(s, who, item.id, title, due_on)
    s.commit()
    return RedirectResponse(f"/supervision/{item.id}", status_code=303)


@router.post("/supervision/milestones/{milestone_id}")
def milestone(ms: Milestone = Depends(visible_milestone), done: str = Form("1"), who: Principal = Depends(principal),
              s: Session = Depends(db)) -> Response:
    item_id = ms.item_id
    supervision.set_milestone_done(s, who, ms.id, clock.today() if done == "1" else None)
    s.commit()
    return RedirectResponse(f"/supervision/{item_id}", status_code=303)


@router.get("/supervision/evidence/{evidence_id}")
def evidence(found: tuple[EvidenceFile, Path] = Depends(visible_evidence)) -> FileResponse:
    ev, path = found
    return FileResponse(path, media_type=ev.content_type, filename=ev.filename)


@router.post("/supervision")
def create_item(request: Request, element_code: str = Form(...), lead: int = Form(...),
                co: list[int] = Form(default=[]), deadline: dt.date = Form(...),
                who: Principal = Depends(admin_only), s: Session = Depends(db)) -> Response:
    """The plan office assigns a measure or key project (立项 + 交办)."""
    v = plans.latest_version(s)
    el = plans.element(s, v, element_code)
    item = supervision.create_item(s, who, plan_id=v.plan_id, element_code=el.code, title_zh=el.title_zh,
                                   title_en=el.title_en, lead_department_id=lead,
                                   co_department_ids=tuple(c for c in co if c != lead), deadline=deadline)
    s.commit()
    return RedirectResponse(f"/supervision/{item.id}", status_code=303)

