"""Backups: the database, the evidence files and the report packs as one archive with a manifest of SHA-256
hashes (``kechuang backup create|restore|verify``).

An archive ``kechuang-backup-<UTC time>.tar.gz`` holds, in this order:

- ``database/kechuang.sqlite`` — a SQLite database copied with SQLite's online backup API
  (:meth:`sqlite3.Connection.backup`: a consistent copy while the application keeps running), or
  ``database/kechuang.pgdump`` — PostgreSQL's custom-format ``pg_dump`` (one consistent snapshot);
- ``evidence/…`` — every file under the evidence folder (``KECHUANG_EVIDENCE_DIR``);
- ``reports/…`` — every file under the reports folder (``KECHUANG_REPORTS_DIR``);
- ``manifest.json`` (last) — format ``kechuang-backup/1``, the creation time, the database dialect and schema
  revision, and for every other member its path, size and SHA-256.

:func:`verify_backup` re-reads every member and compares it with the manifest (a changed, added, removed or
renamed member is named); the manifest's own SHA-256 (printed by ``create``) detects a rewritten manifest
when passed back as ``--expect``. :func:`restore_backup` verifies first, then restores only into an empty
database (no table) and into evidence and reports folders that hold no different file of the same name,
so a restore never overwrites data. Retention: ``create --keep N`` deletes all but the newest N archives of
the output folder (:func:`prune`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

FORMAT = "kechuang-backup/1"
MANIFEST = "manifest.json"
PREFIX = "kechuang-backup-"
SUFFIX = ".tar.gz"
SQLITE_MEMBER = "database/kechuang.sqlite"
PG_MEMBER = "database/kechuang.pgdump"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be made, checked or restored; the message says where and why."""


@dataclass
class Created:
    path: Path
    manifest_sha256: str
    files: int
    pruned: list[Path] = field(default_factory=list)


@dataclass
class Verified:
    path: Path
    problems: list[str]
    manifest: dict[str, Any]
    manifest_sha256: str

    @property
    def ok(self) -> bool:
        return not self.problems


# --- where things are --------------------------------------------------------------------------------------


def default_evidence_dir() -> Path:
    """The configured evidence folder (``KECHUANG_EVIDENCE_DIR``, see ``kechuang.core.settings``)."""
    from kechuang.core.settings import Settings

    return Settings().resolved_evidence_dir()


def default_reports_dir() -> Path:
    """The configured reports folder (``KECHUANG_REPORTS_DIR``, see ``kechuang.core.settings``)."""
    from kechuang.core.settings import Settings

    return Settings().resolved_reports_dir()


def _dialect(url: URL) -> str:
    name = url.get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"{url.render_as_string()}: only SQLite and PostgreSQL databases can be backed up")
    return name


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up: name a database file")
    return Path(url.database)


