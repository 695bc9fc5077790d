"""Number formatting shared by the renderers, and the prose templates.

Every sentence of a report with a number in it is a Jinja2 template under ``templates/prose/`` filled
from data: :func:`prose` renders one, so no figure is typed into the text by hand.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from kechuang.reports.model import Column

TEMPLATES = Path(__file__).resolve().parent / "templates"


def num(value: float | int | None, digits: int | None = None) -> str:
    """A number as written in a Chinese statistical table: ``digits`` decimals when given, else up to
    four, trailing zeros dropped (99.04, 973, 1.8); thousands are not grouped; ``None`` is "—"."""
    if value is None:
        return "—"
    if digits is not None:
        return f"{round_half_up(float(value), digits):.{digits}f}"
    if value != 0 and not 1e-3 <= abs(value) < 1e9:
        return f"{value:.4g}"
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def pct(share: float | None, digits: int = 1) -> str:
    """A share as a percentage: 0.5094 → "50.9%"; None → "—"."""
    return "—" if share is None else f"{round_half_up(share * 100, digits):.{digits}f}%"


def signed(value: float | None, digits: int = 1) -> str:
    """A change with its sign: +7.4, −1.2 (minus sign U+2212)."""
    if value is None:
        return "—"
    text = f"{round_half_up(abs(value), digits):.{digits}f}"
    return ("+" if value >= 0 else "−") + text


def round_half_up(value: float, digits: int) -> float:
    """Round as people do (2.5 → 3, 0.125 → 0.13), on the decimal representation of ``value``."""
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


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
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return f"{day.year}年{day.month}月{day.day}日"


_env = Environment(loader=FileSystemLoader(TEMPLATES / "prose"), undefined=StrictUndefined, autoescape=False,
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
_env.filters.update(num=num, pct=pct, signed=signed, zhdate=_date)


def prose(name: str, **context: Any) -> str:
    """Render the prose template ``templates/prose/<name>.j2`` with ``context``; whitespace between lines is
    removed (Chinese text has no spaces between sentences)."""
    text = _env.get_template(f"{name}.j2").render(**context)
    return "".join(line.strip() for line in text.splitlines())
