"""Moved to :mod:`kechuang.core.settings` (a shim until ``tools/rewrite_imports.py`` has run)."""

from kechuang.core.settings import Settings, get_settings  # noqa: F401  # moved

MailSettings = Settings
get_mail_settings = get_settings
