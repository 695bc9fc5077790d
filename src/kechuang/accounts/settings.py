"""Security settings from the environment (prefix ``KECHUANG_``).

- ``KECHUANG_SECURE_COOKIES`` (default ``true``): send the session cookie with ``Secure``, so browsers
  return it over HTTPS only. Set ``false`` to use plain http on 127.0.0.1 (``make run``, tests).
- ``KECHUANG_SESSION_HOURS`` (default 8): a login lasts this long.
- Login throttling (``kechuang.accounts.service.throttled_until``): after ``KECHUANG_LOGIN_MAX_FAILURES``
  (default 5) failed logins of one account within ``KECHUANG_LOGIN_WINDOW_MINUTES`` (default 15), each
  further check of that account waits ``KECHUANG_LOGIN_DELAY_SECONDS`` (default 1) after the last failure,
  doubling with every failure up to ``KECHUANG_LOGIN_MAX_DELAY_SECONDS`` (default 60) — from an address the
  account has logged in from before, only that address's failures count. ``KECHUANG_LOGIN_MAX_FAILURES_PER_IP``
  (default 30) failures from one client address within the window block that address (only) for the window.
- ``KECHUANG_LOGIN_ATTEMPT_RETENTION_DAYS`` (default 90): login attempts older than this are deleted by
  ``kechuang account purge-logins`` (and an address is "known" for as long as its successful login is kept).
- ``KECHUANG_TRUSTED_PROXIES`` (default empty: none): comma-separated addresses or networks of reverse
  proxies whose ``X-Forwarded-For`` names the client (``kechuang serve``); from anyone else the header is
  ignored and the connection's address is the client's.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class AccountSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KECHUANG_")

    secure_cookies: bool = True
    session_hours: float = Field(8.0, gt=0)
    login_max_failures: int = Field(5, ge=1)
    login_max_failures_per_ip: int = Field(30, ge=1)
    login_window_minutes: float = Field(15.0, gt=0)
    login_delay_seconds: float = Field(1.0, gt=0)
    login_max_delay_seconds: float = Field(60.0, gt=0)
    login_attempt_retention_days: float = Field(90.0, ge=1)
    trusted_proxies: str = ""

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

    def proxies(self) -> list[str]:
        """The trusted proxies' addresses or networks (empty: none)."""
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    def server_options(self) -> dict[str, Any]:
        """uvicorn's proxy options: ``X-Forwarded-For``/``-Proto`` are read only from the trusted proxies,
        and not at all when none is configured (uvicorn's own default trusts 127.0.0.1)."""
        trusted = self.proxies()
        return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or None}


@lru_cache
def get_account_settings() -> AccountSettings:
    return AccountSettings()
