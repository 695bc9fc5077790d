"""The parts of an evaluation pack that read the plan text against the stored data as of the cut-off.

- :func:`target_rows`: every quantified target of the plan (elements of kind ``target``, e.g. T7.M1.TG1
  "2-3家大学科技园示范园" by 2025) with its indicator's latest value up to the evaluation year.
- :func:`fact_rows`: the baseline facts of chapter 一 (发展基础) against the latest approved or published value of
  the same indicator. Nothing is joined across a change of definition: only an observation of the same indicator,
  the same scope (when the fact states one, e.g. 占全市比重) and the same kind of period (a level is never set
  against a multi-year average) is used, found figures of low confidence are left out, and a
  published figure of another index edition than the fact's is shown but not compared (the 2023 re-basing).
- :func:`shortcoming_links`: the rule linking the four shortcomings of chapter 一 to the tasks that address them
  (keyword rule, stated in the report).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kechuang.indicators.models import Indicator, Observation
from kechuang.plan.models import PlanElement
from kechuang.reports.data import on_record

#: a task addresses a shortcoming when the two-character terms of the shortcoming's title (characters 3–4 and
#: 5–6, after the leading 创新: 要素/流动, 主体/能级, 空间/载体, 治理/环境) occur at least this often in the
#: task's title and measures
SHORTCOMING_MIN_HITS = 3
#: the label of a sentence the system wrote from a rule (not a judgement written by people)
RULE_LABEL = "【系统按规则生成】"


# ---------------------------------------------------------------- plan targets


@dataclass(frozen=True)
class TargetRow:
    element: PlanElement
    indicator: Indicator | None
    latest: Observation | None

    @property
    def demo(self) -> bool:
        return self.latest is not None and self.latest.is_demo

    @property
    def reached(self) -> bool | None:
        """Whether the latest value reaches the near bound of the target (None without a value)."""
        if self.latest is None:
            return None
        low = self.element.attrs.get("value_min")
        bound = low if low is not None else self.element.attrs["value_max"]
        return bool(self.latest.value >= float(bound))


def _observations(session: Session, plan_id: int, code: str) -> tuple[Indicator | None, list[Observation]]:
    ind = session.scalar(select(Indicator).where(Indicator.plan_id == plan_id, Indicator.code == code))
    return ind, ([] if ind is None else list(ind.observations))


def _usable(o: Observation, year: int, as_of: dt.date) -> bool:
    """An approved or published value of a year up to ``year`` that was on record on ``as_of`` (approved or
    released by then; not a found figure of low confidence, which is never presented as official)."""
    if o.source_kind == "plan_text" or o.year > year or o.confidence == "low":
        return False
    return on_record(o, as_of)


def target_rows(session: Session, plan_id: int, targets: list[PlanElement], year: int,
                as_of: dt.date) -> list[TargetRow]:
    out = []
    for t in targets:
        code = t.attrs.get("indicator")
        ind, obs = _observations(session, plan_id, code) if code else (None, [])
        usable = [o for o in obs if _usable(o, year, as_of)]
        out.append(TargetRow(t, ind, max(usable, key=lambda o: (o.year, o.id), default=None)))
    return out


# ---------------------------------------------------------------- baseline facts


@dataclass(frozen=True)
class FactRow:
    fact: PlanElement
    indicator: Indicator | None
    latest: Observation | None
    fact_edition: str
    comparable: bool

    @property
    def demo(self) -> bool:
        return self.latest is not None and self.latest.is_demo

    @property
    def change(self) -> float | None:
        if self.latest is None or not self.comparable:
            return None
        return self.latest.value - float(self.fact.attrs["value"])


def fact_rows(session: Session, plan_id: int, facts: list[PlanElement], year: int,
              as_of: dt.date) -> list[FactRow]:
    """Each fact with the latest later value of its indicator (see the module docstring for what counts)."""
    out = []
    for f in facts:
        ind, obs = _observations(session, plan_id, f.parent_code or "")
        fact_year = int(f.attrs["year"])
        fact_obs = next((o for o in obs if o.source_kind == "plan_text" and o.ref == f.code), None)
        scope = fact_obs.scope_zh if fact_obs is not None else ""
        has_period = f.attrs.get("period") is not None
        same_year_pub = [o for o in obs if o.source_kind == "published" and o.year == fact_year and o.edition]
        fact_edition = same_year_pub[0].edition if same_year_pub else ""
        later = [o for o in obs if _usable(o, year, as_of) and o.year > fact_year
                 and (not scope or o.scope_zh == scope) and (o.period is not None) == has_period]
        latest = max(later, key=lambda o: (o.year, o.released_on, o.id), default=None)
        comparable = latest is not None and (not fact_edition or not latest.edition
                                             or latest.edition == fact_edition)
        out.append(FactRow(f, ind, latest, fact_edition, comparable))
    return out


# ---------------------------------------------------------------- shortcomings


def shortcoming_terms(shortcoming: PlanElement) -> list[str]:
    title = shortcoming.title_zh
    return [title[2:4], title[4:6]]


def shortcoming_links(shortcomings: list[PlanElement], tasks: list[PlanElement],
                      measures: list[PlanElement]) -> dict[str, list[PlanElement]]:
    """Shortcoming code → the tasks whose title and measures use its terms at least SHORTCOMING_MIN_HITS
    times (in plan order)."""
    text = {t.code: t.title_zh + "".join(m.title_zh + m.text_zh for m in measures if m.parent_code == t.code)
            for t in tasks}
    out = {}
    for sc in shortcomings:
        terms = shortcoming_terms(sc)
        out[sc.code] = [t for t in tasks if sum(text[t.code].count(w) for w in terms) >= SHORTCOMING_MIN_HITS]
    return out
