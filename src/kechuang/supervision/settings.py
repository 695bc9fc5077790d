"""Supervision settings from the environment (prefix ``KECHUANG_``).

- ``KECHUANG_EVIDENCE_DIR``: where evidence files are stored (default ``var/evidence`` under the current
  directory, beside the default SQLite file).
- ``KECHUANG_EVIDENCE_MAX_BYTES`` (default 10 MB): the largest evidence file accepted.
- ``KECHUANG_EVIDENCE_TYPES`` (default ``pdf,png,jpg,jpeg,docx,xlsx``): accepted file types (by extension
  and checked against the file's first bytes).
- ``KECHUANG_REMINDER_DAYS`` (default 7): a deadline this close is "approaching" (yellow).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SupervisionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KECHUANG_")

    evidence_dir: str = ""
    evidence_max_bytes: int = Field(10 * 1024 * 1024, gt=0)
    evidence_types: str = "pdf,png,jpg,jpeg,docx,xlsx"
    reminder_days: int = Field(7, ge=0)

    def resolved_evidence_dir(self) -> Path:
        """The evidence directory (created when missing)."""
        path = Path(self.evidence_dir) if self.evidence_dir else Path.cwd() / "var" / "evidence"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def allowed_types(self) -> set[str]:
        return {t.strip().lower().lstrip(".") for t in self.evidence_types.split(",") if t.strip()}


@lru_cache
def get_supervision_settings() -> SupervisionSettings:
    return SupervisionSettings()
