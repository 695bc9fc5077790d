"""Fixtures of the monitoring tests (see tests/monitoring/helpers.py)."""

from tests.monitoring.helpers import seeded, seeded_pg_template, seeded_sqlite_template, seeded_url  # noqa: F401
