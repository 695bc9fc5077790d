"""Moved to :mod:`kechuang.assessment.progress` (a shim until ``tools/rewrite_imports.py`` has run)."""

from kechuang.assessment.progress import (  # noqa: F401  # moved
    KIND_RANK,
    AreaProgress,
    Coverage,
    Dashboard,
    IndicatorCatalogue,
    IndicatorProgress,
    Summary,
    TaskProgress,
    approved_history,
    assess_indicator,
    assessed_observations,
    catalogue,
    dashboard,
    final_years,
    indicator_progress,
    latest_observation,
    reported_completion,
    task_indicators,
    task_items,
)
