"""Reading indicators and their observations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kechuang.indicators.models import Indicator, Observation


def plan_facts(session: Session, plan_id: int) -> list[tuple[Indicator, Observation]]:
    """The quantified facts of the plan text, in the order the plan states them."""
    stmt = (select(Indicator, Observation).join(Observation.indicator)
            .where(Indicator.plan_id == plan_id, Observation.source_kind == "plan_text")
            .order_by(Observation.id))
    return [(i, o) for i, o in session.execute(stmt).all()]


def list_indicators(session: Session, plan_id: int, *, offset: int = 0, limit: int | None = None,
                    code: str | None = None) -> list[Indicator]:
    """Indicators of a plan with their observations loaded, ordered by code."""
    stmt = (select(Indicator).where(Indicator.plan_id == plan_id).options(selectinload(Indicator.observations))
            .order_by(Indicator.code).offset(offset))
    if code is not None:
        stmt = stmt.where(Indicator.code == code)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def count_indicators(session: Session, plan_id: int) -> int:
    return len(session.scalars(select(Indicator.id).where(Indicator.plan_id == plan_id)).all())
