"""Build an index from (iData, iMeta, spec) and keep every stage beside the spec that produced it.

``build`` validates the inputs, sorts the rows by ``uCode`` (then ``Time``), runs the spec's steps in
order and returns a :class:`Result` holding every stage as a frame (identifiers + one column per iCode),
the scores and ranks at every level, the weights used and the step reports. ``regenerate`` rebuilds a
result from the inputs and spec it holds; builds are deterministic, so it reproduces it exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kechuang.index._grid import compact, id_columns
from kechuang.index.aggregate import WeightSource, aggregate
from kechuang.index.denominate import denominate, denominators_from_meta
from kechuang.index.errors import SpecError
from kechuang.index.impute import impute
from kechuang.index.io import validate_idata, validate_imeta
from kechuang.index.normalise import normalise
from kechuang.index.results import ranks
from kechuang.index.screen import screen
from kechuang.index.spec import DATA_DRIVEN_WEIGHTS, Spec, Step, load_spec, parse_spec, validate_against
from kechuang.index.structure import Structure
from kechuang.index.treat import Treatment, treat
from kechuang.index.weights import (
    ahp_weights,
    data_driven_weights,
    effective_weights,
    equal_weights,
)

__all__ = ["STAGE_NAMES", "Inputs", "Result", "build", "prepare", "regenerate", "run_step", "weight_source"]

STAGE_NAMES = {
    "denominate": "Denominated",
    "impute": "Imputed",
    "screen": "Screened",
    "treat": "Treated",
    "normalise": "Normalised",
    "aggregate": "Aggregated",
}


@dataclass(frozen=True)
class Result:
    """Everything a build produced, with the inputs needed to reproduce it.

    ``stages`` maps ``Raw`` and the stage of each step run (``Denominated``, ``Imputed``, ``Screened``,
    ``Treated``, ``Normalised``, ``Aggregated``) to a frame with ``uCode`` (+ ``Time``) and one column per
    iCode; ``ranks`` ranks every code per year (highest score = 1, ties share the lowest rank);
    ``weights`` is the effective-weights table; ``treatment`` and ``screening`` are the reports of those
    steps (``None`` when not run).
    """

    spec: Spec
    data: pd.DataFrame
    meta: pd.DataFrame
    structure: Structure
    stages: Mapping[str, pd.DataFrame]
    ranks: pd.DataFrame
    weights: pd.DataFrame
    treatment: Treatment | None
    screening: pd.DataFrame | None

    @property
    def scores(self) -> pd.DataFrame:
        """Scores of every indicator and aggregate (the ``Aggregated`` stage)."""
        return self.stages["Aggregated"]

    def child_weights(self, code: str) -> dict[str, float]:
        """Weights (relative) of the children of an aggregate, as used in the build."""
        table = self.weights.set_index("iCode")["Weight"]
        return {c: float(table[c]) for c in self.structure.children[code]}


def _coerce_spec(spec: Spec | Mapping[str, Any] | str | Path) -> Spec:
    if isinstance(spec, Spec):
        return spec
    if isinstance(spec, Mapping):
        return parse_spec(dict(spec))
    return load_spec(spec)


def _sorted_rows(data: pd.DataFrame) -> pd.DataFrame:
    keys = [data[c].to_numpy() for c in reversed(id_columns(data))]
    order = np.lexsort(keys)
    if np.array_equal(order, np.arange(len(data))):
        return compact(data)
    return compact(data.take(order).reset_index(drop=True))


def _manual_weights(spec: Spec, step: Step | None, structure: Structure) -> dict[str, float]:
    """Weights that do not depend on the data: iMeta, a named set, equal or AHP (others keep iMeta)."""
    weights = dict(structure.weight)
    if step is None or step.method in ("manual", *DATA_DRIVEN_WEIGHTS):
        return weights
    if step.method == "equal":
        return equal_weights(structure)
    if step.method == "set":
        weights.update(spec.weight_sets[step.params["name"]])
        return weights
    if step.method != "ahp":
        raise ValueError(f"unknown weights method {step.method!r}")
    for entry in step.params["matrices"].values():
        w, _ = ahp_weights(np.array(entry["matrix"]))
        weights.update(dict(zip(entry["codes"], (float(v) for v in w), strict=True)))
    return weights


def weight_source(spec: Spec, structure: Structure) -> tuple[dict[str, float], WeightSource]:
    """The weights before any data-driven method, and the source the aggregation asks per level."""
    step = spec.step("weights")
    base = _manual_weights(spec, step, structure)
    if step is None or step.method not in DATA_DRIVEN_WEIGHTS:
        return base, base
    child_levels = set(step.params["levels"])

    def source(level: int, children: pd.DataFrame) -> dict[str, float]:
        if level - 1 not in child_levels:
            return base
        out = dict(base)
        for parent in structure.at_level(level):
            kids = list(structure.children[parent])
            out.update(data_driven_weights(step.method, children[kids]))
        return out

    return base, source


@dataclass(frozen=True)
class Inputs:
    """Validated inputs of a build: iData, iMeta, the structure and ``base``, the iData rows sorted by
    ``uCode`` (then ``Time``)."""

    data: pd.DataFrame
    meta: pd.DataFrame
    structure: Structure
    base: pd.DataFrame

    @property
    def raw(self) -> pd.DataFrame:
        """The ``Raw`` stage: identifiers and the indicator columns of ``base``."""
        return self.base[id_columns(self.base) + list(self.structure.indicators)]


def prepare(data: pd.DataFrame, meta: pd.DataFrame, spec: Spec) -> Inputs:
    """Validate iMeta, iData and the spec against them; sort the rows (see :class:`Inputs`)."""
    meta = validate_imeta(meta)
    data = validate_idata(data, meta)
    validate_against(spec, meta, data)
    return Inputs(data, meta, Structure.from_meta(meta), _sorted_rows(data))


def run_step(
    step: Step, current: pd.DataFrame, inputs: Inputs, source: str = "<spec>"
) -> tuple[pd.DataFrame, Treatment | pd.DataFrame | None]:
    """Run one data step (denominate, impute, screen, treat) or normalise on the stage ``current``.

    Returns the new stage and the step's report (the :class:`Treatment` of treat, the screening table of
    screen, ``None`` otherwise). ``source`` names the spec in errors.
    """
    p = step.params
    meta, base = inputs.meta, inputs.base
    indicators = list(inputs.structure.indicators)
    if step.step == "denominate":
        denoms = p["denominators"] if p["denominators"] is not None else denominators_from_meta(meta)
        return denominate(current, indicators, denoms, base), None
    if step.step == "impute":
        group = p.get("group")
        labels = None if group is None else base[group].to_numpy(dtype=object)[current.index.to_numpy()]
        imputed = impute(
            current,
            indicators,
            step.method,
            groups=labels,
            imp_type=p.get("imp_type", "latest"),
            max_time=p.get("max_time"),
        )
        return imputed, None
    if step.step == "screen":
        screened, screening = screen(
            current,
            indicators,
            step.method,
            dat_thresh=p["dat_thresh"],
            nonzero_thresh=p["nonzero_thresh"],
            force_in=p["force_in"],
            force_out=p["force_out"],
        )
        if screened.empty:
            raise SpecError(source, f"{step.path}.params", "screening removed every unit")
        return screened, screening
    if step.step == "treat":
        treatment = treat(current, indicators, step.method, p, step.indiv)
        return treatment.data, treatment
    if step.step == "normalise":
        normalised = normalise(
            current,
            indicators,
            inputs.structure.direction,
            step.method,
            p,
            step.indiv,
            global_=step.global_,
            meta=meta,
        )
        return normalised, None
    raise ValueError(f"run_step runs data steps and normalise, not {step.step!r}")


def build(data: pd.DataFrame, meta: pd.DataFrame, spec: Spec | Mapping[str, Any] | str | Path) -> Result:
    """Validate the inputs and run the spec; see the module docstring.

    ``spec`` may be a :class:`Spec`, plain data (parsed YAML) or a path to a YAML file.
    """
    spec = _coerce_spec(spec)
    inputs = prepare(data, meta, spec)
    structure, base = inputs.structure, inputs.base
    current = inputs.raw
    stages: dict[str, pd.DataFrame] = {"Raw": current}
    treatment: Treatment | None = None
    screening: pd.DataFrame | None = None
    final_weights = dict(structure.weight)
    for step in spec.steps:
        if step.step == "aggregate":
            base_weights, source = weight_source(spec, structure)
            groups = base.loc[current.index, list(inputs.meta.loc[inputs.meta["Type"] == "Group", "iCode"])]
            current, used = aggregate(current, structure, source, step.method, step.params, step.by_level, groups)
            final_weights = {**base_weights, **used}
        elif step.step != "weights":
            current, report = run_step(step, current, inputs, spec.source)
            if isinstance(report, Treatment):
                treatment = report
            elif report is not None:
                screening = report
        if step.step in STAGE_NAMES:
            stages[STAGE_NAMES[step.step]] = current
    return Result(
        spec=spec,
        data=inputs.data,
        meta=inputs.meta,
        structure=structure,
        stages=stages,
        ranks=ranks(current, list(structure.codes)),
        weights=effective_weights(final_weights, structure),
        treatment=treatment,
        screening=screening,
    )


def regenerate(result: Result, spec: Spec | Mapping[str, Any] | str | Path | None = None) -> Result:
    """Rebuild from the inputs a result holds, with its own spec or a replacement (for sensitivity runs)."""
    return build(result.data, result.meta, result.spec if spec is None else spec)
