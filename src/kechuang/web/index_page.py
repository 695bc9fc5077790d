"""The index page and its JSON API: the stored build of the plan's composite index beside the published series
(the view model is :func:`kechuang.index_results.view.index_page`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from kechuang.core.access import NotFound, Principal, Role
from kechuang.index_results import rebuild, view
from kechuang.index_results import service as ir
from kechuang.web.deps import get_session
from kechuang.web.i18n import request_lang
from kechuang.web.pages import not_found, render
from kechuang.web.security import db, require

router = APIRouter()


def _page(request: Request, s: Session, run_id: int | None = None) -> HTMLResponse:
    try:
        data = view.index_page(s, request_lang(request), run_id)
    except NotFound as exc:  # a public page: the public "not found" page
        return not_found(request, str(exc))
    return render(request, "index.html", method_note=view.method_note(s), **data)


@router.get("/index", response_class=HTMLResponse, include_in_schema=False)
def index_page(request: Request, s: Session = Depends(get_session)) -> HTMLResponse:
    """The plan's composite index; a plan whose bundle has none gets a page that says so."""
    if not view.has_index(s):
        return render(request, "index_none.html", version=view.latest_version(s))
    return _page(request, s)


@router.get("/index/runs/{run_id}", response_class=HTMLResponse, include_in_schema=False)
def index_run_page(request: Request, run_id: int, s: Session = Depends(get_session)) -> HTMLResponse:
    """A stored run at its stable address (the index page shows the newest)."""
    return _page(request, s, run_id)


class ScoreOut(BaseModel):
    unit: str
    unit_name: str
    year: int | None
    code: str
    score: float | None
    rank: int | None


class RunOut(BaseModel):
    id: int
    framework: str
    title: dict[str, str]
    is_demo: bool
    created_at: str
    data_hash: str
    meta_hash: str
    spec_hash: str
    engine_version: str
    data_source: str
    spec: dict[str, Any]


@router.get("/api/v1/index/run", response_model=RunOut, tags=["index"],
            summary="The latest stored index build: what it was built from (hashes, spec), demo or not")
def api_run(s: Session = Depends(get_session)) -> RunOut:
    run = ir.latest_run(s)
    if run is None:
        raise NotFound("no index build stored")
    return RunOut(id=run.id, framework=run.framework, title={"zh": run.title_zh, "en": run.title_en},
                  is_demo=run.is_demo, created_at=run.created_at.isoformat(), data_hash=run.data_hash,
                  meta_hash=run.meta_hash, spec_hash=run.spec_hash, engine_version=run.engine_version,
                  data_source=run.data_source, spec=run.spec)


@router.get("/api/v1/index/scores", response_model=list[ScoreOut], tags=["index"],
            summary="Scores and ranks of the latest build, filtered by code, unit and year")
def api_scores(code: str | None = Query(None, description="iCode of a framework node"), unit: str | None = None,
               year: int | None = None, s: Session = Depends(get_session)) -> list[ScoreOut]:
    run = ir.latest_run(s)
    if run is None:
        raise NotFound("no index build stored")
    return [ScoreOut(unit=r.unit, unit_name=r.unit_name, year=r.year, code=r.code, score=r.score, rank=r.rank)
            for r in ir.scores(s, run, code, unit, year)]


class RunSummaryOut(BaseModel):
    id: int
    framework: str
    is_demo: bool
    demo_values: int
    created_at: str
    created_by: str
    data_source: str
    data_hash: str
    until_year: int | None
    warnings: list[str]


@router.get("/api/v1/index/runs", response_model=list[RunSummaryOut], tags=["index"],
            summary="Every stored index run, newest first (runs are never overwritten)")
def api_runs(s: Session = Depends(get_session)) -> list[RunSummaryOut]:
    return [RunSummaryOut(id=r.id, framework=r.framework, is_demo=r.is_demo, demo_values=r.demo_values or 0,
                          created_at=r.created_at.isoformat(), created_by=r.created_by, data_source=r.data_source,
                          data_hash=r.data_hash, until_year=r.until_year, warnings=list(r.warnings or []))
            for r in rebuild.runs(s)]


@router.get("/api/v1/index/runs/compare", tags=["index"],
            summary="What changed between two runs: the snapshot values that differ and the scores they moved")
def api_compare(a: int = Query(..., description="the earlier run"), b: int = Query(..., description="the later run"),
                s: Session = Depends(get_session)) -> dict[str, Any]:
    try:
        ra, rb = rebuild.get_run(s, a), rebuild.get_run(s, b)
    except LookupError as exc:
        raise NotFound(str(exc)) from exc
    return rebuild.comparison_dict(rebuild.compare(s, ra, rb))


index_office = require(Role.ADMIN, Role.APPROVER)


@router.post("/index/rebuild", include_in_schema=False)
def index_rebuild(request: Request, allow_gaps: str = Form(""),
                  who: Principal = Depends(index_office),
                  s: Session = Depends(db)) -> Response:
    """The plan office's button: a new run from exactly the approved values (as `kechuang index rebuild`), as a
    background job whose status page links to the run; on a coverage problem it says which cells are missing
    and nothing is stored."""
    from kechuang.jobs.service import submit

    view.framework(s)  # a plan without an index framework has nothing to rebuild (404 now, not a failed job)
    job = submit(s, "index_rebuild", {"by": who.display_name or who.username, "allow_gaps": allow_gaps == "1"},
                 by=who.display_name or who.username)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
