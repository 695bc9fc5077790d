"""SDSN trend arrows (Sustainable Development Report dashboards)."""

from __future__ import annotations

from kechuang.progress._maths import settle
from kechuang.progress._text import num
from kechuang.progress.assessment import Assessment, Colour, Rule, Status, make_assessment, not_applicable
from kechuang.progress.config import ProgressConfig
from kechuang.progress.needed import annual_growth_needed
from kechuang.progress.series import Direction, Method, Series

_COLOURS = {
    Status.ON_TRACK: Colour.GREEN,
    Status.MODERATELY_IMPROVING: Colour.YELLOW,
    Status.STAGNATING: Colour.RED,
    Status.DECREASING: Colour.RED,
}


def assess_sdsn(series: Series, config: ProgressConfig | None = None) -> Assessment:
    """SDSN trend arrow from the required and observed linear annual growth.

    ``r = (X − x0)/(T − t0)`` (required), ``g = (v_t − v0)/(t − t0)`` (observed), compared as ``d·g`` against
    ``d·r`` so that signs flip for 逆向 indicators; ``f`` = ``sdsn_moderate_fraction`` (default 0.5):
    ↑ on track when the target is met (``d·(v_t − X) >= 0``) or ``d·g >= d·r``; ➚ moderately improving when
    ``f·d·r < d·g < d·r``; → stagnating when ``0 <= d·g <= f·d·r``; ↓ decreasing when ``d·g < 0``.
    Colours: ↑ green, ➚ yellow, → and ↓ red. ``v`` is the level (水平法) or the running total S (累计法,
    ``v0 = 0``). ``figures``: required_rate r and observed_rate g in the indicator's own units and sign.
    Not applicable without a target, without an observation, or for a 逆向 累计法 indicator (a cap on a total
    has no growth path to follow).
    """
    cfg = config or ProgressConfig()
    inputs = series.inputs() | {"sdsn_moderate_fraction": cfg.sdsn_moderate_fraction}
    needed = annual_growth_needed(series)
    target = series.target
    if target is None or series.latest is None:
        missing_zh, missing_en = (
            ("目标值", "target") if target is None else ("基期之后的观测值", "observation after the baseline")
        )
        return not_applicable(
            Rule.SDSN,
            inputs=inputs,
            needed=needed,
            reason_zh=f"缺少{missing_zh}，无法判定趋势箭头。",
            reason_en=f"No {missing_en}, so no SDSN trend arrow.",
        )
    if series.method is Method.CUMULATIVE and series.direction is Direction.LOWER:
        return not_applicable(
            Rule.SDSN,
            inputs=inputs,
            needed=needed,
            reason_zh="逆向累计指标是总量上限，没有需要追赶的增长路径，趋势箭头不适用。",
            reason_en="A lower-is-better cumulative indicator is a cap on a total; it has no growth path to follow.",
        )
    path = series.path()
    (t0, v0), (t, vt), (big_t, big_x) = path[0], path[-1], target
    d = int(series.direction)
    required = (big_x - v0) / (big_t - t0)
    observed = (vt - v0) / (t - t0)
    f = cfg.sdsn_moderate_fraction
    rates_zh = (
        f"所需年均变动 r = ({num(big_x)} − {num(v0)})/({big_t} − {t0}) = {num(required)}，"
        f"实际年均变动 g = ({num(vt)} − {num(v0)})/({t} − {t0}) = {num(observed)}"
    )
    rates_en = (
        f"required r = ({num(big_x)} − {num(v0)})/({big_t} − {t0}) = {num(required)} a year, "
        f"observed g = ({num(vt)} − {num(v0)})/({t} − {t0}) = {num(observed)} a year"
    )
    if d == -1:
        rates_zh += "（逆向指标，比较 −g 与 −r）"
        rates_en += " (lower is better: −g is compared with −r)"
    g, r = settle(d * observed), settle(d * required)
    if d * (vt - big_x) >= 0:
        status = Status.ON_TRACK
        verdict_zh, verdict_en = f"已达到目标 {num(big_x)}，↑。", f"the target {num(big_x)} is met: ↑."
    elif g >= r:
        status = Status.ON_TRACK
        verdict_zh, verdict_en = "g 不低于 r，↑ 正常推进。", "g ≥ r: ↑ on track."
    elif g > settle(f * r):
        status = Status.MODERATELY_IMPROVING
        verdict_zh = f"{num(f)}·r < g < r，➚ 温和改善。"
        verdict_en = f"{num(f)}·r < g < r: ➚ moderately improving."
    elif g >= 0:
        status = Status.STAGNATING
        verdict_zh, verdict_en = f"0 ≤ g ≤ {num(f)}·r，→ 停滞。", f"0 ≤ g ≤ {num(f)}·r: → stagnating."
    else:
        status = Status.DECREASING
        verdict_zh, verdict_en = "g < 0，↓ 倒退。", "g < 0: ↓ decreasing."
    return make_assessment(
        Rule.SDSN,
        status,
        _COLOURS[status],
        inputs=inputs,
        figures={"required_rate": required, "observed_rate": observed},
        needed=needed,
        reason_zh=f"{rates_zh}；{verdict_zh}",
        reason_en=f"{rates_en}; {verdict_en}",
    )
