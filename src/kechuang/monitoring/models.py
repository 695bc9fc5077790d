"""Moved to :mod:`kechuang.indicators.profiles` (a shim until ``tools/rewrite_imports.py`` has run)."""

from kechuang.indicators.profiles import (  # noqa: F401  # moved
    BINDINGS,
    FREQUENCIES,
    KINDS,
    METHODS,
    RULES,
    IndicatorLink,
    IndicatorProfile,
    IndicatorTarget,
)
