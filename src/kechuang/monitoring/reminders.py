"""Moved to :mod:`kechuang.assessment.reminders` (a shim until ``tools/rewrite_imports.py`` has run)."""

from kechuang.assessment.reminders import (  # noqa: F401  # moved
    DEADLINE_KIND_EN,
    DEADLINE_KIND_ZH,
    Reminder,
    deadline_kind_label,
    department_reminders,
    digest,
    digest_mail,
    reminders,
)
