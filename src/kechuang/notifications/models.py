"""Tables of notifications: the e-mail outbox and the steps of the escalation ladder of 督办 items.

An outbox message is written in the same transaction as the step that caused it and sent afterwards
(:func:`kechuang.notifications.outbox.send_outbox`), so a mail server that is down loses nothing: the message
stays ``queued`` with its attempts, last error and the time of the next attempt, and becomes ``failed`` only
after the configured number of attempts. ``key`` makes queueing idempotent (one message per step and recipient
list).

An escalation step is reached once per item, deadline and step; each is also an audit record of the item.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kechuang.store.base import Base, utcnow

MESSAGE_STATES = ("queued", "sent", "failed")
#: the ladder of 督办 practice, in order
STEPS = ("approaching", "overdue", "escalated")
#: what a deadline is the deadline of
DEADLINE_KINDS = ("milestone", "item", "period")


class OutboxMessage(Base):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True, doc="what the message is about, once")
    recipients: Mapped[str] = mapped_column(Text, doc="addresses separated by commas")
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    entity: Mapped[str] = mapped_column(String(40), default="")
    entity_id: Mapped[str] = mapped_column(String(40), default="")
    state: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)

    def addresses(self) -> list[str]:
        return [a.strip() for a in self.recipients.split(",") if a.strip()]


class EscalationStep(Base):
    __tablename__ = "supervision_escalation"
    __table_args__ = (UniqueConstraint("item_id", "deadline", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    deadline: Mapped[dt.date] = mapped_column(Date)
    deadline_kind: Mapped[str] = mapped_column(String(20))
    reached_on: Mapped[dt.date] = mapped_column(Date)
    recipients: Mapped[str] = mapped_column(Text, default="", doc="addresses the step's e-mail went to")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
