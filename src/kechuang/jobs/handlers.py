"""What each kind of job does: a function of (session, params) returning the result to record. A
:class:`JobError` is a refusal the page shows as it is (the data do not allow it); anything else is recorded as
an unexpected error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session


class JobError(Exception):
    """The job was refused for a reason the person who asked for it can act on."""


def report_pack(s: Session, params: dict[str, Any]) -> dict[str, Any]:
    """An evaluation or index report pack (``kechuang report …``): params ``kind``, ``year`` (or None),
    ``as_of`` (ISO date or None), ``lang`` (zh, the default, or en), ``reports_dir``; result ``pack_id``."""
    from kechuang.plan.service import PlanNotFound
    from kechuang.reports.model import ReportError
    from kechuang.reports.service import generate

    as_of = dt.date.fromisoformat(params["as_of"]) if params.get("as_of") else None
    try:
        pack = generate(s, params["kind"], params.get("year"), Path(params["reports_dir"]), as_of=as_of,
                        lang=params.get("lang", "zh"))
    except (ReportError, PlanNotFound, ValueError) as exc:
        raise JobError(str(exc)) from exc
    return {"pack_id": pack.id}


def index_rebuild(s: Session, params: dict[str, Any]) -> dict[str, Any]:
    """A new stored index run from the approved values (``kechuang index rebuild``): params ``by``,
    ``allow_gaps``; result ``run_id``."""
    from kechuang.index_results import frameworks, rebuild
    from kechuang.plan import service as plans

    try:
        framework = frameworks.get_framework(s, plans.get_plan(s).id)
        result = rebuild.rebuild(s, framework, by=params["by"], allow_gaps=bool(params.get("allow_gaps")))
    except (rebuild.CoverageError, frameworks.FrameworkError, plans.PlanNotFound) as exc:
        raise JobError(str(exc)) from exc
    return {"run_id": result.run.id}


HANDLERS: dict[str, Callable[[Session, dict[str, Any]], dict[str, Any]]] = {
    "report_pack": report_pack,
    "index_rebuild": index_rebuild,
}
