"""``kechuang backup``: backup then restore into an empty database reproduces every table row for row and every
evidence file and report pack byte for byte (SQLite and PostgreSQL); a tampered archive is refused."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import tarfile
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import inspect, select, text
from typer.testing import CliRunner

from kechuang.accounts.models import LoginAttempt
from kechuang.audit.chain import verify as verify_chain
from kechuang.cli import app
from kechuang.store.backup import BackupError, archives, create_backup, restore_backup, verify_backup
from kechuang.store.db import make_engine, session_factory, transaction

runner = CliRunner()


def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key (else all-column) order."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found: dict[str, list[tuple[Any, ...]]] = {}
            inspector = inspect(conn)
            for table in inspector.get_table_names():
                columns = [c["name"] for c in inspector.get_columns(table)]
                order = inspector.get_pk_constraint(table)["constrained_columns"] or columns
                found[table] = [tuple(r) for r in conn.execute(text(
                    f'SELECT {", ".join(chr(34) + c + chr(34) for c in columns)} FROM "{table}" '
                    f'ORDER BY {", ".join(chr(34) + c + chr(34) for c in order)}'))]
            return found
    finally:
        engine.dispose()


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _folders(base: Path) -> tuple[Path, Path]:
    evidence, reports = base / "evidence", base / "reports"
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 40
    png = b"\x89PNG\r\n\x1a\n" + bytes(reversed(range(256))) * 10
    for content in (pdf, png):
        (evidence / hashlib.sha256(content).hexdigest()[:2]).mkdir(parents=True, exist_ok=True)
        (evidence / hashlib.sha256(content).hexdigest()[:2] / hashlib.sha256(content).hexdigest()).write_bytes(content)
    pack = reports / "midterm-2026-12-03-1a2b3c"
    pack.mkdir(parents=True)
    (pack / "report.pdf").write_bytes(pdf[::-1])
    (pack / "annex.xlsx").write_bytes(b"PK\x03\x04" + b"\x00\xff" * 500)
    (pack / "pack.json").write_text(json.dumps({"title": "中期评估报告"}, ensure_ascii=False), encoding="utf-8")
    return evidence, reports


def _empty_like(url: str, tmp_path: Path, pg: dict[str, str] | None) -> str:
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored' / 'kechuang.db'}"
    assert pg is not None
    name = f"kechuang_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(" ".join(f"{k}={v}" for k, v in pg.items() if v), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def test_backup_then_restore_reproduces_every_row_and_file(seeded_url: str, tmp_path: Path,
                                                          request: pytest.FixtureRequest) -> None:
    engine = make_engine(seeded_url)
    with transaction(session_factory(engine)) as s:  # a row of a table the seed leaves empty
        s.add(LoginAttempt(username="kw_reporter", ip="192.0.2.7", at=dt.datetime(2026, 12, 1, 8, 0),
                           succeeded=False))
    engine.dispose()
    evidence, reports = _folders(tmp_path / "source")
    made = create_backup(seeded_url, tmp_path / "backups", evidence_dir=evidence, reports_dir=reports)
    assert made.files == 5
    assert verify_backup(made.path, made.manifest_sha256).ok

    pg = request.getfixturevalue("pg_params") if seeded_url.startswith("postgresql") else None
    target = _empty_like(seeded_url, tmp_path, pg)
    new_evidence, new_reports = tmp_path / "new" / "evidence", tmp_path / "new" / "reports"
    restore_backup(made.path, target, evidence_dir=new_evidence, reports_dir=new_reports)

    before, after = _rows(seeded_url), _rows(target)
    assert sorted(after) == sorted(before) and len(before) >= 30
    assert sum(len(rows) for rows in before.values()) > 100, "the seeded data, not an empty schema"
    assert {t: rows for t, rows in after.items() if rows != before[t]} == {}
    assert after["login_attempt"][-1][1:3] == ("kw_reporter", "192.0.2.7")
    assert _tree(new_evidence) == _tree(evidence) and len(_tree(evidence)) == 2
    assert _tree(new_reports) == _tree(reports) and len(_tree(reports)) == 3

    source_engine = make_engine(seeded_url)
    with session_factory(source_engine)() as s:
        source_chain = verify_chain(s, None)
    source_engine.dispose()
    engine = make_engine(target)
    factory = session_factory(engine)
    with factory() as s:
        restored_chain = verify_chain(s, None)
    assert restored_chain.count == source_chain.count > 10
    assert restored_chain == source_chain, "the same audit chain and head after the restore"
    with transaction(factory) as s:  # the restored database keeps working: new ids follow the restored ones
        s.add(LoginAttempt(username="kw_reporter", ip="192.0.2.8", succeeded=True))
    with factory() as s:
        ids = list(s.scalars(select(LoginAttempt.id).order_by(LoginAttempt.id)))
        assert len(ids) == len(before["login_attempt"]) + 1 and ids[-1] > ids[-2]
    engine.dispose()

    with pytest.raises(BackupError, match="not empty"):  # a second restore would overwrite: refused
        restore_backup(made.path, target, evidence_dir=new_evidence, reports_dir=new_reports)


def _rewrite(archive: Path, out: Path, change: Any) -> Path:
    """A copy of ``archive`` with its members passed through ``change(name, data) -> data | None``."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for info in src:
            handle = src.extractfile(info)
            data = change(info.name, handle.read() if handle else b"")
            if data is None:
                continue
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


