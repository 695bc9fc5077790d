"""Reminders that are sent: an overdue 督办 item e-mails its departments, is escalated to the plan office and
the leader after the escalation delay, each step in the item's history; a server that refuses leaves the
message queued for retry — with a real SMTP server (aiosmtpd), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.assessment.reminders import department_reminders
from kechuang.audit.service import trail
from kechuang.notifications.ladder import queue_reminders, steps_of
from kechuang.notifications.models import OutboxMessage
from kechuang.notifications.outbox import send_outbox
from kechuang.plan import service as plans
from kechuang.supervision import service as supervision
from kechuang.supervision.models import SupervisionItem
from tests.monitoring.helpers import who
from tests.notifications.conftest import SmtpServer

DEADLINE = dt.date(2022, 12, 17)  # of the demo item T2.M1 (lead KW, co-operating FGW)
KW = ["demo-kw-reporter@example.org", "demo-kw-reviewer@example.org"]
PLAN_OFFICE = ["demo-admin@example.org", "demo-approver@example.org", "demo-viewer@example.org"]


def _t2(s: Session) -> SupervisionItem:
    item = s.scalar(select(SupervisionItem).where(SupervisionItem.element_code == "T2.M1"))
    assert item is not None
    return item


def _run(factory: sessionmaker[Session], server: SmtpServer, today: dt.date, now: dt.datetime | None = None,
         digests: bool = False) -> list[tuple[int, str]]:
    with factory() as s, s.begin():
        summary = queue_reminders(s, plans.get_plan(s).id, today, reminder_days=7,
                                  escalation_days=server.settings.escalation_days, base_url="http://kc.test",
                                  digests=digests)
    with factory() as s, s.begin():
        send_outbox(s, server.settings, now)
    return summary.steps


def _complete_milestone(factory: sessionmaker[Session]) -> int:
    """T2's milestone (due 90 days before the item) done, so that the item's own deadline is the nearest."""
    with factory() as s, s.begin():
        item = _t2(s)
        supervision.set_milestone_done(s, who(s, "demo-kw-reporter"), item.milestones[0].id, dt.date(2022, 9, 1))
        return item.id


def test_overdue_item_mails_the_department_then_escalates_to_the_plan_office(
        seeded: sessionmaker[Session], smtp_server: SmtpServer) -> None:
    item_id = _complete_milestone(seeded)
    inbox = smtp_server.inbox

    assert _run(seeded, smtp_server, DEADLINE - dt.timedelta(days=10)) == []  # green: nothing (control)
    assert _run(seeded, smtp_server, DEADLINE - dt.timedelta(days=3)) == [(item_id, "approaching")]
    assert _run(seeded, smtp_server, DEADLINE + dt.timedelta(days=1)) == [(item_id, "overdue")]
    with seeded() as s:
        title = _t2(s).title_zh
    assert [(sorted(m.rcpt), m.subject) for m in inbox.received] == [
        (KW, f"【科创·督办】临近期限：{title}（督办事项期限 2022-12-17）"),
        (KW, f"【科创·督办】已逾期：{title}（督办事项期限 2022-12-17）")]
    overdue = inbox.received[1]
    assert overdue.message["From"] == "kechuang@example.org"
    assert "督办事项期限：2022-12-17（已逾期 1 天）" in overdue.body
    assert f"http://kc.test/supervision/{item_id}" in overdue.body

    # six days overdue: not yet escalated, and the overdue step is not sent twice (control)
    assert _run(seeded, smtp_server, DEADLINE + dt.timedelta(days=6)) == []
    assert len(inbox.received) == 2
    # seven days overdue (KECHUANG_ESCALATION_DAYS): to the plan office and the leader
    assert _run(seeded, smtp_server, DEADLINE + dt.timedelta(days=7)) == [(item_id, "escalated")]
    assert len(inbox.received) == 3
    escalation = inbox.received[2]
    assert sorted(escalation.rcpt) == PLAN_OFFICE
    assert escalation.subject == f"【科创·督办】已升级督办（规划办、区领导）：{title}（督办事项期限 2022-12-17）"
    assert "已逾期 7 天" in escalation.body and "已提请规划办和区领导督促" in escalation.body

    with seeded() as s:
        steps = [(e.step, e.deadline, e.deadline_kind, e.reached_on) for e in steps_of(s, item_id)]
        assert steps == [("approaching", DEADLINE, "item", dt.date(2022, 12, 14)),
                         ("overdue", DEADLINE, "item", dt.date(2022, 12, 18)),
                         ("escalated", DEADLINE, "item", dt.date(2022, 12, 24))]
        history = [(r.action, r.old, r.new["step"], r.new["to"]) for r in
                   reversed(trail(s, who(s, "demo-kw-reporter"), entity="supervision_item", entity_id=item_id))
                   if r.action == "escalate"]
        assert history == [("escalate", None, "approaching", KW), ("escalate", "approaching", "overdue", KW),
                           ("escalate", "overdue", "escalated", PLAN_OFFICE)]
        assert {m.state for m in s.scalars(select(OutboxMessage))} == {"sent"}


def test_a_refusing_server_leaves_the_message_queued_for_retry(seeded: sessionmaker[Session],
                                                               smtp_server: SmtpServer) -> None:
    item_id = _complete_milestone(seeded)
    smtp_server.inbox.refuse = True
    first = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)  # the clock of the outbox is the real one
    assert _run(seeded, smtp_server, DEADLINE + dt.timedelta(days=1), first) == [(item_id, "overdue")]
    assert smtp_server.inbox.received == []
    with seeded() as s:
        (message,) = s.scalars(select(OutboxMessage))
        assert (message.state, message.attempts, message.recipients) == ("queued", 1, ", ".join(KW))
        assert "451" in message.last_error and "temporarily unavailable" in message.last_error
        assert message.next_attempt_at.replace(tzinfo=dt.UTC) == first + dt.timedelta(minutes=15)
        assert [e.step for e in steps_of(s, item_id)] == ["overdue"], "the step is recorded all the same"

    smtp_server.inbox.refuse = False
    # before the retry is due nothing is sent (control); after it, the message goes, once
    with seeded() as s, s.begin():
        assert send_outbox(s, smtp_server.settings, first + dt.timedelta(minutes=14)).sent == []
    assert smtp_server.inbox.received == []
    assert _run(seeded, smtp_server, DEADLINE + dt.timedelta(days=1), first + dt.timedelta(minutes=16)) == []
    assert [sorted(m.rcpt) for m in smtp_server.inbox.received] == [KW]
    with seeded() as s:
        (message,) = s.scalars(select(OutboxMessage))
        assert (message.state, message.attempts, message.last_error) == ("sent", 2, "")


def test_retries_end_in_failed_after_the_last_attempt(seeded: sessionmaker[Session],
                                                      smtp_server: SmtpServer) -> None:
    _complete_milestone(seeded)
    smtp_server.inbox.refuse = True
    now = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    _run(seeded, smtp_server, DEADLINE + dt.timedelta(days=1), now)
    for later in (now + dt.timedelta(minutes=15), now + dt.timedelta(minutes=15 + 30)):  # 15 min, then doubled
        with seeded() as s, s.begin():
            send_outbox(s, smtp_server.settings, later)
    with seeded() as s:
        (message,) = s.scalars(select(OutboxMessage))
        assert (message.state, message.attempts) == ("failed", 3)


def test_digest_of_the_department_is_mailed_once_a_day(seeded: sessionmaker[Session],
                                                       smtp_server: SmtpServer) -> None:
    _complete_milestone(seeded)
    day = DEADLINE + dt.timedelta(days=1)
    _run(seeded, smtp_server, day, digests=True)
    _run(seeded, smtp_server, day, digests=True)  # the same day again: nothing new
    digests = [m for m in smtp_server.inbox.received if "待办提醒" in m.subject]
    with seeded() as s:
        kw = _t2(s).lead
        expected = len(department_reminders(s, kw, plans.get_plan(s).id, day))
    assert [(sorted(m.rcpt), m.subject) for m in digests] == [
        (KW, f"【科创·规划监测】待办提醒（2022-12-18，共 {expected} 项）")]
    assert "督办事项期限：2022-12-17" in digests[0].body
