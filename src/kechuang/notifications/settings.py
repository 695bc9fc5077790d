"""E-mail and escalation settings from the environment (prefix ``KECHUANG_``).

- ``KECHUANG_SMTP_HOST`` (default ``localhost``), ``KECHUANG_SMTP_PORT`` (default 25): the mail server.
- ``KECHUANG_SMTP_SENDER`` (default ``kechuang@localhost``): the From address.
- ``KECHUANG_SMTP_USER``, ``KECHUANG_SMTP_PASSWORD`` (default empty: no login).
- ``KECHUANG_SMTP_STARTTLS`` (default false): switch to TLS with STARTTLS before logging in.
- ``KECHUANG_SMTP_TIMEOUT_SECONDS`` (default 30).
- ``KECHUANG_MAIL_MAX_ATTEMPTS`` (default 5): attempts before a message is given up (``failed``).
- ``KECHUANG_MAIL_RETRY_MINUTES`` (default 15): wait after the first failed attempt, doubled after each next one.
- ``KECHUANG_ESCALATION_DAYS`` (default 7): days after an overdue deadline when a 督办 item is escalated to the
  plan office and the leader.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MailSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KECHUANG_")

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


@lru_cache
def get_mail_settings() -> MailSettings:
    return MailSettings()
