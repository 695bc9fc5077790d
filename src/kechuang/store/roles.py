"""PostgreSQL roles: the owner runs the migrations; the application connects as a role that may read and
write the data but only INSERT and SELECT audit records.

Owning a table lets a role switch its triggers off (``ALTER TABLE … DISABLE TRIGGER``) and then rewrite
it, so the application must not connect as the owner. :func:`grant_application_role` (run as the owner,
``kechuang audit grant-app-role``) gives an existing login role: USAGE on the schema; SELECT, INSERT,
UPDATE, DELETE on every table — except ``audit_record`` (SELECT and INSERT only) and ``alembic_version``
(SELECT only); USAGE, SELECT and UPDATE on the sequences (the audit chain moves its sequence with
``setval``); and the same on tables and sequences the owner creates later (default privileges), so new
migrations need no new grant. SQLite has no roles: there, the hash chain (``kechuang audit verify``) is
the guard against someone who can write the file.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleError(ValueError):
    """The role cannot be set up (bad name, not PostgreSQL)."""


def grant_application_role(connection: Connection, role: str) -> None:
    """Grant ``role`` the application's privileges (module docstring) in the connection's current schema."""
    if connection.dialect.name != "postgresql":
        raise RoleError("roles exist on PostgreSQL only; on SQLite the audit hash chain is the guard "
                        "(kechuang audit verify)")
    if not ROLE_NAME.match(role):
        raise RoleError(f"{role!r} is not a plain role name (lower-case letters, digits, _; at most 63)")
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    who, where = f'"{role}"', f'"{schema}"'
    for statement in (
            f"GRANT USAGE ON SCHEMA {where} TO {who}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {who}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
            f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {where}.alembic_version FROM {who}",
            f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {where}.audit_record FROM {who}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {who}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {who}"):
        connection.execute(text(statement))
