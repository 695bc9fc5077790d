"""Number formatting shared by the renderers, and the prose templates.

Every sentence of a report with a number in it is a Jinja2 template under ``templates/prose/`` filled
from data: :func:`prose` renders one, so no figure is typed into the text by hand.
"""

from __future__ import annotations

import datetime as dt
import re
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
