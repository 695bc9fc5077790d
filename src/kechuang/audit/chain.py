"""The audit trail as a hash chain: each record carries the SHA-256 of its own content and the hash of
the record before it, so rewriting, removing, inserting or reordering records — even by someone who can
switch the append-only triggers off — is detected by :func:`verify` (``kechuang audit verify``).

Record hash (format ``kechuang-audit/1``)::

    hash_n = SHA-256( canonical JSON of [format, id, at, actor_id, actor, role, department_id, action,
                                         entity, entity_id, field, old, new, reason, prev_hash] )
    prev_hash_n = hash_(n-1)        prev_hash of the first record = "" (GENESIS)

``at`` is written as UTC ISO 8601 with microseconds; canonical JSON sorts keys, uses no spaces and keeps
non-ASCII text as is. Records are chained in id order. While a record is inserted, the writer holds a lock
(PostgreSQL: a transaction advisory lock; SQLite: one writer at a time, and the record's id is the next
one after the chain's tail, so two writers can never both extend the same tail), reads the tail and
computes the hash — so the chain never forks. Removing the newest records cannot be seen from the chain
alone: :func:`verify` reports the head (count and last hash) to be kept elsewhere and compared later
(``--expect-head``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, event, select, text
from sqlalchemy.orm import Mapper, Session

from kechuang.audit.models import AuditRecord
from kechuang.store.base import utcnow

FORMAT = "kechuang-audit/1"
GENESIS = ""
_TAIL = "kechuang.audit.tail"
_PG_LOCK = 0x6B6361  # pg_advisory_xact_lock key of the audit chain ("kca")


def _moment(value: dt.datetime) -> str:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # SQLite gives naive UTC
    return aware.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _plain_numbers(value: Any) -> Any:
    """A JSON value with every whole float as an int (973.0 → 973), recursively: SQLite's numeric affinity keeps
    a JSON value 973.0 as the integer 973, so the hash must not depend on which of the two it is handed."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | tuple):
        return [_plain_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain_numbers(v) for k, v in value.items()}
    return value


def record_hash(values: dict[str, Any], prev_hash: str) -> str:
    """The hash of one record (see the module docstring) from its column values."""
    content = [FORMAT, values["id"], _moment(values["at"]), values["actor_id"], values["actor"], values["role"],
               values["department_id"], values["action"], values["entity"], values["entity_id"], values["field"],
               _plain_numbers(values["old"]), _plain_numbers(values["new"]), values["reason"], prev_hash]
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


CHAINED = ("id", "at", "actor_id", "actor", "role", "department_id", "action", "entity", "entity_id", "field",
           "old", "new", "reason")


def _values(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CHAINED}


def _tail(connection: Connection) -> tuple[int, str]:
    """Lock the chain for this transaction and read its tail: (last id, last hash), (0, GENESIS) if empty."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
    last = connection.execute(select(AuditRecord.id, AuditRecord.hash).order_by(AuditRecord.id.desc())
                              .limit(1)).first()
    return (0, GENESIS) if last is None else (int(last[0]), str(last[1]))


def _next_id(connection: Connection, last_id: int) -> int:
    """The id of the record after ``last_id`` (the chain's tail): on PostgreSQL the sequence's next value, moved
    past the tail if a row was written with an explicit id (under the lock, so ids grow along the chain);
    on SQLite one more than the largest, SQLite's own rule."""
    if connection.dialect.name == "postgresql":
        sequence = text("SELECT setval(pg_get_serial_sequence('audit_record', 'id'), "
                        "GREATEST(nextval(pg_get_serial_sequence('audit_record', 'id')), :after))")
        return int(connection.execute(sequence, {"after": last_id + 1}).scalar_one())
    return last_id + 1


@event.listens_for(AuditRecord, "before_insert")
def _chain(_mapper: Mapper[Any], connection: Connection, target: AuditRecord) -> None:
    session = Session.object_session(target)
    info = session.info if session is not None else {}
    last_id, last_hash = info.get(_TAIL) or _tail(connection)
    target.id = _next_id(connection, last_id)
    # stored as UTC (SQLite keeps the wall time only), so the hash reads back the same
    target.at = utcnow() if target.at is None else (target.at if target.at.tzinfo else
                                                    target.at.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    for name in ("role", "field", "reason"):
        if getattr(target, name) is None:
            setattr(target, name, "")
    target.prev_hash = last_hash
    target.hash = record_hash(_values(target), last_hash)
    info[_TAIL] = (target.id, target.hash)


@event.listens_for(Session, "before_flush")
def _fresh_tail(session: Session, _context: Any, _instances: Any) -> None:
    session.info.pop(_TAIL, None)  # each flush reads the tail again (earlier flushes are in the database)


@dataclass
class ChainReport:
    """What :func:`verify` found: the records checked, the head, and every problem (empty when intact)."""

    count: int = 0
    head_id: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def head(self) -> str:
        """The head to keep elsewhere: ``<count>:<last id>:<last hash>``."""
        return f"{self.count}:{self.head_id}:{self.head_hash}"


def verify(session: Session, expect_head: str | None = None) -> ChainReport:
    """Walk the whole trail in id order; report records whose content no longer matches their hash
    (rewritten) and breaks of the chain (a record removed, inserted or moved before it), and, given a head
    noted earlier (:attr:`ChainReport.head`), whether that head is still in the chain (newest records removed)."""
    report = ChainReport()
    previous = GENESIS
    seen_heads: set[str] = set()
    for row in session.scalars(select(AuditRecord).order_by(AuditRecord.id).execution_options(yield_per=1000)):
        if row.prev_hash != previous:
            report.problems.append(f"record {row.id}: the chain is broken before it (prev_hash does not match "
                                   "the previous record: a record was removed, inserted or moved)")
        if record_hash(_values(row), row.prev_hash) != row.hash:
            report.problems.append(f"record {row.id}: its content does not match its hash (the record was rewritten)")
        previous = row.hash
        report.count += 1
        report.head_id, report.head_hash = row.id, row.hash
        if expect_head is not None:
            seen_heads.add(report.head)
    if expect_head is not None and expect_head not in seen_heads:
        report.problems.append(f"the head {expect_head} noted earlier is not in the chain (records were removed "
                               "or rewritten since)")
    return report
