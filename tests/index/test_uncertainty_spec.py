"""Uncertainty specs: parsing, resolution against a pipeline spec, and errors naming file, YAML path, reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kechuang.index.errors import SpecError
from kechuang.index.pipeline import prepare
from kechuang.index.spec import example_spec
from kechuang.index.uncertainty_spec import example_ua_spec, load_ua_spec, parse_ua_spec, resolve

WINMAX = {"name": "Winmax", "step": "treat", "param": "winmax", "values": [1, 2, 3]}


def _resolve(obj: dict[str, Any], data: pd.DataFrame, meta: pd.DataFrame) -> Any:
    spec = example_spec("asem_variant_a")
    return resolve(parse_ua_spec(obj, "ua.yaml"), spec, prepare(data, meta, spec))


def test_the_vignette_spec_resolves_and_round_trips(asem_data: pd.DataFrame, asem_meta: pd.DataFrame) -> None:
    ua = example_ua_spec()
    assert parse_ua_spec(ua.to_dict(), ua.source) == ua
    design = _resolve(ua.to_dict(), asem_data, asem_meta)
    assert [f.name for f in design.factors] == ["Winmax", "Normalisation", "Weights", "Aggregation"]
    assert design.dims == 1 + 1 + 10 + 1 and design.target == "Index"
    assert design.tracked == ("Index", "Conn", "Sust") and design.pairwise
    assert design.noise_codes[:2] == ("Physical", "ConEcFin") and len(design.noise_codes) == 10
    choices, mult = design.decode(np.array([[0.99, 0.2] + [0.0] * 10 + [0.5], [0.0, 0.5] + [1 - 1e-9] * 10 + [0.49]]))
    assert choices.tolist() == [[4, 0, 1], [0, 1, 0]]
    np.testing.assert_allclose(mult[0], 0.75) and np.testing.assert_allclose(mult[1], 1.25, atol=1e-8)
    variant = design.variant((4, 1, 1))
    assert variant.step("treat").params["winmax"] == 5  # type: ignore[union-attr]
    assert variant.step("normalise").params["m_sd"] == [10.0, 2.0]  # type: ignore[union-attr]
    assert variant.step("aggregate").method == "a_gmean"  # type: ignore[union-attr]
    assert design.labels((4, 1, 1)) == {"Winmax": "5", "Normalisation": "zscore", "Aggregation": "geometric"}


def test_normal_noise_is_floored_at_zero_and_none_skips_a_step(asem_data: pd.DataFrame,
                                                               asem_meta: pd.DataFrame) -> None:
    design = _resolve({"parameters": [
        {"name": "Treatment", "step": "treat", "alternatives": ["none", {"method": "winsorise"}]},
        {"name": "W", "weights": {"noise": "normal", "spread": 0.5, "codes": ["Conn"]}},
    ]}, asem_data, asem_meta)
    _, mult = design.decode(np.array([[0.1, 1e-6], [0.1, 0.5]]))
    assert mult[:, 0].tolist() == [0.0, 1.0]
    assert [s.step for s in design.variant((0,)).steps].count("treat") == 0
    assert design.labels((0,)) == {"Treatment": "none"}


@pytest.mark.parametrize(
    ("obj", "path", "reason"),
    [
        ({"parameters": [WINMAX], "colour": 1}, "colour", "unknown key 'colour'"),
        ({"parameters": []}, "parameters", "non-empty list"),
        ({"parameters": [{"name": "S", "step": "screen", "param": "dat_thresh", "values": [0.5, 0.9]}]},
         "parameters[0].step", "changes the set of units"),
        ({"parameters": [{"name": "W", "step": "treat", "param": "winmax", "values": [3]}]},
         "parameters[0].values", "at least two values"),
        ({"parameters": [WINMAX, {**WINMAX, "name": "Again"}]}, "parameters[1].step", "already varied"),
        ({"parameters": [WINMAX, WINMAX]}, "parameters[1].name", "already the name"),
        ({"parameters": [{"name": "N", "step": "normalise", "alternatives": [{"method": "n_minmx"}, {}]}]},
         "parameters[0].alternatives[0].method", "unknown normalise method 'n_minmx'"),
        ({"parameters": [{"name": "A", "step": "aggregate", "alternatives": ["none", {"method": "a_amean"}]}]},
         "parameters[0].alternatives[0]", "'none' (step not run) is allowed for"),
        ({"parameters": [{"name": "W", "weights": {"noise": "uniform", "spread": 1.0, "levels": [2]}}]},
         "parameters[0].weights.spread", "< 1"),
        ({"parameters": [{"name": "W", "weights": {"noise": "gaussian", "spread": 0.1, "levels": [2]}}]},
         "parameters[0].weights.noise", "'gaussian' is not valid"),
        ({"parameters": [WINMAX], "pairwise": "sometimes"}, "pairwise", "true, false or auto"),
    ],
)
def test_parse_errors_name_the_path(obj: dict[str, Any], path: str, reason: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_ua_spec(obj, "ua.yaml")
    assert info.value.source == "ua.yaml" and info.value.path == path and reason in info.value.reason


@pytest.mark.parametrize(
    ("parameter", "path", "reason"),
    [
        ({"name": "N", "step": "normalise", "alternatives": [{"method": "n_minmax", "params": {"l_u": [100, 1]}},
                                                             {"method": "n_zscore"}]},
         "parameters[0].alternatives[0]", "steps[4].params.l_u: the first entry must be smaller"),
        ({"name": "T", "step": "treat", "param": "winmx", "values": [1, 2]},
         "parameters[0].param", "unknown parameter 'winmx' for winsorise"),
        ({"name": "I", "step": "impute", "alternatives": [{"method": "i_mean_grp", "params": {"group": "Nope"}},
                                                          {"method": "i_mean"}]},
         "parameters[0].alternatives[0]", "'Nope' is not a Group column"),
        ({"name": "W", "weights": {"noise": "uniform", "spread": 0.2, "levels": [4]}},
         "parameters[0].weights.levels[0]", "no siblings"),
        ({"name": "W", "weights": {"noise": "uniform", "spread": 0.2, "codes": ["Nope"]}},
         "parameters[0].weights.codes[0]", "not an iCode"),
    ],
)
def test_resolution_errors_name_the_path(parameter: dict[str, Any], path: str, reason: str,
                                         asem_data: pd.DataFrame, asem_meta: pd.DataFrame) -> None:
    with pytest.raises(SpecError) as info:
        _resolve({"parameters": [parameter]}, asem_data, asem_meta)
    assert info.value.path == path and reason in info.value.reason, str(info.value)


def test_noise_below_data_driven_weights_is_refused(asem_data: pd.DataFrame, asem_meta: pd.DataFrame) -> None:
    with pytest.raises(SpecError) as info:
        _resolve({"parameters": [
            {"name": "Scheme", "step": "weights", "alternatives": [{"method": "manual"},
                                                                   {"method": "entropy", "params": {"levels": [2]}}]},
            {"name": "W", "weights": {"noise": "uniform", "spread": 0.2, "levels": [1]}},
        ]}, asem_data, asem_meta)
    assert info.value.path == "parameters[1].weights" and "entropy weights of level 2" in info.value.reason


def test_bad_target_and_yaml(asem_data: pd.DataFrame, asem_meta: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"ua.yaml target: 'Nope' is not an iCode"):
        _resolve({"target": "Nope", "parameters": [WINMAX]}, asem_data, asem_meta)
    broken = tmp_path / "broken.yaml"
    broken.write_text("parameters: [{name: W, step: treat\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"^broken.yaml: YAML syntax error: .*\(line \d+, column \d+\)$"):
        load_ua_spec(broken)
