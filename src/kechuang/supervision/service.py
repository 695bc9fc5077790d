"""Supervision (督办) services: assign measures and key projects to departments with deadlines and
milestones, acknowledge, report progress with evidence, close or reopen; status flags, reminders and an
e-mail-ready digest.

Flow (``kechuang.progress.Stage``): the plan office creates an item already handed to its departments
(立项 → 交办: ``assigned``); the lead department acknowledges it (签收: ``acknowledged``); progress reports
move it to 办理 (``handling``), and a lead report of 100 % to 反馈 (``feedback``, done claimed); the plan
office reviews it (复核) and either closes it (办结/销号: ``closed``) or sends it back to ``handling``.
Departments see and report only on items they lead or co-operate on.

Evidence files are stored under the evidence directory named by their SHA-256 (content-addressed: a file
uploaded twice is stored once, and a file written by a transaction that was rolled back is merely unused).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from kechuang.accounts.models import Department
from kechuang.audit.service import record, refuse
from kechuang.core.access import PLAN_OFFICE, Forbidden, NotFound, Principal, Role, StaleEdit
from kechuang.core.settings import Settings
from kechuang.progress import Assessment, Stage, supervision_status
from kechuang.progress import SupervisionItem as ItemInput
from kechuang.supervision.models import EvidenceFile, Milestone, ProgressReport, SupervisionItem

CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "txt": "text/plain"}
MAGIC = {"pdf": (b"%PDF",), "png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",),
         "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",)}
REPORTING_ROLES = (Role.REPORTER, Role.REVIEWER)
REVIEWING_ROLES = (Role.ADMIN, Role.APPROVER)


class SupervisionError(ValueError):
    """A request that cannot be carried out (bad percent, file type or size, missing text …)."""


@dataclass(frozen=True)
class Upload:
    """An evidence file as received: the client's file name and the bytes."""

    filename: str
    data: bytes


# ---------------------------------------------------------------- reading


def _query():  # type: ignore[no-untyped-def]
    return select(SupervisionItem).options(
        selectinload(SupervisionItem.co_departments), selectinload(SupervisionItem.milestones),
        selectinload(SupervisionItem.lead),
        selectinload(SupervisionItem.reports).selectinload(ProgressReport.evidence))


def plan_items(session: Session, plan_id: int) -> list[SupervisionItem]:
    """Every item of a plan, by deadline."""
    return list(session.scalars(_query().where(SupervisionItem.plan_id == plan_id)
                                .order_by(SupervisionItem.deadline, SupervisionItem.id)))


def visible_items(session: Session, actor: Principal, plan_id: int) -> list[SupervisionItem]:
    """Items ``actor`` may see: all for the plan office, else those their department leads or co-operates on."""
    items = plan_items(session, plan_id)
    if actor.role in PLAN_OFFICE:
        return items
    return [i for i in items if actor.department_id in i.department_ids()]


def get_item(session: Session, actor: Principal, item_id: int) -> SupervisionItem:
    """One item, if ``actor`` may see it (Forbidden otherwise)."""
    item = session.scalar(_query().where(SupervisionItem.id == item_id))
    if item is None:
        raise NotFound(f"no supervision item {item_id}")
    if actor.role not in PLAN_OFFICE and actor.department_id not in item.department_ids():
        raise Forbidden(f"{actor.username} may not access supervision item {item_id} of other departments")
    return item


def get_evidence(session: Session, actor: Principal, evidence_id: int,
                 settings: Settings) -> tuple[EvidenceFile, Path]:
    """An evidence file's record and path, if ``actor`` may see its item."""
    ev = session.get(EvidenceFile, evidence_id)
    if ev is None:
        raise NotFound(f"no evidence file {evidence_id}")
    get_item(session, actor, ev.report.item_id)
    return ev, settings.resolved_evidence_dir() / ev.stored_name


@dataclass(frozen=True)
class Deadline:
    """The nearest open deadline of an item: ``kind`` is ``milestone`` (then ``milestone`` is set) or ``item``."""

    kind: str
    due: dt.date
    milestone: Milestone | None = None


def stage_on(item: SupervisionItem, day: dt.date) -> Stage:
    """The item's stage on ``day``: an item closed (办结) after that day was still in review (反馈) then."""
    if item.stage == Stage.CLOSED.value and item.closed_on is not None and item.closed_on > day:
        return Stage.FEEDBACK
    return Stage(item.stage)


def nearest_deadline(item: SupervisionItem, day: dt.date | None = None) -> Deadline:
    """The earliest milestone not yet done (due before the item's deadline), else the item's own deadline; judged
    on ``day`` (a report's cut-off) when given, so a milestone done or an item closed after it does not count."""
    closed = stage_on(item, day) is Stage.CLOSED if day is not None else item.stage == Stage.CLOSED.value
    if not closed:
        open_ms = [m for m in item.milestones
                   if (m.done_on is None or (day is not None and m.done_on > day)) and m.due_on < item.deadline]
        if open_ms:
            first = min(open_ms, key=lambda m: m.due_on)
            return Deadline("milestone", first.due_on, first)
    return Deadline("item", item.deadline)


