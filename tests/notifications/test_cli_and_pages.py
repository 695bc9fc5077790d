"""`kechuang reminders send` and `outbox` against a real SMTP server, the ladder on the 督办 item page and the
kinds of deadline in the inbox."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from kechuang.cli import app
from kechuang.store.db import make_engine, session_factory
from kechuang.supervision.models import SupervisionItem
from tests.notifications.conftest import SmtpServer

runner = CliRunner()
PLAN_OFFICE = ["demo-admin@example.org", "demo-approver@example.org", "demo-viewer@example.org"]


def _env(server: SmtpServer) -> dict[str, str]:
    return {"KECHUANG_SMTP_HOST": "127.0.0.1", "KECHUANG_SMTP_PORT": str(server.settings.smtp_port),
            "KECHUANG_SMTP_SENDER": "kechuang@example.org", "KECHUANG_ESCALATION_DAYS": "7", "COLUMNS": "300"}


def _t2_id(url: str) -> int:
    engine = make_engine(url)
    with session_factory(engine)() as s:
        item_id = s.scalar(select(SupervisionItem.id).where(SupervisionItem.element_code == "T2.M1"))
    engine.dispose()
    assert item_id is not None
    return item_id


def test_reminders_send_catches_up_and_mails_through_the_server(seeded_sqlite_template: Path, tmp_path: Path,
                                                                 smtp_server: SmtpServer) -> None:
    db = tmp_path / "cli.db"
    shutil.copyfile(seeded_sqlite_template, db)
    url = f"sqlite:///{db}"
    item_id = _t2_id(url)
    # 2023-01-16: T2's milestone (2022-09-18) is 120 days overdue — a missed run: overdue, then escalated
    out = runner.invoke(app, ["reminders", "send", "--today", "2023-01-16", "--no-digests", "--db", url,
                              "--base-url", "http://kc.test/"], env=_env(smtp_server))
    assert out.exit_code == 0, out.output
    assert f"supervision item {item_id}: overdue" in out.output
    assert f"supervision item {item_id}: escalated" in out.output
    assert "sent 2, to retry 0, failed 0" in out.output
    received = smtp_server.inbox.received
    assert [sorted(m.rcpt) for m in received] == [
        ["demo-kw-reporter@example.org", "demo-kw-reviewer@example.org"], PLAN_OFFICE]
    assert "里程碑期限 2022-09-18" in received[0].subject and "已逾期 120 天" in received[1].body

    again = runner.invoke(app, ["reminders", "send", "--today", "2023-01-16", "--no-digests", "--db", url],
                          env=_env(smtp_server))
    assert "0 message(s) queued" in again.output and len(received) == 2, "each step once"

    listing = runner.invoke(app, ["reminders", "outbox", "--db", url], env=_env(smtp_server)).output
    assert len(re.findall(r"^\d+\tsent\t1\t", listing, flags=re.M)) == 2

    smtp_server.inbox.refuse = True  # a refusing server: exit 1, the digest waits for a retry
    refused = runner.invoke(app, ["reminders", "send", "--today", "2023-01-16", "--db", url], env=_env(smtp_server))
    assert refused.exit_code == 1 and "sent 0, to retry 1" in refused.output
    assert "\tqueued\t1\t" in runner.invoke(app, ["reminders", "outbox", "--db", url]).output

    bad = runner.invoke(app, ["reminders", "send", "--today", "16.01.2023", "--db", url], env=_env(smtp_server))
    assert bad.exit_code == 2 and "--today: '16.01.2023' is not a date of the form YYYY-MM-DD" in bad.output


def test_the_item_page_shows_the_ladder_and_the_inbox_labels_deadlines(
        client_as: Callable[[str], tuple[TestClient, str]], tmp_path: Path, smtp_server: SmtpServer) -> None:
    admin, _ = client_as("demo-admin")  # the app's database is tmp_path/web.db (tests/monitoring/web.py)
    url = f"sqlite:///{tmp_path / 'web.db'}"
    item_id = _t2_id(url)
    before = admin.get(f"/supervision/{item_id}").text
    assert 'data-step="' not in before  # control: no step reached yet
    out = runner.invoke(app, ["reminders", "send", "--today", "2023-01-16", "--no-digests", "--queue-only",
                              "--db", url], env=_env(smtp_server))
    assert out.exit_code == 0, out.output
    page = admin.get(f"/supervision/{item_id}").text
    rows = re.findall(r'<tr data-step="(\w+)"><td>([\d-]+)</td><td>([^<]+)</td><td>([^<]+)</td>', page)
    assert [(step, day, label, deadline) for step, day, label, deadline, in rows] == [
        ("overdue", "2023-01-16", "已逾期", "里程碑 2022-09-18"),
        ("escalated", "2023-01-16", "已升级督办（规划办、区领导）", "里程碑 2022-09-18")]
    assert page.count('data-action="escalate"') == 2 and "督办提醒/升级" in page
    assert ("阶段：已升级督办（规划办、区领导）；期限：2022-09-18；期限类型：里程碑；"
            "收件人：demo-admin@example.org") in page

    reporter, _ = client_as("demo-kw-reporter")
    inbox = reporter.get("/inbox").text
    kinds = re.findall(r'data-cell="due-kind">([^<]+)<', inbox)
    assert "里程碑" in kinds and "填报期" in kinds
    english = reporter.get("/inbox?lang=en").text
    assert "milestone" in re.findall(r'data-cell="due-kind">([^<]+)<', english)


def test_accounts_get_an_e_mail_address_checked_and_audited(
        client_as: Callable[[str], tuple[TestClient, str]], tmp_path: Path) -> None:
    admin, token = client_as("demo-admin")
    bad = admin.post("/admin/accounts", data={"csrf_token": token, "username": "li", "password": "li-password-12",
                                              "role": "viewer", "email": "li at example.org"})
    assert bad.status_code == 400 and "li at example.org" in bad.text and "is not of the form name@domain" in bad.text
    assert 'data-account="li"' not in admin.get("/admin/accounts").text, "nothing created (control)"
    made = admin.post("/admin/accounts", data={"csrf_token": token, "username": "li", "password": "li-password-12",
                                               "role": "viewer", "email": " li@example.org "}, follow_redirects=False)
    assert made.status_code == 303
    page = admin.get("/admin/accounts").text
    found = re.search(r'action="/admin/accounts/(\d+)" class="inline-form" id="edit-li"', page)
    assert found and 'value="li@example.org"' in page
    changed = admin.post(f"/admin/accounts/{found.group(1)}", data={
        "csrf_token": token, "role": "viewer", "department_id": "", "email": "leader@example.org"},
        follow_redirects=False)
    assert changed.status_code == 303
    engine = make_engine(f"sqlite:///{tmp_path / 'web.db'}")
    with session_factory(engine)() as s:
        from kechuang.accounts.models import Account
        from kechuang.audit.models import AuditRecord

        account = s.scalar(select(Account).where(Account.username == "li"))
        assert account is not None and account.email == "leader@example.org"
        audit = s.scalar(select(AuditRecord).where(AuditRecord.entity == "account", AuditRecord.field == "email",
                                                   AuditRecord.entity_id == str(account.id)))
        assert audit is not None and (audit.old, audit.new) == ("li@example.org", "leader@example.org")
    engine.dispose()
