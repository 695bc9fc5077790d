"""Numeric helpers shared by the rules."""

from __future__ import annotations

import math

SETTLE_DIGITS = 9


def settle(value: float) -> float:
    """Round to 9 decimals before comparing with a band edge, so that a figure exactly on an edge is
    classified by the documented inequality rather than by floating-point noise (0.45 − 0.40 ≥ 0.05)."""
    return round(value, SETTLE_DIGITS)


def compound_rate(start: float, end: float, years: float) -> float | None:
    """Compound annual growth rate ``(end/start)^(1/years) − 1``, computed as ``expm1((ln end − ln start)/years)``.

    Returns None when start or end is not strictly positive or the rate is too large to represent.
    """
    if start <= 0 or end <= 0:
        return None
    try:
        return math.expm1((math.log(end) - math.log(start)) / years)
    except OverflowError:
        return None
