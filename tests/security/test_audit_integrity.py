"""The audit trail is append-only and tamper-evident: SQLite refuses INSERT OR REPLACE and upserts on it;
every record is chained by hash, and ``kechuang audit verify`` names a record rewritten or removed by
someone who switched the triggers off (the owner) — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from kechuang.audit.chain import record_hash, verify
from kechuang.audit.service import record
from kechuang.cli import app as cli
from kechuang.core.access import SYSTEM
from kechuang.store.db import alembic_config, make_engine, session_factory


def write(sessions: sessionmaker[Session], n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        with sessions() as s:
            record(s, SYSTEM, "update", "submission_value", i, department_id=1, field="value", old=i, new=i + 0.5,
                   reason=f"第 {i} 次修改")
            if i % 2:
                record(s, SYSTEM, "approve", "submission", i, department_id=None, new={"state": "approved"})
            s.commit()


def as_owner(sessions: sessionmaker[Session], *statements: str) -> None:
    """What the owner of the table can do: switch the append-only triggers off and change rows."""
    with sessions() as s:
        sqlite = s.get_bind().dialect.name == "sqlite"
        if sqlite:
            s.execute(text("DROP TRIGGER IF EXISTS audit_record_no_update"))
            s.execute(text("DROP TRIGGER IF EXISTS audit_record_no_delete"))
        else:
            s.execute(text("ALTER TABLE audit_record DISABLE TRIGGER audit_record_no_update_delete"))
        for statement in statements:
            s.execute(text(statement))
        s.commit()


def run_verify(url: str, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", url, *extra])
    return result.exit_code, result.output


def url_of(sessions: sessionmaker[Session]) -> str:
    return sessions.kw["bind"].url.render_as_string(hide_password=False)


def test_an_intact_chain_verifies_and_prints_its_head(sessions: sessionmaker[Session]) -> None:
    write(sessions, 6)
    with sessions() as s:
        report = verify(s)
    assert report.ok and report.count == 9 and report.head_id == 9
    code, out = run_verify(url_of(sessions))
    assert code == 0 and f"9 records; head {report.head}" in " ".join(out.split())


def test_a_record_rewritten_by_the_owner_is_named(sessions: sessionmaker[Session]) -> None:
    write(sessions, 6)
    as_owner(sessions, "UPDATE audit_record SET reason = '改写的理由' WHERE id = 4")
    code, out = run_verify(url_of(sessions))
    assert code == 1 and "record 4: its content does not match its hash (the record was rewritten)" in out
    assert "record 5" not in out and "1 problem(s) in 9 records" in out


def test_a_record_removed_by_the_owner_is_seen_at_the_next_one(sessions: sessionmaker[Session]) -> None:
    write(sessions, 6)
    with sessions() as s:
        head = verify(s).head
    as_owner(sessions, "DELETE FROM audit_record WHERE id = 3")
    code, out = run_verify(url_of(sessions))
    assert code == 1 and "record 4: the chain is broken before it" in out
    as_owner(sessions, "DELETE FROM audit_record WHERE id >= 4")
    code, out = run_verify(url_of(sessions))
    assert code == 0, "the remaining prefix is a valid chain …"
    code, out = run_verify(url_of(sessions), "--expect-head", head)
    assert code == 1 and f"the head {head} noted earlier is not in the chain" in " ".join(out.split()), \
        "… but not the head noted before"


def test_a_forged_record_inserted_with_sql_breaks_the_chain(sessions: sessionmaker[Session]) -> None:
    write(sessions, 2)
    with sessions() as s:
        s.execute(text("INSERT INTO audit_record (id, at, actor, role, action, entity, entity_id, field, reason,"
                       " prev_hash, hash) VALUES (100, '2024-01-01 00:00:00', 'x', 'admin', 'approve', 'submission',"
                       " '1', '', '', '', '')"))
        s.commit()
    write(sessions, 1, start=10)
    with sessions() as s:
        report = verify(s)
    assert report.problems == ["record 100: the chain is broken before it (prev_hash does not match the previous "
                               "record: a record was removed, inserted or moved)",
                               "record 100: its content does not match its hash (the record was rewritten)"]


def test_sqlite_refuses_insert_or_replace_and_upsert(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kechuang.store.db import upgrade

    url = f"sqlite:///{tmp_path / 'a.db'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    write(sessions, 2)
    replace = ("INSERT OR REPLACE INTO audit_record (id, at, actor, role, action, entity, entity_id, field, reason,"
               " prev_hash, hash) VALUES (1, '2024-01-01 00:00:00', 'x', 'admin', 'approve', 'submission', '1', '',"
               " 'rewritten', '', '')")
    upsert = ("INSERT INTO audit_record (id, at, actor, role, action, entity, entity_id, field, reason, prev_hash,"
              " hash) VALUES (1, '2024-01-01', 'x', 'a', 'b', 'c', '1', '', 'r', '', '')"
              " ON CONFLICT(id) DO UPDATE SET reason = 'rewritten'")
    for statement in (replace, upsert, replace.replace("INSERT OR REPLACE", "REPLACE")):
        with sessions() as s, pytest.raises(DatabaseError, match="append-only"):
            s.execute(text(statement))
    raw = sqlite3.connect(tmp_path / "a.db")  # a connection without the app's pragmas: the trigger still refuses
    assert raw.execute("PRAGMA recursive_triggers").fetchone() == (0,)
    with pytest.raises(sqlite3.DatabaseError, match="INSERT OR REPLACE is refused"):
        raw.execute(replace)
    raw.close()
    with sessions() as s:
        assert verify(s).ok
        assert s.execute(text("SELECT reason FROM audit_record WHERE id = 1")).scalar() == "第 0 次修改"
    engine.dispose()


def test_records_written_before_the_chain_are_chained_by_the_migration(db_url: str) -> None:
    engine = make_engine(db_url)
    cfg = alembic_config(db_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
    with engine.begin() as conn:
        for i in range(3):
            conn.execute(text("INSERT INTO audit_record (at, actor, role, action, entity, entity_id, field, old, new,"
                              " reason) VALUES (:at, 'system', 'admin', 'update', 'x', :i, '', :old, NULL, 'r')"),
                         {"at": f"2024-01-0{i + 1} 08:00:00", "i": str(i), "old": '{"v": 1.5}'})
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    sessions = session_factory(engine)
    write(sessions, 1)
    with sessions() as s:
        report = verify(s)
    assert report.ok and report.count == 4
    engine.dispose()


@pytest.mark.postgres
def test_concurrent_writers_never_fork_the_chain_on_postgres(pg_params: dict[str, str]) -> None:
    from kechuang.store.db import upgrade
    from tests.support.pg import fresh_database

    engine = make_engine(fresh_database(pg_params))
    upgrade(engine)
    sessions = session_factory(engine)
    threads = [threading.Thread(target=write, args=(sessions, 15, 100 * k)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with sessions() as s:
        report = verify(s)
    assert report.ok and report.count == 4 * (15 + 7)
    engine.dispose()


@pytest.mark.postgres
def test_the_application_role_can_only_insert_and_select_audit_records(pg_params: dict[str, str]) -> None:
    import uuid

    from fastapi.testclient import TestClient

    from kechuang.store.db import upgrade
    from kechuang.web.app import create_app
    from tests.support.pg import fresh_database

    owner_url = fresh_database(pg_params)
    owner = make_engine(owner_url)
    upgrade(owner)
    write(session_factory(owner), 2)
    role = f"kc_app_{uuid.uuid4().hex[:8]}"
    with owner.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    result = CliRunner().invoke(cli, ["audit", "grant-app-role", role, "--db", owner_url])
    assert result.exit_code == 0, result.output
    app_url = owner_url.replace(f"//{pg_params['user']}", f"//{role}", 1).replace(f":{pg_params['password']}@", "@")
    app_engine = make_engine(app_url)
    app_sessions = session_factory(app_engine)
    write(app_sessions, 3, start=10)  # the application adds records: the chain goes on
    with app_sessions() as s:
        assert s.execute(text("SELECT current_user")).scalar() == role
        s.execute(text("UPDATE submission SET revision = revision WHERE false"))  # control: data tables are writable
        assert verify(s).ok and verify(s).count == 3 + 4
    for statement in ("UPDATE audit_record SET reason = 'x'", "DELETE FROM audit_record", "TRUNCATE audit_record",
                      "ALTER TABLE audit_record DISABLE TRIGGER audit_record_no_update_delete",
                      "DROP TRIGGER audit_record_no_update_delete ON audit_record",
                      "INSERT INTO audit_record (id, at, actor, role, action, entity, entity_id, field, reason, "
                      "prev_hash, hash) VALUES (1, now(), 'x', 'a', 'b', 'c', '1', '', '', '', '') "
                      "ON CONFLICT (id) DO UPDATE SET reason = 'x'",
                      "UPDATE alembic_version SET version_num = '0001'"):
        with app_sessions() as s, pytest.raises(DatabaseError, match="permission denied|must be owner|append-only"):
            s.execute(text(statement))
    app = create_app(app_url)
    with TestClient(app) as client:  # the app starts (the schema is at head) and serves as the application role
        assert client.get("/api/v1/plan").status_code == 404, "an empty database: no plan, but no error either"
    app.state.engine.dispose()
    app_engine.dispose()
    with owner.begin() as conn:
        conn.execute(text(f'DROP OWNED BY "{role}"'))
        conn.execute(text(f'DROP ROLE "{role}"'))
    owner.dispose()


def test_grant_app_role_refuses_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["audit", "grant-app-role", "kc_app", "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 2 and "PostgreSQL only" in " ".join(result.output.split())


def test_values_read_back_as_they_were_hashed(sessions: sessionmaker[Session]) -> None:

    from kechuang.audit.models import AuditRecord

    shanghai = dt.timezone(dt.timedelta(hours=8))
    with sessions() as s:
        s.add(AuditRecord(at=dt.datetime(2024, 3, 1, 10, 0, 0, 123456, tzinfo=shanghai), actor="规划办", action="x",
                          entity="e", entity_id="1", department_id=None, old={"b": [1, 2], "a": 0.1 + 0.2},
                          new=(1, "二", None, True, 1e300)))
        record(s, SYSTEM, "update", "submission_value", 2, department_id=3, field="note", old="\u202e", new="\t=1")
        s.commit()
    with sessions() as s:
        assert verify(s).ok and verify(s).count == 2


def test_the_demo_setup_verifies_clean(demo_db: str) -> None:
    """Thousands of records of every kind (values such as 973.0 that SQLite keeps as the integer 973 among
    them) verify as written: the chain does not depend on how the database returns a whole number."""
    engine = make_engine(demo_db)
    with session_factory(engine)() as s:
        report = verify(s)
        assert report.ok and report.count > 1000, report
        # control: a float and the integer it equals hash alike, a different number does not
        base = {"id": 1, "at": dt.datetime(2024, 1, 1), "actor_id": None, "actor": "a", "role": "admin",
                "department_id": None, "action": "update", "entity": "x", "entity_id": "1", "field": "v",
                "old": None, "reason": ""}
        assert record_hash({**base, "new": 973.0}, "0") == record_hash({**base, "new": 973}, "0")
        assert record_hash({**base, "new": 973.5}, "0") != record_hash({**base, "new": 973}, "0")
    engine.dispose()
