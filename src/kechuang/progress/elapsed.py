"""The elapsed-time rule (序时进度) of Chinese plan evaluations."""

from __future__ import annotations

import math
from dataclasses import dataclass

from kechuang.progress._maths import settle
from kechuang.progress._text import num, pct, pts
from kechuang.progress.assessment import Assessment, Colour, Rule, Status, make_assessment, not_applicable
from kechuang.progress.config import ProgressConfig
from kechuang.progress.needed import annual_growth_needed
from kechuang.progress.series import Binding, Direction, Method, Point, Series


def completion_rate(actual: float, plan: float, direction: Direction) -> float | None:
    """完成率 of an actual value (or total) against its planned value.

    ``d = +1``: ``actual / plan`` when ``plan > 0``; ``2 − actual / plan`` when ``plan < 0`` (negative planned
    value). ``d = −1`` (逆向, ratio inverted): ``plan / actual`` when ``plan > 0`` and ``actual > 0``;
    ``actual / plan`` when ``plan < 0`` (the mirror image of the positive rule). None when ``plan = 0`` or when
    ``d = −1``, ``plan > 0`` and ``actual <= 0`` (the inverted ratio is undefined), and when the ratio overflows.
    """
    if plan == 0 or (direction is Direction.LOWER and plan > 0 and actual <= 0):
        return None
    if direction is Direction.HIGHER:
        rate = actual / plan if plan > 0 else 2 - actual / plan
    else:
        rate = actual / plan if plan < 0 else plan / actual
    return rate if math.isfinite(rate) else None


def gap_colour(gap_points: float, config: ProgressConfig) -> Colour:
    """Colour of a gap ``E − A`` in percentage points: green ≤ green_max, yellow ≤ yellow_max, red above."""
    gap = settle(gap_points)
    if gap <= config.green_max_gap_points:
        return Colour.GREEN
    if gap <= config.yellow_max_gap_points:
        return Colour.YELLOW
    return Colour.RED


@dataclass(frozen=True)
class _Reading:
    """The rule's reading of one series: shares, verdict and the text explaining them."""

    achieved_share: float | None
    elapsed_share: float
    gap_points: float | None
    completion: float | None
    status: Status
    banded: bool
    basis_zh: str
    basis_en: str
    verdict_zh: str
    verdict_en: str
    extra: dict[str, float | None]


def _read_level(series: Series, latest: Point, target: Point, delta: float) -> _Reading:
    (t0, x0), (t, xt), (big_t, big_x) = series.baseline, latest, target
    d = series.direction
    elapsed = (t - t0) / (big_t - t0)
    basis_zh = f"水平法，{d.zh}指标：时间进度 E = ({t} − {t0})/({big_t} − {t0}) = {pct(elapsed)}"
    basis_en = f"Level method, {d.en}: elapsed share E = ({t} − {t0})/({big_t} − {t0}) = {pct(elapsed)}"
    achieved: float | None = None
    if d * (big_x - x0) > 0:
        achieved = (xt - x0) / (big_x - x0)
        formula = f"A = ({num(xt)} − {num(x0)})/({num(big_x)} − {num(x0)}) = {pct(achieved)}"
        basis_zh += f"；实际进度 {formula}"
        basis_en += f"; achieved share {formula}"
    banded = False
    if d * (xt - big_x) >= 0:
        status = Status.ACHIEVED
        verdict_zh = f"{t} 年值 {num(xt)} 已达到 {big_t} 年目标 {num(big_x)}，提前实现。"
        verdict_en = f"The {t} value {num(xt)} already meets the {big_t} target {num(big_x)}."
    elif achieved is None:
        status = Status.LAGGING
        better_zh = "高" if d is Direction.HIGHER else "低"
        verdict_zh = (
            f"目标 {num(big_x)} 不比基期值 {num(x0)} 更{better_zh}，实际进度无从计算；"
            f"{t} 年值 {num(xt)} 未达到目标，判为滞后。"
        )
        verdict_en = (
            f"The target {num(big_x)} is no improvement on the baseline {num(x0)}, so A is undefined; "
            f"the {t} value {num(xt)} misses the target, so it is behind."
        )
    else:
        status, verdict_zh, verdict_en = _band(achieved - elapsed, "A − E", delta)
        banded = True
    return _Reading(
        achieved_share=achieved,
        elapsed_share=elapsed,
        gap_points=None if achieved is None else settle(100 * (elapsed - achieved)),
        completion=completion_rate(xt, big_x, d),
        status=status,
        banded=banded,
        basis_zh=basis_zh,
        basis_en=basis_en,
        verdict_zh=verdict_zh,
        verdict_en=verdict_en,
        extra={},
    )


