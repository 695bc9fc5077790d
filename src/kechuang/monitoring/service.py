"""Moved to :mod:`kechuang.indicators.profile_service` (a shim until ``tools/rewrite_imports.py`` has run)."""

from kechuang.core.access import StaleEdit  # noqa: F401  # moved
from kechuang.indicators.profile_service import (  # noqa: F401  # moved
    EDITABLE,
    ProfileError,
    baseline_suggestion,
    ensure_profile,
    indicator_by_code,
    link_indicator,
    links,
    owned_indicators,
    profile_of,
    profiles,
    set_target,
    update_profile,
)
