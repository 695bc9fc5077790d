"""Declarative pipeline specs (YAML) with COINr method names, validated with precise error locations.

A spec is a mapping with ``steps`` (a list run in order) and optional ``name``, ``description``,
``version`` and ``weight_sets``. Each step names its verb (``step``), a ``method`` and its ``params``;
``treat`` and ``normalise`` accept per-indicator overrides (``indiv``), ``normalise`` a ``global`` flag
(one normalisation over all years of a panel) and ``aggregate`` per-level overrides (``by_level``).

Rules on the sequence: each verb appears at most once; ``normalise`` and ``aggregate`` are required,
``aggregate`` is last, ``normalise`` comes after every data verb (denominate, impute, screen, treat).

Every defect raises :class:`SpecError` naming the spec file, the YAML path (``steps[3].params.winmax``)
and the reason; unknown methods and keys are refused with the list of valid ones. After validation every
parameter holds its resolved value (defaults filled in), so the spec stored beside a result records every
argument used. See ``docs/index-spec.md`` for the format.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model, model_validator
from pydantic_core import PydanticCustomError

from kechuang.core.yamlfile import YamlFileError, parse_yaml, read_yaml
from kechuang.index._schema import bad, below, check_keys, checked, nested, validated
from kechuang.index.errors import SpecError
from kechuang.index.structure import Structure
from kechuang.index.weights import ahp_weights

__all__ = [
    "SpecError",
    "Step",
    "Spec",
    "METHODS",
    "load_spec",
    "parse_spec",
    "dump_spec",
    "example_spec",
    "validate_against",
]

DATA_STEPS = ("denominate", "impute", "screen", "treat")
VERBS = DATA_STEPS + ("normalise", "weights", "aggregate")
DATA_DRIVEN_WEIGHTS = ("entropy", "critic", "cv", "pca")

_REQUIRED = object()


class _Fail:
    """Raises :class:`SpecError` for one spec source (used by :func:`validate_against`)."""

    def __init__(self, source: str):
        self.source = source

    def __call__(self, path: str, reason: str) -> SpecError:
        return SpecError(self.source, path, reason)


Check = Callable[[Any], Any]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    nonzero: bool = False,
    nullable: bool = False,
) -> Check:
    def check(value: Any) -> Any:
        if value is None and nullable:
            return None
        if not _is_number(value):
            raise bad(f"must be a number{' or null' if nullable else ''}, got {value!r}")
        if lo is not None and (value < lo or (lo_open and value == lo)):
            raise bad(f"must be {'>' if lo_open else '>='} {lo}, got {value!r}")
        if hi is not None and value > hi:
            raise bad(f"must be <= {hi}, got {value!r}")
        if nonzero and value == 0:
            raise bad("must not be 0")
        return float(value)

    return check


def _integer(lo: int | None = None, *, nullable: bool = False) -> Check:
    def check(value: Any) -> Any:
        if value is None and nullable:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or (lo is not None and value < lo):
            bound = "" if lo is None else f" >= {lo}"
            raise bad(f"must be an integer{bound}{' or null' if nullable else ''}, got {value!r}")
        return int(value)

    return check


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise bad(f"must be true or false, got {value!r}")
    return value


def _choice(*options: str) -> Check:
    def check(value: Any) -> Any:
        if value not in options:
            raise bad(f"{value!r} is not valid (valid: {', '.join(options)})")
        return value

    return check


def _text(*, nullable: bool = False) -> Check:
    def check(value: Any) -> Any:
        if value is None and nullable:
            return None
        if not isinstance(value, str) or not value:
            raise bad(f"must be a non-empty string{' or null' if nullable else ''}, got {value!r}")
        return value

    return check


def _pair(*, positive_second: bool = False, increasing: bool = False) -> Check:
    def check(value: Any) -> Any:
        if not isinstance(value, list | tuple) or len(value) != 2 or not all(_is_number(v) for v in value):
            raise bad(f"must be a list of two numbers, got {value!r}")
        if positive_second and value[1] <= 0:
            raise bad(f"the second entry must be > 0, got {value[1]!r}")
        if increasing and value[0] >= value[1]:
            raise bad(f"the first entry must be smaller than the second, got {value!r}")
        return [float(value[0]), float(value[1])]

    return check


def _text_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise bad(f"must be a list of strings, got {value!r}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise bad(f"must be a non-empty string, got {item!r}", i)
    return list(value)


def _levels(value: Any) -> list[int]:
    if not isinstance(value, list) or not value:
        raise bad(f"must be a non-empty list of levels, got {value!r}")
    for i, item in enumerate(value):
        if not isinstance(item, int) or isinstance(item, bool) or item < 1:
            raise bad(f"must be a level (integer >= 1), got {item!r}", i)
    return sorted(set(value))


def _text_map(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad(f"must be a mapping of iCode to column, got {value!r}")
    for key, item in value.items():
        if not isinstance(item, str) or not item:
            raise bad(f"must be a column name, got {item!r}", str(key))
    return {str(k): v for k, v in value.items()}


def _ratio(value: Any, *below: str | int) -> float:
    if isinstance(value, str):
        try:
            value = float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError):
            raise bad(f"must be a positive number or a fraction like '1/3', got {value!r}", *below) from None
    if not _is_number(value) or value <= 0:
        raise bad(f"must be a positive number or a fraction like '1/3', got {value!r}", *below)
    return float(value)


def _ahp_matrices(value: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict) or not value:
        raise bad("must map each parent iCode to {codes: [...], matrix: [[...], ...]}")
    out: dict[str, dict[str, Any]] = {}
    for parent, entry in value.items():
        p = str(parent)
        if not isinstance(entry, dict) or set(entry) != {"codes", "matrix"}:
            raise bad("must be a mapping with exactly the keys codes and matrix", p)
        try:
            codes = _text_list(entry["codes"])
        except PydanticCustomError as exc:
            raise below(exc, p, "codes") from None
        if len(set(codes)) != len(codes):
            raise bad("codes must be distinct", p, "codes")
        matrix = entry["matrix"]
        n = len(codes)
        if not isinstance(matrix, list) or len(matrix) != n:
            raise bad(f"must be a {n}×{n} list of rows (one per code)", p, "matrix")
        rows = []
        for i, row in enumerate(matrix):
            if not isinstance(row, list) or len(row) != n:
                raise bad(f"must be a row of {n} entries", p, "matrix", i)
            rows.append([_ratio(v, p, "matrix", i, j) for j, v in enumerate(row)])
        for i in range(n):
            if abs(rows[i][i] - 1.0) > 1e-9:
                raise bad(f"diagonal entries must be 1, got {rows[i][i]!r}", p, "matrix", i, i)
            for j in range(i + 1, n):
                if abs(rows[i][j] * rows[j][i] - 1.0) > 0.01:
                    raise bad(
                        f"must be the reciprocal of matrix[{i}][{j}] = {rows[i][j]!r}, got {rows[j][i]!r}",
                        p, "matrix", j, i,
                    )
        out[p] = {"codes": codes, "matrix": rows}
    return out


_Params = dict[str, tuple[Check, Any]]

_SKEW_KURT: _Params = {
    "skew_thresh": (_number(0, lo_open=True), 2.0),
    "kurt_thresh": (_number(), 3.5),
}
_AGG_COMMON: _Params = {
    "dat_thresh": (_number(0, 1, nullable=True), None),
    "missing": (_choice("drop", "group_mean"), "drop"),
    "group": (_text(nullable=True), None),
}
_DATA_DRIVEN: _Params = {"levels": (_levels, [1])}

METHODS: dict[str, dict[str, _Params]] = {
    "denominate": {"divide": {"denominators": (_text_map, None)}},
    "impute": {
        "i_mean": {},
        "i_median": {},
        "i_mean_grp": {"group": (_text(), _REQUIRED)},
        "i_median_grp": {"group": (_text(), _REQUIRED)},
        "impute_panel": {
            "imp_type": (_choice("latest", "constant", "linear"), "latest"),
            "max_time": (_integer(1, nullable=True), None),
        },
    },
    "screen": {
        method: {
            "dat_thresh": (_number(0, 1), 2 / 3),
            "nonzero_thresh": (_number(0, 1), 0.05),
            "force_in": (_text_list, []),
            "force_out": (_text_list, []),
        }
        for method in ("byNA", "byzeros", "byNAandzeros")
    },
    "treat": {
        "winsorise": {
            "winmax": (_integer(0, nullable=True), 5),
            **_SKEW_KURT,
            "force_win": (_boolean, False),
            "fallback": (_choice("log_CT", "boxcox", "none"), "log_CT"),
            "lambda": (_number(nullable=True), None),
            "makepos": (_boolean, True),
            "combine": (_boolean, False),
        },
        "log_CT": dict(_SKEW_KURT),
        "boxcox": {"lambda": (_number(), _REQUIRED), "makepos": (_boolean, True), **_SKEW_KURT},
    },
    "normalise": {
        "n_minmax": {"l_u": (_pair(increasing=True), [0.0, 100.0])},
        "n_zscore": {"m_sd": (_pair(positive_second=True), [0.0, 1.0])},
        "n_rank": {},
        "n_prank": {},
        "n_borda": {},
        "n_dist2max": {},
        "n_dist2ref": {
            "ref": (_text(), _REQUIRED),
            "ref_time": (_integer(nullable=True), None),
            "cap_max": (_boolean, False),
        },
        "n_dist2targ": {"target_col": (_text(), "Target"), "cap_max": (_boolean, False)},
        "n_fracmax": {},
        "n_goalposts": {
            "lower_col": (_text(), "GPLower"),
            "upper_col": (_text(), "GPUpper"),
            "scale": (_number(0, lo_open=True), 100.0),
            "trunc": (_boolean, True),
        },
        "n_base_year": {"base_year": (_integer(), _REQUIRED), "scale": (_number(0, lo_open=True), 100.0)},
    },
    "weights": {
        "manual": {},
        "equal": {},
        "set": {"name": (_text(), _REQUIRED)},
        "ahp": {"matrices": (_ahp_matrices, _REQUIRED), "force": (_boolean, False)},
        **{m: dict(_DATA_DRIVEN) for m in DATA_DRIVEN_WEIGHTS},
    },
    "aggregate": {
        "a_amean": dict(_AGG_COMMON),
        "a_gmean": dict(_AGG_COMMON),
        "a_hmean": dict(_AGG_COMMON),
        "a_genmean": {"p": (_number(nonzero=True), _REQUIRED), **_AGG_COMMON},
        "a_copeland": dict(_AGG_COMMON),
    },
}

DEFAULT_METHOD = {
    "denominate": "divide",
    "impute": "i_mean",
    "treat": "winsorise",
    "normalise": "n_minmax",
    "weights": "manual",
    "aggregate": "a_amean",
}

_STEP_KEYS = {
    "denominate": ("step", "method", "params"),
    "impute": ("step", "method", "params"),
    "screen": ("step", "method", "params"),
    "treat": ("step", "method", "params", "indiv"),
    "normalise": ("step", "method", "params", "indiv", "global"),
    "weights": ("step", "method", "params"),
    "aggregate": ("step", "method", "params", "by_level"),
}
_TOP_KEYS = ("version", "name", "description", "weight_sets", "steps")


@dataclass(frozen=True)
class Step:
    """One validated step: verb, method, resolved params and overrides.

    ``indiv`` maps an indicator to ``"none"`` (treat only) or ``{"method": ..., "params": {...}}``;
    ``by_level`` maps an aggregation level (the parents' level) to ``{"method": ..., "params": {...}}``.
    ``position`` is the index of the step in ``steps`` (used in error paths).
    """

    step: str
    method: str
    params: Mapping[str, Any]
    position: int
    indiv: Mapping[str, Any] = field(default_factory=dict)
    global_: bool = False
    by_level: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """YAML path of this step, e.g. ``steps[3]``."""
        return f"steps[{self.position}]"

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (YAML-ready) with every resolved parameter."""
        out: dict[str, Any] = {"step": self.step, "method": self.method, "params": _plain(self.params)}
        if self.step in ("treat", "normalise") and self.indiv:
            out["indiv"] = _plain(self.indiv)
        if self.step == "normalise":
            out["global"] = self.global_
        if self.step == "aggregate" and self.by_level:
            out["by_level"] = {int(k): _plain(v) for k, v in self.by_level.items()}
        return out


@dataclass(frozen=True)
class Spec:
    """A validated pipeline spec (``source`` names it in error messages and is not part of equality)."""

    steps: tuple[Step, ...]
    name: str = ""
    description: str = ""
    weight_sets: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    source: str = field(default="<spec>", compare=False)

    def step(self, verb: str) -> Step | None:
        """The step of a verb, or ``None`` when the spec does not run it."""
        return next((s for s in self.steps if s.step == verb), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form; ``parse_spec(spec.to_dict())`` gives back an equal spec."""
        out: dict[str, Any] = {"version": 1, "name": self.name}
        if self.description:
            out["description"] = self.description
        if self.weight_sets:
            out["weight_sets"] = _plain(self.weight_sets)
        out["steps"] = [s.to_dict() for s in self.steps]
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# --- the format as pydantic models ------------------------------------------------------------------------
# Models are built from METHODS on first use (and kept): one parameter model, one step model and one override
# model per (verb, method); a step or an override is validated by the model its verb and method choose
# (``_schema.nested`` keeps the error path). Leaf checks keep the engine's messages (see _schema).


def _method_of(verb: str, value: Any) -> str:
    valid = tuple(METHODS[verb])
    if value is None:
        if verb in DEFAULT_METHOD:
            return DEFAULT_METHOD[verb]
        raise bad(f"required for {verb} (valid methods: {', '.join(valid)})", "method")
    if not isinstance(value, str) or value not in valid:
        raise bad(f"unknown {verb} method {value!r} (valid methods: {', '.join(valid)})", "method")
    return str(value)


def _required(check: Check, method: str) -> Check:
    def required(value: Any) -> Any:
        if value is _REQUIRED:
            raise bad(f"required parameter of {method} is missing")
        return check(value)

    return required


def _cross_check(verb: str, method: str, params: dict[str, Any]) -> None:
    """Rules between parameters of one method."""
    if verb == "treat" and method == "winsorise" and params["fallback"] == "boxcox" and params["lambda"] is None:
        raise bad("required when fallback is boxcox", "lambda")
    if verb == "aggregate" and params["group"] is not None and params["missing"] != "group_mean":
        raise bad("only used with missing: group_mean", "group")


@functools.cache
def _params_model(verb: str, method: str) -> type[BaseModel]:
    schema = METHODS[verb][method]

    def known_keys(cls: type[BaseModel], given: Any) -> Any:
        if given is None:
            given = {}
        if not isinstance(given, dict):
            raise bad(f"must be a mapping of parameters, got {given!r}")
        for key in given:
            if key not in schema:
                valid = ", ".join(schema) if schema else "none"
                raise bad(f"unknown parameter '{key}' for {method} (valid parameters: {valid})", str(key))
        return given

    def across(self: BaseModel) -> BaseModel:
        _cross_check(verb, method, dict(self))
        return self

    fields: dict[str, Any] = {}
    for key, (check, default) in schema.items():
        if default is _REQUIRED:
            fields[key] = (checked(_required(check, method)), Field(default=_REQUIRED, validate_default=True))
        else:
            fields[key] = (checked(check), Field(default_factory=lambda d=default: _plain(copy.deepcopy(d))))
    validators: dict[str, Any] = {
        "known_keys": model_validator(mode="before")(known_keys),  # type: ignore[arg-type, dict-item]
        "across": model_validator(mode="after")(across),  # type: ignore[arg-type, dict-item]
    }
    return create_model(  # type: ignore[call-overload, no-any-return]
        f"Params_{verb}_{method}", __config__=ConfigDict(extra="forbid"), __validators__=validators, **fields
    )


@functools.cache
def _override_model(verb: str, method: str) -> type[BaseModel]:
    return create_model(  # type: ignore[call-overload, no-any-return]
        f"Override_{verb}_{method}",
        __config__=ConfigDict(extra="forbid"),
        method=(str, ...),
        params=(_params_model(verb, method), ...),
    )


def _override(verb: str, *, indiv: bool) -> Any:
    """``{method, params}`` overriding a step for one indicator (``indiv``) or one level (``by_level``)."""

    def override(entry: Any) -> Any:
        if entry == "none":
            if not indiv or verb != "treat":
                if not indiv:
                    raise bad(f"must be a mapping with method and/or params, got {entry!r}")
                raise bad("'none' is only allowed for treat")
            return entry
        if not isinstance(entry, dict):
            raise bad(f"must be a mapping with method and/or params, got {entry!r}")
        check_keys(entry, ("method", "params"))
        return nested(_override_model(verb, _method_of(verb, entry.get("method"))), entry)

    return checked(override)


def _with_base(verb: str, entry: Any, method: str, params: Any) -> Any:
    """An override of the step's own method starts from the step's params; another method from defaults."""
    if not isinstance(entry, dict):
        return entry
    own = entry.get("method", method)
    out = {**entry, "method": own, "params": entry.get("params")}
    if own == method and isinstance(params, dict) and isinstance(entry.get("params", {}), dict | None):
        out["params"] = {**params, **(entry.get("params") or {})}
    return out


def _step_head(raw: Any) -> Any:
    """Shape of one step before its method's model takes over: verb, keys, method, overrides' bases."""
    if not isinstance(raw, dict):
        raise bad(f"must be a mapping with at least the key 'step', got {raw!r}")
    verb = raw.get("step")
    if not isinstance(verb, str) or verb not in VERBS:
        raise bad(f"unknown step {verb!r} (valid steps: {', '.join(VERBS)})", "step")
    check_keys(raw, _STEP_KEYS[verb])
    method = _method_of(verb, raw.get("method"))
    out = {**raw, "method": method, "params": raw.get("params")}
    if raw.get("indiv") is not None:
        if not isinstance(raw["indiv"], dict):
            raise bad("must map indicator codes to overrides", "indiv")
        out["indiv"] = {str(c): _with_base(verb, e, method, raw.get("params")) for c, e in raw["indiv"].items()}
    else:
        out.pop("indiv", None)
    if raw.get("by_level") is not None:
        if not isinstance(raw["by_level"], dict):
            raise bad("must map levels (integers >= 2) to {method, params}", "by_level")
        levels: dict[str, Any] = {}
        for lev, entry in raw["by_level"].items():
            if not isinstance(lev, int) or isinstance(lev, bool) or lev < 2:
                raise bad(f"level must be an integer >= 2, got {lev!r}", "by_level", str(lev))
            levels[str(lev)] = _with_base(verb, entry, method, raw.get("params"))
        out["by_level"] = levels
    else:
        out.pop("by_level", None)
    return out


@functools.cache
def _step_model(verb: str, method: str) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "step": (str, ...),
        "method": (str, ...),
        "params": (_params_model(verb, method), ...),
    }
    if verb in ("treat", "normalise"):
        fields["indiv"] = (dict[str, _override(verb, indiv=True)], Field(default_factory=dict))  # type: ignore[misc]
    if verb == "normalise":
        fields["global_"] = (checked(_boolean), Field(default=False, alias="global"))
    if verb == "aggregate":
        fields["by_level"] = (dict[str, _override(verb, indiv=False)], Field(default_factory=dict))  # type: ignore[misc]

    def base_year_is_per_unit(self: BaseModel) -> BaseModel:
        if getattr(self, "global_", False) and method == "n_base_year":
            raise bad("n_base_year is computed per unit over time; global does not apply", "global")
        return self

    return create_model(  # type: ignore[call-overload, no-any-return]
        f"Step_{verb}_{method}",
        __config__=ConfigDict(extra="forbid", populate_by_name=True),
        __validators__={"per_unit": model_validator(mode="after")(base_year_is_per_unit)},  # type: ignore[arg-type, dict-item]
        **fields,
    )


_NonNegative = Annotated[Any, BeforeValidator(_number(0))]


def _steps_list(value: Any) -> Any:
    if not isinstance(value, list) or not value:
        raise bad("must be a non-empty list of steps")
    return value


def _weight_sets(value: Any) -> Any:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad("must map set names to {iCode: weight}")
    out = {}
    for name, weights in value.items():
        if not isinstance(weights, dict) or not weights:
            raise bad("must be a non-empty mapping of iCode to weight", str(name))
        out[str(name)] = {str(code): w for code, w in weights.items()}
    return out


def _spec_head(cls: type[BaseModel], obj: Any) -> Any:
    if not isinstance(obj, dict):
        raise bad("the spec must be a mapping with a 'steps' list")
    check_keys(obj, _TOP_KEYS)
    if obj.get("version", 1) != 1:
        raise bad(f"unsupported spec version {obj['version']!r} (supported: 1)", "version")
    for key in ("name", "description"):
        if key in obj and not isinstance(obj[key], str):
            raise bad(f"must be a string, got {obj[key]!r}", key)
    _steps_list_at(obj.get("steps"))
    return obj


def _steps_list_at(value: Any) -> None:
    try:
        _steps_list(value)
    except PydanticCustomError:
        raise bad("must be a non-empty list of steps", "steps") from None


def _sequence(self: BaseModel) -> BaseModel:
    """Rules on the sequence of steps, and the weight set a ``set`` step names."""
    steps: list[Any] = list(self.steps)  # type: ignore[attr-defined]
    seen: dict[str, int] = {}
    for pos, s in enumerate(steps):
        if s.step in seen:
            raise bad(f"'{s.step}' appears twice (first at steps[{seen[s.step]}])", "steps", pos, "step")
        seen[s.step] = pos
    for verb in ("normalise", "aggregate"):
        if verb not in seen:
            raise bad(f"a '{verb}' step is required", "steps")
    if seen["aggregate"] != len(steps) - 1:
        raise bad("aggregate must be the last step", "steps", seen["aggregate"], "step")
    for verb in DATA_STEPS:
        if verb in seen and seen[verb] > seen["normalise"]:
            raise bad(f"{verb} must come before normalise", "steps", seen[verb], "step")
    sets: dict[str, Any] = self.weight_sets  # type: ignore[attr-defined]
    if "weights" in seen:
        weights = steps[seen["weights"]]
        if weights.method == "set" and weights.params.name not in sets:
            known = ", ".join(sets) or "none defined"
            raise bad(
                f"weight set {weights.params.name!r} is not defined in weight_sets ({known})",
                "steps", seen["weights"], "params", "name",
            )
    return self




def _step(raw: Any) -> Any:
    """One step: its shape, then the model of its verb and method (built on first use)."""
    out = _step_head(raw)
    return nested(_step_model(out["step"], out["method"]), out)


@functools.cache
def _spec_model() -> type[BaseModel]:
    return create_model(  # type: ignore[call-overload, no-any-return]
        "PipelineSpec",
        __config__=ConfigDict(extra="forbid"),
        __validators__={
            "head": model_validator(mode="before")(_spec_head),  # type: ignore[arg-type, dict-item]
            "sequence": model_validator(mode="after")(_sequence),  # type: ignore[arg-type, dict-item]
        },
        version=(int, 1),
        name=(str, ""),
        description=(str, ""),
        steps=(list[Annotated[Any, BeforeValidator(_step)]], ...),
        weight_sets=(
            Annotated[dict[str, dict[str, _NonNegative]], BeforeValidator(_weight_sets)],
            Field(default_factory=dict),
        ),
    )


def _override_data(entry: Any) -> Any:
    return "none" if entry == "none" else {"method": entry.method, "params": entry.params.model_dump()}


def parse_spec(obj: Any, source: str = "<spec>") -> Spec:
    """Validate a spec given as plain data (e.g. parsed YAML) and resolve every default.

    The format is the pydantic model :func:`_spec_model` built from :data:`METHODS`; the first defect is
    raised as :class:`SpecError` with the file, the YAML path and the reason.
    """
    model: Any = validated(_spec_model(), obj, source)
    steps = tuple(
        Step(
            s.step,
            s.method,
            s.params.model_dump(),
            pos,
            {code: _override_data(e) for code, e in getattr(s, "indiv", {}).items()},
            bool(getattr(s, "global_", False)),
            {int(lev): _override_data(e) for lev, e in getattr(s, "by_level", {}).items()},
        )
        for pos, s in enumerate(model.steps)
    )
    return Spec(steps, model.name, model.description, model.weight_sets, source)


def load_spec(path: str | Path) -> Spec:
    """Read (:func:`kechuang.core.yamlfile.read_yaml`) and validate a YAML spec file."""
    path = Path(path)
    try:
        obj = read_yaml(path, path.name)
    except YamlFileError as exc:
        raise SpecError(path.name, "", exc.located_reason) from None
    return parse_spec(obj, path.name)


def dump_spec(spec: Spec) -> str:
    """The spec as YAML text with every resolved parameter (``load``/``parse`` gives an equal spec)."""
    return yaml.safe_dump(spec.to_dict(), sort_keys=False, allow_unicode=True)


def example_spec(name: str = "asem_variant_a") -> Spec:
    """A spec shipped in ``kechuang/index/examples`` (e.g. ``asem_variant_a``, ``panel_base_year``)."""
    text = resources.files("kechuang.index").joinpath("examples", f"{name}.yaml").read_text(encoding="utf-8")
    return parse_spec(parse_yaml(text, f"{name}.yaml"), f"{name}.yaml")


def _groups(meta: pd.DataFrame) -> list[str]:
    return [str(c) for c in meta.loc[meta["Type"] == "Group", "iCode"]]


def _check_group(step: Step, key: str, meta: pd.DataFrame, fail: _Fail) -> None:
    group = step.params.get(key)
    if group is not None and group not in _groups(meta):
        raise fail(
            f"{step.path}.params.{key}",
            f"{group!r} is not a Group column of iData (groups: {', '.join(_groups(meta)) or 'none'})",
        )


def _check_normalise(
    method: str,
    params: Mapping[str, Any],
    codes: list[str],
    path: str,
    step: Step,
    meta: pd.DataFrame,
    data: pd.DataFrame,
    fail: _Fail,
) -> None:
    has_time = "Time" in data.columns
    if method == "n_dist2ref":
        if params["ref"] not in set(data["uCode"]):
            raise fail(f"{path}.params.ref", f"{params['ref']!r} is not a uCode of iData")
        if params["ref_time"] is not None and (not has_time or params["ref_time"] not in set(data["Time"])):
            raise fail(f"{path}.params.ref_time", f"{params['ref_time']!r} is not a Time of iData")
        if step.global_ and has_time and params["ref_time"] is None:
            raise fail(f"{path}.params.ref_time", "required with global: true on panel data")
    elif method in ("n_dist2targ", "n_goalposts"):
        keys = ("target_col",) if method == "n_dist2targ" else ("lower_col", "upper_col")
        by_code = meta.set_index("iCode")
        for key in keys:
            col = params[key]
            if col not in meta.columns:
                raise fail(f"{path}.params.{key}", f"iMeta has no column {col!r}")
            for code in codes:
                value = by_code.at[code, col]
                if pd.isna(value):
                    raise fail(f"{path}.params.{key}", f"iMeta column {col!r} is empty for indicator '{code}'")
    elif method == "n_base_year":
        if not has_time:
            raise fail(f"{path}.method", "n_base_year needs a Time column in iData")
        if params["base_year"] not in set(data["Time"]):
            raise fail(f"{path}.params.base_year", f"{params['base_year']!r} is not a Time of iData")


def validate_against(spec: Spec, meta: pd.DataFrame, data: pd.DataFrame) -> None:
    """Check that a spec fits a validated iMeta/iData pair (codes, groups, units, years, iMeta columns).

    Raises :class:`SpecError` with the YAML path of the first misfit, e.g. an ``indiv`` key that is not an
    indicator, a ``group`` that is not a Group column, an AHP matrix whose consistency ratio exceeds 0.1, a
    weight set under which the children of a parent weigh 0 in total.
    """
    fail = _Fail(spec.source)
    structure = Structure.from_meta(meta)
    indicators = set(structure.indicators)
    units = set(data["uCode"])
    for name, weights in spec.weight_sets.items():
        for code in weights:
            if code not in structure.level:
                raise fail(f"weight_sets.{name}.{code}", f"'{code}' is not an indicator or aggregate iCode")
        merged = {**structure.weight, **weights}
        for parent, kids in structure.children.items():
            if sum(merged[c] for c in kids) == 0:
                given = [c for c in kids if c in weights]
                raise fail(
                    f"weight_sets.{name}.{given[0]}" if given else f"weight_sets.{name}",
                    f"the weights of the children of '{parent}' ({', '.join(kids)}) sum to 0 with this set "
                    "(iMeta weights for codes it does not list), so it cannot be aggregated",
                )
    for step in spec.steps:
        for code in step.indiv:
            if code not in indicators:
                raise fail(f"{step.path}.indiv.{code}", f"'{code}' is not an indicator (level-1 iCode)")
        if step.step == "denominate" and step.params["denominators"] is not None:
            denominators = set(meta.loc[meta["Type"] == "Denominator", "iCode"])
            for code, col in step.params["denominators"].items():
                if code not in indicators:
                    raise fail(f"{step.path}.params.denominators.{code}", f"'{code}' is not an indicator")
                if col not in denominators:
                    raise fail(f"{step.path}.params.denominators.{code}", f"{col!r} is not a Denominator column")
        elif step.step == "impute":
            _check_group(step, "group", meta, fail)
            if step.method == "impute_panel" and "Time" not in data.columns:
                raise fail(f"{step.path}.method", "impute_panel needs a Time column in iData")
        elif step.step == "screen":
            for key in ("force_in", "force_out"):
                for i, code in enumerate(step.params[key]):
                    if code not in units:
                        raise fail(f"{step.path}.params.{key}[{i}]", f"{code!r} is not a uCode of iData")
        elif step.step == "normalise":
            plain = [c for c in structure.indicators if c not in step.indiv]
            _check_normalise(step.method, step.params, plain, step.path, step, meta, data, fail)
            for code, entry in step.indiv.items():
                _check_normalise(
                    entry["method"], entry["params"], [code], f"{step.path}.indiv.{code}", step, meta, data, fail
                )
        elif step.step == "weights":
            if step.method in DATA_DRIVEN_WEIGHTS:
                for i, lev in enumerate(step.params["levels"]):
                    if lev >= structure.max_level:
                        raise fail(
                            f"{step.path}.params.levels[{i}]",
                            f"level {lev} has no parent level (levels 1..{structure.max_level - 1})",
                        )
            if step.method == "ahp":
                for parent, entry in step.params["matrices"].items():
                    p = f"{step.path}.params.matrices.{parent}"
                    if parent not in structure.children:
                        raise fail(p, f"'{parent}' is not an aggregate iCode")
                    if set(entry["codes"]) != set(structure.children[parent]):
                        raise fail(
                            f"{p}.codes",
                            f"must list exactly the children of '{parent}': {', '.join(structure.children[parent])}",
                        )
                    _, ratio = ahp_weights(np.array(entry["matrix"]))
                    if ratio > 0.1 and not step.params["force"]:
                        raise fail(
                            f"{p}.matrix",
                            f"consistency ratio {ratio:.3f} exceeds 0.1; revise the judgements or set force: true",
                        )
        elif step.step == "aggregate":
            for lev in step.by_level:
                if lev > structure.max_level:
                    raise fail(f"{step.path}.by_level.{lev}", f"the index has levels 2..{structure.max_level}")
            entries = [(f"{step.path}.params", step.params)] + [
                (f"{step.path}.by_level.{lev}.params", e["params"]) for lev, e in step.by_level.items()
            ]
            for ppath, entry in entries:
                if entry["group"] is not None and entry["group"] not in _groups(meta):
                    raise fail(
                        f"{ppath}.group",
                        f"{entry['group']!r} is not a Group column of iData "
                        f"(groups: {', '.join(_groups(meta)) or 'none'})",
                    )
