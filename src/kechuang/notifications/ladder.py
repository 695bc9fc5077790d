"""The escalation ladder of 督办 items and the reminder run of ``kechuang reminders send``.

Ladder (against the item's nearest open deadline, :func:`kechuang.supervision.service.nearest_deadline`:
the earliest milestone not done, else the item's own deadline)::

    approaching   the deadline is within the reminder window (yellow)      → e-mail to the departments
    overdue       today > deadline (red)                                    → e-mail to the departments
    escalated     today − deadline ≥ escalation_days (KECHUANG_ESCALATION_DAYS)
                                                                            → e-mail to the plan office and
                                                                              the leader (admin, approver and
                                                                              viewer accounts)

"The departments" are the active accounts with an e-mail address of the lead and the co-operating
departments. Each step is reached once per item and deadline (a milestone completed moves the ladder to the
next deadline) and is recorded three times: a row of ``supervision_escalation`` (shown on the item page), an
audit record of the item (action ``escalate``, in the item's history) and the outbox message. A run that was
missed catches up: an item found escalated also gets its overdue step first. Items claimed done (反馈, awaiting
review) and closed ones are not escalated.

Besides the ladder, each department with something overdue or approaching gets its daily digest
(:func:`kechuang.assessment.reminders.digest`, once per day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kechuang.accounts.models import Account, Department
from kechuang.assessment.reminders import DEADLINE_KIND_EN, DEADLINE_KIND_ZH, digest_mail
from kechuang.audit.service import record
from kechuang.core.access import PLAN_OFFICE, SYSTEM
from kechuang.notifications.models import STEPS, EscalationStep
from kechuang.notifications.outbox import queue
from kechuang.progress import Colour, Stage
from kechuang.supervision.models import SupervisionItem
from kechuang.supervision.service import item_status, nearest_deadline, plan_items

STEP_LABELS = {"approaching": ("临近期限", "approaching"), "overdue": ("已逾期", "overdue"),
               "escalated": ("已升级督办（规划办、区领导）", "escalated to the plan office and the leader")}


def step_label(step: str, lang: str) -> str:
    zh, en = STEP_LABELS[step]
    return en if lang == "en" else zh


@dataclass
class RunSummary:
    steps: list[tuple[int, str]] = field(default_factory=list)  # (item id, step) reached in this run
    queued: list[int] = field(default_factory=list)  # outbox message ids


def due_steps(item: SupervisionItem, today: dt.date, reminder_days: int, escalation_days: int) -> list[str]:
    """The steps of the ladder the item has reached today against its nearest open deadline, in order."""
    if item.stage in (Stage.CLOSED.value, Stage.FEEDBACK.value):
        return []
    deadline = nearest_deadline(item).due
    colour = item_status(item, today, reminder_days).colour
    if colour is Colour.RED:
        return ["overdue", "escalated"] if (today - deadline).days >= escalation_days else ["overdue"]
    return ["approaching"] if colour is Colour.YELLOW else []


def steps_of(session: Session, item_id: int) -> list[EscalationStep]:
    """The steps an item has reached, oldest first."""
    return list(session.scalars(select(EscalationStep).where(EscalationStep.item_id == item_id)
                                .order_by(EscalationStep.id)))


def _addresses(session: Session, *, department_ids: set[int] | None = None, plan_office: bool = False) -> list[str]:
    stmt = select(Account.email).where(Account.active, Account.email.is_not(None))
    if plan_office:
        stmt = stmt.where(Account.role.in_([r.value for r in PLAN_OFFICE]))
    else:
        stmt = stmt.where(Account.department_id.in_(department_ids or set()))
    return sorted({e for e in session.scalars(stmt) if e})


def _message(item: SupervisionItem, step: str, kind: str, deadline: dt.date, today: dt.date,
             base_url: str) -> tuple[str, str]:
    late = (today - deadline).days
    when_zh = f"已逾期 {late} 天" if late > 0 else f"还有 {-late} 天到期" if late < 0 else "今天到期"
    when_en = f"{late} days overdue" if late > 0 else f"due in {-late} days" if late < 0 else "due today"
    subject = f"【科创·督办】{step_label(step, 'zh')}：{item.title_zh}（{DEADLINE_KIND_ZH[kind]}期限 {deadline}）"
    names = "、".join([item.lead.name_zh, *(d.name_zh for d in item.co_departments)])
    body = [f"督办事项：{item.title_zh}", f"牵头单位：{item.lead.name_zh}；承办单位：{names}",
            f"{DEADLINE_KIND_ZH[kind]}期限：{deadline.isoformat()}（{when_zh}）",
            f"当前环节：{Stage(item.stage).zh}；完成进度：{item.percent}%",
            f"督办阶段：{step_label(step, 'zh')}"]
    if step == "escalated":
        body.append("该事项逾期未办结，已提请规划办和区领导督促。")
    body += [f"{base_url}/supervision/{item.id}", "",
             f"Supervision item: {item.title_en or item.title_zh}",
             f"{DEADLINE_KIND_EN[kind].capitalize()} deadline {deadline.isoformat()} ({when_en}); "
             f"step: {step_label(step, 'en')}.", "",
             "此邮件由科创规划监测评估系统生成。"]
    return subject, "\n".join(body) + "\n"


def climb(session: Session, item: SupervisionItem, today: dt.date, *, reminder_days: int, escalation_days: int,
          base_url: str = "") -> RunSummary:
    """Record the steps of the ladder ``item`` reached and is not yet recorded at, and queue their e-mails."""
    summary = RunSummary()
    nearest = nearest_deadline(item)
    reached = {s.step for s in steps_of(session, item.id) if s.deadline == nearest.due}
    previous = next((s for s in reversed(STEPS) if s in reached), None)
    for step in due_steps(item, today, reminder_days, escalation_days):
        if step in reached:
            continue
        if step == "escalated":
            to = _addresses(session, plan_office=True)
        else:
            to = _addresses(session, department_ids=item.department_ids())
        subject, body = _message(item, step, nearest.kind, nearest.due, today, base_url)
        message = queue(session, key=f"supervision:{item.id}:{nearest.due.isoformat()}:{step}", recipients=to,
                        subject=subject, body=body, entity="supervision_item", entity_id=item.id)
        session.add(EscalationStep(item_id=item.id, step=step, deadline=nearest.due, deadline_kind=nearest.kind,
                                   reached_on=today, recipients=", ".join(to)))
        reason = f"{DEADLINE_KIND_ZH[nearest.kind]}期限 {nearest.due.isoformat()}；" + (
            f"已通知 {len(to)} 个邮箱" if to else "没有登记邮箱的收件人，未发送邮件")
        record(session, SYSTEM, "escalate", "supervision_item", item.id, department_id=item.lead_department_id,
               field="escalation", old=previous,
               new={"step": step, "deadline": nearest.due.isoformat(), "kind": nearest.kind, "to": to},
               reason=reason)
        session.flush()
        previous = step
        summary.steps.append((item.id, step))
        if message is not None:
            summary.queued.append(message.id)
    return summary


def queue_reminders(session: Session, plan_id: int, today: dt.date, *, reminder_days: int, escalation_days: int,
                    base_url: str = "", digests: bool = True) -> RunSummary:
    """Climb the ladder for every item of the plan, and queue each department's daily digest when it has
    something overdue or approaching (the caller commits, then sends the outbox)."""
    summary = RunSummary()
    for item in plan_items(session, plan_id):
        part = climb(session, item, today, reminder_days=reminder_days, escalation_days=escalation_days,
                     base_url=base_url)
        summary.steps += part.steps
        summary.queued += part.queued
    if digests:
        for dept in session.scalars(select(Department).order_by(Department.id)):
            subject, body, items = digest_mail(session, dept, plan_id, today, reminder_days, base_url)
            if not any(r.status.colour in (Colour.RED, Colour.YELLOW) for r in items):
                continue
            message = queue(session, key=f"digest:{dept.code}:{today.isoformat()}",
                            recipients=_addresses(session, department_ids={dept.id}), subject=subject, body=body,
                            entity="department", entity_id=dept.id)
            if message is not None:
                summary.queued.append(message.id)
    return summary
