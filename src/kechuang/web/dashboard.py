"""The plan-office dashboard (areas → tasks → indicators in red/yellow/green, with words) and the public
page of an indicator (definition, baseline, targets, approved history, progress with its rule and reason)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from kechuang.accounts.access import Principal
from kechuang.monitoring import progress
from kechuang.monitoring.service import indicator_by_code
from kechuang.plan import service as plans
from kechuang.web.pages import render
from kechuang.web.security import db, plan_office

router = APIRouter(include_in_schema=False)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, who: Principal = Depends(plan_office),
                   s: Session = Depends(db)) -> HTMLResponse:
    today = dt.date.today()
    board = progress.dashboard(s, today, reminder_days=request.app.state.supervision_settings.reminder_days)
    return render(request, "monitoring/dashboard.html", who=who, board=board, version=board.version)


@router.get("/monitoring/indicators/{code}", response_class=HTMLResponse)
def indicator_page(code: str, request: Request, s: Session = Depends(db)) -> HTMLResponse:
    """Public: only approved data (and the plan's own figures) appear here."""
    version = plans.latest_version(s)
    ind = indicator_by_code(s, version.plan_id, code)
    p = progress.indicator_progress(s, ind, progress.final_years(version))
    history = progress.approved_history(s, ind.id)
    return render(request, "monitoring/indicator.html", ind=ind, p=p, history=history, version=version)
