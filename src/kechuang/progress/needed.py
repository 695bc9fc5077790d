"""Annual growth still needed to reach the target."""

from __future__ import annotations

import math

from kechuang.progress._maths import compound_rate
from kechuang.progress._text import num, pct
from kechuang.progress.assessment import NeededGrowth
from kechuang.progress.series import Method, Series


def annual_growth_needed(series: Series) -> NeededGrowth:
    """Annual growth still needed from the latest point ``(t, v_t)`` to the target ``(T, X)``.

    ``compound = (X / v_t)^(1/(T − t)) − 1`` (水平法 only, needs ``v_t > 0`` and ``X > 0``);
    ``linear = (X − v_t) / (T − t)``.
    水平法: ``v_t = xt``; 累计法: ``v_t = S(t)``, the running total, so ``linear`` is the average amount still
    needed in each remaining year and ``compound`` is None. Before the first observation ``(t, v_t)`` is the
    baseline. Both are None without a target or when ``t = T``; the notes say why a figure is missing.
    Negative figures mean a fall is needed (逆向 targets) or the target is already passed.
    """
    if series.target is None:
        return NeededGrowth(
            years_left=None,
            compound=None,
            linear=None,
            note_zh="没有目标值，无法计算所需增速。",
            note_en="No target, so the growth still needed is undefined.",
        )
    start = series.path()[-1]
    big_t, big_x = series.target
    years_left = big_t - start.year
    if years_left == 0:
        return NeededGrowth(
            years_left=0,
            compound=None,
            linear=None,
            note_zh=f"已到目标年份 {big_t} 年，没有剩余年份。",
            note_en=f"The target year {big_t} has been reached; no years are left.",
        )
    linear = (big_x - start.value) / years_left
    if not math.isfinite(linear):
        return NeededGrowth(
            years_left=years_left,
            compound=None,
            linear=None,
            note_zh="数值超出可表示范围，无法计算所需增速。",
            note_en="The values are too large for a finite growth figure.",
        )
    if series.method is Method.CUMULATIVE:
        return NeededGrowth(
            years_left=years_left,
            compound=None,
            linear=linear,
            note_zh=(
                f"累计法：截至 {start.year} 年累计 {num(start.value)}，距目标总量 {num(big_x)} 尚余 {years_left} 年，"
                f"年均还需完成 {num(linear)}。"
            ),
            note_en=(
                f"Cumulative method: {num(start.value)} accumulated by {start.year}; reaching the total "
                f"{num(big_x)} needs {num(linear)} a year over the {years_left} remaining year(s)."
            ),
        )
    compound = compound_rate(start.value, big_x, years_left)
    head_zh = f"自 {start.year} 年的 {num(start.value)} 到 {big_t} 年目标 {num(big_x)}，尚余 {years_left} 年："
    head_en = (
        f"From {num(start.value)} in {start.year} to the target {num(big_x)} in {big_t} ({years_left} year(s) left): "
    )
    if compound is None:
        return NeededGrowth(
            years_left=years_left,
            compound=None,
            linear=linear,
            note_zh=head_zh + f"年均还需变动 {num(linear)}（线性）；数值非正或变化过大，复合增速不适用。",
            note_en=head_en + f"{num(linear)} a year (linear); no compound rate (it needs positive values).",
        )
    return NeededGrowth(
        years_left=years_left,
        compound=compound,
        linear=linear,
        note_zh=head_zh + f"年均还需增长 {pct(compound)}（复合）或 {num(linear)}（线性）。",
        note_en=head_en + f"{pct(compound)} a year compound, or {num(linear)} a year linear.",
    )
