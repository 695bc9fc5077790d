"""The site secret: the secret file is made once, private (every setting's documentation:
tests/core/test_settings.py)."""

from __future__ import annotations

import stat
from pathlib import Path

from kechuang.comments import service as comments
from kechuang.core.settings import Settings


def test_the_secret_file_is_created_once_with_owner_only_access(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret.key"
    first = Settings(secret_file=path)
    secret = first.secret()
    assert len(secret) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings(secret_file=path).secret() == secret, "kept across restarts"
    assert comments.hash_client(first, "192.0.2.1") == comments.hash_client(Settings(secret_file=path),
                                                                               "192.0.2.1")
    assert Settings(secret_key="given").secret() == b"given"
