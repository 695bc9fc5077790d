"""Open data pages and downloads under ``/opendata``: an index of the public tables, one page per table,
each table as CSV, XLSX and JSON, every table in one workbook, and the full Frictionless Data Package at
the stable addresses ``/opendata/datapackage.zip`` and ``/opendata/datapackage.json``."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from kechuang.opendata import formats
from kechuang.opendata import service as opendata
from kechuang.opendata.tables import BUILDERS, all_tables, table
from kechuang.plan import service as plans
from kechuang.web.downloads import attachment
from kechuang.web.pages import render
from kechuang.web.security import db

router = APIRouter(include_in_schema=False)


def _download(data: bytes, name: str, fmt: str) -> Response:
    return Response(data, media_type=formats.MEDIA_TYPES.get(fmt, "application/zip"),
                    headers=attachment(f"{name}.{fmt}"))


@router.get("/opendata", response_class=HTMLResponse)
def opendata_index(request: Request, s: Session = Depends(db)) -> HTMLResponse:
    v = plans.latest_version(s)
    return render(request, "portal/opendata.html", version=v, tables=all_tables(s, v))


@router.get("/opendata/datapackage.zip")
def datapackage_zip(s: Session = Depends(db)) -> Response:
    v = plans.latest_version(s)
    return _download(opendata.datapackage(s), f"{v.plan.code}-opendata", "zip")


@router.get("/opendata/datapackage.json")
def datapackage_json(s: Session = Depends(db)) -> Response:
    """The package descriptor alone; its resource paths (``tasks.csv`` …) resolve to the CSVs beside it."""
    desc, _ = opendata.package(s)
    return Response(json.dumps(desc, ensure_ascii=False, indent=1), media_type="application/json")


@router.get("/opendata/all.xlsx")
def workbook(s: Session = Depends(db)) -> Response:
    return _download(opendata.workbook(s), "kechuang-opendata", "xlsx")


@router.get("/opendata/{name}.{fmt}")
def download(name: str, fmt: str, s: Session = Depends(db)) -> Response:
    if name not in BUILDERS or fmt not in opendata.FORMATS:
        raise plans.PlanNotFound(f"no open-data file {name}.{fmt}")
    return _download(opendata.export_table(s, name, fmt), name, fmt)


@router.get("/opendata/{name}", response_class=HTMLResponse)
def table_page(name: str, request: Request, s: Session = Depends(db)) -> HTMLResponse:
    if name not in BUILDERS:
        raise plans.PlanNotFound(f"no open-data table {name!r}")
    v = plans.latest_version(s)
    return render(request, "portal/opendata_table.html", version=v, table=table(s, name, v), text=formats.text)
