"""Indicator settings: profile (owner, source, frequency, kind, baseline, binding, method,
rule, validation rules), targets by year and links to plan tasks. Only the plan office (admin) changes
them; every change is audited. A profile is optimistic-locked: a save carries the version it was read at.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kechuang.audit.service import record
from kechuang.core.access import NotFound, Principal, Role, StaleEdit
from kechuang.indicators.models import Indicator, Observation
from kechuang.indicators.profiles import (
    BINDINGS,
    FREQUENCIES,
    KINDS,
    METHODS,
    RULES,
    IndicatorLink,
    IndicatorProfile,
    IndicatorTarget,
)


class ProfileError(ValueError):
    """A setting that cannot be stored (unknown choice, inconsistent range …); ``field`` names the setting."""

    def __init__(self, message: str, field: str = "", message_zh: str = ""):
        super().__init__(message)
        self.field, self.message_zh = field, message_zh or message

    def reason(self, lang: str) -> str:
        return str(self) if lang == "en" else self.message_zh


_CHOICES = {"frequency": FREQUENCIES, "kind": KINDS, "binding": BINDINGS, "method": METHODS, "rule": RULES}
EDITABLE = ("owner_department_id", "data_source_zh", "data_source_en", "frequency", "kind", "baseline_year",
            "baseline_value", "baseline_source", "binding", "method", "rule", "rule_reason_zh", "rule_reason_en",
            "valid_min", "valid_max", "max_change_pct", "required", "is_demo")


def indicator_by_code(session: Session, plan_id: int, code: str) -> Indicator:
    found = session.scalar(select(Indicator).where(Indicator.plan_id == plan_id, Indicator.code == code))
    if found is None:
        raise NotFound(f"no indicator {code!r}")
    return found


def profile_of(session: Session, indicator_id: int) -> IndicatorProfile | None:
    return session.scalar(select(IndicatorProfile).where(IndicatorProfile.indicator_id == indicator_id)
                          .options(selectinload(IndicatorProfile.targets)))


def profiles(session: Session, plan_id: int) -> list[IndicatorProfile]:
    """Profiles of the plan's indicators, ordered by indicator code."""
    return list(session.scalars(
        select(IndicatorProfile).join(IndicatorProfile.indicator).where(Indicator.plan_id == plan_id)
        .options(selectinload(IndicatorProfile.targets), selectinload(IndicatorProfile.indicator))
        .order_by(Indicator.code)))


def baseline_suggestion(session: Session, indicator: Indicator, plan_start: int) -> Observation | None:
    """The plan text's own figure for the year before the plan starts (the latest earlier one if that year
    has none): what the settings form offers as the baseline while none is set, e.g. 科技型中小企业达8000余家
    (2020) for a plan of 2021–2025. Its ``qualifier`` says whether the text gave it exactly, as a lower
    bound (余, 超过) or roughly (约)."""
    return session.scalar(select(Observation).where(
        Observation.indicator_id == indicator.id, Observation.source_kind == "plan_text",
        Observation.year < plan_start, Observation.period.is_(None))
        .order_by(Observation.year.desc(), Observation.id).limit(1))


def ensure_profile(session: Session, indicator: Indicator) -> IndicatorProfile:
    """The indicator's profile, created with defaults when it has none."""
    found = profile_of(session, indicator.id)
    if found is None:
        found = IndicatorProfile(indicator_id=indicator.id)
        session.add(found)
        session.flush()
    return found


