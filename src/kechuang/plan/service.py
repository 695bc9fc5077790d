"""Plan services: load a plan document, read its versions and elements, adjust it, compare versions.

Every function takes a SQLAlchemy session; the caller owns the transaction (see ``store.db.transaction``),
so a load or an adjustment is written whole or not at all.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kechuang.core.access import NotFound
from kechuang.indicators.models import Indicator, Observation
from kechuang.plan.bundle import DistrictBundle, bundle_for_plan
from kechuang.plan.loader import ElementRow, content_hash, flatten, glossary_links, parse_plan
from kechuang.plan.models import GlossaryLink, Plan, PlanElement, PlanVersion
from kechuang.plan.schemas import PlanDocument


class PlanNotFound(NotFound):
    """No plan, version or element with the given code or number (a :class:`NotFound`)."""


class AdjustmentError(ValueError):
    """An adjustment that cannot be applied (unknown code or field, invalid result, nothing changed)."""


@dataclass(frozen=True)
class LoadResult:
    plan_code: str
    version: int
    created: bool
    elements: int
    facts: int


def load_plan(session: Session, doc: PlanDocument, *, source: str, by: str = "system",
              reason: str | None = None) -> LoadResult:
    """Store ``doc`` as the newest version of its plan.

    Idempotent: when the newest stored version has the same content hash nothing is written.
    Otherwise a new version is written with its elements and glossary links, the plan's indicators are
    upserted and the plan-text facts are stored as observations (source_kind ``plan_text``).
    """
    digest = content_hash(doc)
    plan = session.scalar(select(Plan).where(Plan.code == doc.plan.code))
    if plan is None:
        plan = Plan(code=doc.plan.code, title_zh=doc.plan.title.zh, title_en=doc.plan.title.en)
        session.add(plan)
        session.flush()
    latest = latest_version(session, plan.code) if plan.versions else None
    rows = flatten(doc)
    if latest is not None and latest.content_hash == digest:
        return LoadResult(plan.code, latest.number, False, len(rows), len(doc.facts))
    plan.title_zh, plan.title_en = doc.plan.title.zh, doc.plan.title.en
    version = _write_version(session, plan, doc, rows, digest, by=by, source=source,
                             reason=reason or f"loaded from {source}")
    _sync_indicators(session, plan, doc)
    return LoadResult(plan.code, version.number, True, len(rows), len(doc.facts))


def _write_version(session: Session, plan: Plan, doc: PlanDocument, rows: list[ElementRow], digest: str,
                   *, by: str, source: str, reason: str) -> PlanVersion:
    number = (session.scalar(select(func.max(PlanVersion.number)).where(PlanVersion.plan_id == plan.id)) or 0) + 1
    version = PlanVersion(plan_id=plan.id, number=number, created_by=by, reason=reason, source=source,
                          content_hash=digest, document=doc.model_dump(mode="json"))
    session.add(version)
    session.flush()
    session.add_all(
        PlanElement(version_id=version.id, code=r.code, kind=r.kind, parent_code=r.parent_code, position=i,
                    title_zh=r.title_zh, title_en=r.title_en, text_zh=r.text_zh, text_en=r.text_en,
                    attrs=r.attrs)
        for i, r in enumerate(rows)
    )
    session.add_all(GlossaryLink(version_id=version.id, term_code=t, element_code=e)
                    for t, e in glossary_links(rows))
    session.flush()
    return version


def _sync_indicators(session: Session, plan: Plan, doc: PlanDocument) -> None:
    """Upsert indicator definitions and make the plan-text observations equal the document's facts."""
    existing = {i.code: i for i in session.scalars(select(Indicator).where(Indicator.plan_id == plan.id))}
    for ind in doc.indicators:
        row = existing.get(ind.code) or Indicator(plan_id=plan.id, code=ind.code)
        row.name_zh, row.name_en = ind.name.zh, ind.name.en
        row.unit_zh, row.unit_en = ind.unit.zh, ind.unit.en
        row.direction = ind.direction
        row.description_zh = ind.description.zh if ind.description else ""
        row.description_en = ind.description.en if ind.description else ""
        session.add(row)
        existing[ind.code] = row
    session.flush()
    plan_ids = [i.id for i in existing.values()]
    session.execute(delete(Observation).where(Observation.indicator_id.in_(plan_ids),
                                              Observation.source_kind == "plan_text"))
    source = f"{doc.plan.document_number}"
    for f in doc.facts:
        session.add(Observation(
            indicator_id=existing[f.indicator].id, ref=f.code, year=f.year, period=f.period, value=f.value,
            qualifier=f.qualifier, scope_zh=f.scope.zh if f.scope else "", scope_en=f.scope.en if f.scope else "",
            source_kind="plan_text", source=f"{source} {f.source.section}", quote=f.source.quote,
        ))
    session.flush()


