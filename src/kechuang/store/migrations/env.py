"""Alembic environment: runs migrations on the connection handed over by ``store.db.upgrade``
(or on ``sqlalchemy.url`` when run from the alembic command line)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import kechuang.accounts.models  # noqa: F401  (registers tables)
import kechuang.audit.models  # noqa: F401
import kechuang.comments.models  # noqa: F401
import kechuang.index_results.models  # noqa: F401
import kechuang.indicators.models  # noqa: F401
import kechuang.indicators.profiles  # noqa: F401
import kechuang.notifications.models  # noqa: F401
import kechuang.plan.models  # noqa: F401
import kechuang.reports.models  # noqa: F401
import kechuang.submissions.models  # noqa: F401
import kechuang.supervision.models  # noqa: F401
from kechuang.store.base import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
