"""Settings from the environment (prefix ``KECHUANG_``), with embedded defaults that just work."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration.

    - ``KECHUANG_DATABASE_URL``: SQLAlchemy URL. Default: a SQLite file ``var/kechuang.db`` under the
      current directory (WAL mode). Production: ``postgresql+psycopg://user:pass@host/db``.
    - ``KECHUANG_DEFAULT_LANG``: ``zh`` (default) or ``en``.
    - ``KECHUANG_MAX_JSON_BYTES`` (default 1 MB), ``KECHUANG_MAX_FORM_BYTES`` (default 1 MB),
      ``KECHUANG_MAX_UPLOAD_BYTES`` (default 32 MB): the largest request body of the JSON API, of a form and
      of a file upload, refused with 413 while it is read (``kechuang.web.limits``).
    - ``KECHUANG_TIMEZONE``: the plan's time zone (IANA name, default ``Asia/Shanghai``): where "today" is
      and how every time is shown (:mod:`kechuang.clock`).
    - ``KECHUANG_JOB_THREADS`` (default 1): threads of each web process that run background jobs (report packs,
      index rebuilds; :mod:`kechuang.jobs`); 0 leaves them to ``kechuang jobs worker`` processes.
    """

    model_config = SettingsConfigDict(env_prefix="KECHUANG_")

    database_url: str = ""
    default_lang: str = "zh"
    max_json_bytes: int = Field(1024 * 1024, gt=0)
    max_form_bytes: int = Field(1024 * 1024, gt=0)
    max_upload_bytes: int = Field(32 * 1024 * 1024, gt=0)
    timezone: str = "Asia/Shanghai"
    job_threads: int = Field(1, ge=0)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"KECHUANG_TIMEZONE: unknown time zone {value!r}; use an IANA name such as "
                             "Asia/Shanghai") from exc
        return value

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to ``sqlite:///<cwd>/var/kechuang.db``."""
        if self.database_url:
            return self.database_url
        path = Path.cwd() / "var" / "kechuang.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