# ---------------------------------------------------------------- reading


def get_plan(session: Session, plan_code: str | None = None) -> Plan:
    """The plan with ``plan_code``, or the first plan loaded when no code is given."""
    stmt = select(Plan).order_by(Plan.id)
    if plan_code is not None:
        stmt = stmt.where(Plan.code == plan_code)
    plan = session.scalar(stmt.limit(1))
    if plan is None:
        raise PlanNotFound(f"no plan {plan_code!r}" if plan_code else "no plan loaded (run `kechuang init`)")
    return plan


def list_plans(session: Session) -> list[Plan]:
    return list(session.scalars(select(Plan).order_by(Plan.id)))


def list_versions(session: Session, plan_code: str | None = None) -> list[PlanVersion]:
    plan = get_plan(session, plan_code)
    return list(session.scalars(select(PlanVersion).where(PlanVersion.plan_id == plan.id)
                                .order_by(PlanVersion.number)))


def latest_version(session: Session, plan_code: str | None = None) -> PlanVersion:
    return get_version(session, plan_code, None)


def get_version(session: Session, plan_code: str | None, number: int | None) -> PlanVersion:
    """Version ``number`` of the plan (the newest when ``number`` is None)."""
    plan = get_plan(session, plan_code)
    stmt = select(PlanVersion).where(PlanVersion.plan_id == plan.id)
    stmt = stmt.order_by(PlanVersion.number.desc()) if number is None else stmt.where(PlanVersion.number == number)
    version = session.scalar(stmt.limit(1))
    if version is None:
        raise PlanNotFound(f"plan {plan.code!r} has no version" + (f" {number}" if number else ""))
    return version


def task_of(code: str | None, parent: dict[str, str | None], tasks: set[str]) -> str | None:
    """The task an element belongs to: the task itself, a measure's task, a project's or target's task (walking
    ``parent``, element code → parent code, up to a code in ``tasks``); None for an element above the tasks."""
    node = code
    while node is not None and node not in tasks:
        node = parent.get(node)
    return node


def elements(session: Session, version: PlanVersion, kind: str | None = None,
             parent: str | None = None) -> list[PlanElement]:
    """Elements of a version in document order, optionally of one kind and/or under one parent."""
    stmt = select(PlanElement).where(PlanElement.version_id == version.id)
    if kind is not None:
        stmt = stmt.where(PlanElement.kind == kind)
    if parent is not None:
        stmt = stmt.where(PlanElement.parent_code == parent)
    return list(session.scalars(stmt.order_by(PlanElement.position)))


def element(session: Session, version: PlanVersion, code: str, kind: str | None = None) -> PlanElement:
    stmt = select(PlanElement).where(PlanElement.version_id == version.id, PlanElement.code == code)
    if kind is not None:
        stmt = stmt.where(PlanElement.kind == kind)
    found = session.scalar(stmt)
    if found is None:
        raise PlanNotFound(f"no {kind or 'element'} {code!r} in version {version.number}")
    return found


def originals(session: Session, version: PlanVersion, current: Iterable[PlanElement]) -> dict[str, PlanElement]:
    """The elements of ``current`` as the plan's first version has them, where the current version differs: an
    adjusted target is shown beside its original (规划调整 never hides what the plan first said)."""
    if version.number == 1:
        return {}
    first = get_version(session, version.plan.code, 1)
    now = {e.code: e for e in current}
    old = session.scalars(select(PlanElement).where(PlanElement.version_id == first.id,
                                                    PlanElement.code.in_(list(now))))
    return {e.code: e for e in old if any(getattr(e, f) != getattr(now[e.code], f) for f in _COMPARED)}


def term_uses(session: Session, version: PlanVersion) -> dict[str, list[str]]:
    """For every glossary term code, the codes of the elements that use it."""
    out: dict[str, list[str]] = {}
    for link in session.scalars(select(GlossaryLink).where(GlossaryLink.version_id == version.id)
                                .order_by(GlossaryLink.id)):
        out.setdefault(link.term_code, []).append(link.element_code)
    return out


def terms_of(session: Session, version: PlanVersion, element_code: str) -> list[str]:
    """Codes of the glossary terms an element uses."""
    return list(session.scalars(select(GlossaryLink.term_code).where(
        GlossaryLink.version_id == version.id, GlossaryLink.element_code == element_code)))


# ---------------------------------------------------------------- adjusting


@dataclass(frozen=True)
class Change:
    """Set ``field`` (dotted path inside the element, e.g. ``value_max`` or ``text.zh``) of element ``code``."""

    code: str
    field: str
    value: Any


