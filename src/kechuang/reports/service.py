"""Build a report from the database and write its pack: Word, PDF, Excel annex, HTML and a manifest.

``build_report`` assembles the content (pure data); ``write_pack`` renders it into a directory with a
``manifest.json`` recording the content hash (the data snapshot), the generation time, the files with
their own SHA-256, the method versions and the proposed adjustments. Rebuilding from the same snapshot
gives the same content hash and the same HTML apart from the generation time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from kechuang.reports import charts
from kechuang.reports.evaluation import build_evaluation
from kechuang.reports.index_report import build_index_report
from kechuang.reports.model import FORMATS, KINDS, LANGS, Report, ReportError, Snapshot, content_hash
from kechuang.reports.render.docx import render_docx
from kechuang.reports.render.html import render_html
from kechuang.reports.render.pdf import render_pdf
from kechuang.reports.render.xlsx import render_xlsx

__all__ = ["FORMATS", "KINDS", "ReportError", "Pack", "build_report", "generate", "write_pack", "render_files",
           "read_pack", "list_packs"]
MANIFEST = "manifest.json"
_PACK_ID = re.compile(r"^(midterm|final|index)-\d{4}-[0-9a-f]{12}$")


def build_report(session: Session, kind: str, year: int | None = None, *, as_of: dt.date | None = None,
                 plan_code: str | None = None, lang: str = "zh") -> Report:
    """The content of report ``kind`` (midterm, final or index) for ``year``; the evaluations also in English
    (``lang`` en)."""
    if lang not in LANGS:
        raise ReportError(f"unknown report language {lang!r}; expected {' or '.join(LANGS)}")
    if kind in ("midterm", "final"):
        return build_evaluation(session, kind, year, as_of=as_of, plan_code=plan_code, lang=lang)
    if lang != "zh":
        raise ReportError(f"the {kind} report is built in Chinese only; English packs are the midterm and final")
    if kind == "index":
        return build_index_report(session, year, as_of=as_of, plan_code=plan_code)
    raise ReportError(f"unknown report {kind!r}; expected one of {', '.join(KINDS)}")


def now_iso() -> str:
    """The generation time (UTC, seconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class Pack:
    """The files of one built report and what they were built from."""

    directory: Path
    kind: str
    year: int
    title: str
    content_sha256: str
    generated_at: str
    files: dict[str, Path] = field(default_factory=dict)
    demo: bool = False
    proposals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.directory.name


def base_name(report: Report) -> str:
    return f"kechuang-{report.kind}-{report.year}" + ("" if report.lang == "zh" else f"-{report.lang}")


def render_files(report: Report, snapshot: Snapshot, formats: tuple[str, ...] = FORMATS) -> dict[str, bytes]:
    """The requested renderings as bytes, keyed by format (charts are drawn once for all of them)."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ReportError(f"unknown format {', '.join(sorted(unknown))}; expected {', '.join(FORMATS)}")
    need_png = "docx" in formats
    images = {c.id: charts.render(c, with_png=need_png) for c in report.charts()}
    out: dict[str, bytes] = {}
    html = None
    if "html" in formats or "pdf" in formats:
        html = render_html(report, snapshot, {k: v[0] for k, v in images.items()})
        if "html" in formats:
            out["html"] = html.encode("utf-8")
    if "docx" in formats:
        out["docx"] = render_docx(report, snapshot, {k: (s, p or b"") for k, (s, p) in images.items()})
    if "pdf" in formats:
        assert html is not None
        out["pdf"] = render_pdf(html)
    if "xlsx" in formats:
        out["xlsx"] = render_xlsx(report, snapshot)
    return out


def write_pack(report: Report, out_dir: Path, formats: tuple[str, ...] = FORMATS,
               generated_at: str | None = None) -> Pack:
    """Render ``report`` into ``out_dir`` (created) with its manifest; returns the pack."""
    snapshot = Snapshot(content_hash(report), generated_at or now_iso())
    out_dir.mkdir(parents=True, exist_ok=True)
    base = base_name(report)
    names = {"docx": f"{base}.docx", "pdf": f"{base}.pdf", "xlsx": f"{base}-annex.xlsx", "html": f"{base}.html"}
    pack = Pack(out_dir, report.kind, report.year, report.title, snapshot.content_sha256, snapshot.generated_at,
                demo=report.demo, proposals=report.proposals)
    files_meta = {}
    for fmt, data in render_files(report, snapshot, formats).items():
        path = out_dir / names[fmt]
        path.write_bytes(data)
        pack.files[fmt] = path
        files_meta[fmt] = {"name": path.name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    manifest = {"kind": report.kind, "year": report.year, "lang": report.lang, "title": report.title,
                "subtitle": report.subtitle,
                "demo": report.demo, "snapshot": snapshot.as_dict(), "meta": report.meta, "files": files_meta,
                "proposals": report.proposals}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return pack


def generate(session: Session, kind: str, year: int | None, out_root: Path, *, as_of: dt.date | None = None,
             formats: tuple[str, ...] = FORMATS, plan_code: str | None = None, lang: str = "zh") -> Pack:
    """Build report ``kind`` (in ``lang``) and write it to ``out_root/<kind>-<year>-<first 12 of the content
    hash>/``."""
    report = build_report(session, kind, year, as_of=as_of, plan_code=plan_code, lang=lang)
    digest = content_hash(report)
    return write_pack(report, out_root / f"{report.kind}-{report.year}-{digest[:12]}", formats)


def read_pack(out_root: Path, pack_id: str) -> dict[str, Any]:
    """The manifest of pack ``pack_id`` under ``out_root`` (KeyError when there is none)."""
    if not _PACK_ID.match(pack_id):
        raise KeyError(pack_id)
    path = out_root / pack_id / MANIFEST
    if not path.is_file():
        raise KeyError(pack_id)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def list_packs(out_root: Path) -> list[dict[str, Any]]:
    """Manifests of the packs under ``out_root``, newest first (each with its ``id``)."""
    out = []
    if out_root.is_dir():
        for child in out_root.iterdir():
            if _PACK_ID.match(child.name) and (child / MANIFEST).is_file():
                data = json.loads((child / MANIFEST).read_text(encoding="utf-8"))
                data["id"] = child.name
                out.append(data)
    return sorted(out, key=lambda m: m["snapshot"]["generated_at"], reverse=True)
