"""Key projects (重点项目) of every measure with their task and place, and the supervision (督办) items that
follow them, each with its status by ``kechuang.supervision.service.item_status``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from kechuang.plan import service as plans
from kechuang.plan.models import PlanElement, PlanVersion
from kechuang.progress import Assessment
from kechuang.supervision import service as supervision
from kechuang.supervision.models import SupervisionItem


@dataclass(frozen=True)
class Tracked:
    """A supervision item and its status today."""

    item: SupervisionItem
    status: Assessment


@dataclass
class MeasureProjects:
    measure: PlanElement
    projects: list[tuple[PlanElement, PlanElement | None, list[Tracked]]]
    items: list[Tracked] = field(default_factory=list)


@dataclass
class TaskProjects:
    task: PlanElement
    measures: list[MeasureProjects]

    @property
    def count(self) -> int:
        return sum(len(m.projects) for m in self.measures)


def key_projects(s: Session, version: PlanVersion, today: dt.date) -> list[TaskProjects]:
    """Tasks → measures that name projects → (project, its place or None, supervision items on it); a
    measure's own supervision items are kept beside its projects. Every project of the plan appears once."""
    places = {p.code: p for p in plans.elements(s, version, "place")}
    by_parent: dict[str, list[PlanElement]] = {}
    for p in plans.elements(s, version, "project"):
        by_parent.setdefault(p.parent_code or "", []).append(p)
    tracked: dict[str, list[Tracked]] = {}
    for item in supervision.plan_items(s, version.plan_id):
        tracked.setdefault(item.element_code, []).append(Tracked(item, supervision.item_status(item, today)))
    out = []
    for task in plans.elements(s, version, "task"):
        groups = [MeasureProjects(m, [(p, places.get(p.attrs.get("place") or ""), tracked.get(p.code, []))
                                      for p in by_parent.get(m.code, [])], tracked.get(m.code, []))
                  for m in plans.elements(s, version, "measure", task.code)]
        out.append(TaskProjects(task, [g for g in groups if g.projects or g.items]))
    return out
