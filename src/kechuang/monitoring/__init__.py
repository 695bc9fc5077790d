"""Moved: indicator settings to :mod:`kechuang.indicators`, progress and reminders to :mod:`kechuang.assessment`,
the demonstration to :mod:`kechuang.demo` (shims until ``tools/rewrite_imports.py`` has run)."""
