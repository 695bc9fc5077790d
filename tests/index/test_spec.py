"""Spec parsing and validation: errors name the file, the YAML path and the reason."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from kechuang.index.pipeline import build
from kechuang.index.spec import (
    METHODS,
    Spec,
    SpecError,
    dump_spec,
    example_spec,
    load_spec,
    parse_spec,
    validate_against,
)

VARIANT_A: dict[str, Any] = yaml.safe_load(
    """
name: test
steps:
  - step: denominate
  - step: impute
    method: i_mean_grp
    params: {group: EurAsia_group}
  - step: screen
    method: byNA
    params: {dat_thresh: 0.9}
  - step: treat
    method: winsorise
    params: {winmax: 5}
  - step: normalise
    method: n_minmax
    params: {l_u: [0, 100]}
  - step: aggregate
    method: a_amean
"""
)


def spec_with(edit: Any) -> dict[str, Any]:
    spec = copy.deepcopy(VARIANT_A)
    edit(spec)
    return spec


def spec_error(tmp_path: Path, spec: dict[str, Any], name: str = "my_spec.yaml") -> SpecError:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    return info.value


def test_negative_winmax_names_file_path_and_reason(tmp_path: Path) -> None:
    err = spec_error(tmp_path, spec_with(lambda s: s["steps"][3]["params"].update(winmax=-1)))
    assert str(err) == "my_spec.yaml steps[3].params.winmax: must be an integer >= 0 or null, got -1"
    assert (err.source, err.path) == ("my_spec.yaml", "steps[3].params.winmax")


def test_unknown_method_lists_valid_methods(tmp_path: Path) -> None:
    err = spec_error(tmp_path, spec_with(lambda s: s["steps"][4].update(method="n_minmx")))
    assert str(err) == (
        "my_spec.yaml steps[4].method: unknown normalise method 'n_minmx' (valid methods: "
        + ", ".join(METHODS["normalise"])
        + ")"
    )


def test_unknown_parameter_lists_valid_parameters(tmp_path: Path) -> None:
    err = spec_error(tmp_path, spec_with(lambda s: s["steps"][3]["params"].update(winmx=4)))
    assert err.path == "steps[3].params.winmx"
    assert "unknown parameter 'winmx' for winsorise (valid parameters: winmax, skew_thresh" in err.reason


@pytest.mark.parametrize(
    ("edit", "path", "reason"),
    [
        (lambda s: s["steps"][0].update(step="denominator"), "steps[0].step", "unknown step 'denominator'"),
        (
            lambda s: s["steps"][1]["params"].pop("group"),
            "steps[1].params.group",
            "required parameter of i_mean_grp is missing",
        ),
        (
            lambda s: s["steps"][2]["params"].update(dat_thresh=1.5),
            "steps[2].params.dat_thresh",
            "must be <= 1, got 1.5",
        ),
        (
            lambda s: s["steps"][2].pop("method"),
            "steps[2].method",
            "required for screen (valid methods: byNA, byzeros, byNAandzeros)",
        ),
        (
            lambda s: s["steps"][4]["params"].update(l_u=[100, 0]),
            "steps[4].params.l_u",
            "the first entry must be smaller than the second",
        ),
        (lambda s: s["steps"][3].update(colour="red"), "steps[3].colour", "unknown key 'colour'"),
        (lambda s: s.update(stpes=[]), "stpes", "unknown key 'stpes'"),
        (lambda s: s["steps"].append({"step": "treat"}), "steps[6].step", "'treat' appears twice (first at steps[3])"),
        (lambda s: s["steps"].pop(), "steps", "a 'aggregate' step is required"),
        (lambda s: s["steps"].insert(4, s["steps"].pop(2)), "steps[4].step", "screen must come before normalise"),
        (lambda s: s["steps"].insert(0, s["steps"].pop()), "steps[0].step", "aggregate must be the last step"),
        (lambda s: s["steps"][5].update(params={"p": 2}), "steps[5].params.p", "unknown parameter 'p' for a_amean"),
        (
            lambda s: s["steps"][5].update(method="a_genmean"),
            "steps[5].params.p",
            "required parameter of a_genmean is missing",
        ),
        (
            lambda s: s["steps"][3].update(indiv={"Gas": {"params": {"winmax": "five"}}}),
            "steps[3].indiv.Gas.params.winmax",
            "must be an integer >= 0 or null, got 'five'",
        ),
        (
            lambda s: s["steps"][3]["params"].update(fallback="boxcox"),
            "steps[3].params.lambda",
            "required when fallback is boxcox",
        ),
        (
            lambda s: s["steps"][4].update(indiv={"Gas": "none"}),
            "steps[4].indiv.Gas",
            "'none' is only allowed for treat",
        ),
        (
            lambda s: s["steps"].insert(5, {"step": "weights", "method": "set", "params": {"name": "alt"}}),
            "steps[5].params.name",
            "weight set 'alt' is not defined in weight_sets (none defined)",
        ),
    ],
)
def test_spec_defects(tmp_path: Path, edit: Any, path: str, reason: str) -> None:
    err = spec_error(tmp_path, spec_with(edit))
    assert err.path == path
    assert err.reason.startswith(reason), err.reason
    assert str(err).startswith(f"my_spec.yaml {path}: ")


def test_invalid_yaml_reports_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("steps:\n  - step: treat\n    params: {winmax: [1, 2}\n")
    with pytest.raises(SpecError, match=r"^broken\.yaml: YAML syntax error: .* \(line 3, column 27\)$"):
        load_spec(path)


def test_defaults_are_resolved_and_recorded() -> None:
    spec = parse_spec(VARIANT_A)
    treat = spec.step("treat")
    assert treat is not None
    assert treat.params == {
        "winmax": 5,
        "skew_thresh": 2.0,
        "kurt_thresh": 3.5,
        "force_win": False,
        "fallback": "log_CT",
        "lambda": None,
        "makepos": True,
        "combine": False,
    }
    screen = spec.step("screen")
    assert screen is not None and screen.params["nonzero_thresh"] == 0.05
    assert spec.step("weights") is None


def test_dump_and_load_round_trip(tmp_path: Path) -> None:
    spec = parse_spec(
        spec_with(
            lambda s: (
                s["steps"][3].update(indiv={"Gas": "none", "Bord": {"params": {"winmax": 2}}}),
                s["steps"][5].update(by_level={4: {"method": "a_gmean"}}, params={"dat_thresh": 0.5}),
                s.update(weight_sets={"alt": {"Conn": 2, "Sust": 1}}),
                s["steps"].insert(5, {"step": "weights", "method": "set", "params": {"name": "alt"}}),
            )
        ),
        "round.yaml",
    )
    path = tmp_path / "round.yaml"
    path.write_text(dump_spec(spec))
    again = load_spec(path)
    assert again == spec
    assert again.step("treat").indiv["Bord"] == {  # type: ignore[union-attr]
        "method": "winsorise",
        "params": {**spec.step("treat").params, "winmax": 2},  # type: ignore[union-attr]
    }


def test_shipped_examples_load() -> None:
    a = example_spec("asem_variant_a")
    assert [s.step for s in a.steps] == ["denominate", "impute", "screen", "treat", "normalise", "weights", "aggregate"]
    panel = example_spec("panel_base_year")
    assert panel.step("normalise").method == "n_base_year"  # type: ignore[union-attr]


def test_spec_checked_against_data(asem_meta: pd.DataFrame, asem_data: pd.DataFrame) -> None:
    def check(edit: Any) -> SpecError:
        with pytest.raises(SpecError) as info:
            validate_against(parse_spec(spec_with(edit), "s.yaml"), asem_meta, asem_data)
        return info.value

    assert str(check(lambda s: s["steps"][1]["params"].update(group="Continent"))) == (
        "s.yaml steps[1].params.group: 'Continent' is not a Group column of iData "
        "(groups: GDP_group, GDPpc_group, Pop_group, EurAsia_group)"
    )
    assert str(check(lambda s: s["steps"][3].update(indiv={"Conn": "none"}))) == (
        "s.yaml steps[3].indiv.Conn: 'Conn' is not an indicator (level-1 iCode)"
    )
    assert check(lambda s: s["steps"][2]["params"].update(force_in=["AUT", "XXX"])).path == (
        "steps[2].params.force_in[1]"
    )
    assert check(lambda s: s["steps"][4].update(method="n_base_year", params={"base_year": 2010})).path == (
        "steps[4].params.base_year"
    )
    assert (
        check(lambda s: s["steps"][4].update(method="n_goalposts", params={})).reason == "iMeta has no column 'GPLower'"
    )
    assert check(lambda s: s["steps"][5].update(by_level={5: {"method": "a_gmean"}})).path == ("steps[5].by_level.5")


def _ahp(matrix: list[list[Any]], force: bool = False) -> dict[str, Any]:
    return spec_with(
        lambda s: s["steps"].insert(
            5,
            {
                "step": "weights",
                "method": "ahp",
                "params": {
                    "matrices": {"Sust": {"codes": ["Environ", "Social", "SusEcFin"], "matrix": matrix}},
                    "force": force,
                },
            },
        )
    )


def test_inconsistent_ahp_matrix_is_refused_unless_forced(asem_meta: pd.DataFrame, asem_data: pd.DataFrame) -> None:
    inconsistent = [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]
    with pytest.raises(SpecError) as info:
        build(asem_data, asem_meta, parse_spec(_ahp(inconsistent), "ahp.yaml"))
    assert info.value.path == "steps[5].params.matrices.Sust.matrix"
    assert "exceeds 0.1; revise the judgements or set force: true" in info.value.reason
    result = build(asem_data, asem_meta, parse_spec(_ahp(inconsistent, force=True), "ahp.yaml"))
    assert result.child_weights("Sust") == pytest.approx({"Environ": 1 / 3, "Social": 1 / 3, "SusEcFin": 1 / 3})


def test_ahp_matrix_must_be_reciprocal(tmp_path: Path) -> None:
    err = spec_error(tmp_path, _ahp([[1, 3, 5], [0.5, 1, 2], [0.2, 0.5, 1]]))
    assert err.path == "steps[5].params.matrices.Sust.matrix[1][0]"
    assert err.reason == "must be the reciprocal of matrix[0][1] = 3.0, got 0.5"


def test_spec_methods_and_defaults_match_the_verb_modules() -> None:
    from kechuang.index import aggregate, impute, normalise, screen, treat, weights

    assert set(METHODS["impute"]) == set(impute.IMPUTE_METHODS)
    assert set(METHODS["screen"]) == set(screen.SCREEN_METHODS)
    assert set(METHODS["treat"]) == set(treat.TREAT_METHODS)
    assert set(METHODS["normalise"]) == set(normalise.NORMALISE_METHODS)
    assert set(METHODS["weights"]) == set(weights.WEIGHT_METHODS)
    assert set(METHODS["aggregate"]) == set(aggregate.AGGREGATE_METHODS)
    required = {"lambda": 0.5, "ref": "AUT", "base_year": 2018}
    for verb, defaults in (("treat", treat.DEFAULTS), ("normalise", normalise.DEFAULTS)):
        for method, params in defaults.items():
            given = {k: v for k, v in required.items() if k in METHODS[verb][method] and params.get(k) is None}
            steps = [{"step": verb, "method": method, "params": given}]
            if verb == "treat":
                steps.append({"step": "normalise"})
            steps.append({"step": "aggregate"})
            step = parse_spec({"steps": steps}).step(verb)
            assert step is not None
            assert {k: v for k, v in step.params.items() if k not in given} == {
                k: v for k, v in params.items() if k not in given
            }, method
    agg = parse_spec({"steps": [{"step": "normalise"}, {"step": "aggregate"}]}).step("aggregate")
    assert agg is not None and agg.params == aggregate.DEFAULTS


def test_weight_set_zeroing_a_group_is_refused(asem_meta: pd.DataFrame, asem_data: pd.DataFrame) -> None:
    def spec(weights: dict[str, float]) -> Spec:
        return parse_spec(spec_with(lambda s: (
            s.update(weight_sets={"alt": weights}),
            s["steps"].insert(5, {"step": "weights", "method": "set", "params": {"name": "alt"}}),
        )), "s.yaml")

    with pytest.raises(SpecError) as info:
        validate_against(spec({"Conn": 0, "Sust": 0}), asem_meta, asem_data)
    assert str(info.value) == (
        "s.yaml weight_sets.alt.Conn: the weights of the children of 'Index' (Conn, Sust) sum to 0 with this set "
        "(iMeta weights for codes it does not list), so it cannot be aggregated"
    )
    validate_against(spec({"Conn": 0, "Sust": 1}), asem_meta, asem_data)  # control: one non-zero weight is enough
