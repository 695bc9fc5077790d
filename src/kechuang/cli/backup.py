"""``kechuang backup``: one archive of the database, the evidence files and the report packs, with a manifest
of SHA-256 hashes (``kechuang.store.backup``); verify an archive; restore it into an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kechuang.cli.common import DbOption, console, database_url, err, fail

backup_app = typer.Typer(no_args_is_help=True)

EvidenceOption = Annotated[Path | None, typer.Option(
    "--evidence-dir", help="the evidence folder (default: KECHUANG_EVIDENCE_DIR or var/evidence)")]
ReportsOption = Annotated[Path | None, typer.Option(
    "--reports-dir", help="the reports folder (default: KECHUANG_REPORTS_DIR or var/reports)")]
ExpectOption = Annotated[str | None, typer.Option(
    "--expect", help="the manifest's SHA-256 printed by `backup create` (kept elsewhere): also detects a "
                     "rewritten manifest")]


def _folders(evidence_dir: Path | None, reports_dir: Path | None) -> tuple[Path, Path]:
    from kechuang.store.backup import default_evidence_dir, default_reports_dir

    return evidence_dir or default_evidence_dir(), reports_dir or default_reports_dir()


@backup_app.command("create")
def create_command(
        out: Annotated[Path, typer.Option("--out", help="the folder the archive is written to")] = Path("var/backups"),
        keep: Annotated[int | None, typer.Option(
            "--keep", help="retention: then delete all but the newest N archives of the folder")] = None,
        db: DbOption = None, evidence_dir: EvidenceOption = None, reports_dir: ReportsOption = None) -> None:
    """Write kechuang-backup-<UTC time>.tar.gz: the database (SQLite online backup or pg_dump), the evidence
    files and the report packs, with a manifest of SHA-256 hashes; print the manifest's SHA-256."""
    from kechuang.store.backup import BackupError, create_backup

    evidence, reports = _folders(evidence_dir, reports_dir)
    try:
        done = create_backup(database_url(db), out, evidence_dir=evidence, reports_dir=reports, keep=keep)
    except BackupError as exc:
        fail(str(exc))
    console.print(f"{done.path}: database and {done.files} files; manifest SHA-256 {done.manifest_sha256}",
                  highlight=False, soft_wrap=True)
    for path in done.pruned:
        console.print(f"deleted (retention --keep {keep}): {path}", highlight=False, soft_wrap=True)


@backup_app.command("verify")
def verify_command(archive: Annotated[Path, typer.Argument(help="a backup archive")],
                   expect: ExpectOption = None) -> None:
    """Re-read every member of ARCHIVE and compare it with the manifest; exit 1 naming each changed, added or
    missing member."""
    from kechuang.store.backup import BackupError, verify_backup

    try:
        report = verify_backup(archive, expect)
    except BackupError as exc:
        fail(str(exc))
    if not report.ok:
        for problem in report.problems:
            err.print(f"[red]backup:[/red] {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    console.print(f"{archive}: intact ({len(report.manifest['files'])} members, {report.manifest['dialect']}, "
                  f"made {report.manifest['created_at']}); manifest SHA-256 {report.manifest_sha256}",
                  highlight=False, soft_wrap=True)


@backup_app.command("restore")
def restore_command(archive: Annotated[Path, typer.Argument(help="a backup archive")], db: DbOption = None,
                    evidence_dir: EvidenceOption = None, reports_dir: ReportsOption = None,
                    expect: ExpectOption = None) -> None:
    """Verify ARCHIVE, then restore it into an empty database (same kind) and the evidence and reports folders
    (never overwriting a different file)."""
    from kechuang.store.backup import BackupError, restore_backup

    evidence, reports = _folders(evidence_dir, reports_dir)
    try:
        report = restore_backup(archive, database_url(db), evidence_dir=evidence, reports_dir=reports,
                                expect=expect)
    except BackupError as exc:
        fail(str(exc))
    console.print(f"restored {archive}: database and {len(report.manifest['files']) - 1} files",
                  highlight=False, soft_wrap=True)
