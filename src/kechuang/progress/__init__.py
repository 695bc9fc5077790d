"""Progress assessment (进度评估): pure functions from numbers to documented statuses.

Rules (docs/progress.md): ``assess_elapsed`` (序时进度), ``assess_sdsn`` (SDSN arrows), ``assess_cagr``
(Statistics Canada / Open SDG), ``assess_projection`` (weighted trend), all reachable through ``assess``;
``annual_growth_needed``; ``roll_up`` to tasks and areas; ``supervision_status`` and ``check_conflict`` for 督办.
"""

from kechuang.progress.assessment import Assessment, Colour, NeededGrowth, Rule, Standing, Status
from kechuang.progress.cagr import assess_cagr
from kechuang.progress.config import ProgressConfig
from kechuang.progress.dispatch import assess
from kechuang.progress.elapsed import assess_elapsed, completion_rate, gap_colour
from kechuang.progress.needed import annual_growth_needed
from kechuang.progress.projection import Trend, assess_projection, weighted_trend
from kechuang.progress.rollup import Leaf, RollUp, roll_up
from kechuang.progress.sdsn import assess_sdsn
from kechuang.progress.series import Binding, Direction, Method, Point, Series
from kechuang.progress.supervision import ConflictCheck, Stage, SupervisionItem, check_conflict, supervision_status

__all__ = [
    "Assessment",
    "Binding",
    "Colour",
    "ConflictCheck",
    "Direction",
    "Leaf",
    "Method",
    "NeededGrowth",
    "Point",
    "ProgressConfig",
    "RollUp",
    "Rule",
    "Series",
    "Stage",
    "Standing",
    "Status",
    "SupervisionItem",
    "Trend",
    "annual_growth_needed",
    "assess",
    "assess_cagr",
    "assess_elapsed",
    "assess_projection",
    "assess_sdsn",
    "check_conflict",
    "completion_rate",
    "gap_colour",
    "roll_up",
    "supervision_status",
    "weighted_trend",
]
