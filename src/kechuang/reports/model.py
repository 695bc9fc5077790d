"""The content of a report as pure data: sections of headings, paragraphs, tables and charts.

A report is assembled from the services (``evaluation.py``, ``index_report.py``) into a :class:`Report`;
the renderers (``render/``) only lay it out. :func:`content_hash` is the SHA-256 of the canonical JSON of
everything in the report except the generation time, so the same data give the same hash, and a reader
can check a file against the snapshot recorded in it. A column or table marked ``annex_only`` appears
in the Excel annex only (Word, PDF and HTML say where to find it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from kechuang.core import clock

#: version of the report layout and method (part of the snapshot; raise it when the content rules change)
REPORT_FORMAT = "kechuang-report/1"
DEMO_LABEL = "演示数据"
#: the languages a report is built in (Chinese, the default, and English)
LANGS = ("zh", "en")
#: the reports there are, and the files of a pack
KINDS = ("midterm", "final", "index")
FORMATS = ("docx", "pdf", "xlsx", "html")


class ReportError(ValueError):
    """A report that cannot be built as asked (year outside the plan period, nothing stored …)."""

ColumnKind = Literal["text", "number", "integer", "percent", "year", "date"]


@dataclass(frozen=True)
class Column:
    """A table column. ``kind`` drives formatting (and the Excel number format); ``digits`` fixes the decimals
    of a number column (None: up to 4 decimals, trailing zeros dropped)."""

    key: str
    label: str
    kind: ColumnKind = "text"
    digits: int | None = None
    annex_only: bool = False


@dataclass
class Table:
    """A table with typed cells: ``rows`` are dicts keyed by column key (values are str, int, float or None).

    A row with ``"_demo": True`` uses demonstration data; ``demo`` says that some row does.
    """

    id: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    demo: bool = False
    annex_only: bool = False
    type: str = "table"

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def shown_columns(self) -> list[Column]:
        """The columns of the document versions (Word, PDF, HTML)."""
        return [c for c in self.columns if not c.annex_only]


@dataclass
class ChartSeries:
    name: str
    values: list[float | None]


@dataclass
class Chart:
    """A chart drawn from data only: ``kind`` line (x = categories, one line per series), bar (grouped
    vertical bars) or barh (horizontal bars, one series, diverging around zero when values are signed)."""

    id: str
    title: str
    kind: Literal["line", "bar", "barh"]
    categories: list[str]
    series: list[ChartSeries]
    y_label: str = ""
    note: str = ""
    demo: bool = False
    percent: bool = False
    type: str = "chart"


@dataclass
class Paragraph:
    text: str
    style: Literal["body", "note", "demo"] = "body"
    type: str = "paragraph"


@dataclass
class Heading:
    text: str
    level: int = 3
    type: str = "heading"


Block = Paragraph | Heading | Table | Chart


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Section:
        self.blocks.extend(blocks)
        return self

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for b in self.blocks if isinstance(b, Chart)]


@dataclass
class Report:
    """A whole report. ``meta`` holds what it was built from (plan version and hash, index run and hashes,
    method versions, the year and the as-of date): it is part of the hashed content. ``proposals`` are the
    proposed plan adjustments as data (see ``adjustments.py``)."""

    kind: Literal["midterm", "final", "index"]
    title: str
    subtitle: str
    year: int
    meta: dict[str, Any]
    sections: list[Section]
    demo: bool
    demo_notice: str = ""
    proposals: list[dict[str, Any]] = field(default_factory=list)
    #: the language of the pack (zh, en); the renderers take their own words from the catalog in this language
    lang: str = "zh"
    #: text kept in the original language in a pack of another language: proper nouns without a translation and
    #: quoted text (plan text, public comments and replies, the plan office's narrative as written) — the allow-list
    #: of the check that an English pack has no Han characters elsewhere (``i18n.PackText.keep``)
    kept: list[str] = field(default_factory=list)

    def to_data(self) -> dict[str, Any]:
        """The report as JSON-ready data (the canonical content)."""
        return asdict(self)

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables()]

    def charts(self) -> list[Chart]:
        return [c for s in self.sections for c in s.charts()]

    def table(self, table_id: str) -> Table:
        return next(t for t in self.tables() if t.id == table_id)

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)


def canonical_json(data: Any) -> str:
    """JSON with sorted keys, no insignificant whitespace and shortest round-trip floats (stable)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def content_hash(report: Report) -> str:
    """SHA-256 (hex) of the report's canonical content."""
    return hashlib.sha256(canonical_json(report.to_data()).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """What a built report records about itself: the content hash and when it was generated."""

    content_sha256: str
    generated_at: str

    def as_dict(self) -> dict[str, str]:
        return {"content_sha256": self.content_sha256, "generated_at": self.generated_at}

    @property
    def generated_text(self) -> str:
        """The generation time as shown to readers: in the plan's time zone, with the zone said."""
        return clock.time_text(self.generated_at, seconds=True)
