"""Fixtures of the monitoring tests (see tests/monitoring/helpers.py)."""

from tests.monitoring.helpers import seeded, seeded_pg_template, seeded_sqlite_template, seeded_url  # noqa: F401
from tests.monitoring.web import client_as, web_app  # noqa: F401, E402
