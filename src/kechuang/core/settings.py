"""The one settings object: every ``KECHUANG_*`` environment variable, with embedded defaults that just work.

Every field is documented in README.md with its default (``tests/core/test_settings.py`` keeps it so). By area:

- Database and time: ``KECHUANG_DATABASE_URL`` (SQLAlchemy URL; default a SQLite file ``var/kechuang.db`` under
  the current directory, WAL mode; production ``postgresql+psycopg://user:pass@host/db``),
  ``KECHUANG_TIMEZONE`` (the plan's time zone, IANA name, default ``Asia/Shanghai``: where "today" is and how
  every time is shown, :mod:`kechuang.core.clock`).
- The district (``kechuang.plan.bundle``): ``KECHUANG_BUNDLE`` (``default`` in ``data/bundles.yaml``, i.e. the
  shipped district): the bundle ``kechuang init`` loads, by name or folder path.
- Background jobs (``kechuang.jobs``): ``KECHUANG_JOB_THREADS`` (1): threads of each web process that run report
  packs and index rebuilds; 0 leaves them to ``kechuang jobs worker`` processes.
- Request bodies (``kechuang.web.limits``): ``KECHUANG_MAX_JSON_BYTES`` (1 MB), ``KECHUANG_MAX_FORM_BYTES``
  (1 MB), ``KECHUANG_MAX_UPLOAD_BYTES`` (32 MB), refused with 413 while read.
- Sessions and login throttling (``kechuang.accounts.service.throttled_until``): ``KECHUANG_SECURE_COOKIES``
  (``true``: the session cookie only over HTTPS; ``false`` for plain http on 127.0.0.1), ``KECHUANG_SESSION_HOURS``
  (8). After ``KECHUANG_LOGIN_MAX_FAILURES`` (5) failed logins of one account within
  ``KECHUANG_LOGIN_WINDOW_MINUTES`` (15), each further check waits ``KECHUANG_LOGIN_DELAY_SECONDS`` (1) after the
  last failure, doubling up to ``KECHUANG_LOGIN_MAX_DELAY_SECONDS`` (60) — from an address the account has logged
  in from before, only that address's failures count; ``KECHUANG_LOGIN_MAX_FAILURES_PER_IP`` (30) failures from
  one address within the window block that address for the window. ``KECHUANG_LOGIN_ATTEMPT_RETENTION_DAYS``
  (90): older attempts are deleted by ``kechuang account purge-logins``. ``KECHUANG_TRUSTED_PROXIES`` (none):
  comma-separated addresses or networks of reverse proxies whose ``X-Forwarded-For`` names the client.
- Public comments and the site secret: ``KECHUANG_SECRET_KEY`` salts the stored IP hashes and signs the comment
  forms' tokens; when unset it is read from ``KECHUANG_SECRET_FILE`` (default ``var/secret.key``), created with 32
  random bytes (mode 0600) on first use. ``KECHUANG_COMMENT_MIN_LENGTH`` / ``_MAX_LENGTH`` (5 / 1000),
  ``KECHUANG_COMMENT_MIN_SECONDS`` (3: a form sent back sooner is refused as automated),
  ``KECHUANG_COMMENT_TOKEN_HOURS`` (12), ``KECHUANG_COMMENT_RATE_LIMIT`` (5) per
  ``KECHUANG_COMMENT_RATE_WINDOW_MINUTES`` (10), ``KECHUANG_COMMENT_MAX_LINKS`` (2).
- E-mail and escalation: ``KECHUANG_SMTP_HOST`` (``localhost``), ``KECHUANG_SMTP_PORT`` (25),
  ``KECHUANG_SMTP_SENDER`` (``kechuang@localhost``), ``KECHUANG_SMTP_USER`` / ``_PASSWORD`` (empty: no login),
  ``KECHUANG_SMTP_STARTTLS`` (false), ``KECHUANG_SMTP_TIMEOUT_SECONDS`` (30), ``KECHUANG_MAIL_MAX_ATTEMPTS`` (5),
  ``KECHUANG_MAIL_RETRY_MINUTES`` (15, doubled after each failure), ``KECHUANG_ESCALATION_DAYS`` (7: days after an
  overdue deadline when a 督办 item is escalated).
- Supervision and files: ``KECHUANG_EVIDENCE_DIR`` (``var/evidence``), ``KECHUANG_EVIDENCE_MAX_BYTES`` (10 MB),
  ``KECHUANG_EVIDENCE_TYPES`` (``pdf,png,jpg,jpeg,docx,xlsx``, checked against the first bytes),
  ``KECHUANG_REMINDER_DAYS`` (7: a deadline this close is "approaching"), ``KECHUANG_REPORTS_DIR``
  (``var/reports``: where the report packs are written and backed up from).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration (environment, prefix ``KECHUANG_``; see the module docstring)."""

    model_config = SettingsConfigDict(env_prefix="KECHUANG_")

    # database and time
    database_url: str = ""
    timezone: str = "Asia/Shanghai"
    # the district bundle `kechuang init` loads (a shipped name or a folder; "" = the default in data/bundles.yaml)
    bundle: str = ""
    # background jobs: threads of each web process that run them (0: only `kechuang jobs worker` processes)
    job_threads: int = Field(1, ge=0)
    # request bodies
    max_json_bytes: int = Field(1024 * 1024, gt=0)
    max_form_bytes: int = Field(1024 * 1024, gt=0)
    max_upload_bytes: int = Field(32 * 1024 * 1024, gt=0)
    # sessions and login throttling
    secure_cookies: bool = True
    session_hours: float = Field(8.0, gt=0)
    login_max_failures: int = Field(5, ge=1)
    login_max_failures_per_ip: int = Field(30, ge=1)
    login_window_minutes: float = Field(15.0, gt=0)
    login_delay_seconds: float = Field(1.0, gt=0)
    login_max_delay_seconds: float = Field(60.0, gt=0)
    login_attempt_retention_days: float = Field(90.0, ge=1)
    trusted_proxies: str = ""
    # public comments and the site secret
    secret_key: str = ""
    secret_file: Path | None = None
    comment_min_length: int = Field(5, ge=1)
    comment_max_length: int = Field(1000, ge=1)
    comment_min_seconds: float = Field(3.0, ge=0)
    comment_token_hours: float = Field(12.0, gt=0)
    comment_rate_limit: int = Field(5, ge=1)
    comment_rate_window_minutes: float = Field(10.0, gt=0)
    comment_max_links: int = Field(2, ge=0)
    # e-mail and escalation
    smtp_host: str = "localhost"
    smtp_port: int = Field(25, gt=0, lt=65536)
    smtp_sender: str = "kechuang@localhost"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(30.0, gt=0)
    mail_max_attempts: int = Field(5, ge=1)
    mail_retry_minutes: int = Field(15, ge=0)
    escalation_days: int = Field(7, ge=0)
    # supervision and files
    evidence_dir: str = ""
    evidence_max_bytes: int = Field(10 * 1024 * 1024, gt=0)
    evidence_types: str = "pdf,png,jpg,jpeg,docx,xlsx"
    reminder_days: int = Field(7, ge=0)
    reports_dir: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"KECHUANG_TIMEZONE: unknown time zone {value!r}; use an IANA name such as "
                             "Asia/Shanghai") from exc
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: str) -> str:
        for entry in (part.strip() for part in value.split(",")):
            if not entry:
                continue
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"KECHUANG_TRUSTED_PROXIES: {entry!r} is not an IP address or network "
                                 "(e.g. 10.0.0.5 or 10.0.0.0/24)") from None
        return value

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to ``sqlite:///<cwd>/var/kechuang.db``."""
        if self.database_url:
            return self.database_url
        path = Path.cwd() / "var" / "kechuang.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"

    def proxies(self) -> list[str]:
        """The trusted proxies' addresses or networks (empty: none)."""
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    def server_options(self) -> dict[str, Any]:
        """uvicorn's proxy options: ``X-Forwarded-For``/``-Proto`` are read only from the trusted proxies,
        and not at all when none is configured (uvicorn's own default trusts 127.0.0.1)."""
        trusted = self.proxies()
        return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or None}

    def secret(self) -> bytes:
        """The site secret: ``secret_key`` if set, else the content of the secret file (created if missing)."""
        if self.secret_key:
            return self.secret_key.encode("utf-8")
        return _file_secret(self.secret_file or Path.cwd() / "var" / "secret.key")

    def resolved_evidence_dir(self) -> Path:
        """The evidence directory (created when missing)."""
        path = Path(self.evidence_dir) if self.evidence_dir else Path.cwd() / "var" / "evidence"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def allowed_types(self) -> set[str]:
        """The accepted evidence file types, lower case without the dot."""
        return {t.strip().lower().lstrip(".") for t in self.evidence_types.split(",") if t.strip()}

    def resolved_reports_dir(self) -> Path:
        """Where the report packs are written: ``KECHUANG_REPORTS_DIR``, default ``var/reports`` under the
        current directory."""
        return Path(self.reports_dir) if self.reports_dir else Path.cwd() / "var" / "reports"


@lru_cache
def _file_secret(path: Path) -> bytes:
    """Read the secret file, creating it with a fresh random secret (mode 0600) when it does not exist."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # atomic: when another process made the file first, theirs is kept
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise RuntimeError(f"the secret file {path} is empty; delete it to have a new one made")
    return value.encode("utf-8")


@lru_cache
def get_settings() -> Settings:
    """The settings read from the environment once per process (``get_settings.cache_clear()`` rereads)."""
    return Settings()
