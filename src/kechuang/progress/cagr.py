"""Statistics Canada / Open SDG progress measure: observed against required compound annual growth."""

from __future__ import annotations

from kechuang.progress._maths import compound_rate, settle
from kechuang.progress._text import num, pct
from kechuang.progress.assessment import Assessment, Colour, Rule, Status, make_assessment, not_applicable
from kechuang.progress.config import ProgressConfig
from kechuang.progress.needed import annual_growth_needed
from kechuang.progress.series import Method, Series

_COLOURS = {
    Status.ACHIEVED: Colour.GREEN,
    Status.SUBSTANTIAL: Colour.GREEN,
    Status.MODERATE: Colour.YELLOW,
    Status.LIMITED: Colour.RED,
    Status.DETERIORATION: Colour.RED,
}


def _band(value: float, substantial: float, moderate: float) -> Status:
    """substantial when value ≥ substantial, moderate when ≥ moderate, limited when ≥ 0, else deterioration."""
    settled = settle(value)
    if settled >= settle(substantial):
        return Status.SUBSTANTIAL
    if settled >= settle(moderate):
        return Status.MODERATE
    if settled >= 0:
        return Status.LIMITED
    return Status.DETERIORATION


_BAND_TEXT = {
    Status.SUBSTANTIAL: ("显著进展", "substantial progress"),
    Status.MODERATE: ("一定进展，需加快", "moderate progress"),
    Status.LIMITED: ("进展有限", "limited progress"),
    Status.DETERIORATION: ("倒退", "deterioration"),
}


