"""Further sourced figures of the district (``found_figures.csv`` of the plan's bundle): each with its quote,
source, date and confidence grade, and the plan indicator it observes where there is one.

A row is stored as a published observation of its indicator only when it is an actual value (not a target of a
later plan), of the indicator's own unit and of the same definition (rows whose note says the definition differs
or is unclear are left out: figures are never joined across a change of definition). Its confidence is kept:
``low`` rows are shown as such, never as official, and do not enter a progress assessment. Every row left out is
returned with the reason. Idempotent (keyed by year and source).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kechuang.indicators.models import CONFIDENCES, Indicator, Observation

_DEFINITION_FLAGS = ("DEFINITION DIFFERS", "DEFINITION UNCLEAR")


@dataclass
class FoundSummary:
    stored: int = 0
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (indicator_zh year, reason)


def load_found_figures(session: Session, plan_id: int, path: Path) -> FoundSummary:
    """Store the usable rows of ``path`` (see the module docstring)."""
    out = FoundSummary()
    indicators = {i.code: i for i in session.scalars(select(Indicator).where(Indicator.plan_id == plan_id))}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            label = f"{row['indicator_zh']} {row['year']}"
            code, note = row["plan_indicator_code"].strip(), row["note"] or ""
            ind = indicators.get(code)
            reason = ("a target, not an actual value" if "target" in note.lower() or "目标" in note
                      else "the definition differs from the plan's" if any(f in note for f in _DEFINITION_FLAGS)
                      else "no matching plan indicator" if ind is None
                      else f"unit {row['unit']} is not the indicator's unit {ind.unit_zh}" if row["unit"] != ind.unit_zh
                      else "no year" if not row["year"].strip().isdigit()
                      else f"unknown confidence {row['confidence']!r}" if row["confidence"] not in CONFIDENCES
                      else "")
            if reason:
                out.left_out.append((label, reason))
                continue
            assert ind is not None
            ref = f"found:{row['year']}:{hashlib.sha256(row['source_url'].encode()).hexdigest()[:10]}"
            obs = session.scalar(select(Observation).where(Observation.indicator_id == ind.id, Observation.ref == ref))
            if obs is None:
                obs = Observation(indicator_id=ind.id, ref=ref, source_kind="published")
                session.add(obs)
            obs.year, obs.value, obs.confidence = int(row["year"]), float(row["value"]), row["confidence"]
            obs.source = f"{row['source_title']} {row['source_url']}".strip()
            obs.quote = row["quote"]
            obs.released_on = row["source_date"][:10]
            obs.scope_zh = f"{row['source_date'][:10]} 发布"
            obs.scope_en = f"published {row['source_date'][:10]}"
            out.stored += 1
    session.flush()
    return out
