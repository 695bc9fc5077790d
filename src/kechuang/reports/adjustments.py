"""Proposed plan adjustments (规划调整建议) from an evaluation, and accepting them as a new plan version.

The plan says the mid-term evaluation may lead to adjusting the plan (根据评估结果依法调整规划内容). A
proposal is made for a quantified target written in the plan (an element of kind ``target``) whose
indicator is assessed as lagging (滞后 or 需加快) and whose trend does not reach it:

- the trend is ``kechuang.progress.weighted_trend`` through the baseline and the observations (the same
  time-weighted line as the ``projection`` rule, half-life from ``ProgressConfig``), read in the target year;
- the proposed level is that projection rounded half-up to the precision of the plan's own figures (whole
  numbers stay whole), never below the latest observed value nor the baseline (above them for 逆向
  indicators, where lower is better);
- for a range (``value_min``–``value_max``) the far bound is moved to the proposed level, and the near
  bound too when the proposal falls below it; nothing is proposed when the rounded projection still
  reaches the plan's figure or when the method is 累计法.

Targets set only in the monitoring settings are not plan text: for them the report states the growth
now needed (``annual_growth_needed``) instead. :func:`accept_adjustments` writes the accepted proposals
through ``plan.service.adjust_plan`` — a new version, with who and why — and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from kechuang.plan import service as plans
from kechuang.plan.models import PlanElement, PlanVersion
from kechuang.progress import Method, ProgressConfig, weighted_trend
from kechuang.reports.data import IndicatorRow
from kechuang.reports.fmt import prose, round_half_up


@dataclass(frozen=True)
class FieldChange:
    field: str
    current: float | None
    proposed: float


@dataclass(frozen=True)
class Proposal:
    """One proposed change of one plan target element, with its basis in words."""

    id: str
    plan_version: int
    element_code: str
    element_text: str
    indicator_code: str
    indicator_name: str
    unit: str
    target_year: int
    projected: float
    changes: tuple[FieldChange, ...]
    basis_zh: str
    demo: bool
    #: the same in English (the English pack)
    basis_en: str = ""
    element_text_en: str = ""
    indicator_name_en: str = ""
    unit_en: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["changes"] = [asdict(c) for c in self.changes]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Proposal:
        values = dict(data)
        values["changes"] = tuple(FieldChange(**c) for c in data["changes"])
        return cls(**values)


def _digits(*values: float | None) -> int:
    present = [v for v in values if v is not None]
    return 0 if all(float(v).is_integer() for v in present) else 2


def _bounds_after(direction: int, low: float | None, high: float | None, new: float) -> dict[str, float]:
    """Which bounds move to ``new`` (see the module docstring); empty when the plan's figure is reached."""
    changes: dict[str, float] = {}

    def worse(a: float, b: float) -> bool:
        return a < b if direction > 0 else a > b

    lower, upper = ("value_min", low), ("value_max", high)
    near, far = (lower, upper) if direction > 0 else (upper, lower)
    if far[1] is not None and worse(new, far[1]):
        changes[far[0]] = new
    if near[1] is not None and worse(new, near[1]):
        changes[near[0]] = new
    return changes


