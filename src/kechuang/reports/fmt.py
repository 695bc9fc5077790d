"""Cell texts shared by the renderers (numbers through :mod:`kechuang.core.numbers`), and the prose templates.

Every sentence of a report with a number in it is a Jinja2 template under ``templates/prose/`` filled
from data: :func:`prose` renders one, so no figure is typed into the text by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from kechuang.core.numbers import date_text, num, pct, round_half_up, signed
from kechuang.reports.model import Column

__all__ = ["cell_text", "num", "pct", "prose", "round_half_up", "signed"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def cell_text(value: Any, column: Column) -> str:
    """How a cell is shown in Word, PDF and HTML."""
    if value is None or value == "":
        return "—" if column.kind != "text" else ""
    if column.kind == "percent":
        return pct(float(value), 1 if column.digits is None else column.digits)
    if column.kind in ("number", "integer"):
        return num(value, 0 if column.kind == "integer" else column.digits)
    if column.kind == "year":
        return str(value)
    return str(value)


def _date(value: str | dt.date) -> str:
    return date_text(value, "zh")


_env = Environment(loader=FileSystemLoader(TEMPLATES / "prose"), undefined=StrictUndefined, autoescape=False,
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
_env.filters.update(num=num, pct=pct, signed=signed, zhdate=_date)


def prose(name: str, **context: Any) -> str:
    """Render the prose template ``templates/prose/<name>.j2`` with ``context``; whitespace between lines is
    removed (Chinese text has no spaces between sentences)."""
    text = _env.get_template(f"{name}.j2").render(**context)
    return "".join(line.strip() for line in text.splitlines())
