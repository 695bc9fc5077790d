"""The plan-office dashboard (areas → tasks → indicators in red/yellow/green, with words) and the public
page of an indicator (definition, baseline, targets, approved history, progress with its rule and reason)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from kechuang import clock
from kechuang.accounts.access import Principal
from kechuang.monitoring import progress
from kechuang.monitoring.service import indicator_by_code
from kechuang.opendata import service as opendata
from kechuang.opendata.tables import Field, Table
from kechuang.plan import service as plans
from kechuang.web.downloads import attachment
from kechuang.web.pages import index_headline, render
from kechuang.web.security import db, plan_office

router = APIRouter(include_in_schema=False)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, who: Principal = Depends(plan_office),
                   s: Session = Depends(db)) -> HTMLResponse:
    today = clock.today()
    board = progress.dashboard(s, today, reminder_days=request.app.state.supervision_settings.reminder_days)
    return render(request, "monitoring/dashboard.html", who=who, board=board, version=board.version,
                  index=index_headline(s))


@router.get("/monitoring/indicators/{code}", response_class=HTMLResponse)
def indicator_page(code: str, request: Request, s: Session = Depends(db)) -> HTMLResponse:
    """Public: only approved data (and the plan's own figures) appear here."""
    version = plans.latest_version(s)
    ind = indicator_by_code(s, version.plan_id, code)
    p = progress.indicator_progress(s, ind, progress.final_years(version))
    history = progress.approved_history(s, ind.id)
    return render(request, "monitoring/indicator.html", ind=ind, p=p, history=history, version=version,
                  chart=_chart(p, history), latest=progress.latest_observation(s, ind.id))


def _chart(p: progress.IndicatorProgress, history: list) -> dict:  # type: ignore[type-arg]
    """Series for the indicator chart: the approved values, the plan text's figures (points), the published
    figures as one line per edition (a re-based edition is never joined to the one before), the baseline, the
    target and the straight trajectory from the baseline to the target (what the elapsed-time rule compares
    against)."""
    pr, target = p.profile, p.target
    annual = [o for o in history if o.period is None]
    points = [[o.year, o.value] for o in annual if o.source_kind in ("submission", "demo")]
    plan_text = [[o.year, o.value] for o in annual if o.source_kind == "plan_text"]
    editions: dict[str, dict[int, float]] = {}
    for o in sorted((o for o in annual if o.source_kind == "published"), key=lambda o: (o.year, o.released_on)):
        editions.setdefault(o.edition, {}).setdefault(o.year, o.value)  # each year as first published in its edition
    baseline = [pr.baseline_year, pr.baseline_value] if pr and pr.baseline_year is not None else None
    goal = [target.year, target.value] if target is not None and target.value is not None else None
    return {"values": points, "plan_text": plan_text, "baseline": baseline, "target": goal,
            "published": [{"edition": ed, "values": [[y, v] for y, v in sorted(by_year.items())]}
                          for ed, by_year in sorted(editions.items())],
            "trajectory": [baseline, goal] if baseline and goal else None}


@router.get("/monitoring/indicators/{code}/history.{fmt}")
def indicator_history_download(code: str, fmt: str, s: Session = Depends(db)) -> Response:
    """The approved history shown on the indicator page, as CSV, XLSX or JSON (formula-safe)."""
    if fmt not in ("csv", "xlsx", "json"):
        raise HTTPException(404, f"format must be csv, xlsx or json, not {fmt!r}")
    version = plans.latest_version(s)
    ind = indicator_by_code(s, version.plan_id, code)
    rows = [{"indicator_code": ind.code, "year": o.year, "period": o.period, "value": o.value,
             "source_kind": o.source_kind, "source": o.source, "is_demo": o.is_demo}
            for o in progress.approved_history(s, ind.id)]
    table = Table(f"indicator-{ind.code}", ind.name_zh, ind.name_en or ind.name_zh,
                  "Approved history of one indicator with the source of every value.", (
                      Field("indicator_code", "string", "指标编码", "Indicator code"),
                      Field("year", "integer", "年份", "Year"), Field("period", "string", "时期", "Period"),
                      Field("value", "number", "数值", "Value"),
                      Field("source_kind", "string", "来源类别", "Source kind"),
                      Field("source", "string", "来源", "Source"), Field("is_demo", "boolean", "演示数据", "Demo data"),
                  ), rows)
    media = {"csv": "text/csv; charset=utf-8", "json": "application/json",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[fmt]
    return Response(opendata.write(table, fmt), media_type=media,
                    headers=attachment(f"indicator-{ind.code}.{fmt}"))
