"""Property tests: monotonicity, mirror symmetry of 逆向 indicators, and no NaN ever shown as a status."""

import math
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from kechuang.progress import (
    Assessment,
    Colour,
    Rule,
    Series,
    Stage,
    Status,
    SupervisionItem,
    assess,
    assess_cagr,
    assess_elapsed,
    roll_up,
    supervision_status,
)
from kechuang.progress.rollup import COLOUR_RANK

# Plan figures: zero or a magnitude in [1e-6, 1e6]; differences of two such values never overflow a ratio.
magnitudes = st.floats(min_value=1e-6, max_value=1e6)
values = st.one_of(st.just(0.0), magnitudes, magnitudes.map(lambda v: -v))
# Any finite float at all, subnormals and 1e308 included: the rules must still answer without a crash or NaN.
any_finite = st.floats(allow_nan=False, allow_infinity=False)
ELAPSED_RANK = {Status.LAGGING: 0, Status.ON_SCHEDULE: 1, Status.AHEAD: 2, Status.ACHIEVED: 3}


@st.composite
def timelines(draw: st.DrawFn) -> tuple[int, int, int]:
    """(t0, t, T) with t0 < t <= T."""
    t0 = draw(st.integers(2000, 2030))
    big_t = draw(st.integers(t0 + 1, t0 + 15))
    return t0, draw(st.integers(t0 + 1, big_t)), big_t


@st.composite
def level_series(draw: st.DrawFn, numbers: st.SearchStrategy[float] = values) -> Series:
    t0, _, big_t = draw(timelines())
    years = draw(st.lists(st.integers(t0 + 1, big_t), min_size=1, max_size=6, unique=True))
    return Series(
        baseline=(t0, draw(numbers)),
        observations=[(y, draw(numbers)) for y in years],
        target=(big_t, draw(numbers)),
        direction=draw(st.sampled_from([1, -1])),
        binding=draw(st.sampled_from(["binding", "guiding"])),
    )


def mirrored(series: Series) -> Series:
    """Negate every value and flip the direction."""
    assert series.target is not None
    return Series(
        baseline=(series.baseline.year, -series.baseline.value),
        observations=[(p.year, -p.value) for p in series.observations],
        target=(series.target.year, -series.target.value),
        direction=-series.direction,
        binding=series.binding,
    )


@given(timelines(), values, values, values, values)
def test_elapsed_rule_is_monotone_in_xt(
    times: tuple[int, int, int], x0: float, big_x: float, xa: float, xb: float
) -> None:
    t0, t, big_t = times
    low, high = sorted((xa, xb))
    results = [
        assess_elapsed(Series(baseline=(t0, x0), observations=[(t, xt)], target=(big_t, big_x))) for xt in (low, high)
    ]
    assert ELAPSED_RANK[results[0].status] <= ELAPSED_RANK[results[1].status]
    assert COLOUR_RANK[results[0].colour] >= COLOUR_RANK[results[1].colour]


@given(level_series())
def test_mirroring_a_reverse_indicator_keeps_every_status(series: Series) -> None:
    for rule in (Rule.ELAPSED, Rule.SDSN, Rule.PROJECTION):
        original, mirror = assess(series, rule), assess(mirrored(series), rule)
        assert (original.status, original.colour, original.warning) == (mirror.status, mirror.colour, mirror.warning)


def finite_or_none(a: Assessment) -> bool:
    return all(v is None or math.isfinite(v) for v in a.figures.values())


@given(level_series(any_finite), st.booleans())
def test_no_rule_crashes_or_shows_nan(series: Series, drop_target: bool) -> None:
    if drop_target:
        series = Series(baseline=series.baseline, observations=series.observations, direction=series.direction)
    for rule in (Rule.ELAPSED, Rule.SDSN, Rule.CAGR, Rule.PROJECTION):
        a = assess(series, rule)
        assert finite_or_none(a)
        assert a.needed is None or all(v is None or math.isfinite(v) for v in (a.needed.compound, a.needed.linear))
        assert a.reason_zh and a.reason_en
        assert (a.colour is Colour.GREY) == (a.status is Status.NOT_APPLICABLE)


@given(level_series(any_finite))
def test_cagr_needs_a_strictly_positive_series(series: Series) -> None:
    assert series.latest is not None and series.target is not None
    positive = min(series.baseline.value, series.latest.value, series.target.value) > 0
    a = assess_cagr(series)
    if not positive:
        assert a.status is Status.NOT_APPLICABLE and a.figures == {}
    ratio = a.figures.get("ratio")
    assert ratio is None or math.isfinite(ratio)


@given(st.integers(-60, 60), st.integers(-60, 60), st.integers(0, 30))
def test_supervision_never_improves_as_days_pass(day_a: int, day_b: int, window: int) -> None:
    rank = {Status.IN_PROGRESS: 0, Status.DUE_SOON: 1, Status.OVERDUE: 2}
    item = SupervisionItem(title="x", stage=Stage.FEEDBACK, deadline=date(2024, 6, 30))
    earlier, later = (
        supervision_status(item, date(2024, 6, 30) + timedelta(days=d), window) for d in sorted((day_a, day_b))
    )
    assert rank[earlier.status] <= rank[later.status]


@given(st.lists(level_series(), max_size=6))
def test_roll_up_colour_is_the_worst_applicable_colour(many: list[Series]) -> None:
    children = {f"指标{i}": assess_elapsed(s) for i, s in enumerate(many)}
    task = roll_up("任务", children)
    scored = [a.colour for a in children.values() if a.status is not Status.NOT_APPLICABLE]
    expected = max(scored, key=COLOUR_RANK.__getitem__) if scored else Colour.GREY
    assert task.colour is expected
    assert sum(task.counts_by_colour.values()) == len(children)
