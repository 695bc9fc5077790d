"""Projection of a time-weighted linear trend to the target year."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from kechuang.progress._maths import settle
from kechuang.progress._text import num, pct, pts
from kechuang.progress.assessment import Assessment, Colour, Rule, Status, make_assessment, not_applicable
from kechuang.progress.config import ProgressConfig
from kechuang.progress.needed import annual_growth_needed
from kechuang.progress.series import Point, Series


class Trend(NamedTuple):
    """A fitted line ``v(year) = mean_value + slope·(year − mean_year)`` through the weighted means."""

    slope: float
    mean_year: float
    mean_value: float

    def at(self, year: float) -> float:
        """The trend value ``mean_value + slope·(year − mean_year)``."""
        return self.mean_value + self.slope * (year - self.mean_year)


def weighted_trend(points: Sequence[Point], half_life_years: float) -> Trend:
    """Weighted least-squares line through ``points`` (at least two distinct years).

    Weights ``w_i = 2^(−(t_last − t_i)/h)``: the latest point weighs 1 and a point h years older weighs ½, so the
    trend follows the recent pace while every point since the baseline still counts. Values near the float limit
    give non-finite results rather than warnings.
    ``t̄ = Σw·t/Σw``, ``v̄ = Σw·v/Σw``, ``slope = Σw(t − t̄)(v − v̄) / Σw(t − t̄)²``.
    """
    years = np.array([p.year for p in points], dtype=float)
    values = np.array([p.value for p in points], dtype=float)
    weights = np.exp2(-(years.max() - years) / half_life_years)
    with np.errstate(over="ignore", invalid="ignore"):
        mean_year = float(np.average(years, weights=weights))
        mean_value = float(np.average(values, weights=weights))
        spread = years - mean_year
        slope = float(np.sum(weights * spread * (values - mean_value)) / np.sum(weights * spread**2))
    return Trend(slope=slope, mean_year=mean_year, mean_value=mean_value)


def assess_projection(series: Series, config: ProgressConfig | None = None) -> Assessment:
    """Project the weighted linear trend of the path since the baseline to the target year.

    The trend is ``weighted_trend`` over the baseline and every observation (levels under 水平法, running totals
    S under 累计法), with half-life ``h = projection_half_life_years``; ``v̂(T)`` is its value in year T.
    On track (green) when ``d·(v̂(T) − X) >= 0`` (to 9 decimals); otherwise off track, yellow when the projected
    shortfall ``100·(1 − (v̂(T) − v0)/(X − v0))`` is at most ``projection_yellow_points`` points of the planned change,
    red when larger or when the target is no improvement on the baseline (``d·(X − v0) <= 0``).
    ``figures``: slope, projected_value v̂(T), projected_gap ``v̂(T) − X``, projected_share
    ``(v̂(T) − v0)/(X − v0)`` and shortfall_points (None when the target is no improvement on the baseline).
    Not applicable without a target or an observation after the baseline.
    """
    cfg = config or ProgressConfig()
    inputs = series.inputs() | {
        "projection_half_life_years": cfg.projection_half_life_years,
        "projection_yellow_points": cfg.projection_yellow_points,
    }
    needed = annual_growth_needed(series)
    target = series.target
    if target is None or series.latest is None:
        missing_zh, missing_en = (
            ("目标值", "target") if target is None else ("基期之后的观测值", "observation after the baseline")
        )
        return not_applicable(
            Rule.PROJECTION,
            inputs=inputs,
            needed=needed,
            reason_zh=f"缺少{missing_zh}，无法做趋势外推。",
            reason_en=f"No {missing_en}, so no trend projection.",
        )
    path = series.path()
    trend = weighted_trend(path, cfg.projection_half_life_years)
    big_t, big_x = target
    projected = trend.at(big_t)
    d = int(series.direction)
    v0 = path[0].value
    share = (projected - v0) / (big_x - v0) if d * (big_x - v0) > 0 else None
    shortfall = None if share is None else settle(100 * (1 - share))
    fit_zh = (
        f"对 {path[0].year}–{path[-1].year} 年 {len(path)} 个点做时间加权线性拟合（半衰期 "
        f"{num(cfg.projection_half_life_years)} 年），斜率 {num(trend.slope)}/年，外推 {big_t} 年为 {num(projected)}，"
        f"目标 {num(big_x)}，差 {num(projected - big_x)}"
    )
    fit_en = (
        f"time-weighted linear fit over {len(path)} points {path[0].year}–{path[-1].year} (half-life "
        f"{num(cfg.projection_half_life_years)} years): slope {num(trend.slope)} a year, projected {num(projected)} "
        f"in {big_t} against the target {num(big_x)} (gap {num(projected - big_x)})"
    )
    if share is not None:
        fit_zh += f"，预计完成计划变动的 {pct(share)}"
        fit_en += f", {pct(share)} of the planned change"
    if settle(d * (projected - big_x)) >= 0:
        status, colour = Status.ON_TRACK, Colour.GREEN
        verdict_zh, verdict_en = "按趋势可如期实现，绿色。", "on track by trend: green."
    elif shortfall is not None and shortfall <= cfg.projection_yellow_points:
        status, colour = Status.OFF_TRACK, Colour.YELLOW
        verdict_zh = f"按趋势差 {pts(shortfall)} 个百分点，不超过 {num(cfg.projection_yellow_points)}，黄色。"
        verdict_en = f"off track by {pts(shortfall)} points, within {num(cfg.projection_yellow_points)}: yellow."
    else:
        status, colour = Status.OFF_TRACK, Colour.RED
        verdict_zh, verdict_en = "按趋势难以如期实现，红色。", "off track by trend: red."
    return make_assessment(
        Rule.PROJECTION,
        status,
        colour,
        inputs=inputs,
        figures={
            "slope": trend.slope,
            "projected_value": projected,
            "projected_gap": projected - big_x,
            "projected_share": share,
            "shortfall_points": shortfall,
        },
        needed=needed,
        reason_zh=f"{fit_zh}；{verdict_zh}",
        reason_en=f"{fit_en}; {verdict_en}",
    )
