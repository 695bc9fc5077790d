"""The plan-office dashboard (areas → tasks → indicators in red/yellow/green, with words) and the public
page of an indicator (definition, baseline, targets, approved history, progress with its rule and reason)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from kechuang.assessment import progress
from kechuang.core import clock
from kechuang.core.access import Principal
from kechuang.indicators.profile_service import indicator_by_code
from kechuang.opendata import service as opendata
from kechuang.opendata.tables import Field, Table
from kechuang.plan import service as plans
from kechuang.web.cache import data_fingerprint
from kechuang.web.downloads import attachment
from kechuang.web.pages import index_headline, render
from kechuang.web.security import db, plan_office

router = APIRouter(include_in_schema=False)

T = TypeVar("T")


class DataVersionMemo(Generic[T]):
    """Values computed from the database, kept under a key that names the data they were computed from.

    The key always holds the database's data version (:func:`kechuang.web.cache.data_fingerprint`: the newest
    plan version, observation, audit record …; every approval, edit of a value, target, profile, link or
    supervision step writes an audit record in its own transaction, and audit records are appended under the
    audit chain's lock, so their ids grow in commit order). The version is read from the database on every
    request, before the value is computed, so a value is never served after the data under it changed — in
    this process or any other one writing to the same database: each process only ever skips recomputing
    what it would compute again. At most ``size`` keys are kept (least recently used first out); one value is
    computed at a time, so a burst of requests after a change computes it once."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            value = compute()
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
            return value


def detached(s: Session, value: T) -> T:
    """``value`` with every object of ``s`` detached from it: a memo's rows are shared by the requests of
    every thread, so none of them may load through the session of the request that computed them (what they
    show is loaded by then)."""
    s.expunge_all()
    return value


def data_key(s: Session, *parts: Hashable) -> tuple[Hashable, ...]:
    """The key of a value computed from the data as of now: the database, its data version, and ``parts`` (what
    else the value depends on, e.g. today's date)."""
    return (str(s.get_bind().engine.url), data_fingerprint(s), *parts)


_boards: DataVersionMemo[progress.Dashboard] = DataVersionMemo()


def current_dashboard(request: Request, s: Session) -> progress.Dashboard:
    """:func:`kechuang.assessment.progress.dashboard` of today (in the plan's time zone), recomputed only when the
    data change (:class:`DataVersionMemo`). Its rows are read-only: pages and the API only render them."""
    today, days = clock.today(), request.app.state.supervision_settings.reminder_days
    return _boards.get(data_key(s, today, days), lambda: detached(s, progress.dashboard(
        s, today, reminder_days=days)))


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, who: Principal = Depends(plan_office),
                   s: Session = Depends(db)) -> HTMLResponse:
    board = current_dashboard(request, s)
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
