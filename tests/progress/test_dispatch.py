"""The dispatcher routes to the rule functions and keeps the configuration beside the result."""

from collections.abc import Callable

import pytest

from kechuang.progress import (
    Assessment,
    ProgressConfig,
    Rule,
    Series,
    assess,
    assess_cagr,
    assess_elapsed,
    assess_projection,
    assess_sdsn,
)

SERIES = Series(baseline=(2020, 99.04), observations=[(2021, 110.0), (2022, 125.0)], target=(2025, 150.0))


@pytest.mark.parametrize(
    ("rule", "function"),
    [("elapsed", assess_elapsed), ("sdsn", assess_sdsn), ("cagr", assess_cagr), ("projection", assess_projection)],
)
def test_each_rule_is_dispatched(rule: str, function: Callable[[Series], Assessment]) -> None:
    result = assess(SERIES, rule)
    assert result == function(SERIES)
    assert result.rule is Rule(rule)


def test_default_rule_and_config() -> None:
    assert assess(SERIES) == assess_elapsed(SERIES)
    strict = assess(SERIES, Rule.ELAPSED, ProgressConfig(delta=0.2))
    assert strict.inputs["delta"] == 0.2
    assert strict.status.value == "on_schedule"  # A − E = 0.109 < 0.2


def test_every_assessment_records_its_inputs() -> None:
    for rule in ("elapsed", "sdsn", "cagr", "projection"):
        inputs = assess(SERIES, rule).inputs
        assert {"t0": 2020, "x0": 99.04, "t": 2022, "xt": 125.0, "T": 2025, "X": 150.0}.items() <= inputs.items()
    assert assess(SERIES, "projection").inputs["projection_half_life_years"] == 3.0


def test_unknown_or_non_series_rules_are_refused() -> None:
    with pytest.raises(ValueError):
        assess(SERIES, "traffic-light")
    with pytest.raises(ValueError, match="supervision_status"):
        assess(SERIES, Rule.SUPERVISION)