def _read_cumulative(series: Series, latest: Point, target: Point, delta: float) -> _Reading:
    t0, t, (big_t, big_x) = series.baseline.year, latest.year, target
    d = series.direction
    total = series.path()[-1].value
    planned, planned_total = series.planned_to_date(t), series.planned_to_date(big_t)
    elapsed = planned / planned_total
    achieved = total / big_x
    if series.annual_targets:
        schedule = f"E = {num(planned)}/{num(planned_total)} = {pct(elapsed)}"
        schedule_zh, schedule_en = f"按年度目标的计划进度 {schedule}", f"planned share by annual targets {schedule}"
    else:
        schedule = f"E = ({t} − {t0})/({big_t} − {t0}) = {pct(elapsed)}"
        schedule_zh, schedule_en = f"时间进度 {schedule}", f"elapsed share {schedule}"
    share = f"A = S/X = {num(total)}/{num(big_x)} = {pct(achieved)}"
    cap = d is Direction.LOWER
    if cap:
        basis_zh = f"累计法（总量上限），逆向指标：{t0 + 1}–{t} 年累计 S = {num(total)}，已用 {share}；{schedule_zh}"
        basis_en = (
            f"Cumulative method, a cap on the total (lower is better): total {t0 + 1}–{t} "
            f"S = {num(total)}, used {share}; {schedule_en}"
        )
    else:
        basis_zh = f"累计法，正向指标：{t0 + 1}–{t} 年累计 S = {num(total)}，实际进度 {share}；{schedule_zh}"
        basis_en = f"Cumulative method: total {t0 + 1}–{t} S = {num(total)}, achieved {share}; {schedule_en}"
    advance = elapsed - achieved if cap else achieved - elapsed
    banded = False
    if not cap and total >= big_x:
        status = Status.ACHIEVED
        verdict_zh = f"累计 {num(total)} 已达到目标总量 {num(big_x)}，提前实现。"
        verdict_en = f"The total {num(total)} already meets the target total {num(big_x)}."
    elif cap and total > big_x:
        status = Status.LAGGING
        verdict_zh = f"累计 {num(total)} 已超过总量上限 {num(big_x)}，判为滞后。"
        verdict_en = f"The total {num(total)} already exceeds the cap {num(big_x)}, so it is behind."
    elif cap and t == big_t:
        status = Status.ACHIEVED
        verdict_zh = f"至目标年份 {big_t} 年累计 {num(total)} 未超过上限 {num(big_x)}，目标实现。"
        verdict_en = f"By the target year {big_t} the total {num(total)} stays within the cap {num(big_x)}."
    else:
        status, verdict_zh, verdict_en = _band(advance, "E − A" if cap else "A − E", delta)
        banded = True
    return _Reading(
        achieved_share=achieved,
        elapsed_share=elapsed,
        gap_points=settle(-100 * advance),
        completion=completion_rate(total, planned, d),
        status=status,
        banded=banded,
        basis_zh=basis_zh,
        basis_en=basis_en,
        verdict_zh=verdict_zh,
        verdict_en=verdict_en,
        extra={"cumulative_total": total, "planned_to_date": planned},
    )


def _band(advance: float, label: str, delta: float) -> tuple[Status, str, str]:
    """快于预期 when advance ≥ δ, 基本符合预期 when |advance| < δ, 滞后 otherwise."""
    points, delta_points = pts(100 * advance, signed=True), pts(100 * delta)
    settled, settled_delta = settle(advance), settle(delta)
    if settled >= settled_delta:
        return (
            Status.AHEAD,
            f"{label} = {points} 个百分点 ≥ δ = {delta_points} 个百分点，快于预期。",
            f"{label} = {points} points ≥ δ = {delta_points} points: ahead of schedule.",
        )
    if abs(settled) < settled_delta:
        return (
            Status.ON_SCHEDULE,
            f"|{label}| = {pts(abs(100 * advance))} 个百分点 < δ = {delta_points} 个百分点，基本符合预期。",
            f"|{label}| = {pts(abs(100 * advance))} points < δ = {delta_points} points: broadly on schedule.",
        )
    return (
        Status.LAGGING,
        f"{label} = {points} 个百分点 ≤ −δ = −{delta_points} 个百分点，滞后。",
        f"{label} = {points} points ≤ −δ = −{delta_points} points: behind schedule.",
    )


