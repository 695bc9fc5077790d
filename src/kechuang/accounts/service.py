"""Accounts and sessions: create, disable, authenticate with throttling, open and resolve sessions.

Passwords are hashed with Argon2id (pwdlib). A session is a random token given to the browser in a
cookie; the database keeps only its SHA-256, the account, an expiry and the session's CSRF token.
Disabling an account ends its sessions at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import ColumnElement, delete, false, func, select, text, update
from sqlalchemy.orm import Session, joinedload

from kechuang.accounts.models import ORGANISATION_KINDS, Account, AuthSession, Department, LoginAttempt
from kechuang.audit.service import record
from kechuang.core import clock
from kechuang.core.access import Forbidden, Principal, Role
from kechuang.core.settings import Settings
from kechuang.store.base import utcnow

HASHER = PasswordHash((Argon2Hasher(),))
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """An account that cannot be created or changed as asked (duplicate name, weak password …); the str is
    English, ``message_zh`` the Chinese where one is given."""

    def __init__(self, message: str, message_zh: str = ""):
        super().__init__(message)
        self.message_zh = message_zh or message

    def reason(self, lang: str) -> str:
        return str(self) if lang == "en" else self.message_zh


def _too_short() -> AccountError:
    return AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
                        f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。")


class LoginFailed(Exception):
    """Wrong user name or password, or a disabled account (one message for all, not to leak which)."""


class LoginThrottled(Exception):
    """Too many failed logins recently; ``until`` is when the next attempt is allowed."""

    def __init__(self, until: dt.datetime):
        self.until = until
        super().__init__(f"too many failed logins; try again after {clock.time_text(until, seconds=True)}")


def principal_of(account: Account) -> Principal:
    return Principal(id=account.id, username=account.username, display_name=account.display_name,
                     role=Role(account.role), department_id=account.department_id)


# ---------------------------------------------------------------- organisations and accounts


def create_department(session: Session, actor: Principal, *, code: str, name_zh: str, name_en: str = "",
                      kind: str = "department", is_demo: bool = False) -> Department:
    """Add a department, street or park (admin only)."""
    actor.require_role(Role.ADMIN, action="adding an organisation")
    if kind not in ORGANISATION_KINDS:
        raise AccountError(f"kind must be one of {', '.join(ORGANISATION_KINDS)}, not {kind!r}")
    if session.scalar(select(Department).where(Department.code == code)) is not None:
        raise AccountError(f"an organisation with code {code!r} exists already")
    dept = Department(code=code, name_zh=name_zh, name_en=name_en, kind=kind, is_demo=is_demo)
    session.add(dept)
    session.flush()
    record(session, actor, "create", "department", dept.id, department_id=dept.id,
           new={"code": code, "name_zh": name_zh, "kind": kind, "is_demo": is_demo})
    return dept


def departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.id)))


def department_by_code(session: Session, code: str) -> Department:
    dept = session.scalar(select(Department).where(Department.code == code))
    if dept is None:
        raise AccountError(f"no organisation with code {code!r}")
    return dept


def create_account(session: Session, actor: Principal, *, username: str, display_name: str, password: str,
                   role: Role | str, department_id: int | None = None, is_demo: bool = False,
                   password_hash: str | None = None, email: str | None = None) -> Account:
    """Create an account (admin only). Reporters and reviewers need a department; passwords ≥ 10 characters.
    ``password_hash``: the Argon2 hash of ``password`` when the caller made it already (the demo accounts, which
    share one password, are hashed once; the caller answers for the hash matching the password)."""
    actor.require_role(Role.ADMIN, action="creating an account")
    role = _role(role)
    username = username.strip()
    if not username or len(username) > 80 or any(c.isspace() for c in username):
        raise AccountError("the user name must be 1–80 characters without spaces")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise _too_short()
    if role.department_bound and department_id is None:
        raise AccountError(f"a {role.value} acts for a department: choose one")
    if not role.department_bound:
        department_id = None
    if session.scalar(select(Account).where(func.lower(Account.username) == username.lower())) is not None:
        raise AccountError(f"the user name {username!r} is taken")
    account = Account(username=username, display_name=display_name.strip() or username,
                      password_hash=password_hash or HASHER.hash(password), role=role.value,
                      department_id=department_id, is_demo=is_demo, email=checked_email(email))
    session.add(account)
    session.flush()
    record(session, actor, "create", "account", account.id, department_id=department_id,
           new={"username": username, "role": role.value, "department_id": department_id, "is_demo": is_demo,
                "email": account.email})
    return account


def checked_email(email: str | None) -> str | None:
    """An e-mail address as stored (trimmed; empty: None), refused unless it looks like ``name@domain``."""
    email = (email or "").strip()
    if not email:
        return None
    local, _, domain = email.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in email) or "@" in domain or len(email) > 254:
        raise AccountError(f"the e-mail address {email!r} is not of the form name@domain")
    return email


def accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.id)))


def has_admin(session: Session) -> bool:
    """Whether an active admin account exists."""
    return session.scalar(select(Account.id).where(Account.role == Role.ADMIN.value, Account.active).limit(1)) \
        is not None


def set_active(session: Session, actor: Principal, account_id: int, active: bool, reason: str = "") -> Account:
    """Disable (or re-enable) an account (admin only); disabling ends its sessions. Admins cannot disable
    themselves, so the plan office is never locked out by accident."""
    actor.require_role(Role.ADMIN, action="disabling an account")
    account = session.get(Account, account_id)
    if account is None:
        raise AccountError(f"no account {account_id}")
    if account.id == actor.id and not active:
        raise Forbidden("an administrator cannot disable their own account")
    if account.active == active:
        return account
    account.active = active
    if not active:
        session.execute(delete(AuthSession).where(AuthSession.account_id == account.id))
    record(session, actor, "enable" if active else "disable", "account", account.id,
           department_id=account.department_id, field="active", old=not active, new=active, reason=reason)
    return account


def change_password(session: Session, actor: Principal, account_id: int, new_password: str) -> None:
    """Set a new password: one's own, or anyone's for an admin. Ends the account's other sessions. Setting
    one's own password clears a reset's "must change" mark."""
    if actor.id != account_id:
        actor.require_role(Role.ADMIN, action="changing another account's password")
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise _too_short()
    account = session.get(Account, account_id)
    if account is None:
        raise AccountError(f"no account {account_id}")
    if actor.id == account_id and HASHER.verify(new_password, account.password_hash):
        raise AccountError("the new password must differ from the current one", "新密码不能与当前密码相同。")
    account.password_hash = HASHER.hash(new_password)
    if actor.id == account_id:
        account.must_change_password = False
    session.execute(delete(AuthSession).where(AuthSession.account_id == account.id))
    record(session, actor, "change_password", "account", account.id, department_id=account.department_id)


def reset_password(session: Session, actor: Principal, account_id: int, temporary_password: str) -> Account:
    """An administrator gives another account a temporary password (audited): its sessions end, and its next
    login must set a new password before anything else (``must_change_password``)."""
    actor.require_role(Role.ADMIN, action="resetting another account's password")
    if actor.id == account_id:
        raise Forbidden("change your own password under 我的账号 (/account), not by a reset")
    if len(temporary_password) < MIN_PASSWORD_LENGTH:
        raise _too_short()
    account = session.get(Account, account_id)
    if account is None:
        raise AccountError(f"no account {account_id}")
    account.password_hash = HASHER.hash(temporary_password)
    account.must_change_password = True
    session.execute(delete(AuthSession).where(AuthSession.account_id == account.id))
    record(session, actor, "reset_password", "account", account.id, department_id=account.department_id,
           field="must_change_password", old=False, new=True)
    return account


def update_account(session: Session, actor: Principal, account_id: int, *, role: Role | str,
                   department_id: int | None, display_name: str | None = None,
                   email: str | None = None) -> Account:
    """Change an account's role, department (and display name, e-mail address: None keeps it, "" removes
    the address) (admin only; one audit record per changed field). Reporters and reviewers need a department,
    the plan office's roles have none. An administrator cannot change their own role, so the plan office always
    keeps one."""
    actor.require_role(Role.ADMIN, action="changing an account's role or department")
    role = _role(role)
    account = session.get(Account, account_id)
    if account is None:
        raise AccountError(f"no account {account_id}")
    if account.id == actor.id and role.value != account.role:
        raise Forbidden("an administrator cannot change their own role")
    if role.department_bound and department_id is None:
        raise AccountError(f"a {role.value} acts for a department: choose one")
    if not role.department_bound:
        department_id = None
    if department_id is not None and session.get(Department, department_id) is None:
        raise AccountError(f"no department {department_id}")
    changes: dict[str, object] = {"role": role.value, "department_id": department_id}
    if display_name is not None and display_name.strip():
        changes["display_name"] = display_name.strip()
    if email is not None:
        changes["email"] = checked_email(email)
    for name, new in changes.items():
        old = getattr(account, name)
        if old != new:
            setattr(account, name, new)
            record(session, actor, "update", "account", account.id,
                   department_id=department_id or account.department_id, field=name, old=old, new=new)
    session.flush()
    return account


def _role(role: Role | str) -> Role:
    """A role from its name; AccountError for an empty or unknown one (there is no default role)."""
    try:
        return Role(role)
    except ValueError:
        raise AccountError(f"choose a role ({', '.join(r.value for r in Role)}), not {str(role)!r}") from None


# ---------------------------------------------------------------- logging in


def _lock_logins(session: Session, username: str, ip: str) -> None:
    """Serialise the check-and-count of concurrent logins, so that N parallel guesses are N counted attempts
    (never more checks than the throttle allows). PostgreSQL: transaction-scoped advisory locks on the
    account, then the address (always in this order, so two logins cannot deadlock); SQLite: a no-op write
    takes the database's single write lock (held until the request's transaction ends)."""
    if session.get_bind().dialect.name == "postgresql":
        for key in (f"kechuang-login-account:{username}", f"kechuang-login-ip:{ip}"):
            session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
    else:
        session.execute(update(LoginAttempt).where(false()).values(succeeded=False))


def login_delay(failures: int, settings: Settings) -> dt.timedelta:
    """How long after the last of ``failures`` counted failures the next check waits.

    d(F) = 0 for F < m, else min(b · 2^(F − m), D), with m = ``login_max_failures``, b =
    ``login_delay_seconds`` and D = ``login_max_delay_seconds`` (exponential back-off, as in OWASP's
    Authentication Cheat Sheet, "Login Throttling")."""
    if failures < settings.login_max_failures:
        return dt.timedelta(0)
    exponent = min(failures - settings.login_max_failures, 32)
    return dt.timedelta(seconds=min(settings.login_delay_seconds * 2 ** exponent, settings.login_max_delay_seconds))


def _failures(session: Session, where: list[ColumnElement[bool]], since: dt.datetime) -> list[dt.datetime]:
    """The times of the failures matching ``where`` after ``since`` and after the last success there."""
    last_ok = session.scalar(select(func.max(LoginAttempt.at)).where(*where, LoginAttempt.succeeded.is_(True)))
    if last_ok is not None and _aware(last_ok) > since:
        since = _aware(last_ok)
    return [_aware(at) for at in session.scalars(select(LoginAttempt.at).where(
        *where, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since).order_by(LoginAttempt.at))]


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def known_address(session: Session, username: str, ip: str) -> bool:
    """Whether ``username`` has logged in successfully from ``ip`` (within the kept login attempts)."""
    return bool(ip) and session.scalar(select(LoginAttempt.id).where(
        LoginAttempt.username == username.lower(), LoginAttempt.ip == ip,
        LoginAttempt.succeeded.is_(True)).limit(1)) is not None


def throttled_until(session: Session, username: str, ip: str, settings: Settings,
                    now: dt.datetime) -> dt.datetime | None:
    """When the next login of ``username`` from ``ip`` may be checked, or None when it may be now.

    - The address: ``login_max_failures_per_ip`` failures from ``ip`` (any account) within the window block
      that address until the oldest of them leaves the window; other addresses are not affected.
    - The account: its failures within the window (since its last success) delay the next check by
      :func:`login_delay` after the last of them — from every address, except from an address the account
      has logged in from before, where only the failures from that address count. The owner is thus never
      locked out: from a known address at once, from a new one after at most ``login_max_delay_seconds``.
    """
    since = now - dt.timedelta(minutes=settings.login_window_minutes)
    name = username.lower()
    waits: list[dt.datetime] = []
    if ip:
        by_ip = _failures(session, [LoginAttempt.ip == ip], since)
        if len(by_ip) >= settings.login_max_failures_per_ip:
            waits.append(by_ip[-settings.login_max_failures_per_ip] + dt.timedelta(
                minutes=settings.login_window_minutes))
    scope = [LoginAttempt.username == name]
    if known_address(session, name, ip):
        scope.append(LoginAttempt.ip == ip)
    by_account = _failures(session, scope, since)
    if by_account:
        waits.append(by_account[-1] + login_delay(len(by_account), settings))
    later = [moment for moment in waits if moment > now]
    return max(later) if later else None


def authenticate(session: Session, username: str, password: str, *, ip: str, settings: Settings,
                 now: dt.datetime | None = None) -> Account:
    """Check a login and record the attempt.

    Raises LoginThrottled when :func:`throttled_until` says the check must wait — even for the right
    password; such a refused attempt is not recorded, so it neither counts nor prolongs the wait — and
    LoginFailed for a wrong name or password or a disabled account. The count and the check are atomic
    (:func:`_lock_logins`). The password hash is upgraded when the hasher's parameters have changed.
    """
    now = now or utcnow()
    username = username.strip()
    _lock_logins(session, username.lower(), ip)
    until = throttled_until(session, username, ip, settings, now)
    if until is not None:
        raise LoginThrottled(until)
    attempt = LoginAttempt(username=username.lower(), ip=ip, at=now, succeeded=False)
    session.add(attempt)
    session.flush()  # counted before the (slow) password check
    account = session.scalar(select(Account).where(func.lower(Account.username) == username.lower()))
    ok, new_hash = (False, None)
    if account is not None:
        ok, new_hash = HASHER.verify_and_update(password, account.password_hash)
    else:
        HASHER.hash(password)  # spend the same time as a real check, so names cannot be probed by timing
    attempt.succeeded = account is not None and ok and account.active
    if account is None or not attempt.succeeded:
        raise LoginFailed("wrong user name or password, or the account is disabled")
    if new_hash is not None:
        account.password_hash = new_hash
    return account


def purge_login_attempts(session: Session, settings: Settings, now: dt.datetime | None = None) -> int:
    """Delete the login attempts older than ``login_attempt_retention_days``; return how many. (They are only
    needed for the throttle's window and to know an account's addresses; see :func:`throttled_until`.)"""
    cutoff = (now or utcnow()) - dt.timedelta(days=settings.login_attempt_retention_days)
    done = session.execute(delete(LoginAttempt).where(LoginAttempt.at < cutoff))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OpenedSession:
    token: str
    csrf_token: str
    expires_at: dt.datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, account: Account, settings: Settings,
                 now: dt.datetime | None = None) -> OpenedSession:
    """Start a login session for ``account``; returns the cookie token (only its digest is stored)."""
    now = now or utcnow()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=settings.session_hours)
    session.execute(delete(AuthSession).where(AuthSession.expires_at < now))
    session.add(AuthSession(token_hash=_digest(token), account_id=account.id, csrf_token=csrf, created_at=now,
                            expires_at=expires))
    session.flush()
    return OpenedSession(token, csrf, expires)


@dataclass(frozen=True)
class ResolvedSession:
    principal: Principal
    csrf_token: str
    department_name: str
    department_name_en: str = ""


def resolve_session(session: Session, token: str, now: dt.datetime | None = None) -> ResolvedSession | None:
    """The principal behind a cookie token, or None when it is unknown, expired or its account disabled."""
    now = now or utcnow()
    row = session.scalar(select(AuthSession).where(AuthSession.token_hash == _digest(token))  # one query a request
                         .options(joinedload(AuthSession.account).joinedload(Account.department)))
    if row is None or _aware(row.expires_at) <= now or not row.account.active:
        return None
    account = row.account
    dept = account.department
    return ResolvedSession(principal_of(account), row.csrf_token, dept.name_zh if dept else "",
                           dept.name_en if dept else "")


def close_session(session: Session, token: str) -> None:
    """Log out: forget the session of ``token``."""
    session.execute(delete(AuthSession).where(AuthSession.token_hash == _digest(token)))