def _pg_env(url: URL) -> tuple[list[str], dict[str, str]]:
    """libpq connection options of ``url`` for pg_dump/pg_restore (the password in the environment, never on
    the command line)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    if not url.database:
        raise BackupError(f"{url.render_as_string()}: the URL names no database")
    return [*args, "--dbname", url.database], env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} not found: install PostgreSQL's client programs "
                          "(Debian: apt-get install postgresql-client)") from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed (exit {done.returncode}): {done.stderr.strip()}")


def _revision(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return ""
            return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar() or "")
    finally:
        engine.dispose()


# --- create -----------------------------------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """A reader that hashes what is read through it (tarfile reads a member's bytes exactly once)."""

    def __init__(self, raw: IO[bytes]):
        self.raw, self.sha, self.count = raw, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha.update(data)
        self.count += len(data)
        return data


def _files(root: Path) -> Iterator[tuple[Path, str]]:
    """Regular files under ``root`` in name order with their relative POSIX path (links are not followed)."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, path.relative_to(root).as_posix()


def _add(tar: tarfile.TarFile, source: Path, name: str, entries: list[dict[str, Any]]) -> None:
    info = tarfile.TarInfo(name)
    info.size = source.stat().st_size
    info.mtime = int(source.stat().st_mtime)
    info.mode = 0o600
    with source.open("rb") as raw:
        reader = _Hashing(raw)
        tar.addfile(info, reader)  # type: ignore[arg-type]
    if reader.count != info.size:
        raise BackupError(f"{source}: changed while it was being copied ({info.size} → {reader.count} bytes)")
    entries.append({"path": name, "bytes": info.size, "sha256": reader.sha.hexdigest()})


def archive_name(now: dt.datetime) -> str:
    """``kechuang-backup-20261203T184600123456Z.tar.gz``: names sort in time order."""
    return f"{PREFIX}{now.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%S%fZ')}{SUFFIX}"


def archives(folder: Path) -> list[Path]:
    """The backup archives of ``folder``, oldest first."""
    return sorted(p for p in folder.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives of ``folder``; return the deleted ones."""
    if keep < 1:
        raise BackupError(f"--keep {keep}: keep at least one archive")
    old = archives(folder)[:-keep]
    for path in old:
        path.unlink()
    return old


def create_backup(url: str, out_dir: Path, *, evidence_dir: Path, reports_dir: Path, keep: int | None = None,
                  now: dt.datetime | None = None) -> Created:
    """Write one archive of the database at ``url``, the evidence files and the report packs into ``out_dir``
    (see the module docstring); with ``keep``, then delete all but the newest ``keep`` archives there."""
    if keep is not None and keep < 1:
        raise BackupError(f"--keep {keep}: keep at least one archive")
    parsed = make_url(url)
    dialect = _dialect(parsed)
    moment = now or dt.datetime.now(dt.UTC)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / archive_name(moment)
    entries: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="kechuang-backup-") as tmp:
        if dialect == "sqlite":
            source = _sqlite_path(parsed)
            if not source.is_file():
                raise BackupError(f"{source}: no such SQLite database file")
            dump, member = Path(tmp) / "kechuang.sqlite", SQLITE_MEMBER
            src = sqlite3.connect(source)
            dst = sqlite3.connect(dump)
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
        else:
            dump, member = Path(tmp) / "kechuang.pgdump", PG_MEMBER
            args, env = _pg_env(parsed)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump), *args], env)
        partial = target.with_name(target.name + ".partial")
        try:
            with tarfile.open(partial, "w:gz") as tar:
                _add(tar, dump, member, entries)
                for folder, prefix in ((evidence_dir, "evidence"), (reports_dir, "reports")):
                    for path, rel in _files(folder):
                        _add(tar, path, f"{prefix}/{rel}", entries)
                manifest = json.dumps({"format": FORMAT, "created_at": moment.astimezone(dt.UTC).isoformat(),
                                       "dialect": dialect, "revision": _revision(url), "files": entries},
                                      ensure_ascii=False, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(manifest), int(moment.timestamp()), 0o600
                tar.addfile(info, io.BytesIO(manifest))
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    pruned = prune(out_dir, keep) if keep is not None else []
    return Created(target, hashlib.sha256(manifest).hexdigest(), len(entries) - 1, pruned)


# --- verify -----------------------------------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (not path.is_absolute() and ".." not in path.parts and len(path.parts) >= 2
            and path.parts[0] in ("database", "evidence", "reports"))


