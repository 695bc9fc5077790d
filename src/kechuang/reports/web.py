"""The plan office's report pages: generate a report pack with a button, download its four files, and
accept its proposed plan adjustments (administrators only).

Packs are written under the reports folder: ``app.state.reports_dir`` when set (tests), else
``KECHUANG_REPORTS_DIR``, else ``var/reports`` under the current directory. Accepting rebuilds the
report from the current data and refuses when its content hash differs from the pack's: a decision is
only taken on the figures that were shown.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from kechuang import clock
from kechuang.accounts.access import NotFound, Principal, Role
from kechuang.plan import service as plans
from kechuang.reports.model import FORMATS, KINDS, ReportError, content_hash
from kechuang.web.i18n import request_lang, t
from kechuang.web.pages import templates as web_templates
from kechuang.web.security import admin_only, db, error_page, plan_office, require

router = APIRouter(include_in_schema=False)
GENERATOR = Depends(require(Role.ADMIN, Role.APPROVER))
WEB_TEMPLATES = Path(__file__).resolve().parents[1] / "web" / "templates"
templates = Jinja2Templates(directory=[WEB_TEMPLATES, Path(__file__).resolve().parent / "templates" / "web"])
templates.env.filters.update(web_templates.env.filters)
MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "html": "text/html; charset=utf-8"}


def reports_dir(request: Request) -> Path:
    """Where the report packs are written (see the module docstring)."""
    configured = getattr(request.app.state, "reports_dir", None) or os.environ.get("KECHUANG_REPORTS_DIR")
    return Path(configured) if configured else Path.cwd() / "var" / "reports"


def _render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = request_lang(request)
    switched = request.url.include_query_params(lang="en" if lang == "zh" else "zh")
    return templates.TemplateResponse(
        request, name, {"lang": lang, "t": lambda key: t(key, lang), "switch_url": f"{switched.path}?{switched.query}",
                        **context}, status_code=status_code)


def _pack(request: Request, pack_id: str) -> dict[str, Any]:
    from kechuang.reports.service import read_pack

    try:
        return read_pack(reports_dir(request), pack_id)
    except KeyError:
        raise NotFound(f"no report {pack_id}") from None


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, who: Principal = Depends(plan_office)) -> HTMLResponse:
    from kechuang.reports.service import list_packs

    return _render(request, "reports.html", who=who, packs=list_packs(reports_dir(request)), kinds=KINDS,
                   today=clock.today().isoformat(), can_generate=who.role in (Role.ADMIN, Role.APPROVER))


@router.post("/reports")
def generate_report(request: Request, kind: str = Form(...), year: str = Form(""), as_of: str = Form(""),
                    who: Principal = GENERATOR, s: Session = Depends(db)) -> Response:
    """Generate a pack (admin and approver only: it costs seconds of server time; viewers read packs) as a
    background job: the answer is its status page, which links to the pack once written."""
    from kechuang.jobs.service import submit

    try:
        chosen_year = int(year) if year.strip() else None
        day = dt.date.fromisoformat(as_of) if as_of.strip() else None
        if kind not in KINDS:
            raise ReportError(f"unknown report kind {kind!r}; choose one of {', '.join(KINDS)}")
    except (ValueError, ReportError) as exc:
        return error_page(request, 400, "bad_request", str(exc))
    job = submit(s, "report_pack", {"kind": kind, "year": chosen_year, "as_of": day.isoformat() if day else None,
                                    "reports_dir": str(reports_dir(request).resolve())},
                 by=who.display_name or who.username)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/reports/{pack_id}", response_class=HTMLResponse)
def pack_page(pack_id: str, request: Request, who: Principal = Depends(plan_office)) -> HTMLResponse:
    return _render(request, "report_pack.html", who=who, pack=_pack(request, pack_id), pack_id=pack_id,
                   formats=FORMATS, can_accept=who.role is Role.ADMIN, message=request.query_params.get("msg", ""))


@router.get("/reports/{pack_id}/files/{fmt}")
def pack_file(pack_id: str, fmt: str, request: Request, who: Principal = Depends(plan_office)) -> FileResponse:
    manifest = _pack(request, pack_id)
    entry = manifest["files"].get(fmt)
    if fmt not in FORMATS or entry is None:
        raise NotFound(f"report {pack_id} has no {fmt} file")
    path = reports_dir(request) / pack_id / entry["name"]
    return FileResponse(path, media_type=MEDIA[fmt], filename=entry["name"])


@router.post("/reports/{pack_id}/accept")
def accept(pack_id: str, request: Request, reason: str = Form(""), proposal: list[str] = Form([]),
           who: Principal = Depends(admin_only), s: Session = Depends(db)) -> Response:
    from kechuang.reports.adjustments import accept_adjustments
    from kechuang.reports.service import build_report

    manifest = _pack(request, pack_id)
    if manifest["kind"] not in ("midterm", "final"):
        return error_page(request, 400, "bad_request", "only an evaluation proposes plan adjustments")
    report = build_report(s, manifest["kind"], manifest["year"], as_of=dt.date.fromisoformat(manifest["meta"]["as_of"]))
    digest = content_hash(report)
    if digest != manifest["snapshot"]["content_sha256"]:
        return error_page(request, 409, "conflict", t("report_stale", request_lang(request)))
    try:
        version = accept_adjustments(s, report.proposals, by=who.display_name or who.username, reason=reason,
                                     accepted=proposal, source=f"{report.title}（内容 SHA-256 {digest[:12]}）")
    except plans.AdjustmentError as exc:
        s.rollback()
        return error_page(request, 400, "bad_request", str(exc))
    s.commit()
    return RedirectResponse(f"/versions?a={version.number - 1}&b={version.number}", status_code=303)
