"""Cell texts shared by the renderers (numbers through :mod:`kechuang.core.numbers`), and the prose templates.

Every sentence of a report with a number in it is a Jinja2 template under ``templates/prose/`` filled
from data: :func:`prose` renders one, so no figure is typed into the text by hand.
"""

from __future__ import annotations

import datetime as dt
import re
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


def _date_en(value: str | dt.date) -> str:
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return f"{day.day} {day:%B} {day.year}"


def _environment(folder: Path, date: Any) -> Environment:
    env = Environment(loader=FileSystemLoader(folder), undefined=StrictUndefined, autoescape=False,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    env.filters.update(num=num, pct=pct, signed=signed, zhdate=date, date=date)
    return env


_envs = {"zh": _environment(TEMPLATES / "prose", _date), "en": _environment(TEMPLATES / "prose" / "en", _date_en)}
_SPACE_BEFORE = re.compile(r"\s+([,.;:)])")


def prose(name: str, lang: str = "zh", **context: Any) -> str:
    """Render the prose template ``templates/prose/<name>.j2`` (English: ``templates/prose/en/<name>.j2``) with
    ``context``. Chinese: the whitespace between lines is removed (no spaces between sentences); English: lines
    are joined by one space, with no space before punctuation."""
    text = _envs[lang].get_template(f"{name}.j2").render(**context)
    lines = [line.strip() for line in text.splitlines()]
    if lang == "zh":
        return "".join(lines)
    return _SPACE_BEFORE.sub(r"\1", " ".join(line for line in lines if line))
