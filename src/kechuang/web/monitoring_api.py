"""JSON API of monitoring under ``/api/v1`` (same session cookie as the pages; unsafe methods need the
``X-CSRF-Token`` header, whose value ``GET /api/v1/me`` returns). Errors are problem+json: 401 not logged
in, 403 not allowed, 404 unknown, 409 locked or changed meanwhile, 422 validation (``errors`` per value or
cell)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, StrictFloat, StrictInt, StrictStr
from sqlalchemy.orm import Session

from kechuang.assessment import progress
from kechuang.assessment.reminders import reminders
from kechuang.audit.models import AuditRecord
from kechuang.audit.service import trail
from kechuang.core import clock
from kechuang.core.access import Principal
from kechuang.core.numbers import NumberError, parse_number
from kechuang.indicators.profile_service import indicator_by_code
from kechuang.plan import service as plans
from kechuang.progress import Assessment, RollUp
from kechuang.submissions import service as submissions
from kechuang.submissions.completeness import completeness
from kechuang.submissions.excel import MAX_BYTES
from kechuang.submissions.models import RevisionRequest, Submission
from kechuang.submissions.validation import Problem
from kechuang.supervision import service as supervision
from kechuang.supervision.models import SupervisionItem
from kechuang.web.dashboard import DataVersionMemo, current_dashboard, data_key
from kechuang.web.resources import visible_item, visible_submission
from kechuang.web.security import db, plan_office, principal
from kechuang.web.workflow import xlsx_response

router = APIRouter(prefix="/api/v1", tags=["monitoring"])


class ValueIn(BaseModel):
    value: StrictInt | StrictFloat | StrictStr | None = Field(
        description="the value in the indicator's unit: a number, or text as people type it (\"1,320\", "
                    "\"１３２０\", \"13.2%\" for unit %, \"1.2万\" for a count; see README); null to clear it. "
                    "NaN, Infinity and true/false are refused (422)")
    final: bool = Field(False, description="正式数 (true) or 初步数 (false)")
    note: str = ""
    version: int = Field(description="the row version the value was read at (optimistic locking)")


class TransitionIn(BaseModel):
    action: str = Field(description="submit, dept_approve or approve, or return (with a comment); a revision is "
                                    "requested at …/revision-requests")
    comment: str = ""
    version: int | None = Field(None, description="the submission version it was read at")


class RevisionRequestIn(BaseModel):
    reason: str = Field(description="why the approved values must be revised")


class RevisionDecisionIn(BaseModel):
    approve: bool = Field(description="true reopens the submission as a draft; false refuses the request")
    reason: str = Field("", description="the plan office's reason (required when refusing)")


class ReportIn(BaseModel):
    text: str
    percent: int = Field(ge=0, le=100)
    version: int | None = None


def _audit(r: AuditRecord) -> dict[str, Any]:
    return {"at": r.at.isoformat(), "actor": r.actor, "role": r.role, "action": r.action, "entity": r.entity,
            "entity_id": r.entity_id, "field": r.field, "old": r.old, "new": r.new, "reason": r.reason}


def _submission(s: Session, sub: Submission, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": sub.id, "period": {"code": sub.period.code, "year": sub.period.year, "label": sub.period.label_zh,
                                 "due_on": sub.period.due_on.isoformat()},
        "department": {"code": sub.department.code, "name": sub.department.name_zh, "is_demo": sub.department.is_demo},
        "state": sub.state, "state_label": {"zh": submissions.state_label(sub.state, "zh"),
                                            "en": submissions.state_label(sub.state, "en")},
        "revision": sub.revision, "comment": sub.comment, "version": sub.version}
    if detail:
        out["values"] = [{
            "indicator": ln.row.indicator.code, "name": ln.row.indicator.name_zh, "unit": ln.row.indicator.unit_zh,
            "value": ln.row.value, "final": ln.row.final, "note": ln.row.note, "version": ln.row.version,
            "updated_by": ln.row.updated_by, "requirement": ln.requirement,
            "previous": None if ln.previous is None else {"year": ln.previous.year, "value": ln.previous.value,
                                                          "source": ln.previous.source}}
            for ln in submissions.lines(s, sub)]
        out["revision_requests"] = [_revision(r) for r in submissions.revision_requests(s, sub.id)]
    return out


def _assessment(a: Assessment) -> dict[str, Any]:
    return a.model_dump(mode="json")


def _rollup(r: RollUp) -> dict[str, Any]:
    return {"colour": r.colour.value, "standing": r.standing.value, "applicable": r.applicable,
            "on_track": r.on_track, "counts_by_colour": {k.value: v for k, v in r.counts_by_colour.items()},
            "reason_zh": r.reason_zh, "reason_en": r.reason_en, "warnings": list(r.warnings)}


def _coverage(c: progress.Coverage, parts: str) -> dict[str, Any]:
    """How much of a roll-up is assessable: ``assessable`` of ``total`` parts (tasks or indicators)."""
    return {"parts": parts, "total": c.total, "assessable": c.assessable, "sufficient": c.sufficient}


def _indicator_progress(p: progress.IndicatorProgress) -> dict[str, Any]:
    pr = p.profile
    return {"indicator": p.indicator.code, "name": {"zh": p.indicator.name_zh, "en": p.indicator.name_en},
            "rule": p.assessment.rule.value, "uses_demo_data": p.uses_demo,
            "rule_reason": None if pr is None else {"zh": pr.rule_reason_zh, "en": pr.rule_reason_en},
            "target": None if p.target is None else {"year": p.target.year, "value": p.target.value,
                                                     "is_demo": p.target.is_demo},
            "observations": [{"year": o.year, "value": o.value, "source_kind": o.source_kind, "source": o.source,
                              "is_demo": o.is_demo} for o in p.observations],
            "assessment": _assessment(p.assessment)}


@router.get("/me", summary="The logged-in account and its CSRF token")
def me(request: Request, who: Principal = Depends(principal)) -> dict[str, Any]:
    return {"username": who.username, "display_name": who.display_name, "role": who.role.value,
            "department_id": who.department_id, "department": request.state.department_name,
            "csrf_token": request.state.csrf}


@router.get("/submissions", summary="Submissions the account may see")
def list_submissions(state: str | None = Query(None), department_id: int | None = Query(None),
                     who: Principal = Depends(principal), s: Session = Depends(db)) -> list[dict[str, Any]]:
    subs = submissions.visible_submissions(s, who, states=(state,) if state else None, department_id=department_id)
    return [_submission(s, sub) for sub in subs]


@router.get("/review-queue", summary="Submissions waiting for the account's decision")
def review_queue(who: Principal = Depends(principal), s: Session = Depends(db)) -> list[dict[str, Any]]:
    return [_submission(s, sub) for sub in submissions.review_queue(s, who)]


@router.get("/submissions/{submission_id}", summary="One submission with its values")
def get_submission(sub: Submission = Depends(visible_submission), s: Session = Depends(db)) -> dict[str, Any]:
    return _submission(s, sub, detail=True)


@router.put("/submissions/{submission_id}/values/{indicator_code}", summary="Save one value (draft or returned)")
def put_value(indicator_code: str, body: ValueIn, sub: Submission = Depends(visible_submission),
              who: Principal = Depends(principal), s: Session = Depends(db)) -> dict[str, Any]:
    sub_id = sub.id
    indicator = next((row.indicator for row in sub.values if row.indicator.code == indicator_code), None)
    try:
        value = parse_number(body.value, indicator.unit_zh if indicator else "")
    except NumberError as exc:
        raise submissions.ValidationFailed([Problem(indicator_code, "value", exc.reason_zh, exc.reason_en)]) from None
    changed = submissions.save_values(s, who, sub_id, [submissions.ValueChange(
        indicator_code, value, body.final, body.note.strip(), body.version)], via="API")
    s.commit()
    return {"changed": changed, **_submission(s, submissions.get_submission(s, who, sub_id), detail=True)}


@router.post("/submissions/{submission_id}/transitions", summary="Submit, approve or return")
def post_transition(body: TransitionIn, sub: Submission = Depends(visible_submission),
                    who: Principal = Depends(principal), s: Session = Depends(db)) -> dict[str, Any]:
    sub_id = sub.id
    submissions.transition(s, who, sub_id, body.action, comment=body.comment, expected_version=body.version)
    s.commit()
    return _submission(s, submissions.get_submission(s, who, sub_id), detail=True)


def _revision(r: RevisionRequest) -> dict[str, Any]:
    return {"id": r.id, "reason": r.reason, "requested_by": r.requested_by, "requested_at": r.requested_at.isoformat(),
            "state": r.state, "decided_by": r.decided_by, "decision_reason": r.decision_reason,
            "decided_at": None if r.decided_at is None else r.decided_at.isoformat()}


@router.post("/submissions/{submission_id}/revision-requests", summary="申请修订: ask to reopen an approved submission")
def post_revision_request(body: RevisionRequestIn, sub: Submission = Depends(visible_submission),
                          who: Principal = Depends(principal), s: Session = Depends(db)) -> dict[str, Any]:
    req = submissions.request_revision(s, who, sub.id, body.reason)
    s.commit()
    return _revision(req)


@router.post("/submissions/{submission_id}/revision-requests/decision",
             summary="The plan office approves (reopens) or refuses the waiting revision request")
def post_revision_decision(body: RevisionDecisionIn, sub: Submission = Depends(visible_submission),
                           who: Principal = Depends(principal), s: Session = Depends(db)) -> dict[str, Any]:
    req = submissions.decide_revision(s, who, sub.id, approve=body.approve, reason=body.reason)
    s.commit()
    return _revision(req)


@router.get("/submissions/{submission_id}/template.xlsx", summary="The department's Excel template")
def get_template(sub: Submission = Depends(visible_submission), who: Principal = Depends(principal),
                 s: Session = Depends(db)) -> Response:
    name, data = submissions.template(s, who, sub.id)
    return xlsx_response(name, data)


@router.post("/submissions/{submission_id}/workbook", summary="Upload a filled-in template (all or nothing)")
def post_workbook(sub: Submission = Depends(visible_submission), file: UploadFile = File(...),
                  who: Principal = Depends(principal), s: Session = Depends(db)) -> dict[str, Any]:
    sub_id = sub.id
    changed = submissions.import_workbook(s, who, sub_id, file.file.read(MAX_BYTES + 1))
    s.commit()
    return {"changed": changed, **_submission(s, submissions.get_submission(s, who, sub_id), detail=True)}


@router.get("/submissions/{submission_id}/audit", summary="The audit trail of a submission")
def submission_audit(sub: Submission = Depends(visible_submission), who: Principal = Depends(principal),
                     s: Session = Depends(db)) -> list[dict[str, Any]]:
    return [_audit(r) for r in submissions.trail(s, who, sub)]


@router.get("/periods/{code}/completeness", summary="Reporting completeness of a period (plan office)")
def get_completeness(code: str, who: Principal = Depends(plan_office), s: Session = Depends(db)) -> dict[str, Any]:
    tz = clock.zone()
    report = completeness(s, who, plans.get_plan(s).id, code, today=clock.today(), tz=tz)
    return {
        "period": {"code": report.period.code, "label": report.period.label_zh,
                   "due_on": report.period.due_on.isoformat()},
        "as_of": report.today.isoformat(), "expected": report.expected,
        "counts": {k: report.number_of(k) for k in ("in_hand", "approved", "silent", "on_time", "late", "overdue",
                                                    "pending")},
        "reporting_rate": report.rate("in_hand"), "reporting_rate_on_time": report.rate("on_time"),
        "indicators": {"due": report.indicators_due, "filled": report.indicators_filled},
        "departments": [{"code": d.department.code, "name": d.department.name_zh, "submission": d.submission.id,
                         "state": "silent" if d.silent else d.submission.state, "filled": d.filled, "due": d.due,
                         "submitted_on": None if d.submitted_on is None else d.submitted_on.isoformat(),
                         "timeliness": d.timeliness} for d in report.departments],
    }


_progress_json: DataVersionMemo[bytes] = DataVersionMemo()


@router.get("/progress", summary="Dashboard: areas → tasks → indicators, supervision and conflicts",
            response_model=dict[str, Any])
def get_progress(request: Request, who: Principal = Depends(plan_office), s: Session = Depends(db)) -> Response:
    # encoded once per data version (kechuang.web.dashboard.DataVersionMemo); no docstring: it would be the API's text
    key = data_key(s, clock.today(), request.app.state.supervision_settings.reminder_days)
    body = _progress_json.get(key, lambda: bytes(JSONResponse(_progress(current_dashboard(request, s))).body))
    return Response(body, media_type="application/json")


def _progress(board: progress.Dashboard) -> dict[str, Any]:
    return {
        "as_of": board.today.isoformat(),
        "areas": [{"code": a.area.code, "title": a.area.title_zh, "rollup": _rollup(a.rollup),
                   "uses_demo_data": a.uses_demo, "coverage": _coverage(a.coverage, "tasks"), "tasks": [
            {"code": t.task.code, "title": t.task.title_zh, "rollup": _rollup(t.rollup),
             "uses_demo_data": t.uses_demo, "coverage": _coverage(t.coverage, "indicators"),
             "indicators": [_indicator_progress(p) for p in t.indicators],
             "supervision": [{"id": i.id, "title": i.title_zh, "stage": i.stage, "percent": i.percent,
                              "is_demo": i.is_demo, "status": _assessment(st)} for i, st in t.items]}
            for t in a.tasks]}
            for a in board.areas],
        "unlinked_indicators": [_indicator_progress(p) for p in board.unlinked],
        "conflicts": [c.model_dump(mode="json") for c in board.conflicts],
    }


@router.get("/progress/indicators/{code}", summary="One indicator's progress from approved data (public)")
def indicator_progress(code: str, s: Session = Depends(db)) -> dict[str, Any]:
    version = plans.latest_version(s)
    ind = indicator_by_code(s, version.plan_id, code)
    return _indicator_progress(progress.indicator_progress(s, ind, progress.final_years(version)))


def _item(item: SupervisionItem, request: Request, detail: bool = False) -> dict[str, Any]:
    status = supervision.item_status(item, clock.today(), request.app.state.supervision_settings.reminder_days)
    out: dict[str, Any] = {
        "id": item.id, "element": item.element_code, "title": {"zh": item.title_zh, "en": item.title_en},
        "lead": item.lead.code, "co": [d.code for d in item.co_departments], "deadline": item.deadline.isoformat(),
        "stage": item.stage, "percent": item.percent, "is_demo": item.is_demo, "version": item.version,
        "status": _assessment(status)}
    if detail:
        out["milestones"] = [{"id": m.id, "title": m.title_zh, "due_on": m.due_on.isoformat(),
                              "done_on": None if m.done_on is None else m.done_on.isoformat()} for m in item.milestones]
        out["reports"] = [{"at": r.at.isoformat(), "department": r.department.code, "author": r.author,
                           "percent": r.percent, "text": r.text,
                           "evidence": [{"id": e.id, "filename": e.filename, "size": e.size, "sha256": e.sha256,
                                         "url": f"/supervision/evidence/{e.id}"} for e in r.evidence]}
                          for r in item.reports]
    return out


@router.get("/supervision/items", summary="Supervision items the account may see")
def list_items(request: Request, who: Principal = Depends(principal), s: Session = Depends(db)) -> list[dict[str, Any]]:
    return [_item(i, request) for i in supervision.visible_items(s, who, plans.get_plan(s).id)]


@router.get("/supervision/items/{item_id}", summary="One supervision item with milestones and reports")
def get_item(request: Request, item: SupervisionItem = Depends(visible_item)) -> dict[str, Any]:
    return _item(item, request, detail=True)


@router.post("/supervision/items/{item_id}/reports", summary="Report progress (text and % complete)")
def post_report(request: Request, body: ReportIn, item: SupervisionItem = Depends(visible_item),
                who: Principal = Depends(principal), s: Session = Depends(db)) -> dict[str, Any]:
    item_id = item.id
    supervision.report_progress(s, who, item_id, text=body.text, percent=body.percent, expected_version=body.version,
                                settings=request.app.state.supervision_settings)
    s.commit()
    return _item(supervision.get_item(s, who, item_id), request, detail=True)


@router.get("/reminders", summary="What is due for the account, most urgent first")
def get_reminders(request: Request, who: Principal = Depends(principal),
                  s: Session = Depends(db)) -> list[dict[str, Any]]:
    days = request.app.state.supervision_settings.reminder_days
    return [{"kind": r.kind, "title": r.title, "department": r.department, "due": r.due.isoformat(),
             "action": {"zh": r.action_zh, "en": r.action_en}, "link": r.link, "status": _assessment(r.status)}
            for r in reminders(s, who, plans.get_plan(s).id, clock.today(), days)]


@router.get("/audit", summary="Audit records the account may see, newest first")
def get_audit(entity: str | None = Query(None), limit: int = Query(200, ge=1, le=1000),
              who: Principal = Depends(principal), s: Session = Depends(db)) -> list[dict[str, Any]]:
    return [_audit(r) for r in trail(s, who, entity=entity, limit=limit)]
