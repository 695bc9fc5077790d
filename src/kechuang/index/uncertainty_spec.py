"""Declarative uncertainty specs (YAML): which inputs of a pipeline spec are uncertain, and how.

An uncertainty spec lists ``parameters``; each is one uncertain input factor (one group in a Sobol analysis):

* a **discrete choice** among ``values`` of one parameter of a step (``step: treat, param: winmax,
  values: [1, 2, 3, 4, 5]``), or among ``alternatives`` for a whole step (``step: normalise,
  alternatives: [{method: n_minmax, params: {l_u: [1, 100]}}, {method: n_zscore}]``; the entry ``none``
  means "the step is not run", for denominate, impute, treat and weights). An alternative replaces the whole
  step: keys not given take their defaults, exactly as in a pipeline spec. Named weight sets are
  alternatives of the weights step (``{method: set, params: {name: ...}}``).
* **noise on weights**: ``weights: {noise: uniform | normal, spread: s, levels: [...]}`` (or ``codes:``)
  multiplies the weight of every code of those levels by its own random factor.

Sampling maps a point u ∈ [0, 1)^D of the unit hypercube to a regeneration (:meth:`Design.decode`):

* a discrete factor with k options takes option ⌊u·k⌋ (each option has probability 1/k);
* uniform noise: w' = w·(1 + s·(2u − 1)), i.e. ±s around the nominal weight (0 < s < 1);
* normal noise: w' = w·max(0, 1 + s·Φ⁻¹(u)) (0 < s ≤ 0.5; a factor below 0 is floored at 0).

Other keys: ``target`` (the code whose ranks the analysis follows; default the index, i.e. the top code),
``track`` (codes given rank statistics: ``codes`` and/or ``levels``; default the target) and ``pairwise``
(probabilities that one unit ranks above another on the target: ``true``, ``false`` or ``auto``, which
computes them for at most :data:`PAIRWISE_AUTO_UNITS` units per year).

Every defect raises :class:`~kechuang.index.errors.SpecError` naming the file, the YAML path
(``parameters[1].alternatives[0].params.l_u``) and the reason. :func:`resolve` checks the spec against a
pipeline spec and the data: each alternative is applied to the pipeline spec and validated like any spec.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError
from scipy.special import ndtri

from kechuang.core.yamlfile import YamlFileError, parse_yaml, read_yaml
from kechuang.index._schema import bad, below, check_keys, nested, validated
from kechuang.index.errors import SpecError
from kechuang.index.pipeline import Inputs
from kechuang.index.spec import DATA_DRIVEN_WEIGHTS, METHODS, Spec, parse_spec, validate_against

__all__ = [
    "PAIRWISE_AUTO_UNITS",
    "DiscreteParameter",
    "NoiseParameter",
    "UncertaintySpec",
    "Design",
    "parse_ua_spec",
    "load_ua_spec",
    "example_ua_spec",
    "resolve",
]

PAIRWISE_AUTO_UNITS = 600
_TOP_KEYS = ("version", "name", "description", "target", "track", "pairwise", "parameters")
_SKIPPABLE = ("denominate", "impute", "treat", "weights")
_VARIABLE_STEPS = ("denominate", "impute", "treat", "normalise", "weights", "aggregate")
_ALT_KEYS = {
    "denominate": ("label", "method", "params"),
    "impute": ("label", "method", "params"),
    "treat": ("label", "method", "params", "indiv"),
    "normalise": ("label", "method", "params", "indiv", "global"),
    "weights": ("label", "method", "params"),
    "aggregate": ("label", "method", "params", "by_level"),
}


@dataclass(frozen=True)
class DiscreteParameter:
    """A discrete factor: option i sets ``param`` of ``step`` to ``payloads[i]`` (``values``), or replaces the
    step by the mapping ``payloads[i]`` (``alternatives``; ``None`` = the step is not run)."""

    name: str
    step: str
    param: str | None
    labels: tuple[str, ...]
    payloads: tuple[Any, ...]
    path: str

    @property
    def dims(self) -> int:
        """Columns of the unit hypercube this factor uses (1)."""
        return 1


@dataclass(frozen=True)
class NoiseParameter:
    """Noise on the weights of the codes of ``levels`` (or of ``codes``); see the module docstring."""

    name: str
    noise: str
    spread: float
    levels: tuple[int, ...]
    codes: tuple[str, ...]
    path: str


@dataclass(frozen=True)
class UncertaintySpec:
    """A validated uncertainty spec (``source`` names it in error messages)."""

    parameters: tuple[DiscreteParameter | NoiseParameter, ...]
    name: str = ""
    description: str = ""
    target: str | None = None
    track_codes: tuple[str, ...] = ()
    track_levels: tuple[int, ...] = ()
    pairwise: bool | None = None
    source: str = field(default="<uncertainty spec>", compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form; ``parse_ua_spec(ua.to_dict())`` gives back an equal spec."""
        out: dict[str, Any] = {"version": 1, "name": self.name}
        if self.description:
            out["description"] = self.description
        if self.target is not None:
            out["target"] = self.target
        track: dict[str, Any] = {}
        if self.track_codes:
            track["codes"] = list(self.track_codes)
        if self.track_levels:
            track["levels"] = list(self.track_levels)
        if track:
            out["track"] = track
        out["pairwise"] = "auto" if self.pairwise is None else self.pairwise
        params: list[dict[str, Any]] = []
        for p in self.parameters:
            if isinstance(p, NoiseParameter):
                noise: dict[str, Any] = {"noise": p.noise, "spread": p.spread}
                if p.levels:
                    noise["levels"] = list(p.levels)
                if p.codes:
                    noise["codes"] = list(p.codes)
                params.append({"name": p.name, "weights": noise})
            elif p.param is not None:
                params.append({"name": p.name, "step": p.step, "param": p.param, "values": list(p.payloads)})
            else:
                alts: list[Any] = [
                    "none" if payload is None else {"label": label, **copy.deepcopy(payload)}
                    for label, payload in zip(p.labels, p.payloads, strict=True)
                ]
                params.append({"name": p.name, "step": p.step, "alternatives": alts})
        out["parameters"] = params
        return out


