"""Accounts on SQLite and PostgreSQL: Argon2id hashes, roles bound to departments, login throttling,
sessions that end when an account is disabled."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.accounts import service as accounts
from kechuang.accounts.models import Account, AuthSession
from kechuang.audit.models import AuditRecord
from kechuang.core.access import SYSTEM, Forbidden, Role
from kechuang.core.settings import Settings
from tests.conftest import REPO

SETTINGS = Settings(login_max_failures=3, login_max_failures_per_ip=5, login_window_minutes=15)
T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def people(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with sessions() as s:
        kw = accounts.create_department(s, SYSTEM, code="KW", name_zh="区科委")
        accounts.create_account(s, SYSTEM, username="admin", display_name="管理员", password="correct horse 1",
                                role=Role.ADMIN)
        accounts.create_account(s, SYSTEM, username="li", display_name="李填报", password="li-password-9",
                                role=Role.REPORTER, department_id=kw.id)
        s.commit()
    return sessions


def test_passwords_are_argon2id_hashes(people: sessionmaker[Session]) -> None:
    with people() as s:
        li = s.scalar(select(Account).where(Account.username == "li"))
        assert li is not None and li.password_hash.startswith("$argon2id$")
        assert "li-password-9" not in li.password_hash
        audit = s.scalars(select(AuditRecord).where(AuditRecord.entity == "account")).all()
        assert [(r.actor, r.action, r.new["username"]) for r in audit] == [("system", "create", "admin"),
                                                                          ("system", "create", "li")]
        assert all("password" not in str(r.new) for r in audit)


def test_account_rules(people: sessionmaker[Session]) -> None:
    with people() as s:
        with pytest.raises(accounts.AccountError, match="acts for a department"):
            accounts.create_account(s, SYSTEM, username="x", display_name="", password="long-enough-1",
                                    role=Role.REVIEWER)
        with pytest.raises(accounts.AccountError, match="at least 10"):
            accounts.create_account(s, SYSTEM, username="x", display_name="", password="short", role=Role.VIEWER)
        with pytest.raises(accounts.AccountError, match="taken"):
            accounts.create_account(s, SYSTEM, username="LI", display_name="", password="long-enough-1",
                                    role=Role.VIEWER)
        li = accounts.principal_of(s.scalar(select(Account).where(Account.username == "li")))
        with pytest.raises(Forbidden):
            accounts.create_account(s, li, username="y", display_name="", password="long-enough-1", role=Role.ADMIN)


def test_login_and_throttling(people: sessionmaker[Session]) -> None:
    """3 failures are free; then each check waits 1 s, 2 s, 4 s … after the last failure (never a lock)."""
    with people() as s:
        ok = accounts.authenticate(s, "li", "li-password-9", ip="10.0.0.1", settings=SETTINGS, now=T0)
        assert ok.username == "li"
        for n in range(3):
            with pytest.raises(accounts.LoginFailed):
                accounts.authenticate(s, "li", "guess", ip="10.0.0.7", settings=SETTINGS,
                                      now=T0 + dt.timedelta(minutes=1, seconds=n))
        last = T0 + dt.timedelta(minutes=1, seconds=2)
        with pytest.raises(accounts.LoginThrottled) as blocked:  # even the right password waits
            accounts.authenticate(s, "li", "li-password-9", ip="10.0.0.2", settings=SETTINGS,
                                  now=last + dt.timedelta(milliseconds=500))
        assert blocked.value.until == last + dt.timedelta(seconds=1)
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(s, "li", "guess", ip="10.0.0.7", settings=SETTINGS,
                                  now=last + dt.timedelta(seconds=1))
        with pytest.raises(accounts.LoginThrottled) as blocked:
            accounts.authenticate(s, "li", "li-password-9", ip="10.0.0.2", settings=SETTINGS,
                                  now=last + dt.timedelta(seconds=2))
        assert blocked.value.until == last + dt.timedelta(seconds=3), "the delay doubled"
        assert accounts.authenticate(s, "li", "li-password-9", ip="10.0.0.1", settings=SETTINGS,
                                     now=last + dt.timedelta(seconds=2)), "a known address is not delayed"
        assert accounts.authenticate(s, "li", "li-password-9", ip="10.0.0.2", settings=SETTINGS,
                                     now=last + dt.timedelta(seconds=3))


def test_throttling_per_address(people: sessionmaker[Session]) -> None:
    with people() as s:
        for n in range(5):
            with pytest.raises(accounts.LoginFailed):
                accounts.authenticate(s, f"nobody{n}", "guess", ip="10.9.9.9", settings=SETTINGS, now=T0)
        with pytest.raises(accounts.LoginThrottled) as blocked:
            accounts.authenticate(s, "admin", "correct horse 1", ip="10.9.9.9", settings=SETTINGS, now=T0)
        assert blocked.value.until == T0 + dt.timedelta(minutes=15), "that address waits out the window"
        assert accounts.authenticate(s, "admin", "correct horse 1", ip="10.1.1.1", settings=SETTINGS, now=T0)


def test_sessions_expire_and_end_when_the_account_is_disabled(people: sessionmaker[Session]) -> None:
    with people() as s:
        li = s.scalar(select(Account).where(Account.username == "li"))
        admin = accounts.principal_of(s.scalar(select(Account).where(Account.username == "admin")))
        assert li is not None
        opened = accounts.open_session(s, li, SETTINGS, now=T0)
        found = accounts.resolve_session(s, opened.token, now=T0 + dt.timedelta(hours=1))
        assert found is not None and (found.principal.username, found.csrf_token) == ("li", opened.csrf_token)
        assert accounts.resolve_session(s, opened.token, now=T0 + dt.timedelta(hours=9)) is None
        assert s.scalar(select(AuthSession.token_hash)) != opened.token, "only the digest is stored"
        accounts.set_active(s, admin, li.id, False, reason="调离")
        assert accounts.resolve_session(s, opened.token, now=T0) is None
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(s, "li", "li-password-9", ip="", settings=SETTINGS, now=T0)
        with pytest.raises(Forbidden):
            accounts.set_active(s, admin, admin.id or 0, False)
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "disable")).one()
        assert (record.actor, record.old, record.new, record.reason) == ("admin", True, False, "调离")


def test_the_demo_accounts_are_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "`demo-kw-reporter`" in readme and "for demonstration only" in readme