def update_profile(session: Session, actor: Principal, indicator: Indicator, changes: dict[str, Any], *,
                   expected_version: int | None = None, reason: str = "") -> IndicatorProfile:
    """Change profile fields (admin only); one audit record per changed field.

    Raises ProfileError for an unknown field or choice, or ``valid_min > valid_max``; StaleEdit when
    ``expected_version`` is not the stored version.
    """
    actor.require_role(Role.ADMIN, action="changing an indicator's settings")
    profile = ensure_profile(session, indicator)
    if expected_version is not None and expected_version != profile.version:
        raise StaleEdit(f"indicator {indicator.code}: the settings were changed meanwhile "
                        f"(version {profile.version}, you edited version {expected_version}); reload and retry")
    for name, value in changes.items():
        if name not in EDITABLE:
            raise ProfileError(f"unknown setting {name!r}", name)
        if name in _CHOICES and value not in _CHOICES[name]:
            raise ProfileError(f"{name} must be one of {', '.join(_CHOICES[name])}, not {value!r}", name)
    lo = changes.get("valid_min", profile.valid_min)
    hi = changes.get("valid_max", profile.valid_max)
    if lo is not None and hi is not None and lo > hi:
        raise ProfileError(f"valid_min {lo} is above valid_max {hi}", "valid_max",
                           f"{hi:g} 小于允许最小值 {lo:g}。")
    if changes.get("max_change_pct") is not None and changes["max_change_pct"] <= 0:
        raise ProfileError("max_change_pct must be positive", "max_change_pct", "较上期最大变动须为正数。")
    for name, value in changes.items():
        old = getattr(profile, name)
        if old == value:
            continue
        setattr(profile, name, value)
        record(session, actor, "update", "indicator_profile", indicator.code, department_id=profile.owner_department_id,
               field=name, old=old, new=value, reason=reason)
    session.flush()
    return profile


def set_target(session: Session, actor: Principal, indicator: Indicator, year: int, value: float | None, *,
               is_demo: bool = False, note: str = "", reason: str = "") -> IndicatorProfile:
    """Set (or with ``value=None`` remove) the target for ``year`` (admin only, audited)."""
    actor.require_role(Role.ADMIN, action="setting targets")
    profile = ensure_profile(session, indicator)
    existing = next((t for t in profile.targets if t.year == year), None)
    old = None if existing is None else {"value": existing.value, "is_demo": existing.is_demo}
    if value is None:
        if existing is None:
            return profile
        profile.targets.remove(existing)
        new = None
    elif existing is None:
        profile.targets.append(IndicatorTarget(year=year, value=value, is_demo=is_demo, note=note,
                                               set_by=actor.username))
        new = {"value": value, "is_demo": is_demo}
    else:
        existing.value, existing.is_demo, existing.note, existing.set_by = value, is_demo, note, actor.username
        new = {"value": value, "is_demo": is_demo}
    if old != new:
        record(session, actor, "set_target", "indicator_profile", indicator.code,
               department_id=profile.owner_department_id, field=f"target_{year}", old=old, new=new,
               reason=reason or note)
    session.flush()
    return profile


def link_indicator(session: Session, actor: Principal, indicator: Indicator, element_code: str, *,
                   is_demo: bool = False) -> None:
    """Say that ``indicator`` measures the task (or measure) ``element_code`` (admin only, audited)."""
    actor.require_role(Role.ADMIN, action="linking indicators to tasks")
    exists = session.scalar(select(IndicatorLink).where(IndicatorLink.indicator_id == indicator.id,
                                                        IndicatorLink.element_code == element_code))
    if exists is not None:
        return
    session.add(IndicatorLink(indicator_id=indicator.id, element_code=element_code, is_demo=is_demo))
    record(session, actor, "link", "indicator_profile", indicator.code, department_id=None, field="element",
           new=element_code)
    session.flush()


def links(session: Session, plan_id: int) -> dict[str, list[Indicator]]:
    """For each linked element code, its indicators (by code)."""
    out: dict[str, list[Indicator]] = {}
    stmt = (select(IndicatorLink.element_code, Indicator).join(Indicator, Indicator.id == IndicatorLink.indicator_id)
            .where(Indicator.plan_id == plan_id).order_by(IndicatorLink.element_code, Indicator.code))
    for code, ind in session.execute(stmt).all():
        out.setdefault(code, []).append(ind)
    return out


def owned_indicators(session: Session, plan_id: int, department_id: int, frequency: str) -> list[Indicator]:
    """The plan's indicators a department reports at ``frequency``, by code."""
    return list(session.scalars(
        select(Indicator).join(IndicatorProfile, IndicatorProfile.indicator_id == Indicator.id)
        .where(Indicator.plan_id == plan_id, IndicatorProfile.owner_department_id == department_id,
               IndicatorProfile.frequency == frequency).order_by(Indicator.code)))