def verify_backup(path: Path, expect: str | None = None) -> Verified:
    """Re-read every member of the archive at ``path`` and compare it with its manifest (and the manifest with
    ``expect``, its SHA-256 printed when the archive was made)."""
    problems: list[str] = []
    seen: dict[str, tuple[int, str]] = {}
    manifest_bytes = b""
    try:
        with tarfile.open(path, "r:gz") as tar:
            for info in tar:
                if info.name == MANIFEST:
                    handle = tar.extractfile(info)
                    manifest_bytes = handle.read() if handle else b""
                    continue
                if not info.isfile() or not _safe_name(info.name):
                    problems.append(f"{info.name}: not a file the backup writes (refused)")
                    continue
                handle = tar.extractfile(info)
                hasher, count = hashlib.sha256(), 0
                while handle and (chunk := handle.read(CHUNK)):
                    hasher.update(chunk)
                    count += len(chunk)
                if info.name in seen:
                    problems.append(f"{info.name}: appears twice")
                seen[info.name] = (count, hasher.hexdigest())
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        return Verified(path, [f"{path}: not a readable backup archive ({exc})"], {}, "")
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    if not manifest_bytes:
        return Verified(path, [*problems, f"{path}: no {MANIFEST}"], {}, digest)
    try:
        manifest = json.loads(manifest_bytes)
        files = {entry["path"]: (int(entry["bytes"]), str(entry["sha256"])) for entry in manifest["files"]}
        if manifest.get("format") != FORMAT:
            problems.append(f"{MANIFEST}: format {manifest.get('format')!r}, expected {FORMAT!r}")
    except (ValueError, KeyError, TypeError) as exc:
        return Verified(path, [*problems, f"{MANIFEST}: not a valid manifest ({exc})"], {}, digest)
    if expect is not None and expect.lower() != digest:
        problems.append(f"{MANIFEST}: SHA-256 {digest}, expected {expect} (the manifest was rewritten)")
    for name, (size, listed) in files.items():
        if name not in seen:
            problems.append(f"{name}: listed in the manifest but missing from the archive")
        elif seen[name] != (size, listed):
            problems.append(f"{name}: content changed (SHA-256 {seen[name][1]}, manifest {listed})")
    problems += [f"{name}: in the archive but not in the manifest" for name in seen if name not in files]
    if not any(name.startswith("database/") for name in files):
        problems.append(f"{MANIFEST}: lists no database")
    return Verified(path, problems, manifest, digest)


# --- restore ----------------------------------------------------------------------------------------------


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _place(source: IO[bytes], target: Path, sha: str) -> bool:
    """Write ``source`` to ``target`` unless the same content is already there; refuse a different file."""
    if target.exists():
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        if digest != sha:
            raise BackupError(f"{target}: a different file of that name is already there (not overwritten)")
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with partial.open("wb") as out:
        shutil.copyfileobj(source, out, CHUNK)
    os.replace(partial, target)
    return True


def restore_backup(path: Path, url: str, *, evidence_dir: Path, reports_dir: Path,
                   expect: str | None = None) -> Verified:
    """Verify the archive, then restore its database into the empty database at ``url`` and its evidence files
    and report packs into the two folders (see the module docstring)."""
    checked = verify_backup(path, expect)
    if not checked.ok:
        raise BackupError(f"{path}: the archive failed verification: " + "; ".join(checked.problems))
    parsed = make_url(url)
    dialect = _dialect(parsed)
    if dialect != checked.manifest["dialect"]:
        raise BackupError(f"{path}: a {checked.manifest['dialect']} backup cannot be restored into a {dialect} "
                          "database")
    files = {entry["path"]: entry["sha256"] for entry in checked.manifest["files"]}
    # refuse before writing anything: a non-empty database or a conflicting file
    if dialect == "sqlite" and not _sqlite_path(parsed).exists():
        existing: list[str] = []
    else:
        existing = _tables(url)
    if existing:
        raise BackupError(f"{parsed.render_as_string()}: the database is not empty ({len(existing)} tables, e.g. "
                          f"{sorted(existing)[0]}); restore into an empty database")
    roots = {"evidence": evidence_dir, "reports": reports_dir}
    for name, sha in files.items():
        top, _, rel = name.partition("/")
        if top in roots:
            target = roots[top] / rel
            if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() != sha:
                raise BackupError(f"{target}: a different file of that name is already there (not overwritten)")
    with tempfile.TemporaryDirectory(prefix="kechuang-restore-") as tmp, tarfile.open(path, "r:gz") as tar:
        for info in tar:
            if info.name == MANIFEST:
                continue
            handle = tar.extractfile(info)
            assert handle is not None  # verified: regular files only
            top, _, rel = info.name.partition("/")
            if top in roots:
                _place(handle, roots[top] / rel, files[info.name])
                continue
            dump = Path(tmp) / PurePosixPath(info.name).name
            with dump.open("wb") as out:
                shutil.copyfileobj(handle, out, CHUNK)
            if dialect == "sqlite":
                target_db = _sqlite_path(parsed)
                target_db.parent.mkdir(parents=True, exist_ok=True)
                src, dst = sqlite3.connect(dump), sqlite3.connect(target_db)
                try:
                    src.backup(dst)
                finally:
                    dst.close()
                    src.close()
            else:
                args, env = _pg_env(parsed)
                _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                      *args, str(dump)], env)
    return checked
