"""Fixtures of the security tests: the seeded monitoring database (plan excerpt + demo setup) and clients."""

from tests.monitoring.helpers import seeded, seeded_pg_template, seeded_sqlite_template, seeded_url  # noqa: F401
from tests.monitoring.web import client_as, web_app  # noqa: F401
from tests.web.conftest import live_server, yangpu_db  # noqa: F401, E402