def test_a_tampered_archive_is_refused(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'kechuang.db'}"
    assert runner.invoke(app, ["init", "--db", db]).exit_code == 0
    evidence, reports = _folders(tmp_path / "source")
    made = create_backup(db, tmp_path / "backups", evidence_dir=evidence, reports_dir=reports)
    ok = runner.invoke(app, ["backup", "verify", str(made.path), "--expect", made.manifest_sha256])
    assert ok.exit_code == 0 and "intact" in ok.output, ok.output  # control: the untouched archive passes

    def flip(name: str, data: bytes) -> bytes:
        return data[:-1] + bytes([data[-1] ^ 1]) if name.endswith("report.pdf") else data

    flipped = _rewrite(made.path, tmp_path / "flipped.tar.gz", flip)
    bad = runner.invoke(app, ["backup", "verify", str(flipped)])
    assert bad.exit_code == 1 and "report.pdf: content changed" in bad.output, bad.output

    dropped = _rewrite(made.path, tmp_path / "dropped.tar.gz",
                       lambda name, data: None if name.startswith("evidence/") else data)
    problems = verify_backup(dropped).problems
    assert len(problems) == 2 and all("missing from the archive" in p for p in problems)

    def forge(name: str, data: bytes) -> bytes:  # a changed file with a manifest rewritten to match
        if name == "manifest.json":
            manifest = json.loads(data)
            for entry in manifest["files"]:
                if entry["path"].endswith("report.pdf"):
                    entry["sha256"] = hashlib.sha256(forged_pdf).hexdigest()
                    entry["bytes"] = len(forged_pdf)
            return json.dumps(manifest).encode()
        return forged_pdf if name.endswith("report.pdf") else data

    forged_pdf = b"%PDF-1.7 forged"
    forged = _rewrite(made.path, tmp_path / "forged.tar.gz", forge)
    assert verify_backup(forged).ok, "a consistent forgery passes the manifest alone"
    refused = verify_backup(forged, made.manifest_sha256).problems
    assert refused and "the manifest was rewritten" in refused[0]

    restored = f"sqlite:///{tmp_path / 'restored.db'}"
    out = runner.invoke(app, ["backup", "restore", str(flipped), "--db", restored, "--evidence-dir",
                              str(tmp_path / "e"), "--reports-dir", str(tmp_path / "r")])
    assert out.exit_code == 2 and "failed verification" in out.output
    assert not (tmp_path / "restored.db").exists() and not (tmp_path / "e").exists(), "nothing written"
    (tmp_path / "junk.tar.gz").write_bytes(gzip.compress(b"not a tar"))
    assert "not a readable backup archive" in verify_backup(tmp_path / "junk.tar.gz").problems[0]


def test_create_with_keep_prunes_older_archives(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'kechuang.db'}"
    assert runner.invoke(app, ["init", "--db", db]).exit_code == 0
    out = tmp_path / "backups"
    folders = ["--evidence-dir", str(tmp_path / "e"), "--reports-dir", str(tmp_path / "r")]
    for _ in range(3):
        done = runner.invoke(app, ["backup", "create", "--db", db, "--out", str(out), *folders])
        assert done.exit_code == 0, done.output
    kept = archives(out)
    assert len(kept) == 3
    done = runner.invoke(app, ["backup", "create", "--db", db, "--out", str(out), "--keep", "2", *folders])
    assert done.exit_code == 0 and done.output.count("deleted (retention --keep 2)") == 2, done.output
    assert archives(out)[0] == kept[2] and len(archives(out)) == 2, "the newest two are kept"
    zero = runner.invoke(app, ["backup", "create", "--db", db, "--out", str(out), "--keep", "0", *folders])
    assert zero.exit_code == 2 and "keep at least one archive" in zero.output
    assert len(archives(out)) == 2, "nothing written or deleted by a refused command"
