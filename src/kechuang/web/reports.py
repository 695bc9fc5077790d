"""The plan office's report pages: generate a report pack with a button, download its four files, and
accept its proposed plan adjustments (administrators only).

Packs are written under the reports folder: ``app.state.reports_dir`` when set (tests), else
``KECHUANG_REPORTS_DIR``, else ``var/reports`` under the current directory. Accepting rebuilds the
report from the current data and refuses when its content hash differs from the pack's: a decision is
only taken on the figures that were shown.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from kechuang.core import clock
from kechuang.core.access import NotFound, Principal, Role
from kechuang.core.settings import Settings
from kechuang.plan import service as plans
from kechuang.reports.model import FORMATS, KINDS, ReportError, content_hash
from kechuang.web.i18n import request_lang, t
from kechuang.web.pages import render
from kechuang.web.security import admin_only, db, error_page, plan_office, require

router = APIRouter(include_in_schema=False)
GENERATOR = Depends(require(Role.ADMIN, Role.APPROVER))
MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "html": "text/html; charset=utf-8"}


def reports_dir(request: Request) -> Path:
    """Where the report packs are written (see the module docstring)."""
    configured = getattr(request.app.state, "reports_dir", None)
    return Path(configured) if configured else Settings().resolved_reports_dir()


def _pack(request: Request, pack_id: str) -> dict[str, Any]:
    from kechuang.reports.service import read_pack

    try:
        return read_pack(reports_dir(request), pack_id)
    except KeyError:
        raise NotFound(f"no report {pack_id}") from None


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, who: Principal = Depends(plan_office), s: Session = Depends(db)) -> HTMLResponse:
    from kechuang.reports.service import list_packs

    try:
        meta = plans.latest_version(s).document["plan"]
        start, end = int(meta["period_start"]), int(meta["period_end"])
        years = {"midterm": [start + (end - start) // 2], "final": [end]}
    except plans.PlanNotFound:
        years = {"midterm": [], "final": []}
    return render(request, "reports/reports.html", who=who, packs=list_packs(reports_dir(request)), kinds=KINDS,
                   today=clock.today().isoformat(), can_generate=who.role in (Role.ADMIN, Role.APPROVER),
                   narrative_years=years)


@router.post("/reports")
def generate_report(request: Request, kind: str = Form(...), year: str = Form(""), as_of: str = Form(""),
                    lang: str = Form("zh"), who: Principal = GENERATOR, s: Session = Depends(db)) -> Response:
    """Generate a pack (admin and approver only: it costs seconds of server time; viewers read packs) as a
    background job: the answer is its status page, which links to the pack once written."""
    from kechuang.jobs.service import submit

    try:
        chosen_year = int(year) if year.strip() else None
        day = dt.date.fromisoformat(as_of) if as_of.strip() else None
        if kind not in KINDS:
            raise ReportError(f"unknown report kind {kind!r}; choose one of {', '.join(KINDS)}")
        if lang not in ("zh", "en"):
            raise ReportError(f"unknown language {lang!r}; choose zh or en")
    except (ValueError, ReportError) as exc:
        return error_page(request, 400, "bad_request", str(exc))
    job = submit(s, "report_pack", {"kind": kind, "year": chosen_year, "as_of": day.isoformat() if day else None,
                                    "lang": lang, "reports_dir": str(reports_dir(request).resolve())},
                 by=who.display_name or who.username)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/reports/{pack_id}", response_class=HTMLResponse)
def pack_page(pack_id: str, request: Request, who: Principal = Depends(plan_office)) -> HTMLResponse:
    return render(request, "reports/report_pack.html", who=who, pack=_pack(request, pack_id), pack_id=pack_id,
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
    report = build_report(s, manifest["kind"], manifest["year"], as_of=dt.date.fromisoformat(manifest["meta"]["as_of"]),
                          lang=manifest.get("lang", "zh"))
    digest = content_hash(report)
    newest = plans.latest_version(s).number
    if digest != manifest["snapshot"]["content_sha256"] or report.meta["plan"]["version"] != newest:
        return error_page(request, 409, "conflict", t("report_stale", request_lang(request)))
    try:
        version = accept_adjustments(s, report.proposals, by=who.display_name or who.username, reason=reason,
                                     accepted=proposal, source=f"{report.title}（内容 SHA-256 {digest[:12]}）")
    except plans.AdjustmentError as exc:
        s.rollback()
        return error_page(request, 400, "bad_request", str(exc))
    s.commit()
    return RedirectResponse(f"/versions?a={version.number - 1}&b={version.number}", status_code=303)


# ---------------------------------------------------------------- narratives (judgement written by people)

NARRATIVE_READERS = Depends(require(Role.ADMIN, Role.APPROVER, Role.VIEWER, Role.REVIEWER))


def _titles(request: Request) -> dict[str, str]:
    from kechuang.reports.i18n import PackText
    from kechuang.reports.narratives import SECTION_TITLES

    words = PackText(request_lang(request))
    return {k: words(v) for k, v in SECTION_TITLES.items()}


def _evaluation(kind: str, year: int) -> None:
    if kind not in ("midterm", "final"):
        raise NotFound(f"no evaluation {kind!r}")
    if not 1900 < year < 3000:
        raise NotFound(f"no evaluation of year {year}")


def _as_of(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw.strip() else clock.today()
    except ValueError:
        raise ReportError(f"as_of {raw!r}: expected a date YYYY-MM-DD") from None


@router.get("/reports/narratives/{kind}/{year}", response_class=HTMLResponse)
def narratives_page(kind: str, year: int, request: Request, who: Principal = NARRATIVE_READERS,
                    s: Session = Depends(db)) -> HTMLResponse:
    """The narrative sections of an evaluation: who wrote the newest version and when, whether it was reviewed."""
    from kechuang.reports import narratives

    _evaluation(kind, year)
    plan_id = plans.latest_version(s).plan_id
    return render(request, "reports/narratives.html", who=who, kind=kind, year=year, titles=_titles(request),
                   sections=narratives.NARRATIVE_SECTIONS, current=narratives.current(s, plan_id, kind, year),
                   missing=narratives.missing(s, plan_id, kind, year),
                   unreviewed=narratives.unreviewed(s, plan_id, kind, year), today=clock.today().isoformat(),
                   can_final=who.role is Role.ADMIN, message=request.query_params.get("msg", ""))


@router.get("/reports/narratives/{kind}/{year}/{section}", response_class=HTMLResponse)
def narrative_page(kind: str, year: int, section: str, request: Request, who: Principal = NARRATIVE_READERS,
                   s: Session = Depends(db)) -> HTMLResponse:
    """One section: its newest text, its history (who wrote what and when), the form to write it (prefilled with a
    draft from the data when ``?draft=1``) and the review button."""
    from kechuang.reports import narratives

    _evaluation(kind, year)
    if section not in narratives.NARRATIVE_SECTIONS:
        raise NotFound(f"section {section!r} takes no narrative")
    plan_id = plans.latest_version(s).plan_id
    history = narratives.history(s, plan_id, kind, year, section)
    newest = history[-1] if history else None
    as_of = request.query_params.get("as_of", "")
    try:
        text = (narratives.draft(s, kind, year, section, _as_of(as_of), lang=request_lang(request))
                if request.query_params.get("draft") else (newest.text if newest else ""))
    except (ReportError, plans.PlanNotFound) as exc:
        return error_page(request, 400, "bad_request", str(exc))
    return render(request, "reports/narrative.html", who=who, kind=kind, year=year, section=section, history=history,
                   titles=_titles(request),
                   newest=newest, text=text, as_of=as_of, required=narratives.NARRATIVE_SECTIONS[section],
                   can_write=narratives.can_write(who, section), can_review=who.role in narratives.REVIEWERS,
                   drafted=bool(request.query_params.get("draft")), message=request.query_params.get("msg", ""))


@router.post("/reports/narratives/{kind}/{year}/{section}")
def narrative_write(kind: str, year: int, section: str, request: Request, text: str = Form(""),
                    who: Principal = NARRATIVE_READERS, s: Session = Depends(db)) -> Response:
    from kechuang.core.access import Forbidden
    from kechuang.reports import narratives

    _evaluation(kind, year)
    try:
        row = narratives.write(s, who, kind, year, section, text)
    except ReportError as exc:
        s.rollback()
        return error_page(request, 400, "bad_request", str(exc))
    except Forbidden as exc:
        s.rollback()
        return error_page(request, 403, "forbidden", str(exc))
    s.commit()
    return RedirectResponse(f"/reports/narratives/{kind}/{year}/{section}?msg=saved-{row.version}", status_code=303)


@router.post("/reports/narratives/{kind}/{year}/{section}/review")
def narrative_review(kind: str, year: int, section: str, request: Request, version: int = Form(...),
                     who: Principal = GENERATOR, s: Session = Depends(db)) -> Response:
    from kechuang.reports import narratives

    _evaluation(kind, year)
    try:
        narratives.review(s, who, kind, year, section, version)
    except ReportError as exc:
        s.rollback()
        return error_page(request, 409, "conflict", str(exc))
    s.commit()
    return RedirectResponse(f"/reports/narratives/{kind}/{year}/{section}?msg=reviewed-{version}", status_code=303)


@router.post("/reports/narratives/{kind}/{year}")
def narrative_final(kind: str, year: int, request: Request, as_of: str = Form(""),
                    who: Principal = Depends(admin_only), s: Session = Depends(db)) -> Response:
    """Mark the evaluation final (定稿): refused, naming them, while a required section is empty or a section's
    newest text is not reviewed."""
    from kechuang.reports import narratives

    _evaluation(kind, year)
    try:
        final = narratives.mark_final(s, who, kind, year, _as_of(as_of))
    except ReportError as exc:
        s.rollback()
        return error_page(request, 409, "conflict", str(exc))
    s.commit()
    return RedirectResponse(f"/reports/narratives/{kind}/{year}?msg=final-{final.content_sha256[:12]}",
                            status_code=303)
