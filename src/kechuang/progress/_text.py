"""Number formatting for the human-readable reasons."""

from __future__ import annotations


def num(value: float) -> str:
    """A value as written in a plan table: up to 4 decimals, trailing zeros dropped (125.0 → "125")."""
    if value != 0 and not 1e-3 <= abs(value) < 1e7:
        return f"{value:.4g}"
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def pct(share: float) -> str:
    """A share as a percentage with one decimal: 0.5094 → "50.9%"."""
    return f"{share * 100:.1f}%"


def pts(points: float, signed: bool = False) -> str:
    """Percentage points with one decimal, optionally with an explicit sign: "+10.9"."""
    return f"{points:+.1f}" if signed else f"{points:.1f}"
