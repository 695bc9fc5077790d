"""The audit table refuses UPDATE and DELETE at the database, on SQLite and PostgreSQL, whoever asks."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from kechuang.audit.models import AuditRecord
from kechuang.audit.service import record
from kechuang.core.access import SYSTEM
from kechuang.store.db import make_engine, session_factory, upgrade
from tests.support.pg import fresh_database


def test_records_can_be_added_but_never_changed_or_deleted(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        record(s, SYSTEM, "update", "submission_value", 7, department_id=1, field="x.value", old=1.0, new=2.0,
               reason="test")
        s.commit()
    attempts = [
        update(AuditRecord).values(new=3.0),
        delete(AuditRecord),
        text("UPDATE audit_record SET reason = 'edited'"),
        text("DELETE FROM audit_record"),
    ]
    for statement in attempts:
        with sessions() as s:
            with pytest.raises(DatabaseError, match="append-only"):
                s.execute(statement)
                s.flush()
            s.rollback()
    with sessions() as s:
        row = s.scalars(select(AuditRecord)).one()
        with pytest.raises(DatabaseError, match="append-only"):
            s.delete(row)
            s.flush()
        s.rollback()
        rows = s.execute(select(AuditRecord.old, AuditRecord.new, AuditRecord.reason)).all()
        assert [tuple(r) for r in rows] == [(1.0, 2.0, "test")]


@pytest.mark.postgres
def test_truncate_is_refused_on_postgres(pg_params: dict[str, str]) -> None:
    engine = make_engine(fresh_database(pg_params))
    upgrade(engine)
    with session_factory(engine)() as s:
        with pytest.raises(DatabaseError, match="append-only"):
            s.execute(text("TRUNCATE audit_record"))
    engine.dispose()