def _find(node: Any, code: str) -> dict[str, Any] | None:
    children: Iterable[Any]
    if isinstance(node, dict):
        if node.get("code") == code:
            return node
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        hit = _find(child, code)
        if hit is not None:
            return hit
    return None


def adjust_plan(session: Session, changes: list[Change], *, by: str, reason: str,
                plan_code: str | None = None, source: str = "adjustment") -> PlanVersion:
    """Apply ``changes`` to the newest version and store the result as a new version (规划调整).

    The adjusted document is validated like a loaded file; earlier versions are left as they were. ``source``
    records where the adjustment comes from (e.g. the evaluation report that proposed it).
    """
    if not by.strip() or not reason.strip():
        raise AdjustmentError("an adjustment needs who made it (by) and why (reason)")
    if not changes:
        raise AdjustmentError("no changes given")
    latest = latest_version(session, plan_code)
    data = copy.deepcopy(latest.document)
    for ch in changes:
        target = _find(data, ch.code)
        if target is None:
            raise AdjustmentError(f"no element with code {ch.code!r}")
        *path, last = ch.field.split(".")
        node: Any = target
        for part in path:
            if not isinstance(node, dict) or part not in node:
                raise AdjustmentError(f"{ch.code}: no field {ch.field!r}")
            node = node[part]
        if not isinstance(node, dict) or last not in node:
            raise AdjustmentError(f"{ch.code}: no field {ch.field!r}")
        node[last] = ch.value
    doc = parse_plan(data, f"adjustment of version {latest.number}")
    digest = content_hash(doc)
    if digest == latest.content_hash:
        raise AdjustmentError("the adjustment changes nothing")
    plan = latest.plan
    version = _write_version(session, plan, doc, flatten(doc), digest, by=by, source=source, reason=reason)
    _sync_indicators(session, plan, doc)
    return version


# ---------------------------------------------------------------- comparing


@dataclass
class ElementDiff:
    code: str
    kind: str
    status: str  # added | removed | changed
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)


_COMPARED = ("parent_code", "title_zh", "title_en", "text_zh", "text_en", "attrs")


def diff_versions(session: Session, a: int, b: int, plan_code: str | None = None) -> list[ElementDiff]:
    """What changed from version ``a`` to version ``b``, element by element (by code)."""
    va, vb = get_version(session, plan_code, a), get_version(session, plan_code, b)
    return _diff(elements(session, va), elements(session, vb))


def diff_document(session: Session, doc: PlanDocument) -> list[ElementDiff]:
    """What loading ``doc`` would change against the current version of its plan (every element added when
    the database has no such plan): the preview ``kechuang plan load`` shows before it asks."""
    try:
        current = elements(session, latest_version(session, doc.plan.code))
    except PlanNotFound:
        current = []
    return _diff(current, flatten(doc))


def _diff(old_rows: Iterable[Any], new_rows: Iterable[Any]) -> list[ElementDiff]:
    """Element-by-element comparison of two sequences of stored elements or flattened rows (by code)."""
    old = {e.code: e for e in old_rows}
    new = {e.code: e for e in new_rows}
    out: list[ElementDiff] = []
    for code, e in new.items():
        if code not in old:
            out.append(ElementDiff(code, e.kind, "added"))
            continue
        changed = {f: (getattr(old[code], f), getattr(e, f)) for f in _COMPARED
                   if getattr(old[code], f) != getattr(e, f)}
        if changed:
            out.append(ElementDiff(code, e.kind, "changed", changed))
    out += [ElementDiff(code, e.kind, "removed") for code, e in old.items() if code not in new]
    return out


def has_plan(session: Session, plan_code: str) -> bool:
    """Whether a plan with ``plan_code`` is stored (with at least one version)."""
    return session.scalar(select(func.count(PlanVersion.id)).join(Plan).where(Plan.code == plan_code)) != 0


def labels(session: Session, version: PlanVersion, kind: str, lang: str) -> dict[str, str]:
    """The labels of the plan's own codes of ``kind`` (``zone`` or ``place_type``, see ``LABEL_KINDS``) in
    ``lang``, in document order: code → label. A version stored before plans declared them has none."""
    return {e.code.partition(":")[2]: e.title(lang) for e in elements(session, version, kind)}


def bundle_of(session: Session, version: PlanVersion) -> DistrictBundle | None:
    """The district bundle a stored plan came from (its map, its special codes), or None (see
    :func:`kechuang.plan.bundle.bundle_for_plan`)."""
    stmt = select(PlanVersion.source).where(PlanVersion.plan_id == version.plan_id).order_by(PlanVersion.number.desc())
    return bundle_for_plan(version.plan.code, list(session.scalars(stmt)))
