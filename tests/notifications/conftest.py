"""Fixtures of the notification tests: the seeded databases (tests/monitoring/helpers.py) and a real SMTP
server (aiosmtpd) on a free loopback port, receiving the messages — or refusing them."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from kechuang.core.settings import Settings
from tests.monitoring.helpers import seeded, seeded_pg_template, seeded_sqlite_template, seeded_url  # noqa: F401
from tests.monitoring.web import client_as, web_app  # noqa: F401


@dataclass
class Received:
    """One message as the server received it: the envelope's recipients and the parsed message."""

    rcpt: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())


@dataclass
class Inbox:
    """The handler of the server: keeps what it accepts; with ``refuse`` set, answers DATA with a
    temporary failure (451) and keeps nothing."""

    received: list[Received] = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.refuse:
            return "451 4.3.0 mailbox temporarily unavailable (test server told to refuse)"
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(list(envelope.rcpt_tos), parsed))
        return "250 OK"


@dataclass
class SmtpServer:
    inbox: Inbox
    settings: Settings


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 and the mail settings that point to it (escalation after 7 days)."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(inbox, Settings(smtp_host="127.0.0.1", smtp_port=port,
                                             smtp_sender="kechuang@example.org", smtp_timeout_seconds=10,
                                             mail_retry_minutes=15, mail_max_attempts=3, escalation_days=7))
    finally:
        controller.stop()
