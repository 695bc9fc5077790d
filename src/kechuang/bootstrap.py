"""Loading what ships with the package into a database: the Yangpu plan, the published index series and the
demo index build (演示数据). Used by ``kechuang init`` and by the tests, so both take the same path."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from kechuang.index_results import service as index_results
from kechuang.plan import service as plans
from kechuang.plan.loader import BUNDLED_PLAN, read_plan_file


@dataclass(frozen=True)
class BundleSummary:
    plan: plans.LoadResult
    published_figures: int
    index_run: int
    index_built: bool


def load_bundled(session: Session, *, by: str) -> BundleSummary:
    """Load the bundled plan, store the published index figures and build the demo index (all idempotent)."""
    res = plans.load_plan(session, read_plan_file(BUNDLED_PLAN), source="bundled:yangpu/plan.yaml", by=by)
    published = index_results.load_published(session, plans.get_plan(session, res.plan_code).id)
    run, built = index_results.build_yangpu_demo(session, by=by)
    return BundleSummary(res, published, run.id, built)
