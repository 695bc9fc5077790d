"""index uncertainty: analyses of stored builds, rank statistics, Sobol indices

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "index_ua_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ua_spec", sa.JSON(), nullable=False),
        sa.Column("ua_hash", sa.String(length=64), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("n_runs", sa.Integer(), nullable=False),
        sa.Column("n_failed", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("engine_version", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["index_run.id"], name=op.f("fk_index_ua_run_run_id_index_run"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_ua_run")),
    )
    op.create_index(op.f("ix_index_ua_run_run_id"), "index_ua_run", ["run_id"])
    op.create_table(
        "index_ua_rank",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ua_run_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("unit_name", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        *(sa.Column(f"{kind}_{stat}", sa.Float(), nullable=True)
          for kind in ("score", "rank") for stat in ("nominal", "mean", "q05", "median", "q95")),
        sa.ForeignKeyConstraint(["ua_run_id"], ["index_ua_run.id"], name=op.f("fk_index_ua_rank_ua_run_id_index_ua_run"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_ua_rank")),
    )
    op.create_index("ix_index_ua_rank_run_code", "index_ua_rank", ["ua_run_id", "code", "year"])
    op.create_table(
        "index_sensitivity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ua_run_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("parameter", sa.String(length=100), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=True) for name in ("s1", "s1_lo", "s1_hi", "st", "st_lo", "st_hi")),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["ua_run_id"], ["index_ua_run.id"],
                                name=op.f("fk_index_sensitivity_ua_run_id_index_ua_run"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_sensitivity")),
    )
    op.create_index("ix_index_sensitivity_run_target", "index_sensitivity", ["ua_run_id", "target", "unit"])


def downgrade() -> None:
    op.drop_table("index_sensitivity")
    op.drop_table("index_ua_rank")
    op.drop_index(op.f("ix_index_ua_run_run_id"), table_name="index_ua_run")
    op.drop_table("index_ua_run")