def item_status(item: SupervisionItem, today: dt.date, reminder_days: int = 7) -> Assessment:
    """The item's status by ``kechuang.progress.supervision_status`` against its nearest open deadline
    (:func:`nearest_deadline`: an overdue milestone makes it red). Judged on a past day (a report's cut-off), a
    closure or milestone after that day does not count."""
    stage = stage_on(item, today)
    nearest = nearest_deadline(item, today)
    title = item.title_zh
    if nearest.milestone is not None:
        title = f"{item.title_zh}（里程碑：{nearest.milestone.title_zh}）"
    return supervision_status(ItemInput(title=title, stage=stage, deadline=nearest.due,
                                        closed_on=item.closed_on if stage is Stage.CLOSED else None),
                              today, reminder_days)


# ---------------------------------------------------------------- changing


def create_item(session: Session, actor: Principal, *, plan_id: int, element_code: str, title_zh: str,
                lead_department_id: int, deadline: dt.date, co_department_ids: tuple[int, ...] = (),
                title_en: str = "", milestones: tuple[tuple[str, dt.date], ...] = (),
                is_demo: bool = False) -> SupervisionItem:
    """Assign a measure or key project to a lead department and co-operating ones (admin only): 立项 + 交办."""
    actor.require_role(Role.ADMIN, action="creating a supervision item")
    if lead_department_id in co_department_ids:
        raise SupervisionError("the lead department cannot also be a co-operating one")
    depts = {d.id: d for d in session.scalars(select(Department).where(
        Department.id.in_((lead_department_id, *co_department_ids))))}
    if lead_department_id not in depts or any(d not in depts for d in co_department_ids):
        raise SupervisionError("unknown department")
    item = SupervisionItem(plan_id=plan_id, element_code=element_code, title_zh=title_zh, title_en=title_en,
                           lead_department_id=lead_department_id, deadline=deadline, stage=Stage.ASSIGNED.value,
                           is_demo=is_demo, co_departments=[depts[d] for d in co_department_ids],
                           milestones=[Milestone(title_zh=t, due_on=d) for t, d in milestones])
    session.add(item)
    session.flush()
    record(session, actor, "create", "supervision_item", item.id, department_id=lead_department_id, field="stage",
           new={"stage": item.stage, "element": element_code, "deadline": deadline.isoformat(),
                "lead": depts[lead_department_id].code, "co": [depts[d].code for d in co_department_ids]})
    return item


def _stage(session: Session, actor: Principal, item: SupervisionItem, new: Stage, reason: str = "") -> None:
    old = item.stage
    item.stage = new.value
    record(session, actor, "stage", "supervision_item", item.id, department_id=item.lead_department_id,
           field="stage", old=old, new=new.value, reason=reason)


def _flush(session: Session, item: SupervisionItem) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise StaleEdit(f"supervision item {item.id} was changed by someone else at the same moment; reload") from exc


