"""Loading what ships with the package into a database: the bundled plan (only into a database that has none),
its index framework (every node a plan indicator), the framework's published figures and the bundle's further
sourced figures (``found_figures.csv``, with their confidence). Used by
``kechuang init`` and by the tests, so both take the same path.

The plan is never replaced here: once a database holds the plan, its current version (adjusted or loaded by
``kechuang plan load``) stays current through every ``init`` and ``serve``; ``bundled_differs`` tells that the
bundled file has content no stored version has, for ``kechuang plan load`` to review. No index is computed
here: runs come from approved observations (``kechuang index rebuild``; the demo setup enters its demo values
through the submission workflow and rebuilds the same way).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kechuang.index_results import frameworks
from kechuang.index_results import service as index_results
from kechuang.indicators.found import load_found_figures
from kechuang.plan import service as plans
from kechuang.plan.loader import BUNDLED_PLAN, content_hash, read_plan_file
from kechuang.plan.models import PlanVersion


@dataclass(frozen=True)
class BundleSummary:
    plan: plans.LoadResult
    published_figures: int
    framework: str
    bundled_differs: bool


def load_bundled(session: Session, *, by: str) -> BundleSummary:
    """Load the bundled plan into a database without it, register its index framework and store the published
    figures (all idempotent; see the module docstring)."""
    doc = read_plan_file(BUNDLED_PLAN)
    if plans.has_plan(session, doc.plan.code):
        current = plans.latest_version(session, doc.plan.code)
        res = plans.LoadResult(doc.plan.code, current.number, False, len(plans.elements(session, current)),
                               len(current.document.get("facts", [])))
        digest = content_hash(doc)
        differs = session.scalar(select(PlanVersion.id).where(PlanVersion.plan_id == current.plan_id,
                                                              PlanVersion.content_hash == digest)) is None
    else:
        res = plans.load_plan(session, doc, source="bundled:yangpu/plan.yaml", by=by)
        differs = False
    plan_id = plans.get_plan(session, res.plan_code).id
    bundle = frameworks.read_bundle()
    fw = frameworks.register(session, plan_id, bundle)
    published_path = bundle.path(bundle.file.published)
    published = index_results.load_published(session, fw, published_path) if published_path else 0
    found = BUNDLED_PLAN.parent / "found_figures.csv"
    if found.is_file():
        load_found_figures(session, plan_id, found)
    return BundleSummary(res, published, fw.code, differs)
