"""Number formatting for the human-readable reasons: the one formatter, :mod:`kechuang.core.numbers`
(the reasons are written in both languages at once; zh_CN and en write these numbers alike)."""

from __future__ import annotations

from kechuang.core.numbers import num as _num
from kechuang.core.numbers import pct as _pct
from kechuang.core.numbers import signed as _signed


def num(value: float) -> str:
    """A value as written in a plan table: up to 4 decimals, trailing zeros dropped (125.0 → "125")."""
    return _num(value)


def pct(share: float) -> str:
    """A share as a percentage with one decimal, rounded half up: 0.5094 → "50.9%", 0.1225 → "12.3%"."""
    return _pct(share)


def pts(points: float, signed: bool = False) -> str:
    """Percentage points with one decimal, optionally with an explicit sign: "+10.9", "−3.2"."""
    return _signed(points) if signed else _num(points, 1)