def _check_version(item: SupervisionItem, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != item.version:
        raise StaleEdit(f"supervision item {item.id} changed meanwhile (now {Stage(item.stage).zh}, "
                        f"{item.percent}%); reload and retry")


def acknowledge(session: Session, actor: Principal, item_id: int, expected_version: int | None = None) -> None:
    """The lead department signs for the item (签收)."""
    item = get_item(session, actor, item_id)
    actor.require_role(*REPORTING_ROLES, action="acknowledging an item")
    if actor.department_id != item.lead_department_id:
        raise Forbidden("only the lead department acknowledges an item")
    _check_version(item, expected_version)
    if item.stage != Stage.ASSIGNED.value:
        raise refuse(session, actor, "supervision_item", item.id, department_id=item.lead_department_id,
                     field="stage", attempted="acknowledge",
                     message=f"item {item.id} is at stage {Stage(item.stage).zh}, not 交办")
    _stage(session, actor, item, Stage.ACKNOWLEDGED)
    _flush(session, item)


def _store(upload: Upload, settings: Settings) -> EvidenceFile:
    name = Path(upload.filename).name.strip() or "evidence"
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = settings.allowed_types()
    if ext not in allowed:
        raise SupervisionError(f"{name}: file type .{ext or '?'} is not accepted (accepted: "
                               f"{', '.join(sorted(allowed))})")
    if len(upload.data) == 0:
        raise SupervisionError(f"{name}: the file is empty")
    if len(upload.data) > settings.evidence_max_bytes:
        raise SupervisionError(f"{name}: {len(upload.data):,} bytes is more than the limit of "
                               f"{settings.evidence_max_bytes:,} bytes")
    if ext in MAGIC and not upload.data.startswith(MAGIC[ext]):
        raise SupervisionError(f"{name}: the content is not a .{ext} file")
    digest = hashlib.sha256(upload.data).hexdigest()
    stored = f"{digest}.{ext}"
    folder = settings.resolved_evidence_dir()
    target = folder / stored
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(upload.data)
        os.replace(tmp, target)
    return EvidenceFile(filename=name, stored_name=stored, size=len(upload.data), sha256=digest,
                        content_type=CONTENT_TYPES.get(ext, "application/octet-stream"))


def report_progress(session: Session, actor: Principal, item_id: int, *, text: str, percent: int,
                    files: tuple[Upload, ...] = (), settings: Settings,
                    expected_version: int | None = None) -> ProgressReport:
    """A department reports progress (text, % complete, evidence files).

    The lead department's percentage becomes the item's; its report of 100 % claims the item done (反馈).
    Closed items take no more reports (refusal recorded).
    """
    item = get_item(session, actor, item_id)
    actor.require_role(*REPORTING_ROLES, action="reporting progress")
    _check_version(item, expected_version)
    if not text.strip():
        raise SupervisionError("a progress report needs a text")
    if not 0 <= percent <= 100:
        raise SupervisionError("percent complete must be between 0 and 100")
    if item.stage == Stage.CLOSED.value:
        raise refuse(session, actor, "supervision_item", item.id, department_id=item.lead_department_id,
                     field="percent", attempted=percent, message=f"item {item.id} is closed (办结); no more reports")
    assert actor.department_id is not None
    evidence = [_store(f, settings) for f in files]
    report = ProgressReport(item_id=item.id, department_id=actor.department_id, author=actor.username,
                            text=text.strip(), percent=percent, evidence=evidence)
    session.add(report)
    session.flush()
    record(session, actor, "report", "supervision_item", item.id, department_id=item.lead_department_id,
           field="report", new={"percent": percent, "text": text.strip(), "files": [e.filename for e in evidence]})
    if actor.department_id == item.lead_department_id:
        if item.percent != percent:
            record(session, actor, "update", "supervision_item", item.id, department_id=item.lead_department_id,
                   field="percent", old=item.percent, new=percent)
            item.percent = percent
        target = Stage.FEEDBACK if percent == 100 else Stage.HANDLING
        if item.stage != target.value:
            _stage(session, actor, item, target)
    elif item.stage in (Stage.ASSIGNED.value, Stage.ACKNOWLEDGED.value):
        _stage(session, actor, item, Stage.HANDLING)
    _flush(session, item)
    return report


def review(session: Session, actor: Principal, item_id: int, *, close: bool, comment: str, today: dt.date,
           expected_version: int | None = None) -> None:
    """The plan office reviews an item reported done (复核): closes it (办结/销号) or sends it back to 办理."""
    item = get_item(session, actor, item_id)
    actor.require_role(*REVIEWING_ROLES, action="reviewing a supervision item")
    _check_version(item, expected_version)
    if item.stage != Stage.FEEDBACK.value:
        raise refuse(session, actor, "supervision_item", item.id, department_id=item.lead_department_id,
                     field="stage", attempted="close" if close else "reopen",
                     message=f"item {item.id} is at stage {Stage(item.stage).zh}; only items reported done (反馈) "
                             "are reviewed")
    if not close and not comment.strip():
        raise SupervisionError("sending an item back needs a comment")
    if close:
        item.closed_on = today
        _stage(session, actor, item, Stage.CLOSED, comment.strip())
    else:
        _stage(session, actor, item, Stage.HANDLING, comment.strip())
    _flush(session, item)


def add_milestone(session: Session, actor: Principal, item_id: int, title_zh: str, due_on: dt.date,
                  title_en: str = "") -> Milestone:
    """The plan office adds a milestone to an item (admin only, audited)."""
    actor.require_role(Role.ADMIN, action="adding a milestone")
    item = get_item(session, actor, item_id)
    if not title_zh.strip():
        raise SupervisionError("a milestone needs a title")
    if due_on > item.deadline:
        raise SupervisionError(f"the milestone is due after the item's deadline {item.deadline.isoformat()}")
    ms = Milestone(title_zh=title_zh.strip(), title_en=title_en.strip(), due_on=due_on)
    item.milestones.append(ms)
    record(session, actor, "milestone", "supervision_item", item.id, department_id=item.lead_department_id,
           field="milestone", new={"title": ms.title_zh, "due_on": due_on.isoformat()})
    session.flush()
    return ms


def set_milestone_done(session: Session, actor: Principal, milestone_id: int, done_on: dt.date | None) -> None:
    """The lead department marks a milestone done (or not done)."""
    ms = session.get(Milestone, milestone_id)
    if ms is None:
        raise NotFound(f"no milestone {milestone_id}")
    item = get_item(session, actor, ms.item_id)
    actor.require_role(*REPORTING_ROLES, action="completing a milestone")
    if actor.department_id != item.lead_department_id:
        raise Forbidden("only the lead department completes milestones")
    old = None if ms.done_on is None else ms.done_on.isoformat()
    ms.done_on = done_on
    record(session, actor, "milestone", "supervision_item", item.id, department_id=item.lead_department_id,
           field=f"milestone:{ms.title_zh}", old=old, new=None if done_on is None else done_on.isoformat())
    session.flush()

