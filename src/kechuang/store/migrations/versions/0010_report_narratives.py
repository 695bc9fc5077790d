"""reports: narrative sections of the evaluation packs written by people (versioned), packs marked final

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_narrative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_report_narrative_plan_id_plan"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_narrative")),
        sa.UniqueConstraint("plan_id", "kind", "year", "section", "version",
                            name=op.f("uq_report_narrative_plan_id_kind_year_section_version")),
    )
    with op.batch_alter_table("report_narrative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_narrative_plan_id"), ["plan_id"], unique=False)
    op.create_table(
        "report_final",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("marked_by", sa.String(length=80), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_report_final_plan_id_plan"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_final")),
    )
    with op.batch_alter_table("report_final", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_final_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    op.drop_table("report_final")
    op.drop_table("report_narrative")
