"""Moved to :mod:`kechuang.core.settings` (a shim until ``tools/rewrite_imports.py`` has run)."""

from kechuang.core.settings import Settings, _file_secret, get_settings  # noqa: F401  # moved

CommentSettings = Settings
get_comment_settings = get_settings
