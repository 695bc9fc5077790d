"""Reminders: what is due, listed in the app for an account and as an e-mail-ready text digest for a
department. Deadlines are judged by ``kechuang.progress.supervision_status`` (overdue red, approaching
yellow within the reminder window, otherwise green), for submissions as for supervision items."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kechuang.accounts.models import Department
from kechuang.core.access import PLAN_OFFICE, Principal, Role
from kechuang.progress import Assessment, Colour, Stage, supervision_status
from kechuang.progress import SupervisionItem as ItemInput
from kechuang.submissions.service import STATE_LABELS, visible_submissions
from kechuang.supervision.service import item_status, nearest_deadline, visible_items


@dataclass(frozen=True)
class Reminder:
    kind: str  # submission | review | supervision
    title: str
    department: str
    due: dt.date
    status: Assessment
    action_zh: str
    action_en: str
    link: str
    title_en: str = ""
    department_en: str = ""
    due_kind: str = "period"  # what ``due`` is the deadline of: period (of reporting) | item | milestone

    def action(self, lang: str) -> str:
        return self.action_en if lang == "en" else self.action_zh

    def title_in(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title

    def due_kind_label(self, lang: str) -> str:
        """What the deadline is the deadline of, in words (填报期 / 督办事项 / 里程碑)."""
        return deadline_kind_label(self.due_kind, lang)

    def department_in(self, lang: str) -> str:
        return self.department_en if lang == "en" and self.department_en else self.department


#: labels of the kinds of deadline (``Reminder.due_kind``)
DEADLINE_KIND_ZH = {"period": "填报期", "item": "督办事项", "milestone": "里程碑"}
DEADLINE_KIND_EN = {"period": "reporting period", "item": "supervision item", "milestone": "milestone"}



def deadline_kind_label(kind: str, lang: str) -> str:
    """The words for a kind of deadline (``period``, ``item``, ``milestone``)."""
    return (DEADLINE_KIND_EN if lang == "en" else DEADLINE_KIND_ZH)[kind]


_COLOUR_ORDER = {Colour.RED: 0, Colour.YELLOW: 1, Colour.GREEN: 2, Colour.GREY: 3}


def reminders(session: Session, actor: Principal, plan_id: int, today: dt.date,
              reminder_days: int = 7) -> list[Reminder]:
    """What waits for ``actor``, most urgent first (red, then yellow, then by date)."""
    out: list[Reminder] = []
    waiting = {Role.REPORTER: ("draft", "returned"), Role.REVIEWER: ("submitted",),
               Role.APPROVER: ("dept_approved",)}.get(actor.role, ("draft", "returned", "submitted", "dept_approved"))
    for sub in visible_submissions(session, actor, states=waiting):
        if sub.period.plan_id != plan_id:
            continue
        title = f"{sub.period.label_zh} 指标数据填报"
        status = supervision_status(ItemInput(title=title, stage=Stage.HANDLING, deadline=sub.period.due_on),
                                    today, reminder_days)
        action_zh, action_en = {
            "draft": ("填报并提交", "enter and submit the values"),
            "returned": (f"按退回意见修改后重新提交（{sub.comment}）", f"correct and resubmit ({sub.comment})"),
            "submitted": ("部门审核", "department review"),
            "dept_approved": ("规划办审批", "plan-office approval")}[sub.state]
        if actor.role in PLAN_OFFICE and actor.role is not Role.APPROVER:
            action_zh = f"{STATE_LABELS[sub.state][0]}（{sub.department.name_zh}）"
            action_en = f"{STATE_LABELS[sub.state][1]} ({sub.department.name_en or sub.department.name_zh})"
        out.append(Reminder("review" if sub.state in ("submitted", "dept_approved") else "submission", title,
                            sub.department.name_zh, sub.period.due_on, status, action_zh, action_en,
                            f"/submissions/{sub.id}", f"{sub.period.label_en or sub.period.label_zh} indicator data",
                            sub.department.name_en))
    for item in visible_items(session, actor, plan_id):
        if item.stage == Stage.CLOSED.value:
            continue
        status = item_status(item, today, reminder_days)
        awaiting_review = item.stage == Stage.FEEDBACK.value
        if actor.role in PLAN_OFFICE:
            if not awaiting_review and status.colour is Colour.GREEN:
                continue
            action_zh, action_en = ("复核销号", "review and close") if awaiting_review else (
                f"督促{item.lead.name_zh}办理", f"follow up with {item.lead.name_en or item.lead.name_zh}")
        else:
            if awaiting_review or status.colour is Colour.GREEN:
                continue
            lead = actor.department_id == item.lead_department_id
            acknowledge = item.stage == Stage.ASSIGNED.value and lead
            action_zh = ("签收" if acknowledge else "报送办理进展") + ("（牵头）" if lead else "（配合）")
            action_en = ("acknowledge" if acknowledge else "report progress") + (" (lead)" if lead else
                                                                                " (co-operating)")
        nearest = nearest_deadline(item)
        out.append(Reminder("supervision", item.title_zh, item.lead.name_zh, nearest.due, status, action_zh,
                            action_en, f"/supervision/{item.id}", item.title_en, item.lead.name_en, nearest.kind))
    return sorted(out, key=lambda r: (_COLOUR_ORDER[r.status.colour], r.due, r.title))


def department_reminders(session: Session, department: Department, plan_id: int, today: dt.date,
                         reminder_days: int = 7) -> list[Reminder]:
    """What a department has to do, as its reporters see it, most urgent first."""
    as_reporter = Principal(id=None, username=f"digest:{department.code}", display_name=department.name_zh,
                            role=Role.REPORTER, department_id=department.id)
    return reminders(session, as_reporter, plan_id, today, reminder_days)


def digest_mail(session: Session, department: Department, plan_id: int, today: dt.date, reminder_days: int = 7,
                base_url: str = "") -> tuple[str, str, list[Reminder]]:
    """A department's digest as an e-mail: subject, plain-text body, and the reminders it lists."""
    items = department_reminders(session, department, plan_id, today, reminder_days)
    subject = f"【科创·规划监测】待办提醒（{today.isoformat()}，共 {len(items)} 项）"
    lines = [f"{department.name_zh}：", ""]
    if not items:
        lines.append("目前没有到期或临近期限的事项。")
    for n, r in enumerate(items, start=1):
        lines.append(f"{n}. 【{r.status.status_zh}·{r.status.colour.zh}】{r.title}")
        lines.append(f"   {DEADLINE_KIND_ZH[r.due_kind]}期限：{r.due.isoformat()}；需要：{r.action_zh}")
        lines.append(f"   {r.status.reason_zh}")
        lines.append(f"   {base_url}{r.link}")
    lines += ["", "此邮件由科创规划监测评估系统生成；状态按期限计算：已逾期为红，"
              f"{reminder_days} 天内到期为黄。"]
    return subject, "\n".join(lines) + "\n", items


def digest(session: Session, department: Department, plan_id: int, today: dt.date, reminder_days: int = 7,
           base_url: str = "") -> str:
    """A plain-text e-mail to a department listing what it has to do, most urgent first."""
    subject, body, _ = digest_mail(session, department, plan_id, today, reminder_days, base_url)
    return f"收件人：{department.name_zh}\n主题：{subject}\n\n{body}"
