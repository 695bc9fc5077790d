"""audit integrity: the hash chain (prev_hash, hash) over the existing records, and REPLACE refused on SQLite

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kechuang.audit.chain import CHAINED, GENESIS, record_hash

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NO_REPLACE = "audit records are append-only: INSERT OR REPLACE is refused"
APPEND_ONLY = "audit records are append-only: UPDATE and DELETE are refused"
AUDIT = sa.table("audit_record", sa.column("id", sa.Integer()), sa.column("at", sa.DateTime(timezone=True)),
                 sa.column("actor_id", sa.Integer()), sa.column("actor", sa.String()), sa.column("role", sa.String()),
                 sa.column("department_id", sa.Integer()), sa.column("action", sa.String()),
                 sa.column("entity", sa.String()), sa.column("entity_id", sa.String()),
                 sa.column("field", sa.String()), sa.column("old", sa.JSON()), sa.column("new", sa.JSON()),
                 sa.column("reason", sa.Text()), sa.column("prev_hash", sa.String()), sa.column("hash", sa.String()))


def upgrade() -> None:
    op.add_column("audit_record", sa.Column("prev_hash", sa.String(length=64), nullable=False, server_default=""))
    op.add_column("audit_record", sa.Column("hash", sa.String(length=64), nullable=False, server_default=""))
    sqlite = op.get_bind().dialect.name == "sqlite"
    # chain the records written before this migration (the owner lifts the append-only rule for this once)
    if sqlite:
        op.execute("DROP TRIGGER audit_record_no_update")
    else:
        op.execute("ALTER TABLE audit_record DISABLE TRIGGER audit_record_no_update_delete")
    conn = op.get_bind()
    previous = GENESIS
    for row in conn.execute(sa.select(*[AUDIT.c[n] for n in CHAINED]).order_by(AUDIT.c.id)).mappings().all():
        digest = record_hash(dict(row), previous)
        conn.execute(AUDIT.update().where(AUDIT.c.id == row["id"]).values(prev_hash=previous, hash=digest))
        previous = digest
    if sqlite:
        op.execute("CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_record "
                   f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
        # INSERT OR REPLACE deletes the old row without firing the DELETE trigger unless recursive_triggers
        # is on (store/db.py turns it on); this trigger refuses it on any connection
        op.execute("CREATE TRIGGER audit_record_no_replace BEFORE INSERT ON audit_record "
                   "WHEN EXISTS (SELECT 1 FROM audit_record WHERE id = NEW.id) "
                   f"BEGIN SELECT RAISE(ABORT, '{NO_REPLACE}'); END")
    else:
        op.execute("ALTER TABLE audit_record ENABLE TRIGGER audit_record_no_update_delete")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER audit_record_no_replace")
        op.execute("DROP TRIGGER audit_record_no_update")
    op.drop_column("audit_record", "hash")
    op.drop_column("audit_record", "prev_hash")
    if sqlite:
        op.execute("CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_record "
                   f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
