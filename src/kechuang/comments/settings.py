"""Settings of public comments (prefix ``KECHUANG_``) and the site secret.

- ``KECHUANG_SECRET_KEY``: the secret that salts the stored IP hashes and signs the comment forms'
  timestamp tokens. When unset, the secret is read from ``KECHUANG_SECRET_FILE`` (default
  ``var/secret.key`` under the current directory), which is created with 32 random bytes (mode 0600) on
  first use. Changing the secret makes earlier IP hashes incomparable (rate limits restart).
- ``KECHUANG_COMMENT_MIN_LENGTH`` / ``KECHUANG_COMMENT_MAX_LENGTH`` (default 5 / 1000 characters).
- ``KECHUANG_COMMENT_MIN_SECONDS`` (default 3): a form sent back sooner after it was served is refused
  as automated; ``KECHUANG_COMMENT_TOKEN_HOURS`` (default 12): a form older than this must be reloaded.
- ``KECHUANG_COMMENT_RATE_LIMIT`` (default 5) comments per client within
  ``KECHUANG_COMMENT_RATE_WINDOW_MINUTES`` (default 10).
- ``KECHUANG_COMMENT_MAX_LINKS`` (default 2): more web links than this in one comment is refused as spam.

Which opinion campaign is running is decided by today's date in the plan's time zone (``KECHUANG_TIMEZONE``,
:mod:`kechuang.clock`).
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KECHUANG_")

    secret_key: str = ""
    secret_file: Path | None = None
    comment_min_length: int = Field(5, ge=1)
    comment_max_length: int = Field(1000, ge=1)
    comment_min_seconds: float = Field(3.0, ge=0)
    comment_token_hours: float = Field(12.0, gt=0)
    comment_rate_limit: int = Field(5, ge=1)
    comment_rate_window_minutes: float = Field(10.0, gt=0)
    comment_max_links: int = Field(2, ge=0)

    def secret(self) -> bytes:
        """The site secret: ``secret_key`` if set, else the content of the secret file (created if missing)."""
        if self.secret_key:
            return self.secret_key.encode("utf-8")
        return _file_secret(self.secret_file or Path.cwd() / "var" / "secret.key")


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
def get_comment_settings() -> CommentSettings:
    return CommentSettings()
