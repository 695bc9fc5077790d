"""The public list of the plan's indicators (``/monitoring/indicators``): every indicator by area and task
with its latest approved value, target, status in words and rule, each linking to its own page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from kechuang.assessment import progress
from kechuang.plan import service as plans
from kechuang.progress import Standing
from kechuang.web.deps import get_session
from kechuang.web.pages import plan_status, render

router = APIRouter(include_in_schema=False)


@router.get("/monitoring/indicators", response_class=HTMLResponse)
def indicator_list(request: Request, s: Session = Depends(get_session)) -> HTMLResponse:
    """Public: only approved data (and the plan's own figures) appear here."""
    version = plans.latest_version(s)
    cat = progress.catalogue(s, version)

    def rows(ps: list[progress.IndicatorProgress]) -> list[tuple[progress.IndicatorProgress, object]]:
        return [(p, cat.latest[p.indicator.id]) for p in ps]

    areas = [(a, [(task, rows(cat.by_task.get(task.code, []))) for task in plans.elements(s, version, "task", a.code)])
             for a in plans.elements(s, version, "area")]
    every = cat.all
    counts = {"total": len(every), "with_data": sum(cat.latest[p.indicator.id] is not None for p in every),
              "assessable": sum(p.assessment.standing is not Standing.NOT_APPLICABLE for p in every)}
    return render(request, "monitoring/indicators.html", version=version, areas=areas, unlinked=rows(cat.unlinked),
                  counts=counts, status=plan_status(s))
