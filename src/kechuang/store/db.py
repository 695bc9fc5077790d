"""Engine, sessions and schema upgrades.

SQLite files are opened in WAL mode with foreign keys enforced and recursive triggers on (so ``INSERT OR
REPLACE`` cannot delete an audit record behind the append-only triggers); PostgreSQL is used as is.
The schema is owned by Alembic (``store/migrations``): :func:`upgrade` brings any database to head. It is an
explicit step (``kechuang db upgrade``, run by ``kechuang init`` and by a deployment before the app starts),
never a side effect of starting the web app: several workers starting at once would race on it. The app reads
:func:`schema_state` instead and refuses to serve a database that is not at head (``web/schema_gate.py``).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
#: the job queue's tables in a PostgreSQL database (huey's, created by migration 0012; not models of ours)
QUEUE_TABLE_PREFIX = "jobqueue"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL journaling, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA recursive_triggers=ON")  # REPLACE's implicit delete fires the DELETE triggers
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the latest migration."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def head_revision() -> str:
    """The newest migration of this version of kechuang."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None, "store/migrations has no migration"
    return head


def _known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()}


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against this version's migrations."""

    current: str | None  # None: no schema at all (an empty database)
    head: str
    known: bool  # the current revision is one of this version's migrations (False: the database is newer)

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def problem(self) -> str | None:
        """What is wrong, in one sentence saying what to do; None when the schema is at head."""
        if self.up_to_date:
            return None
        if self.current is None:
            return (f"the database has no schema yet (this version needs migration {self.head}): "
                    "run `kechuang db upgrade` (or `kechuang init`)")
        if not self.known:
            return (f"the database is at migration {self.current}, which this version of kechuang does not know "
                    f"(its newest is {self.head}): install the kechuang version that wrote it")
        return (f"the database is at migration {self.current}, behind this version's {self.head}: "
                "run `kechuang db upgrade`")


def schema_state(engine: Engine) -> SchemaState:
    """Read the database's migration revision (one query) and compare it with this version's head."""
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return SchemaState(current=current, head=head_revision(), known=current is None or current in _known_revisions())


#: model modules not named ``models`` (the indicator settings live beside the indicators they describe)
MORE_MODEL_MODULES = ("kechuang.indicators.profiles",)


def all_models() -> MetaData:
    """``Base.metadata`` with every table of the application: imports each ``kechuang.<package>.models``
    module found (by name, so the storage layer does not import the packages above it)."""
    import kechuang
    from kechuang.store.base import Base

    for package in pkgutil.iter_modules(kechuang.__path__):
        if package.ispkg and importlib.util.find_spec(f"kechuang.{package.name}.models") is not None:
            importlib.import_module(f"kechuang.{package.name}.models")
    for name in MORE_MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata


def _ours(name: str | None, type_: str, parent_names: Any) -> bool:
    """Whether a database object is compared with the models (the job queue's tables are huey's)."""
    return not (type_ == "table" and (name or "").startswith(f"{QUEUE_TABLE_PREFIX}_"))


def model_differences(engine: Engine, metadata: MetaData) -> list[Any]:
    """What Alembic's autogenerate finds between the models (``metadata``: ``Base.metadata`` with every model
    module imported, as ``migrations/env.py`` does) and the database's schema: empty when the migrations create
    exactly the tables, columns, types, indexes and keys the models declare (the comparison of ``alembic check``)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True,
                                                         "include_name": _ours})
        return list(compare_metadata(context, metadata))


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits together or not at all."""
    with factory() as session, session.begin():
        yield session
