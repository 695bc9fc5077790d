"""the annual cycle: index frameworks as data, runs from approved snapshots, published editions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "index_framework",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("index_code", sa.String(length=100), nullable=False),
        sa.Column("unit_code", sa.String(length=100), nullable=False),
        sa.Column("unit_name_zh", sa.Text(), nullable=False),
        sa.Column("unit_name_en", sa.Text(), nullable=False),
        sa.Column("indicator_prefix", sa.String(length=40), nullable=False),
        sa.Column("headline_indicator", sa.String(length=100), nullable=False),
        sa.Column("growth_fact_indicator", sa.String(length=100), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_index_framework_plan_id_plan"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_framework")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_index_framework_plan_id_code")),
    )
    with op.batch_alter_table("index_run") as batch:
        batch.add_column(sa.Column("framework_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("until_year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("coverage", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("warnings", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("demo_values", sa.Integer(), nullable=False, server_default="0"))
        batch.create_foreign_key(op.f("fk_index_run_framework_id_index_framework"), "index_framework",
                                 ["framework_id"], ["id"], ondelete="SET NULL")
    op.create_table(
        "index_run_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["index_run.id"], name=op.f("fk_index_run_value_run_id_index_run"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_run_value")),
    )
    op.create_index("ix_index_run_value_run_code", "index_run_value", ["run_id", "code", "year"], unique=True)
    with op.batch_alter_table("observation") as batch:
        batch.add_column(sa.Column("edition", sa.String(length=40), nullable=False, server_default=""))
        batch.add_column(sa.Column("released_on", sa.String(length=40), nullable=False, server_default=""))
        batch.add_column(sa.Column("confidence", sa.String(length=10), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("observation") as batch:
        batch.drop_column("confidence")
        batch.drop_column("released_on")
        batch.drop_column("edition")
    op.drop_index("ix_index_run_value_run_code", table_name="index_run_value")
    op.drop_table("index_run_value")
    with op.batch_alter_table("index_run") as batch:
        batch.drop_constraint(op.f("fk_index_run_framework_id_index_framework"), type_="foreignkey")
        for column in ("demo_values", "warnings", "coverage", "until_year", "framework_id"):
            batch.drop_column(column)
    op.drop_table("index_framework")