def _fail(source: str, path: str, reason: str) -> SpecError:
    return SpecError(source, path, reason)


def _label(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _levels(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not value:
        raise bad(f"must be a non-empty list of levels, got {value!r}")
    for i, lev in enumerate(value):
        if not isinstance(lev, int) or isinstance(lev, bool) or lev < 1:
            raise bad(f"must be an integer >= 1, got {lev!r}", i)
    if len(set(value)) != len(value):
        raise bad(f"levels must be distinct, got {value!r}")
    return tuple(value)


def _codes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise bad(f"must be a non-empty list of iCodes, got {value!r}")
    for i, code in enumerate(value):
        if not isinstance(code, str) or not code:
            raise bad(f"must be a non-empty string, got {code!r}", i)
    if len(set(value)) != len(value):
        raise bad("codes must be distinct")
    return tuple(value)


def _label_text(value: Any) -> Any:
    if value is not None and (not isinstance(value, str) or not value):
        raise bad(f"must be a non-empty string, got {value!r}")
    return value


class _Noise(BaseModel):
    """``weights: {noise, spread, levels | codes}`` of one parameter."""

    model_config = ConfigDict(extra="forbid")

    noise: str = "uniform"
    spread: Any = None
    levels: Annotated[Any, BeforeValidator(_levels)] = ()
    codes: Annotated[Any, BeforeValidator(_codes)] = ()

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, raw: Any) -> Any:
        if not isinstance(raw, dict):
            raise bad("must be a mapping {noise: uniform|normal, spread: s, levels: [...]}")
        check_keys(raw, ("noise", "spread", "levels", "codes"))
        noise = raw.get("noise", "uniform")
        if noise not in ("uniform", "normal"):
            raise bad(f"{noise!r} is not valid (valid: uniform, normal)", "noise")
        spread = raw.get("spread")
        limit, open_top = (1.0, True) if noise == "uniform" else (0.5, False)
        if not isinstance(spread, int | float) or isinstance(spread, bool) or not math.isfinite(spread) \
                or spread <= 0 or spread > limit or (open_top and spread == limit):
            bound = f"< {limit:g}" if open_top else f"<= {limit:g}"
            raise bad(f"must be a number > 0 and {bound} for {noise} noise, got {spread!r}", "spread")
        if "levels" not in raw and "codes" not in raw:
            raise bad("give the weights to perturb: levels: [...] and/or codes: [...]")
        return raw


def _alternative(verb: str, raw: Any) -> tuple[str | None, dict[str, Any] | None]:
    if raw == "none":
        if verb not in _SKIPPABLE:
            raise bad(f"'none' (step not run) is allowed for {', '.join(_SKIPPABLE)}, not {verb}")
        return "none", None
    if not isinstance(raw, dict):
        raise bad(f"must be a mapping with method and params, or 'none', got {raw!r}")
    check_keys(raw, _ALT_KEYS[verb])
    label = raw.get("label")
    try:
        _label_text(label)
    except PydanticCustomError:
        raise bad(f"must be a non-empty string, got {label!r}", "label") from None
    method = raw.get("method")
    if method is not None and (not isinstance(method, str) or method not in METHODS[verb]):
        raise bad(f"unknown {verb} method {method!r} (valid methods: {', '.join(METHODS[verb])})", "method")
    return label, {k: copy.deepcopy(v) for k, v in raw.items() if k != "label"}


class _Discrete(BaseModel):
    """``step`` with ``param`` + ``values`` (one parameter) or ``alternatives`` (the whole step)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    step: str
    param: str | None = None
    values: list[Any] | None = None
    alternatives: list[Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, raw: dict[str, Any]) -> Any:
        check_keys(raw, ("name", "step", "param", "values", "alternatives"))
        verb = raw.get("step")
        if verb == "screen":
            raise bad("screen cannot be uncertain: it changes the set of units ranks compare", "step")
        if verb not in _VARIABLE_STEPS:
            raise bad(
                f"must be one of {', '.join(_VARIABLE_STEPS)} (or give weights: {{...}} for noise), got {verb!r}",
                "step",
            )
        if ("values" in raw) == ("alternatives" in raw):
            raise bad("give either param + values (one parameter) or alternatives (the whole step)")
        if "values" in raw:
            param = raw.get("param")
            if not isinstance(param, str) or not param:
                raise bad(f"must name a parameter of the {verb} step, got {param!r}", "param")
            values = raw["values"]
            if not isinstance(values, list) or len(values) < 2:
                raise bad(f"must be a list of at least two values, got {values!r}", "values")
            if len({_label(v) for v in values}) != len(values):
                raise bad("values must be distinct", "values")
        else:
            if "param" in raw:
                raise bad("only used with values", "param")
            alts = raw["alternatives"]
            if not isinstance(alts, list) or len(alts) < 2:
                raise bad(f"must be a list of at least two alternatives, got {alts!r}", "alternatives")
        return raw

    def parameter(self, path: str) -> DiscreteParameter:
        if self.values is not None:
            shown = tuple(_label(v) for v in self.values)
            return DiscreteParameter(self.name, self.step, self.param, shown, tuple(copy.deepcopy(self.values)), path)
        parsed = []
        for j, alt in enumerate(self.alternatives or []):
            try:
                parsed.append(_alternative(self.step, alt))
            except PydanticCustomError as exc:
                raise below(exc, "alternatives", j) from None
        given = [label or ("none" if payload is None else str(payload.get("method") or "default"))
                 for label, payload in parsed]
        labels: list[str] = []
        for j, label in enumerate(given):
            if given.count(label) > 1:
                if parsed[j][0] is not None:
                    raise bad(f"'{label}' is used twice", "alternatives", j, "label")
                label = f"{label} #{j + 1}"
            labels.append(label)
        return DiscreteParameter(self.name, self.step, None, tuple(labels), tuple(p for _, p in parsed), path)


def _parameter(raw: Any) -> Any:
    """One uncertain parameter: noise on weights, or a discrete choice."""
    if not isinstance(raw, dict):
        raise bad(f"must be a mapping with a name, got {raw!r}")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise bad(f"must be a non-empty string, got {name!r}", "name")
    if "weights" in raw:
        check_keys(raw, ("name", "weights"))
        try:
            noise = nested(_Noise, raw["weights"])
        except PydanticCustomError as exc:
            raise below(exc, "weights") from None
        return NoiseParameter(name, noise.noise, float(noise.spread), noise.levels, noise.codes, "")
    return nested(_Discrete, raw).parameter("")


class _Track(BaseModel):
    model_config = ConfigDict(extra="forbid")

    codes: Annotated[Any, BeforeValidator(_codes)] = ()
    levels: Annotated[Any, BeforeValidator(_levels)] = ()

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, raw: Any) -> Any:
        if not raw:  # absent, null or empty: the default (the target)
            return {}
        if not isinstance(raw, dict):
            raise bad("must be a mapping with codes and/or levels")
        check_keys(raw, ("codes", "levels"))
        return raw


class _UncertaintySpecModel(BaseModel):
    """The uncertainty spec format (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    name: str = ""
    description: str = ""
    target: str | None = None
    track: _Track = Field(default_factory=_Track)
    pairwise: bool | str = "auto"
    parameters: list[Annotated[Any, BeforeValidator(_parameter)]]

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, obj: Any) -> Any:
        if not isinstance(obj, dict):
            raise bad("the uncertainty spec must be a mapping with a 'parameters' list")
        check_keys(obj, _TOP_KEYS)
        if obj.get("version", 1) != 1:
            raise bad(f"unsupported version {obj['version']!r} (supported: 1)", "version")
        for key in ("name", "description", "target"):
            if key in obj and (not isinstance(obj[key], str) or (key == "target" and not obj[key])):
                raise bad(f"must be a {'non-empty ' if key == 'target' else ''}string, got {obj[key]!r}", key)
        if obj.get("pairwise", "auto") not in (True, False, "auto"):
            raise bad(f"must be true, false or auto, got {obj['pairwise']!r}", "pairwise")
        raw = obj.get("parameters")
        if not isinstance(raw, list) or not raw:
            raise bad("must be a non-empty list of uncertain parameters", "parameters")
        return obj

    @model_validator(mode="after")
    def _distinct(self) -> _UncertaintySpecModel:
        names: dict[str, int] = {}
        varied: dict[str, int] = {}
        for i, p in enumerate(self.parameters):
            if p.name in names:
                raise bad(f"'{p.name}' is already the name of parameters[{names[p.name]}]", "parameters", i, "name")
            names[p.name] = i
            if isinstance(p, DiscreteParameter):
                if p.step in varied:
                    reason = f"the {p.step} step is already varied by parameters[{varied[p.step]}]"
                    raise bad(reason, "parameters", i, "step")
                varied[p.step] = i
        return self


def parse_ua_spec(obj: Any, source: str = "<uncertainty spec>") -> UncertaintySpec:
    """Validate an uncertainty spec given as plain data (e.g. parsed YAML); see the module docstring.

    The format is the pydantic model :class:`_UncertaintySpecModel`; the first defect is raised as
    :class:`SpecError` with the file, the YAML path and the reason.
    """
    model = validated(_UncertaintySpecModel, obj, source)
    params = tuple(
        dataclasses.replace(p, path=f"parameters[{i}]" + (".weights" if isinstance(p, NoiseParameter) else ""))
        for i, p in enumerate(model.parameters)
    )
    return UncertaintySpec(
        parameters=params,
        name=model.name,
        description=model.description,
        target=model.target,
        track_codes=tuple(model.track.codes),
        track_levels=tuple(model.track.levels),
        pairwise=None if model.pairwise == "auto" else bool(model.pairwise),
        source=source,
    )


def load_ua_spec(path: str | Path) -> UncertaintySpec:
    """Read (:func:`kechuang.core.yamlfile.read_yaml`) and validate an uncertainty spec YAML file."""
    path = Path(path)
    try:
        obj = read_yaml(path, path.name)
    except YamlFileError as exc:
        raise SpecError(path.name, "", exc.located_reason) from None
    return parse_ua_spec(obj, path.name)


def example_ua_spec(name: str = "ua_coinr_vignette") -> UncertaintySpec:
    """An uncertainty spec shipped in ``kechuang/index/examples`` (e.g. ``ua_coinr_vignette``)."""
    text = resources.files("kechuang.index").joinpath("examples", f"{name}.yaml").read_text(encoding="utf-8")
    return parse_ua_spec(parse_yaml(text, f"{name}.yaml"), f"{name}.yaml")


# ---------------------------------------------------------------- resolution against a pipeline spec


@dataclass(frozen=True)
class NoiseFactor:
    """A resolved noise parameter: the perturbed ``codes`` and their columns ``offset … offset + dims``."""

    name: str
    noise: str
    spread: float
    codes: tuple[str, ...]
    offset: int
    path: str

    @property
    def dims(self) -> int:
        """Columns of the unit hypercube this factor uses (one per perturbed weight)."""
        return len(self.codes)


Factor = DiscreteParameter | NoiseFactor


@dataclass(frozen=True)
class Design:
    """An uncertainty spec resolved against a pipeline spec and the data: the factors in order, their columns
    in the unit hypercube, the target and tracked codes. Picklable, so workers can rebuild any variant."""

    factors: tuple[Factor, ...]
    nominal: Mapping[str, Any]
    target: str
    tracked: tuple[str, ...]
    pairwise: bool
    spec_source: str
    ua_source: str

    @property
    def dims(self) -> int:
        """D, the dimension of the unit hypercube."""
        return sum(f.dims for f in self.factors)

    @property
    def discrete(self) -> tuple[DiscreteParameter, ...]:
        """The discrete factors, in spec order (a variant is a tuple of one option index per factor)."""
        return tuple(f for f in self.factors if isinstance(f, DiscreteParameter))

    @property
    def noise(self) -> tuple[NoiseFactor, ...]:
        """The weight-noise factors, in spec order."""
        return tuple(f for f in self.factors if isinstance(f, NoiseFactor))

    @property
    def noise_codes(self) -> tuple[str, ...]:
        """Every perturbed code, in factor order (the columns of the multiplier matrix of :meth:`decode`)."""
        return tuple(c for f in self.noise for c in f.codes)

    def columns(self) -> list[int]:
        """For each column of the unit hypercube, the index of its factor (the Sobol group)."""
        return [i for i, f in enumerate(self.factors) for _ in range(f.dims)]

    def decode(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Map points ``u`` (S × D) of [0, 1)^D to (choices S × discrete factors, weight multipliers S × noise
        codes); see the module docstring for the formulas."""
        u = np.asarray(u, dtype=float)
        choices = np.empty((len(u), len(self.discrete)), dtype=np.int64)
        mult = np.empty((len(u), len(self.noise_codes)))
        col = d = n = 0
        for f in self.factors:
            if isinstance(f, DiscreteParameter):
                k = len(f.labels)
                choices[:, d] = np.minimum(np.floor(u[:, col] * k), k - 1)
                d += 1
            else:
                block = u[:, col : col + f.dims]
                if f.noise == "uniform":
                    mult[:, n : n + f.dims] = 1.0 + f.spread * (2.0 * block - 1.0)
                else:
                    z = ndtri(np.clip(block, 1e-12, 1.0 - 1e-12))
                    mult[:, n : n + f.dims] = np.maximum(0.0, 1.0 + f.spread * z)
                n += f.dims
            col += f.dims
        return choices, mult

    def labels(self, choice: Sequence[int]) -> dict[str, str]:
        """The option label of each discrete factor for one variant."""
        return {f.name: f.labels[int(i)] for f, i in zip(self.discrete, choice, strict=True)}

    def variant_dict(self, choice: Sequence[int]) -> dict[str, Any]:
        """The pipeline spec (plain data) of one variant: the nominal spec with each discrete option applied."""
        out = copy.deepcopy(dict(self.nominal))
        for f, i in zip(self.discrete, choice, strict=True):
            _apply(out, f, int(i))
        return out

    def variant(self, choice: Sequence[int]) -> Spec:
        """The validated pipeline spec of one variant."""
        return parse_spec(self.variant_dict(choice), f"{self.spec_source} (variant)")

    def options_of(self, step: str) -> list[Spec]:
        """The nominal spec with each option of the factor varying ``step`` (just the nominal if none does)."""
        factor = next((f for f in self.discrete if f.step == step), None)
        if factor is None:
            return [parse_spec(copy.deepcopy(dict(self.nominal)), self.spec_source)]
        out = []
        for j in range(len(factor.labels)):
            trial = copy.deepcopy(dict(self.nominal))
            _apply(trial, factor, j)
            out.append(parse_spec(trial, self.spec_source))
        return out


def _apply(spec: dict[str, Any], f: DiscreteParameter, option: int) -> None:
    steps: list[dict[str, Any]] = spec["steps"]
    pos = next((i for i, s in enumerate(steps) if s["step"] == f.step), None)
    payload = f.payloads[option]
    if f.param is not None:
        assert pos is not None
        steps[pos]["params"][f.param] = copy.deepcopy(payload)
    elif payload is None:
        if pos is not None:
            del steps[pos]
    elif pos is not None:
        steps[pos] = {"step": f.step, **copy.deepcopy(payload)}
    else:
        verbs = [s["step"] for s in steps]
        where = verbs.index("aggregate") if f.step == "weights" else verbs.index("normalise")
        steps.insert(where, {"step": f.step, **copy.deepcopy(payload)})


def _top_code(structure: Any, source: str) -> str:
    top = structure.at_level(structure.max_level)
    if len(top) != 1:
        raise SpecError(source, "target", f"the framework has {len(top)} top codes ({', '.join(top)}); name one")
    return str(top[0])


def resolve(ua: UncertaintySpec, spec: Spec, inputs: Inputs) -> Design:
    """Check ``ua`` against a pipeline spec and validated inputs, and resolve levels into codes.

    Each option is applied alone to ``spec`` and validated as a pipeline spec (errors name the option's YAML
    path in the uncertainty spec and the defect); weight noise must not feed data-driven weights.
    """
    structure, source = inputs.structure, ua.source
    nominal = spec.to_dict()
    factors: list[Factor] = []
    offset = 0
    seen_codes: dict[str, str] = {}
    for param in ua.parameters:
        if isinstance(param, DiscreteParameter):
            verbs = [s["step"] for s in nominal["steps"]]
            if param.param is not None:
                if param.step not in verbs:
                    raise _fail(
                        source, f"{param.path}.step", f"the pipeline spec {spec.source} has no {param.step} step"
                    )
                params = nominal["steps"][verbs.index(param.step)]["params"]
                if param.param not in params:
                    method = nominal["steps"][verbs.index(param.step)]["method"]
                    raise _fail(
                        source,
                        f"{param.path}.param",
                        f"unknown parameter '{param.param}' for {method} (valid parameters: "
                        f"{', '.join(params) or 'none'})",
                    )
            for j in range(len(param.labels)):
                where = f"{param.path}.values[{j}]" if param.param is not None else f"{param.path}.alternatives[{j}]"
                trial = copy.deepcopy(nominal)
                _apply(trial, param, j)
                try:
                    variant = parse_spec(trial, spec.source)
                    validate_against(variant, inputs.meta, inputs.data)
                except SpecError as exc:
                    raise _fail(source, where, f"not a valid {param.step} step: {exc.path}: {exc.reason}") from None
            factors.append(param)
            offset += 1
            continue
        codes: list[str] = []
        for i, lev in enumerate(param.levels):
            if lev >= structure.max_level:
                raise _fail(
                    source,
                    f"{param.path}.levels[{i}]",
                    f"level {lev} has no siblings to weigh against (levels 1..{structure.max_level - 1})",
                )
            codes.extend(structure.at_level(lev))
        for i, code in enumerate(param.codes):
            if code not in structure.level:
                raise _fail(source, f"{param.path}.codes[{i}]", f"'{code}' is not an iCode of the framework")
            if structure.parent[code] is None:
                raise _fail(source, f"{param.path}.codes[{i}]", f"'{code}' is the top code; it has no weight")
            if code not in codes:
                codes.append(code)
        for code in codes:
            if code in seen_codes:
                raise _fail(source, param.path, f"the weight of '{code}' is already perturbed by "
                            f"'{seen_codes[code]}'")
            seen_codes[code] = param.name
        factors.append(NoiseFactor(param.name, param.noise, param.spread, tuple(codes), offset, param.path))
        offset += len(codes)
    design_factors = tuple(factors)
    _check_data_driven(design_factors, nominal, structure.level, source)
    target = ua.target if ua.target is not None else _top_code(structure, source)
    if target not in structure.level:
        raise _fail(source, "target", f"'{target}' is not an iCode of the framework")
    tracked = [target]
    for i, code in enumerate(ua.track_codes):
        if code not in structure.level:
            raise _fail(source, f"track.codes[{i}]", f"'{code}' is not an iCode of the framework")
    for i, lev in enumerate(ua.track_levels):
        if lev > structure.max_level:
            raise _fail(source, f"track.levels[{i}]", f"the framework has levels 1..{structure.max_level}")
    for code in structure.codes:
        if code != target and (code in ua.track_codes or structure.level[code] in ua.track_levels):
            tracked.append(code)
    n_units = int(inputs.base.groupby("Time").size().max()) if "Time" in inputs.base else len(inputs.base)
    pairwise = n_units <= PAIRWISE_AUTO_UNITS if ua.pairwise is None else ua.pairwise
    return Design(design_factors, nominal, target, tuple(tracked), pairwise, spec.source, source)


def _check_data_driven(factors: tuple[Factor, ...], nominal: Mapping[str, Any], level: Mapping[str, int],
                       source: str) -> None:
    """Refuse weight noise below the level of data-driven weights (those are computed once per variant)."""
    noise = [f for f in factors if isinstance(f, NoiseFactor)]
    if not noise:
        return
    lowest = min(level[c] for f in noise for c in f.codes)
    weights_steps: list[Mapping[str, Any] | None] = [s for s in nominal["steps"] if s["step"] == "weights"]
    for f in factors:
        if isinstance(f, DiscreteParameter) and f.step == "weights" and f.param is None:
            weights_steps.extend(f.payloads)
    for step in weights_steps:
        if step is None or step.get("method") not in DATA_DRIVEN_WEIGHTS:
            continue
        levels = (step.get("params") or {}).get("levels", [1])
        if max(levels) > lowest:
            f = next(f for f in noise if min(level[c] for c in f.codes) == lowest)
            raise _fail(
                source,
                f.path,
                f"{step['method']} weights of level {max(levels)} are computed from scores that noise on level "
                f"{lowest} weights changes; perturb levels >= {max(levels)} only, or use fixed weights",
            )
