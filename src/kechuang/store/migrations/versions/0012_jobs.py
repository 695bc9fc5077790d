"""jobs: background jobs (report packs, index rebuilds) with their state and outcome

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_state"), ["state"], unique=False)
    if op.get_bind().dialect.name == "postgresql":  # the queue's own tables, as huey defines them
        for statement in _queue_storage().ddl:
            op.execute(statement)


def _queue_storage():  # type: ignore[no-untyped-def]
    from huey.storage import PostgresStorage

    return PostgresStorage(name="kechuang", table_prefix="jobqueue", create_tables=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("kv", "schedule", "task", "counter"):
            op.execute(f"DROP TABLE IF EXISTS jobqueue_{table}")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_state"))
    op.drop_table("job")