def assess_cagr(series: Series, config: ProgressConfig | None = None) -> Assessment:
    """Statistics Canada / Open SDG measure on compound annual growth rates.

    ``CAGR_obs = (xt/x0)^(1/(t − t0)) − 1``. With a target, ``CAGR_req = (X/x0)^(1/(T − t0)) − 1`` and
    ``ratio = CAGR_obs / CAGR_req``: target achieved when ``d·(xt − X) >= 0``; otherwise substantial when
    ``ratio >= 0.95``, moderate when ``0.6 <= ratio < 0.95``, limited when ``0 <= ratio < 0.6``, deterioration when
    ``ratio < 0``; a missed target that is no improvement on the baseline (``d·CAGR_req <= 0``) is deterioration.
    Without a target the bands apply to ``d·CAGR_obs``: ≥ 1.5 % substantial, ≥ 0.5 % moderate, ≥ 0 limited, < 0
    deterioration. The ratio is unchanged by the sign flip of 逆向 indicators (both rates flip).
    Colours: achieved and substantial green, moderate yellow, limited and deterioration red.
    ``figures``: cagr_observed, cagr_required (None without target), ratio (None when not computed).
    Not applicable — never NaN — unless x0, xt (and X) are strictly positive; 累计法 totals start at 0, so it is
    never applicable to them.
    """
    cfg = config or ProgressConfig()
    inputs = series.inputs() | {
        "cagr_substantial_ratio": cfg.cagr_substantial_ratio,
        "cagr_moderate_ratio": cfg.cagr_moderate_ratio,
        "cagr_substantial_growth": cfg.cagr_substantial_growth,
        "cagr_moderate_growth": cfg.cagr_moderate_growth,
    }
    needed = annual_growth_needed(series)

    def inapplicable(reason_zh: str, reason_en: str) -> Assessment:
        return not_applicable(Rule.CAGR, inputs=inputs, needed=needed, reason_zh=reason_zh, reason_en=reason_en)

    latest, target = series.latest, series.target
    if latest is None:
        return inapplicable(
            f"{series.baseline.year} 年基期之后尚无观测值，无法计算复合增速。",
            f"No observation after the baseline year {series.baseline.year}, so no growth rate.",
        )
    if series.method is Method.CUMULATIVE:
        return inapplicable(
            "累计法的累计值从 0 起算，复合增长率无定义。",
            "Cumulative totals start from zero, so a compound growth rate is undefined.",
        )
    named = {"x0": series.baseline.value, "xt": latest.value}
    if target is not None:
        named["X"] = target.value
    non_positive = [f"{name} = {num(value)}" for name, value in named.items() if value <= 0]
    if non_positive:
        listed = ", ".join(non_positive)
        return inapplicable(
            f"复合增长率只适用于严格为正的序列，而 {listed}。",
            f"The compound growth rate needs a strictly positive series, but {listed}.",
        )
    (t0, x0), (t, xt) = series.baseline, latest
    d = int(series.direction)
    observed = compound_rate(x0, xt, t - t0)
    too_large = ("增长倍数过大，复合增长率超出可表示范围。", "The growth is too large to represent as a rate.")
    if observed is None:
        return inapplicable(*too_large)
    observed_zh = f"实际复合增速 CAGR_obs = ({num(xt)}/{num(x0)})^(1/{t - t0}) − 1 = {pct(observed)}"
    observed_en = f"observed CAGR_obs = ({num(xt)}/{num(x0)})^(1/{t - t0}) − 1 = {pct(observed)}"
    if target is None:
        status = _band(d * observed, cfg.cagr_substantial_growth, cfg.cagr_moderate_growth)
        bands = f"{pct(cfg.cagr_substantial_growth)} / {pct(cfg.cagr_moderate_growth)} / 0"
        flip_zh, flip_en = ("（逆向指标取 −CAGR）", " (lower is better: −CAGR is banded)") if d == -1 else ("", "")
        band_zh, band_en = _BAND_TEXT[status]
        return make_assessment(
            Rule.CAGR,
            status,
            _COLOURS[status],
            inputs=inputs,
            figures={"cagr_observed": observed, "cagr_required": None, "ratio": None},
            needed=needed,
            reason_zh=f"无目标值：{observed_zh}{flip_zh}，对照 {bands} 的分档，{band_zh}。",
            reason_en=f"No target: {observed_en}{flip_en}, against the bands {bands}: {band_en}.",
        )
    required = compound_rate(x0, target.value, target.year - t0)
    if required is None:
        return inapplicable(*too_large)
    big_t, big_x = target
    required_zh = f"所需复合增速 CAGR_req = ({num(big_x)}/{num(x0)})^(1/{big_t - t0}) − 1 = {pct(required)}"
    required_en = f"required CAGR_req = ({num(big_x)}/{num(x0)})^(1/{big_t - t0}) − 1 = {pct(required)}"
    head_zh, head_en = f"{observed_zh}；{required_zh}", f"{observed_en}; {required_en}"
    ratio: float | None = None
    if d * (xt - big_x) >= 0:
        status = Status.ACHIEVED
        verdict_zh = f"{t} 年值 {num(xt)} 已达到目标 {num(big_x)}，已实现目标。"
        verdict_en = f"the {t} value {num(xt)} meets the target {num(big_x)}: target achieved."
    elif d * required <= 0:
        status = Status.DETERIORATION
        verdict_zh = f"目标不比基期更好，而 {t} 年值 {num(xt)} 未达到目标，判为倒退。"
        verdict_en = (
            f"the target is no improvement on the baseline and the {t} value {num(xt)} misses it: deterioration."
        )
    else:
        ratio = observed / required
        status = _band(ratio, cfg.cagr_substantial_ratio, cfg.cagr_moderate_ratio)
        bands = f"{num(cfg.cagr_substantial_ratio)} / {num(cfg.cagr_moderate_ratio)} / 0"
        band_zh, band_en = _BAND_TEXT[status]
        verdict_zh = f"比值 CAGR_obs/CAGR_req = {num(ratio)}，对照 {bands} 的分档，{band_zh}。"
        verdict_en = f"ratio CAGR_obs/CAGR_req = {num(ratio)}, against the bands {bands}: {band_en}."
    return make_assessment(
        Rule.CAGR,
        status,
        _COLOURS[status],
        inputs=inputs,
        figures={"cagr_observed": observed, "cagr_required": required, "ratio": ratio},
        needed=needed,
        reason_zh=f"{head_zh}；{verdict_zh}",
        reason_en=f"{head_en}; {verdict_en}",
    )
