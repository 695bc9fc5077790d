"""Reading and validating a plan file, with errors that name the file, the path inside it and the reason."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kechuang.core.yamlfile import YamlFileError, read_yaml
from kechuang.plan.schemas import PlanDocument, ReferenceProblems

#: the element kinds that hold the labels of the plan's own codes (stored as ``<kind>:<code>``)
LABEL_KINDS = ("zone", "place_type")


class PlanFileError(ValueError):
    """A plan file that cannot be loaded. ``problems`` lists (path, reason) pairs."""

    def __init__(self, file: str, problems: list[tuple[str, str]]):
        self.file = file
        self.problems = problems
        lines = [f"{file}: {path}: {reason}" if path else f"{file}: {reason}" for path, reason in problems]
        super().__init__("\n".join(lines))


def _describe(raw: Any, loc: tuple[int | str, ...]) -> str:
    """Render a pydantic location as ``areas[0](A1).tasks[2](T3).title.zh`` using codes where present."""
    out = ""
    node = raw
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("code"), str):
                out += f"({node['code']})"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def parse_plan(data: Any, file: str = "<plan>") -> PlanDocument:
    """Validate already-parsed YAML/JSON data as a plan document or raise :class:`PlanFileError`."""
    if not isinstance(data, dict):
        raise PlanFileError(file, [("", "the file must contain a mapping at the top level")])
    try:
        return PlanDocument.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            found = (err.get("ctx") or {}).get("error")
            if isinstance(found, ReferenceProblems):
                problems += found.problems
                continue
            reason = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                reason = "unknown field (not part of the plan format)"
            problems.append((_describe(data, tuple(err["loc"])), reason))
        raise PlanFileError(file, problems) from None


def read_plan_file(path: Path | str) -> PlanDocument:
    """Read a plan file (YAML or JSON) and validate it."""
    path = Path(path)
    name = str(path)
    try:
        data = read_yaml(path, name)
    except YamlFileError as exc:
        raise PlanFileError(name, [(exc.where, exc.reason)]) from None
    return parse_plan(data, name)


def canonical_json(doc: PlanDocument) -> dict[str, Any]:
    """The document as plain JSON-compatible data (dates as ISO strings)."""
    return doc.model_dump(mode="json")


def content_hash(doc: PlanDocument) -> str:
    """SHA-256 of the canonical JSON (sorted keys): equal content, equal hash."""
    blob = json.dumps(canonical_json(doc), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ElementRow:
    """One element of a plan, flattened for storage."""

    code: str
    kind: str
    parent_code: str | None
    title_zh: str
    title_en: str
    text_zh: str
    text_en: str
    attrs: dict[str, Any]


def _row(kind: str, obj: Any, parent: str | None, title: Any = None, text: Any = None,
         **attrs: Any) -> ElementRow:
    return ElementRow(
        code=obj.code, kind=kind, parent_code=parent,
        title_zh=title.zh if title else "", title_en=title.en if title else "",
        text_zh=text.zh if text else "", text_en=text.en if text else "",
        attrs={k: v for k, v in attrs.items() if v is not None},
    )


def flatten(doc: PlanDocument) -> list[ElementRow]:
    """Every element of the document as a row, in document order (the order pages show)."""
    dump = canonical_json(doc)
    rows: list[ElementRow] = []
    for ind in doc.indicators:
        rows.append(_row("indicator", ind, None, ind.name, ind.description, unit_zh=ind.unit.zh,
                         unit_en=ind.unit.en, direction=ind.direction, frequency=ind.frequency))
    for f in doc.facts:
        d = next(x for x in dump["facts"] if x["code"] == f.code)
        rows.append(_row("fact", f, f.indicator, None, f.scope, value=f.value, year=f.year, period=f.period,
                         qualifier=f.qualifier, source=d["source"]))
    for code, kind, text in (("BASIS", "basis_summary", doc.basis.summary),
                             ("BASIS_END", "basis_conclusion", doc.basis.conclusion),
                             ("GUIDING", "guiding_thought", doc.guiding_thought)):
        rows.append(ElementRow(code, kind, None, "", "", text.zh, text.en, {}))
    for s in doc.basis.sections:
        rows.append(_row("basis_section", s, None, s.title))
        rows += [_row("basis_paragraph", p, s.code, p.title, p.text) for p in s.paragraphs]
    for kind, items in (("shortcoming", doc.shortcomings), ("trend", doc.trends), ("principle", doc.principles)):
        rows += [_row(kind, e, None, e.title, e.text) for e in items]
    for g in doc.goals:
        rows.append(_row("goal", g, None, None, g.statement, year=g.year))
        rows += [_row("sub_goal", s, g.code, s.title, s.text) for s in g.sub_goals]
    for a in doc.areas:
        rows.append(_row("area", a, None, a.title, number=a.number))
        for t in a.tasks:
            rows.append(_row("task", t, a.code, t.title, number=t.number))
            for m in t.measures:
                rows.append(_row("measure", m, t.code, m.title, m.text, titled=m.titled))
                for p in m.projects:
                    rows.append(_row("project", p, m.code, p.name, p.note, project_kind=p.kind, place=p.place))
                for tg in m.targets:
                    rows.append(_row("target", tg, m.code, tg.description, None, indicator=tg.indicator,
                                     value_min=tg.value_min, value_max=tg.value_max, unit_zh=tg.unit.zh,
                                     unit_en=tg.unit.en, year=tg.year, source=tg.source.model_dump()))
    rows += [_row("safeguard", e, None, e.title, e.text) for e in doc.safeguards]
    for gt in doc.glossary:
        rows.append(_row("glossary_term", gt, None, gt.term, gt.definition, number=gt.number,
                         matches=gt.matches or [gt.term.zh]))
    for kind, labels in (("zone", doc.zones), ("place_type", doc.place_types)):
        rows += [ElementRow(f"{kind}:{lab.code}", kind, None, lab.name.zh, lab.name.en, "", "", {})
                 for lab in labels]
    for pl in doc.places:
        rows.append(_row("place", pl, pl.parent, pl.name, pl.note, place_type=pl.type, zone=pl.zone,
                         lon=pl.lon, lat=pl.lat, approximate=pl.approximate, source=pl.source.model_dump()))
    return rows


def glossary_links(rows: list[ElementRow]) -> list[tuple[str, str]]:
    """(term_code, element_code) for every element whose Chinese title or text uses a glossary term."""
    terms = [(r.code, r.attrs["matches"]) for r in rows if r.kind == "glossary_term"]
    links = []
    for r in rows:
        if r.kind in ("glossary_term", "fact", "indicator", *LABEL_KINDS):
            continue
        haystack = r.title_zh + "\n" + r.text_zh
        links += [(code, r.code) for code, matches in terms if any(m in haystack for m in matches)]
    return links
