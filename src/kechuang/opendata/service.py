"""Open-data exports: one table in a format, every table in one workbook, and the full data package."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy.orm import Session

from kechuang.opendata import formats
from kechuang.opendata.tables import Table, all_tables, table
from kechuang.plan import service as plans
from kechuang.store.base import utcnow

FORMATS = ("csv", "xlsx", "json")


class UnknownFormat(ValueError):
    """Not one of csv, xlsx, json."""


def export_table(s: Session, name: str, fmt: str) -> bytes:
    """The public table ``name`` as ``fmt`` (csv, xlsx or json)."""
    if fmt not in FORMATS:
        raise UnknownFormat(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    t = table(s, name)
    return write(t, fmt)


def write(t: Table, fmt: str) -> bytes:
    """Serialise one table."""
    if fmt == "csv":
        return formats.to_csv(t)
    if fmt == "json":
        return formats.to_json(t)
    return formats.to_xlsx([t])


def workbook(s: Session) -> bytes:
    """Every public table in one XLSX workbook, a sheet each."""
    return formats.to_xlsx(all_tables(s))


def package(s: Session, now: dt.datetime | None = None) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The data package: its ``datapackage.json`` descriptor (Frictionless Tabular Data Package, with a
    Table Schema, size and SHA-256 for every resource) and the CSV bytes of every resource by name."""
    v = plans.latest_version(s)
    meta = v.document["plan"]
    source = {"title": f"{meta['title']['zh']}（{meta['document_number']}）"}
    if meta.get("source_url"):
        source["path"] = meta["source_url"]
    tables = all_tables(s, v)
    csvs = {t.name: formats.to_csv(t) for t in tables}
    desc = formats.descriptor(
        tables, csvs,
        name=re.sub(r"[^a-z0-9._-]", "-", v.plan.code.lower()),
        title=f"{v.plan.title_zh} · 开放数据 / open data",
        description=(f"{v.plan.title_en or v.plan.title_zh}: the plan's tasks, measures, key projects, targets, "
                     "places, glossary, indicators with every observation and its source, and the published "
                     f"public comments, from plan version {v.number}. Observations with is_demo = true are "
                     "demo data (演示数据), not real statistics. In the CSV files a text beginning with = + - @ "
                     "carries a leading apostrophe so that spreadsheets do not run it as a formula."),
        version=str(v.number), created=now or utcnow(), sources=[source],
    )
    return desc, csvs


def datapackage(s: Session, now: dt.datetime | None = None) -> bytes:
    """The full export: a zip of ``datapackage.json`` and one CSV per public table (see :func:`package`)."""
    return formats.zip_package(*package(s, now))
