"""Pages of data submission: a department's inbox, the review queue, a submission (web form, Excel
template download and upload, approval buttons, audit trail)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kechuang.accounts.access import Principal, Role
from kechuang.monitoring.reminders import reminders
from kechuang.monitoring.service import StaleEdit
from kechuang.plan import service as plans
from kechuang.submissions import service as submissions
from kechuang.submissions.excel import MAX_BYTES
from kechuang.submissions.models import Submission
from kechuang.submissions.validation import Problem, parse_number
from kechuang.supervision import service as supervision
from kechuang.web.downloads import attachment
from kechuang.web.i18n import STRINGS
from kechuang.web.pages import render
from kechuang.web.resources import visible_submission
from kechuang.web.security import db, principal

router = APIRouter(include_in_schema=False)


def xlsx_response(name: str, data: bytes) -> Response:
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers=attachment(name))


@router.get("/inbox", response_class=HTMLResponse)
def inbox(request: Request, who: Principal = Depends(principal), s: Session = Depends(db)) -> HTMLResponse:
    """What is due for the account: reminders, the department's submissions and supervision items."""
    plan = plans.get_plan(s)
    today = dt.date.today()
    days = request.app.state.supervision_settings.reminder_days
    items = [(i, supervision.item_status(i, today, days)) for i in supervision.visible_items(s, who, plan.id)]
    return render(request, "monitoring/inbox.html", who=who, today=today,
                  reminders=reminders(s, who, plan.id, today, days),
                  submissions=submissions.visible_submissions(s, who), items=items,
                  state_label=submissions.state_label)


@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request, who: Principal = Depends(principal), s: Session = Depends(db)) -> HTMLResponse:
    """Submissions waiting for the account's decision."""
    who.require_role(Role.REVIEWER, Role.APPROVER, Role.ADMIN, Role.VIEWER, action="the review queue")
    return render(request, "monitoring/review.html", who=who, queue=submissions.review_queue(s, who),
                  state_label=submissions.state_label)


def _page(request: Request, s: Session, who: Principal, sub: Submission, *, problems: list[Problem] | None = None,
          typed: dict[str, dict[str, Any]] | None = None, message: str = "", status_code: int = 200) -> HTMLResponse:
    return render(request, "monitoring/submission.html", status_code=status_code, who=who, sub=sub,
                  lines=submissions.lines(s, sub), trail=submissions.trail(s, who, sub), problems=problems or [],
                  problem_by_code={p.code: p for p in problems or []}, typed=typed or {}, message=message,
                  state_label=submissions.state_label, can_edit=who.role is Role.REPORTER and sub.editable,
                  actions=_actions(who, sub), saved=request.query_params.get("saved"),
                  uploaded=request.query_params.get("uploaded"), done=_done(request))


def _done(request: Request) -> str | None:
    """The action just taken (``?done=``), if the catalog has its message: an unknown word shows none."""
    done = request.query_params.get("done")
    return done if done and f"action_done_{done}" in STRINGS else None


def _actions(who: Principal, sub: Submission) -> list[str]:
    """The transitions the principal may take now (the server checks them again)."""
    if who.role is Role.REPORTER:
        return {"draft": ["submit"], "returned": ["submit"], "approved": ["revise"]}.get(sub.state, [])
    if who.role is Role.REVIEWER and sub.state == "submitted":
        return ["dept_approve", "return"]
    if who.role is Role.APPROVER and sub.state == "dept_approved":
        return ["approve", "return"]
    return []


@router.get("/submissions/{submission_id}", response_class=HTMLResponse)
def submission_page(request: Request, sub: Submission = Depends(visible_submission),
                    who: Principal = Depends(principal), s: Session = Depends(db)) -> HTMLResponse:
    return _page(request, s, who, sub)


@router.post("/submissions/{submission_id}/values", response_class=HTMLResponse)
async def save_values(request: Request, sub: Submission = Depends(visible_submission),
                      who: Principal = Depends(principal), s: Session = Depends(db)) -> Response:
    """The web form: ``value_<code>``, ``final_<code>``, ``note_<code>``, ``version_<code>`` per indicator."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return await run_in_threadpool(_save_values, request, s, who, sub, fields)


def _save_values(request: Request, s: Session, who: Principal, sub: Submission, form: dict[str, str]) -> Response:
    changes, typed, problems = [], {}, []
    for row in sub.values:
        code = row.indicator.code
        raw = {k: form.get(f"{k}_{code}", "") for k in ("value", "final", "note", "version")}
        typed[code] = raw
        try:
            value = parse_number(raw["value"])
        except ValueError:
            problems.append(Problem(code, "value", f"“{raw['value']}”不是数值。", f"{raw['value']!r} is not a number"))
            continue
        changes.append(submissions.ValueChange(code, value, raw["final"] == "final", raw["note"].strip(),
                                               int(raw["version"]) if raw["version"].isdigit() else None))
    if problems:
        return _page(request, s, who, sub, problems=problems, typed=typed, status_code=422)
    sub_id = sub.id
    try:
        n = submissions.save_values(s, who, sub_id, changes)
    except submissions.ValidationFailed as exc:
        s.rollback()
        return _page(request, s, who, submissions.get_submission(s, who, sub_id), problems=exc.problems, typed=typed,
                     status_code=422)
    except StaleEdit as exc:
        s.rollback()
        return _page(request, s, who, submissions.get_submission(s, who, sub_id), typed=typed, message=str(exc),
                     status_code=409)
    s.commit()
    return RedirectResponse(f"/submissions/{sub_id}?saved={n}", status_code=303)


@router.get("/submissions/{submission_id}/template.xlsx")
def download_template(sub: Submission = Depends(visible_submission), who: Principal = Depends(principal),
                      s: Session = Depends(db)) -> Response:
    name, data = submissions.template(s, who, sub.id)
    return xlsx_response(name, data)


@router.post("/submissions/{submission_id}/upload", response_class=HTMLResponse)
def upload(request: Request, sub: Submission = Depends(visible_submission), file: UploadFile = File(...),
           who: Principal = Depends(principal), s: Session = Depends(db)) -> Response:
    """Upload a filled-in template: every value is saved, or none (with each cell's error listed)."""
    sub_id = sub.id
    data = file.file.read(MAX_BYTES + 1)  # the spooled upload; more than the limit is never read
    try:
        n = submissions.import_workbook(s, who, sub_id, data)
    except submissions.ValidationFailed as exc:
        s.rollback()
        return _page(request, s, who, submissions.get_submission(s, who, sub_id), problems=exc.problems,
                     status_code=422)
    except StaleEdit as exc:
        s.rollback()
        return _page(request, s, who, submissions.get_submission(s, who, sub_id), message=str(exc), status_code=409)
    s.commit()
    return RedirectResponse(f"/submissions/{sub_id}?uploaded={n}", status_code=303)


@router.post("/submissions/{submission_id}/transition", response_class=HTMLResponse)
def transition(request: Request, sub: Submission = Depends(visible_submission), action: str = Form(...),
               comment: str = Form(""), version: int | None = Form(None), who: Principal = Depends(principal),
               s: Session = Depends(db)) -> Response:
    sub_id = sub.id
    try:
        submissions.transition(s, who, sub_id, action, comment=comment, expected_version=version)
    except submissions.ValidationFailed as exc:
        s.rollback()
        return _page(request, s, who, submissions.get_submission(s, who, sub_id), problems=exc.problems,
                     status_code=422)
    s.commit()
    return RedirectResponse(f"/submissions/{sub_id}?done={action}", status_code=303)