def assess_elapsed(series: Series, config: ProgressConfig | None = None) -> Assessment:
    """Elapsed-time rule (序时进度): compare the share of the target achieved with the share of time elapsed.

    水平法: ``A = (xt − x0)/(X − x0)``, ``E = (t − t0)/(T − t0)``.
    累计法: ``A = S(t)/X`` with ``S(t) = Σ_{t0<y<=t} x_y``; ``E = (t − t0)/(T − t0)``, or with annual targets
    ``E = Σ_{y<=t} a_y / Σ a_y``.

    Status: 提前实现 (achieved) once the target is met (``d·(xt − X) >= 0``; 累计法 ``S >= X``). Otherwise, with
    ``advance = A − E``: 快于预期 when ``advance >= δ``; 基本符合预期 when ``|advance| < δ``; 滞后 otherwise.
    A 逆向 累计法 indicator is a cap on the total: 滞后 (red) once ``S > X``, achieved only at ``t = T`` with
    ``S <= X``, and before that ``advance = E − A`` (using less than scheduled is ahead). A level target that is
    no improvement on the baseline (``d·(X − x0) <= 0``) and is missed is 滞后 (red), A being undefined.

    Colour by ``gap = −100·advance`` points (``E − A``): green ≤ ``green_max_gap_points``, yellow ≤
    ``yellow_max_gap_points``, red above; achieved is always green. ``warning`` (预警) = binding and 滞后.
    ``figures``: achieved_share, elapsed_share, gap_points, completion (see ``completion_rate``; 累计法 uses
    ``S`` against ``P(t)``), and under 累计法 cumulative_total ``S`` and planned_to_date ``P(t)``.
    Not applicable without a target or without an observation after the baseline.
    """
    cfg = config or ProgressConfig()
    inputs = series.inputs() | {
        "delta": cfg.delta,
        "green_max_gap_points": cfg.green_max_gap_points,
        "yellow_max_gap_points": cfg.yellow_max_gap_points,
    }
    needed = annual_growth_needed(series)
    latest, target = series.latest, series.target
    if target is None:
        return not_applicable(
            Rule.ELAPSED,
            inputs=inputs,
            needed=needed,
            reason_zh="没有目标值，无法计算序时进度。",
            reason_en="No target, so the elapsed-time rule cannot be applied.",
        )
    if latest is None:
        return not_applicable(
            Rule.ELAPSED,
            inputs=inputs,
            needed=needed,
            reason_zh=f"{series.baseline.year} 年基期之后尚无观测值。",
            reason_en=f"No observation after the baseline year {series.baseline.year}.",
        )
    read = _read_level if series.method is Method.LEVEL else _read_cumulative
    reading = read(series, latest, target, cfg.delta)
    if reading.banded and reading.gap_points is not None:
        gap = reading.gap_points
        colour = gap_colour(gap, cfg)
        green, yellow = num(cfg.green_max_gap_points), num(cfg.yellow_max_gap_points)
        side_zh = f"落后序时 {pts(gap)}" if gap > 0 else f"领先序时 {pts(-gap)}"
        side_en = f"behind schedule by {pts(gap)}" if gap > 0 else f"ahead of schedule by {pts(-gap)}"
        colour_zh = f"{side_zh} 个百分点，{colour.zh}色（落后 ≤ {green} 绿，≤ {yellow} 黄，其余为红）。"
        colour_en = f"Colour {colour.value}: {side_en} points (gap ≤ {green} green, ≤ {yellow} yellow, red above)."
    else:
        colour = Colour.GREEN if reading.status is Status.ACHIEVED else Colour.RED
        colour_zh, colour_en = f"颜色：{colour.zh}。", f"Colour: {colour.value}."
    completion_zh = completion_en = ""
    if reading.completion is not None:
        completion_zh = f"；完成率 {pct(reading.completion)}"
        completion_en = f"; completion {pct(reading.completion)}"
    warning = series.binding is Binding.BINDING and reading.status is Status.LAGGING
    warning_zh = "约束性指标滞后，触发预警。" if warning else ""
    warning_en = " Binding indicator behind schedule: early warning (预警)." if warning else ""
    return make_assessment(
        Rule.ELAPSED,
        reading.status,
        colour,
        inputs=inputs,
        figures={
            "achieved_share": reading.achieved_share,
            "elapsed_share": reading.elapsed_share,
            "gap_points": reading.gap_points,
            "completion": reading.completion,
            **reading.extra,
        },
        needed=needed,
        reason_zh=f"{reading.basis_zh}{completion_zh}。{reading.verdict_zh}{colour_zh}{warning_zh}",
        reason_en=f"{reading.basis_en}{completion_en}. {reading.verdict_en} {colour_en}{warning_en}",
        warning=warning,
    )
