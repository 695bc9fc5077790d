"""Moved to :mod:`kechuang.core.clock` (a shim until ``tools/rewrite_imports.py`` has run)."""

from kechuang.core.clock import clock_text, date_text, iso, local, now, time_text, today, zone, zone_label  # noqa: F401  # moved
