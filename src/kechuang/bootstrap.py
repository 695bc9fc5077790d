"""Loading a district's bundle (:mod:`kechuang.plan.bundle`; by default the configured one, ``KECHUANG_BUNDLE``)
into a database: its plan (only into a database that has none), its index framework when it has one (every node
a plan indicator), the framework's published figures and the bundle's further sourced figures (with their
confidence). Used by ``kechuang init``, ``kechuang plan load DIR`` and the tests, so all take the same path.

The plan is never replaced here: once a database holds the plan, its current version (adjusted or loaded by
``kechuang plan load``) stays current through every ``init`` and ``serve``; ``bundled_differs`` tells that the
bundled file has content no stored version has, for ``kechuang plan load`` to review. No index is computed
here: runs come from approved observations (``kechuang index rebuild``; the demo setup enters its demo values
through the submission workflow and rebuilds the same way).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kechuang.index.errors import IndexInputError, SpecError
from kechuang.index.io import read_imeta
from kechuang.index_results import frameworks
from kechuang.index_results import service as index_results
from kechuang.indicators import profile_service as monitoring
from kechuang.indicators.found import load_found_figures
from kechuang.indicators.models import Indicator
from kechuang.plan import service as plans
from kechuang.plan.bundle import MANIFEST, BundleError, DistrictBundle, configured_bundle, read_bundle, read_outline
from kechuang.plan.loader import PlanFileError, content_hash, read_plan_file
from kechuang.plan.models import PlanVersion
from kechuang.plan.schemas import PlanDocument


@dataclass(frozen=True)
class BundleSummary:
    plan: plans.LoadResult
    published_figures: int
    framework: str | None
    bundled_differs: bool
    plan_file: Path


def load_bundled(session: Session, *, by: str, bundle: DistrictBundle | None = None) -> BundleSummary:
    """Load the plan of ``bundle`` (default: the configured one) into a database without it, register its index
    framework and store the published figures (all idempotent; see the module docstring)."""
    district = bundle or configured_bundle()
    doc = read_plan_file(district.plan_file)
    if plans.has_plan(session, doc.plan.code):
        current = plans.latest_version(session, doc.plan.code)
        res = plans.LoadResult(doc.plan.code, current.number, False, len(plans.elements(session, current)),
                               len(current.document.get("facts", [])))
        digest = content_hash(doc)
        differs = session.scalar(select(PlanVersion.id).where(PlanVersion.plan_id == current.plan_id,
                                                              PlanVersion.content_hash == digest)) is None
    else:
        res = plans.load_plan(session, doc, source=district.source, by=by)
        differs = False
    plan_id = plans.get_plan(session, res.plan_code).id
    _start_profiles(session, plan_id, doc)
    code, published = None, 0
    if district.index_folder is not None:
        index = frameworks.read_bundle(district.index_folder)
        fw = frameworks.register(session, plan_id, index)
        code = fw.code
        published_path = index.path(index.file.published)
        if published_path:
            published = index_results.load_published(session, fw, published_path, index.file.published_series)
    if district.found_figures is not None:
        load_found_figures(session, plan_id, district.found_figures)
    return BundleSummary(res, published, code, differs, district.plan_file)


def _start_profiles(session: Session, plan_id: int, doc: PlanDocument) -> None:
    """A monitoring profile with the stated reporting frequency for every indicator whose plan file states one
    and that has no profile yet (a profile the plan office has set is kept as it is)."""
    stated = {i.code: i.frequency for i in doc.indicators if i.frequency is not None}
    for ind in session.scalars(select(Indicator).where(Indicator.plan_id == plan_id, Indicator.code.in_(stated))):
        if monitoring.profile_of(session, ind.id) is None:
            monitoring.ensure_profile(session, ind).frequency = str(stated[ind.code])
    session.flush()


#: the columns ``found_figures.csv`` must have (read by :func:`kechuang.indicators.found.load_found_figures`)
FOUND_COLUMNS = ("indicator_zh", "year", "value", "unit", "plan_indicator_code", "note", "confidence", "source_title",
                 "source_url", "source_date", "quote")


def check_bundle(folder: Path) -> tuple[DistrictBundle | None, list[tuple[str, str, str]]]:
    """Validate a bundle folder without touching a database: the manifest, the plan file (every problem of the
    format and every broken reference), the glossary term ``places_term`` names, the map outline, the index
    framework (its file, iMeta and spec, with the engine's own readers) and the columns of the found figures.
    Returns the bundle (None when its manifest is unusable) and every problem as (file, YAML path, reason)."""
    try:
        bundle = read_bundle(folder)
    except BundleError as exc:
        return None, exc.problems
    problems: list[tuple[str, str, str]] = []
    manifest = str(bundle.folder / MANIFEST)
    try:
        doc = read_plan_file(bundle.plan_file)
    except PlanFileError as exc:
        problems += [(exc.file, path, reason) for path, reason in exc.problems]
    else:
        term = bundle.manifest.places_term
        if term and term not in {g.code for g in doc.glossary}:
            problems.append((manifest, "places_term", f"{term!r} is not the code of a glossary term of the plan"))
    if bundle.manifest.map is not None:
        try:
            read_outline(bundle)
        except BundleError as exc:
            problems += exc.problems
    if bundle.index_folder is not None:
        try:
            index = frameworks.read_bundle(bundle.index_folder)
            read_imeta(index.folder / index.file.meta)
            index.spec  # noqa: B018 - reading the spec validates it
        except (frameworks.FrameworkError, IndexInputError, SpecError) as exc:
            problems.append((str(bundle.index_folder / "framework.yaml"), "", str(exc)))
    if bundle.found_figures is not None:
        with bundle.found_figures.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh), [])
        missing = [c for c in FOUND_COLUMNS if c not in header]
        if missing:
            problems.append((str(bundle.found_figures), "line 1", f"missing columns: {', '.join(missing)}"))
    return bundle, problems
