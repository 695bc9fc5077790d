"""Moved to :mod:`kechuang.core.access` (a shim until ``tools/rewrite_imports.py`` has run)."""

from kechuang.core.access import PLAN_OFFICE, SYSTEM, Forbidden, NotAuthenticated, NotFound, Principal, Role, StaleEdit  # noqa: F401  # moved
