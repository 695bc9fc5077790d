"""index results: runs with spec and data hashes, framework nodes, scores and ranks, change decompositions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 23:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "index_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework", sa.String(length=100), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("data_hash", sa.String(length=64), nullable=False),
        sa.Column("meta_hash", sa.String(length=64), nullable=False),
        sa.Column("spec_hash", sa.String(length=64), nullable=False),
        sa.Column("engine_version", sa.String(length=40), nullable=False),
        sa.Column("data_source", sa.Text(), nullable=False),
        sa.Column("index_code", sa.String(length=100), nullable=False),
        sa.Column("focus_unit", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_run")),
    )
    op.create_index(op.f("ix_index_run_framework"), "index_run", ["framework"])
    op.create_table(
        "index_node",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("parent", sa.String(length=100), nullable=True),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("effective_weight", sa.Float(), nullable=False),
        sa.Column("direction", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("data_type", sa.String(length=10), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["index_run.id"], name=op.f("fk_index_node_run_id_index_run"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_node")),
    )
    op.create_index("ix_index_node_run_code", "index_node", ["run_id", "code"], unique=True)
    op.create_table(
        "index_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("unit_name", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["index_run.id"], name=op.f("fk_index_score_run_id_index_run"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_score")),
    )
    op.create_index("ix_index_score_run_code_unit", "index_score", ["run_id", "code", "unit"])
    op.create_table(
        "index_contribution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("parent", sa.String(length=100), nullable=False),
        sa.Column("child", sa.String(length=100), nullable=False),
        sa.Column("year_from", sa.Integer(), nullable=False),
        sa.Column("year_to", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("start", sa.Float(), nullable=True),
        sa.Column("end", sa.Float(), nullable=True),
        sa.Column("contribution", sa.Float(), nullable=True),
        sa.Column("share_pct", sa.Float(), nullable=True),
        sa.Column("parent_change", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["index_run.id"],
                                name=op.f("fk_index_contribution_run_id_index_run"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_contribution")),
    )
    op.create_index("ix_index_contribution_run_parent", "index_contribution", ["run_id", "parent", "year_to"])


def downgrade() -> None:
    op.drop_table("index_contribution")
    op.drop_table("index_score")
    op.drop_table("index_node")
    op.drop_index(op.f("ix_index_run_framework"), table_name="index_run")
    op.drop_table("index_run")
