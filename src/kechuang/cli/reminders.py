"""`kechuang reminders …`: queue the reminders and escalations that are due and send the e-mail outbox."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from kechuang.cli.common import DbOption, console, fail, sessions

reminders_app = typer.Typer(no_args_is_help=True)


@reminders_app.command("send")
def send(base_url: Annotated[str, typer.Option(help="address of the web app, for the links in the e-mails")] =
         "http://127.0.0.1:8000",
         today: Annotated[str | None, typer.Option(help="the day to judge deadlines on (YYYY-MM-DD; default: "
                                                        "today in KECHUANG_TIMEZONE)")] = None,
         digests: Annotated[bool, typer.Option(help="also queue each department's daily digest")] = True,
         queue_only: Annotated[bool, typer.Option("--queue-only", help="queue, but do not send")] = False,
         db: DbOption = None) -> None:
    """Climb the escalation ladder of the 督办 items (approaching → overdue → escalated to the plan office and
    the leader), queue the e-mails and the departments' digests, then send every queued message that is due
    (SMTP settings KECHUANG_SMTP_*; failed messages stay queued for the next run)."""
    from kechuang.core import clock
    from kechuang.core.settings import Settings
    from kechuang.notifications.ladder import queue_reminders
    from kechuang.notifications.outbox import send_outbox
    from kechuang.plan import service as plans
    from kechuang.store.db import transaction

    try:
        day = dt.date.fromisoformat(today) if today else clock.today()
    except ValueError:
        fail(f"--today: {today!r} is not a date of the form YYYY-MM-DD")
    mail = Settings()
    factory = sessions(db)
    with transaction(factory) as s:
        summary = queue_reminders(s, plans.get_plan(s).id, day, reminder_days=Settings().reminder_days,
                                  escalation_days=mail.escalation_days, base_url=base_url.rstrip("/"),
                                  digests=digests)
    for item_id, step in summary.steps:
        console.print(f"supervision item {item_id}: {step}")
    console.print(f"{len(summary.queued)} message(s) queued")
    if queue_only:
        return
    with transaction(factory) as s:
        result = send_outbox(s, mail)
    console.print(f"sent {len(result.sent)}, to retry {len(result.retry)}, failed {len(result.failed)} "
                  f"(server {mail.smtp_host}:{mail.smtp_port})")
    if result.retry or result.failed:
        raise typer.Exit(1)


@reminders_app.command("outbox")
def outbox(db: DbOption = None) -> None:
    """List the e-mail outbox, one message a line, tab-separated: id, state, attempts, recipients, subject
    (— last error)."""
    from sqlalchemy import select

    from kechuang.notifications.models import OutboxMessage

    with sessions(db)() as s:
        for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
            error = f" — {m.last_error}" if m.last_error else ""
            typer.echo(f"{m.id}\t{m.state}\t{m.attempts}\t{m.recipients}\t{m.subject}{error}")