def propose(rows: Sequence[IndicatorRow], version: PlanVersion, targets: Sequence[PlanElement],
            config: ProgressConfig | None = None) -> list[Proposal]:
    """Proposals for the plan's target elements (``targets``) whose indicator lags (see module docstring)."""
    cfg = config or ProgressConfig()
    by_indicator: dict[str, list[PlanElement]] = {}
    for t in targets:
        code = t.attrs.get("indicator")
        if code:
            by_indicator.setdefault(str(code), []).append(t)
    out: list[Proposal] = []
    for row in rows:
        series = row.series
        if not row.lagging or series is None or series.target is None or series.latest is None:
            continue
        if series.method is not Method.LEVEL:
            continue
        big_t = series.target.year
        projected = weighted_trend(series.path(), cfg.projection_half_life_years).at(big_t)
        d = int(series.direction)
        for element in by_indicator.get(row.indicator.code, []):
            if int(element.attrs.get("year", big_t)) != big_t:
                continue
            low, high = element.attrs.get("value_min"), element.attrs.get("value_max")
            new = round_half_up(projected, _digits(low, high))
            floor = max(series.latest.value, series.baseline.value) if d > 0 else min(series.latest.value,
                                                                                      series.baseline.value)
            new = max(new, floor) if d > 0 else min(new, floor)
            moved = _bounds_after(d, low, high, new)
            if not moved:
                continue
            changes = tuple(FieldChange(f, element.attrs.get(f), v) for f, v in sorted(moved.items()))
            pid = f"P{len(out) + 1}"
            basis = {lang: prose("proposal_basis", lang, row=row, series=series, projected=projected, new=new,
                                 element=element, half_life=cfg.projection_half_life_years, low=low, high=high,
                                 unit=element.attrs.get(f"unit_{lang}") or row.indicator.unit(lang))
                     for lang in ("zh", "en")}
            out.append(Proposal(pid, version.number, element.code, element.title_zh, row.indicator.code,
                                row.indicator.name_zh, row.indicator.unit_zh, big_t, projected, changes, basis["zh"],
                                row.demo, basis["en"], element.title("en"), row.indicator.name("en"),
                                element.attrs.get("unit_en") or row.indicator.unit("en")))
    return out


def accept_adjustments(session: Session, proposals: Iterable[Proposal | Mapping[str, Any]], *, by: str, reason: str,
                       accepted: Iterable[str] | None = None,
                       values: Mapping[str, Mapping[str, float]] | None = None,
                       source: str = "", plan_code: str | None = None) -> PlanVersion:
    """Write the accepted proposals as a new plan version (``plan.service.adjust_plan``) and return it.

    ``accepted``: the ids to accept (default: all given); ``values``: a changed figure per proposal id and
    field (the office may accept a different level than proposed); ``source``: the report the proposals
    come from (its title and content hash), recorded in the version's reason with the proposal ids.
    Raises ``plans.AdjustmentError`` when nothing is accepted, when who or why is missing, when a
    proposal was made on an older plan version than the newest, or when the result is invalid.
    """
    chosen = [p if isinstance(p, Proposal) else Proposal.from_dict(p) for p in proposals]
    if accepted is not None:
        wanted = set(accepted)
        unknown = wanted - {p.id for p in chosen}
        if unknown:
            raise plans.AdjustmentError(f"no proposal {', '.join(sorted(unknown))}")
        chosen = [p for p in chosen if p.id in wanted]
    if not chosen:
        raise plans.AdjustmentError("no proposal accepted")
    if not by.strip() or not reason.strip():
        raise plans.AdjustmentError("accepting adjustments needs who accepts them (by) and why (reason)")
    latest = plans.latest_version(session, plan_code)
    stale = sorted({p.plan_version for p in chosen if p.plan_version != latest.number})
    if stale:
        raise plans.AdjustmentError(
            f"the proposals were made on plan version {', '.join(map(str, stale))}, but the plan is now at "
            f"version {latest.number}: rebuild the evaluation and review the proposals again")
    overrides = values or {}
    changes = [plans.Change(p.element_code, c.field, float(overrides.get(p.id, {}).get(c.field, c.proposed)))
               for p in chosen for c in p.changes]
    why = f"{reason.strip()}（采纳评估建议 {'、'.join(p.id for p in chosen)}"
    why += (f"；依据：{source}" if source else "") + "）"
    origin = f"adjustment proposed by {source}" if source else "adjustment proposed by an evaluation"
    return plans.adjust_plan(session, changes, by=by.strip(), reason=why, plan_code=plan_code,
                             source=f"{origin} ({', '.join(p.id for p in chosen)})")
