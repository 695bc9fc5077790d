"""One entry point for the series rules."""

from __future__ import annotations

from collections.abc import Callable

from kechuang.progress.assessment import Assessment, Rule
from kechuang.progress.cagr import assess_cagr
from kechuang.progress.config import ProgressConfig
from kechuang.progress.elapsed import assess_elapsed
from kechuang.progress.projection import assess_projection
from kechuang.progress.sdsn import assess_sdsn
from kechuang.progress.series import Series

SERIES_RULES: dict[Rule, Callable[[Series, ProgressConfig | None], Assessment]] = {
    Rule.ELAPSED: assess_elapsed,
    Rule.SDSN: assess_sdsn,
    Rule.CAGR: assess_cagr,
    Rule.PROJECTION: assess_projection,
}


def assess(series: Series, rule: Rule | str = Rule.ELAPSED, config: ProgressConfig | None = None) -> Assessment:
    """Assess ``series`` with the named rule: elapsed (序时进度, default), sdsn, cagr or projection.

    ``config`` defaults to ``ProgressConfig()``. Raises ValueError for an unknown rule name and for
    ``supervision``, which takes a dated item (``supervision_status``), not a series.
    """
    chosen = Rule(rule)
    if chosen not in SERIES_RULES:
        raise ValueError(f"rule {chosen.value!r} does not assess a series; use supervision_status")
    return SERIES_RULES[chosen](series, config)
