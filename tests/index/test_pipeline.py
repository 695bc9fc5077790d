"""Building, regenerating and the options of the pipeline on the ASEM data."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from benchmarks.engine import bench_spec, synthetic_inputs

from kechuang.index.errors import IndexInputError, SpecError
from kechuang.index.pipeline import Result, build, regenerate
from kechuang.index.spec import dump_spec, example_spec


def assert_same_result(a: Result, b: Result) -> None:
    assert list(a.stages) == list(b.stages)
    for name in a.stages:
        pd.testing.assert_frame_equal(a.stages[name], b.stages[name], check_exact=True)
    pd.testing.assert_frame_equal(a.ranks, b.ranks, check_exact=True)
    pd.testing.assert_frame_equal(a.weights, b.weights, check_exact=True)
    assert a.spec == b.spec


def base_steps() -> list[dict[str, Any]]:
    return copy.deepcopy(example_spec("asem_variant_a").to_dict()["steps"])


def with_steps(steps: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    return {"name": "test", "steps": steps, **top}


def test_regenerate_reproduces_exactly(variant_a: Result) -> None:
    assert_same_result(variant_a, regenerate(variant_a))


def test_spec_written_as_yaml_rebuilds_the_same_result(
    tmp_path: Path, variant_a: Result, asem_data: pd.DataFrame, asem_meta: pd.DataFrame
) -> None:
    path = tmp_path / "saved.yaml"
    path.write_text(dump_spec(variant_a.spec))
    assert_same_result(variant_a, build(asem_data, asem_meta, path))


def test_inputs_are_not_modified(asem_data: pd.DataFrame, asem_meta: pd.DataFrame) -> None:
    data, meta = asem_data.copy(), asem_meta.copy()
    build(asem_data, asem_meta, example_spec())
    pd.testing.assert_frame_equal(asem_data, data)
    pd.testing.assert_frame_equal(asem_meta, meta)


def test_row_order_and_time_column_do_not_matter(
    variant_a: Result, asem_data: pd.DataFrame, asem_meta: pd.DataFrame
) -> None:
    shuffled = asem_data.sample(frac=1.0, random_state=3).drop(columns="Time")
    result = build(shuffled, asem_meta, example_spec())
    assert "Time" not in result.scores.columns
    expected = variant_a.scores.drop(columns="Time")
    np.testing.assert_allclose(
        result.scores.drop(columns="uCode").to_numpy(), expected.drop(columns="uCode").to_numpy(), rtol=1e-12
    )
    assert result.scores["uCode"].tolist() == sorted(asem_data["uCode"])


def test_only_the_steps_run_are_stages(asem_data: pd.DataFrame, asem_meta: pd.DataFrame) -> None:
    result = build(asem_data, asem_meta, with_steps([{"step": "normalise"}, {"step": "aggregate"}]))
    assert list(result.stages) == ["Raw", "Normalised", "Aggregated"]
    assert result.treatment is None and result.screening is None


def test_screening_everything_away_is_an_error(asem_data: pd.DataFrame, asem_meta: pd.DataFrame) -> None:
    steps: list[dict[str, Any]] = [
        {"step": "screen", "method": "byNA", "params": {"dat_thresh": 1.0}},
        {"step": "normalise"},
        {"step": "aggregate"},
    ]
    data = asem_data.assign(LPI=np.nan)
    with pytest.raises(SpecError, match=r"steps\[0\]\.params: screening removed every unit"):
        build(data, asem_meta, with_steps(steps))


def test_panel_base_year_index(asem_panel: pd.DataFrame, asem_meta: pd.DataFrame) -> None:
    result = build(asem_panel, asem_meta, example_spec("panel_base_year"))
    normalised = result.stages["Normalised"]
    base = normalised[normalised["Time"] == 2018].drop(columns=["uCode", "Time"]).to_numpy()
    assert np.all((base == 100) | np.isnan(base))
    np.testing.assert_allclose(result.scores.loc[result.scores["Time"] == 2018, "Index"], 100)
    aus = result.scores[result.scores["uCode"] == "AUS"].set_index("Time")
    raw = result.stages["Imputed"]
    aus_raw = raw[raw["uCode"] == "AUS"].set_index("Time")
    assert aus.at[2022, "LPI"] == pytest.approx(aus_raw.at[2022, "LPI"] / aus_raw.at[2018, "LPI"] * 100)
    assert aus.at[2022, "Tariff"] == pytest.approx(aus_raw.at[2018, "Tariff"] / aus_raw.at[2022, "Tariff"] * 100)


def test_global_normalisation_spans_all_years(asem_panel: pd.DataFrame, asem_meta: pd.DataFrame) -> None:
    steps: list[dict[str, Any]] = [{"step": "normalise", "method": "n_minmax", "global": True}, {"step": "aggregate"}]
    pooled = build(asem_panel, asem_meta, with_steps(steps)).stages["Normalised"]
    values = pooled.drop(columns=["uCode", "Time"])
    np.testing.assert_allclose(values.min(), 0)
    np.testing.assert_allclose(values.max(), 100)
    per_year = build(asem_panel, asem_meta, with_steps([{"step": "normalise"}, {"step": "aggregate"}]))
    yearly = per_year.stages["Normalised"].groupby("Time")["LPI"]
    np.testing.assert_allclose(yearly.min(), 0)
    np.testing.assert_allclose(yearly.max(), 100)
    assert not np.allclose(pooled["LPI"], per_year.stages["Normalised"]["LPI"])


@pytest.mark.parametrize("method", ["equal", "entropy", "critic", "cv", "pca"])
def test_weight_methods_sum_to_one_within_parents(
    method: str, asem_data: pd.DataFrame, asem_meta: pd.DataFrame
) -> None:
    steps = base_steps()
    steps[5] = {"step": "weights", "method": method}
    result = build(asem_data, asem_meta, with_steps(steps))
    table = result.weights.dropna(subset=["Parent"])
    np.testing.assert_allclose(table.groupby("Parent")["Normalised"].sum(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(result.weights.groupby("Level")["EffWeight"].sum(), 1.0, rtol=1e-12)
    physical = result.child_weights("Physical")
    if method == "equal":
        assert set(physical.values()) == {1.0}
    else:
        assert len(set(np.round(list(physical.values()), 12))) > 1
        assert set(result.child_weights("Conn").values()) == {1.0}  # data-driven at level 1 only


def test_named_weight_set(asem_data: pd.DataFrame, asem_meta: pd.DataFrame, variant_a: Result) -> None:
    steps = base_steps()
    steps[5] = {"step": "weights", "method": "set", "params": {"name": "sust_heavy"}}
    result = build(asem_data, asem_meta, with_steps(steps, weight_sets={"sust_heavy": {"Conn": 1, "Sust": 3}}))
    a = variant_a.scores.set_index("uCode")
    expected = (a["Conn"] + 3 * a["Sust"]) / 4
    np.testing.assert_allclose(result.scores.set_index("uCode")["Index"], expected, rtol=1e-12)
    assert result.weights.set_index("iCode").at["Sust", "EffWeight"] == 0.75


def test_geometric_top_level_and_copeland(asem_data: pd.DataFrame, asem_meta: pd.DataFrame, variant_a: Result) -> None:
    steps = base_steps()
    steps[4]["params"] = {"l_u": [1, 100]}
    steps[6]["by_level"] = {4: {"method": "a_gmean"}}
    result = build(asem_data, asem_meta, with_steps(steps))
    s = result.scores
    np.testing.assert_allclose(s["Index"], np.sqrt(s["Conn"] * s["Sust"]), rtol=1e-12)
    steps[6] = {"step": "aggregate", "method": "a_copeland"}
    copeland = build(asem_data, asem_meta, with_steps(steps)).scores
    assert copeland["Physical"].between(0, len(s) - 1).all()


def test_bench_inputs_build_at_small_size() -> None:
    data, meta = synthetic_inputs(units=40, indicators=50, years=3, seed=1)
    result = build(data, meta, bench_spec())
    assert result.scores.shape[1] == 2 + 50 + 5 + 1 + 1
    assert result.scores["Index"].notna().all()
    assert result.treatment is not None and len(result.treatment.details) == 150


def test_a_build_sees_inputs_changed_in_place_after_an_earlier_build(
    asem_data: pd.DataFrame, asem_meta: pd.DataFrame, variant_a: Result
) -> None:
    """Builds remember validated inputs by content: a value changed in place is built anew, and an invalid one
    is refused as on the first build (a copy, so the session fixtures stay as they are)."""
    data, spec = asem_data.copy(), example_spec("asem_variant_a")
    first = build(data, asem_meta, spec)
    pd.testing.assert_frame_equal(first.scores, variant_a.scores)  # control: the same content, the same result
    unit = str(data.loc[0, "uCode"])
    data.loc[0, "LPI"] = 1.0  # the lowest LPI in ASEM (1.9 to 4.2): the unit drops in the indicator's ranks
    second = build(data, asem_meta, spec)
    raw = second.stages["Raw"].set_index("uCode")
    assert raw.loc[unit, "LPI"] == 1.0 and first.stages["Raw"].set_index("uCode").loc[unit, "LPI"] != 1.0
    assert second.ranks.set_index("uCode").loc[unit, "LPI"] == len(second.scores)
    data.loc[0, "LPI"] = np.inf
    with pytest.raises(IndexInputError, match="LPI"):
        build(data, asem_meta, spec)


def test_changing_a_result_in_place_does_not_change_the_next_build(
    asem_data: pd.DataFrame, asem_meta: pd.DataFrame, variant_a: Result
) -> None:
    spec = example_spec("asem_variant_a")
    first = build(asem_data, asem_meta, spec)
    first.stages["Raw"].loc[0, "LPI"] = -5.0
    first.stages["Raw"].loc[0, "uCode"] = "XXX"
    first.data.loc[0, "LPI"] = -5.0
    first.scores.loc[0, "Index"] = -1.0
    again = build(asem_data, asem_meta, spec)
    for name, stage in variant_a.stages.items():
        pd.testing.assert_frame_equal(again.stages[name], stage)
    pd.testing.assert_frame_equal(again.data, variant_a.data)
    assert first.stages["Raw"].loc[0, "LPI"] == -5.0  # control: the change was made
