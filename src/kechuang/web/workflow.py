"""Pages of data submission: a department's inbox, the review queue, a submission (web form, Excel
template download and upload, approval buttons, audit trail)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kechuang.assessment.reminders import Reminder, reminders
from kechuang.core.access import PLAN_OFFICE, Principal, Role, StaleEdit
from kechuang.core.numbers import NumberError, parse_number
from kechuang.plan import service as plans
from kechuang.progress import Assessment
from kechuang.submissions import service as submissions
from kechuang.submissions.excel import MAX_BYTES
from kechuang.submissions.models import Submission
from kechuang.submissions.validation import Problem
from kechuang.supervision import service as supervision
from kechuang.supervision.models import SupervisionItem
from kechuang.web.dashboard import DataVersionMemo, data_key, detached
from kechuang.web.downloads import attachment
from kechuang.web.i18n import STRINGS, request_lang, t
from kechuang.web.pages import render
from kechuang.web.resources import visible_submission
from kechuang.web.security import db, principal

router = APIRouter(include_in_schema=False)


def xlsx_response(name: str, data: bytes) -> Response:
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers=attachment(name))


_inboxes: DataVersionMemo[tuple[list[Reminder], list[Submission], list[tuple[SupervisionItem, Assessment]]]] = \
    DataVersionMemo(size=64)


@router.get("/inbox", response_class=HTMLResponse)
def inbox(request: Request, who: Principal = Depends(principal), s: Session = Depends(db)) -> HTMLResponse:
    """What is due for the account: reminders, the department's submissions and supervision items (the same
    for every account of one role and department; read once per data version)."""
    today = dt.date.today()
    days = request.app.state.supervision_settings.reminder_days

    def read() -> tuple[list[Reminder], list[Submission], list[tuple[SupervisionItem, Assessment]]]:
        plan = plans.get_plan(s)
        items = [(i, supervision.item_status(i, today, days)) for i in supervision.visible_items(s, who, plan.id)]
        return detached(s, (reminders(s, who, plan.id, today, days), submissions.visible_submissions(s, who), items))

    due, subs, items = _inboxes.get(data_key(s, today, days, who.role, who.department_id), read)
    return render(request, "monitoring/inbox.html", who=who, today=today, reminders=due, submissions=subs,
                  items=items, state_label=submissions.state_label)


@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request, who: Principal = Depends(principal), s: Session = Depends(db)) -> HTMLResponse:
    """Submissions waiting for the account's decision."""
    who.require_role(Role.REVIEWER, Role.APPROVER, Role.ADMIN, Role.VIEWER, action="the review queue")
    periods = submissions.periods(s, plans.get_plan(s).id) if who.role in PLAN_OFFICE else []
    return render(request, "monitoring/review.html", who=who, queue=submissions.review_queue(s, who),
                  revisions=submissions.pending_revisions(s, who), periods=periods,
                  state_label=submissions.state_label)


def _page(request: Request, s: Session, who: Principal, sub: Submission, *, problems: list[Problem] | None = None,
          typed: dict[str, dict[str, str]] | None = None, message: str = "", status_code: int = 200,
          keep_versions: bool = True, values_saved: bool = False) -> HTMLResponse:
    """The submission page. After a refused save, ``typed`` (code → field → text) refills every input and
    each problem is shown beside its own field (``field_problems``: "value-CODE" → problems)."""
    field_problems: dict[str, list[Problem]] = {}
    for p in problems or []:
        if p.code:
            field_problems.setdefault(f"{p.field if p.field in ('final', 'note', 'version') else 'value'}-{p.code}",
                                      []).append(p)
    return render(request, "monitoring/submission.html", status_code=status_code, who=who, sub=sub,
                  lines=submissions.lines(s, sub), trail=submissions.trail(s, who, sub), problems=problems or [],
                  field_problems=field_problems, typed=typed or {}, keep_versions=keep_versions, message=message,
                  values_saved=values_saved,
                  state_label=submissions.state_label, can_edit=who.role is Role.REPORTER and sub.editable,
                  actions=submissions.allowed_actions(who, sub),
                  revision_requests=submissions.revision_requests(s, sub.id),
                  pending_revision=submissions.pending_revision(s, sub.id),
                  history=submissions.comment_history(s, who, sub),
                  can_decide_revision=who.role in (Role.APPROVER, Role.ADMIN),
                  saved=request.query_params.get("saved"),
                  uploaded=request.query_params.get("uploaded"), done=_done(request))


def _done(request: Request) -> str | None:
    """The action just taken (``?done=``), if the catalog has its message: an unknown word shows none."""
    done = request.query_params.get("done")
    return done if done and f"action_done_{done}" in STRINGS else None


@router.get("/submissions/{submission_id}", response_class=HTMLResponse)
def submission_page(request: Request, sub: Submission = Depends(visible_submission),
                    who: Principal = Depends(principal), s: Session = Depends(db)) -> HTMLResponse:
    return _page(request, s, who, sub)


