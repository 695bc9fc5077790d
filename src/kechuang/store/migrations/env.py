"""Alembic environment: runs migrations on the connection handed over by ``store.db.upgrade``
(or on ``sqlalchemy.url`` when run from the alembic command line)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from kechuang.store.db import all_models

config = context.config
target_metadata = all_models()  # every table of every package's models module


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
