"""Moved to :mod:`kechuang.demo.seed` (a shim until ``tools/rewrite_imports.py`` has run)."""

from kechuang.demo.seed import (  # noqa: F401  # moved
    ACCOUNTS,
    DEMO_NOTE,
    DEMO_PASSWORD,
    DEMO_UA_N,
    DEMO_UA_SEED,
    DEPARTMENTS,
    HISTORY,
    INDICATORS,
    MILESTONE_LEAD_DAYS,
    SUPERVISION,
    DemoIndicator,
    DemoReport,
    DemoSetup,
    seed_demo,
    seed_demo_history,
    seed_demo_index,
    setup_demo,
)
