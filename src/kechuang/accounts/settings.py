"""Security settings from the environment (prefix ``KECHUANG_``).

- ``KECHUANG_SECURE_COOKIES`` (default ``true``): send the session cookie with ``Secure``, so browsers
  return it over HTTPS only. Set ``false`` to use plain http on 127.0.0.1 (``make run``, tests).
- ``KECHUANG_SESSION_HOURS`` (default 8): a login lasts this long.
- ``KECHUANG_LOGIN_MAX_FAILURES`` (default 5) failed logins of one account within
  ``KECHUANG_LOGIN_WINDOW_MINUTES`` (default 15) block that account's logins until the window has passed;
  ``KECHUANG_LOGIN_MAX_FAILURES_PER_IP`` (default 30) does the same for one client address.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AccountSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KECHUANG_")

    secure_cookies: bool = True
    session_hours: float = Field(8.0, gt=0)
    login_max_failures: int = Field(5, ge=1)
    login_max_failures_per_ip: int = Field(30, ge=1)
    login_window_minutes: float = Field(15.0, gt=0)


@lru_cache
def get_account_settings() -> AccountSettings:
    return AccountSettings()
