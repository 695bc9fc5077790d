"""The e-mail outbox: queue a message (idempotent by key) and send the due ones over SMTP, with retry.

Retry schedule: after failed attempt *n* (1, 2, …) the next one is due ``retry_minutes · 2^(n−1)`` minutes
later; after ``max_attempts`` failures the message is ``failed`` and kept with its last error. A message the
server refuses for one recipient only (partly delivered) counts as failed for the refused addresses, named in
the error.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import select
from sqlalchemy.orm import Session

from kechuang.core.settings import Settings
from kechuang.notifications.models import OutboxMessage
from kechuang.store.base import utcnow


def queue(session: Session, *, key: str, recipients: list[str], subject: str, body: str, entity: str = "",
          entity_id: object = "") -> OutboxMessage | None:
    """Add a message to the outbox unless one with ``key`` is there already (then None); no recipients: None."""
    addresses = sorted({a.strip() for a in recipients if a and a.strip()})
    if not addresses or session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
        return None
    message = OutboxMessage(key=key, recipients=", ".join(addresses), subject=subject, body=body, entity=entity,
                            entity_id=str(entity_id), state="queued", attempts=0, last_error="")
    session.add(message)
    session.flush()
    return message


def compose(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message (UTF-8 plain text) of an outbox row."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = ", ".join(message.addresses())
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(idstring=f"kechuang-outbox-{message.id}")
    mail.set_content(message.body)
    return mail


def deliver(mail: EmailMessage, settings: Settings) -> None:
    """Send one message through the configured SMTP server (raises on any refusal)."""
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        refused = smtp.send_message(mail)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def retry_delay(attempts: int, settings: Settings) -> dt.timedelta:
    """The wait after failed attempt number ``attempts`` (≥ 1): retry_minutes · 2^(attempts−1)."""
    return dt.timedelta(minutes=settings.mail_retry_minutes * 2 ** (attempts - 1))


def send_outbox(session: Session, settings: Settings, now: dt.datetime | None = None) -> SendResult:
    """Send every queued message whose next attempt is due; record each outcome on its row (the caller
    commits)."""
    now = now or utcnow()
    result = SendResult()
    due = session.scalars(select(OutboxMessage).where(OutboxMessage.state == "queued")
                          .order_by(OutboxMessage.id))
    for message in list(due):
        next_at = message.next_attempt_at
        if next_at.tzinfo is None:  # SQLite gives naive UTC
            next_at = next_at.replace(tzinfo=dt.UTC)
        if next_at > now:
            continue
        message.attempts += 1
        try:
            deliver(compose(message, settings.smtp_sender), settings)
        except (smtplib.SMTPException, OSError) as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= settings.mail_max_attempts:
                message.state = "failed"
                result.failed.append(message.id)
            else:
                message.next_attempt_at = now + retry_delay(message.attempts, settings)
                result.retry.append(message.id)
        else:
            message.state, message.sent_at, message.last_error = "sent", now, ""
            result.sent.append(message.id)
        session.flush()
    return result