@router.post("/submissions/{submission_id}/values", response_class=HTMLResponse)
async def save_values(request: Request, sub: Submission = Depends(visible_submission),
                      who: Principal = Depends(principal), s: Session = Depends(db)) -> Response:
    """The web form: ``value_<code>``, ``final_<code>``, ``note_<code>``, ``version_<code>`` per indicator;
    with ``then=submit`` (the 提交审核 button of the form) the values are saved and then submitted."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return await run_in_threadpool(_save_values, request, s, who, sub, fields)


def read_form(sub: Submission, form: dict[str, str]) -> tuple[list[submissions.ValueChange], list[Problem],
                                                              dict[str, dict[str, str]]]:
    """The form's changes, the problems of its fields (not a number, no version) and what was typed."""
    changes, problems, typed = [], [], {}
    for row in sub.values:
        code = row.indicator.code
        raw = {k: form.get(f"{k}_{code}", "") for k in ("value", "final", "note", "version")}
        typed[code] = raw
        version = raw["version"].strip()
        if not version.isdigit():
            problems.append(Problem(code, "version",
                                    f"{row.indicator.name_zh}：表单缺少版本号，无法确认此值未被他人修改；请重新打开页面后再填。",
                                    f"{row.indicator.name_en or code}: the form has no version for this value, so "
                                    "a newer change by someone else cannot be ruled out; open the page again"))
        try:
            value = parse_number(raw["value"], row.indicator.unit_zh)
        except NumberError as exc:
            problems.append(Problem(code, "value", f"{row.indicator.name_zh}：{exc.reason_zh}",
                                    f"{row.indicator.name_en or code}: {exc.reason_en}"))
            continue
        if version.isdigit():
            changes.append(submissions.ValueChange(code, value, raw["final"] == "final", raw["note"].strip(),
                                                   int(version)))
    return changes, problems, typed


def _save_values(request: Request, s: Session, who: Principal, sub: Submission, form: dict[str, str]) -> Response:
    changes, problems, typed = read_form(sub, form)
    sub_id = sub.id
    try:
        n = submissions.save_values(s, who, sub_id, changes, pending=problems)
    except submissions.ValidationFailed as exc:
        s.rollback()
        return _page(request, s, who, submissions.get_submission(s, who, sub_id), problems=exc.problems, typed=typed,
                     status_code=422)
    except StaleEdit as exc:
        s.rollback()
        return _page(request, s, who, submissions.get_submission(s, who, sub_id), typed=typed, message=str(exc),
                     status_code=409, keep_versions=False)
    s.commit()
    if form.get("then") != "submit":
        return RedirectResponse(f"/submissions/{sub_id}?saved={n}", status_code=303)
    version = form.get("submission_version", "")
    try:
        submissions.transition(s, who, sub_id, "submit", expected_version=int(version) if version.isdigit() else None)
    except submissions.ValidationFailed as exc:
        s.rollback()
        return _page(request, s, who, submissions.get_submission(s, who, sub_id), problems=exc.problems, typed=typed,
                     message=t("saved_not_submitted", request_lang(request)), status_code=422, keep_versions=False,
                     values_saved=True)
    except StaleEdit as exc:
        s.rollback()
        return _page(request, s, who, submissions.get_submission(s, who, sub_id), typed=typed,
                     message=f"{t('saved_not_submitted', request_lang(request))} {exc}", status_code=409,
                     keep_versions=False, values_saved=True)
    s.commit()
    return RedirectResponse(f"/submissions/{sub_id}?done=submit", status_code=303)


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


@router.post("/submissions/{submission_id}/revision-request")
def request_revision(sub: Submission = Depends(visible_submission), reason: str = Form(""),
                     who: Principal = Depends(principal), s: Session = Depends(db)) -> Response:
    """申请修订: the reporter asks the plan office to reopen the approved submission."""
    sub_id = sub.id
    submissions.request_revision(s, who, sub_id, reason)
    s.commit()
    return RedirectResponse(f"/submissions/{sub_id}?done=request_revision", status_code=303)


@router.post("/submissions/{submission_id}/revision-decision")
def decide_revision(sub: Submission = Depends(visible_submission), decision: str = Form(...),
                    reason: str = Form(""), who: Principal = Depends(principal), s: Session = Depends(db)) -> Response:
    """The plan office approves (reopens the submission) or refuses the waiting revision request."""
    sub_id = sub.id
    if decision not in ("approve", "refuse"):
        raise submissions.SubmissionError(f"decision must be approve or refuse, not {decision!r}")
    submissions.decide_revision(s, who, sub_id, approve=decision == "approve", reason=reason)
    s.commit()
    return RedirectResponse(f"/submissions/{sub_id}?done={decision}_revision", status_code=303)


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

