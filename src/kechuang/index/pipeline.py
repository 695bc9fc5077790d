"""Build an index from (iData, iMeta, spec) and keep every stage beside the spec that produced it.

``build`` validates the inputs, sorts the rows by ``uCode`` (then ``Time``), runs the spec's steps in
order and returns a :class:`Result` holding every stage as a frame (identifiers + one column per iCode),
the scores and ranks at every level, the weights used and the step reports. ``regenerate`` rebuilds a
result from the inputs and spec it holds; builds are deterministic, so it reproduces it exactly.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kechuang.index._grid import (
    TIME,
    UNIT,
    Grid,
    arrays_frame,
    column_index,
    compact,
    frame_of,
    id_columns,
    replace_columns,
    values_of,
)
from kechuang.index.aggregate import WeightSource, aggregate_values
from kechuang.index.denominate import denominate, denominators_from_meta, divide
from kechuang.index.errors import SpecError
from kechuang.index.impute import impute, impute_values
from kechuang.index.io import validate_idata, validate_imeta
from kechuang.index.normalise import normalise, normalise_values
from kechuang.index.results import rank_arrays
from kechuang.index.screen import screen, screen_rows
from kechuang.index.spec import DATA_DRIVEN_WEIGHTS, Spec, Step, load_spec, parse_spec, validate_against
from kechuang.index.structure import Structure
from kechuang.index.treat import Treatment, treat, treat_values
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


class _Rows:
    """The rows of a stage during :func:`build`: their labels in ``base`` (``index``, also their positions there),
    identifier columns and grid. Screening is the only step that changes them."""

    def __init__(self, index: pd.Index, ids: list[tuple[str, Any]], grid: Grid, times: np.ndarray | None) -> None:
        self.index, self.ids, self.grid, self.times = index, ids, grid, times
        self.positions = np.asarray(index)

    def take(self, keep: np.ndarray) -> _Rows:
        ids = [(name, array[keep]) for name, array in self.ids]
        times = None if self.times is None else self.times[keep]
        return _Rows(self.index[keep], ids, self.grid.take(keep), times)

    def frame(self, values: np.ndarray, columns: pd.Index) -> pd.DataFrame:
        return frame_of(self.index, self.ids, values, columns)


_SHARE_ABOVE = 1 << 20


class _Matrix:
    """The indicator matrix ``x`` of the current stage and its frame during :func:`build`.

    ``x`` is never written while a frame wraps it (``private`` false); a small stage gets a frame wrapping a
    new matrix, a large stage that changed fewer than half of the columns shares the others with the previous
    frame (:func:`~kechuang.index._grid.replace_columns`) and keeps ``x`` private, to be updated in place."""

    def __init__(self, rows: _Rows, columns: pd.Index, ready: _Ready) -> None:
        self.rows, self.columns = rows, columns
        self.pending: tuple[np.ndarray, np.ndarray] | None = None
        if ready.raw.size >= _SHARE_ABOVE and not ready.cached:  # the Raw stage shares the iData columns
            self._x, self.private = ready.raw, True
            ready.raw = np.empty((0, len(columns)))  # handed over: freed as soon as the steps replace it
            base = ready.inputs.base
            self.frame = base[id_columns(base) + list(columns)]
        else:
            self._x, self.private = ready.raw.copy(), False
            self.frame = rows.frame(self._x, columns)

    @property
    def x(self) -> np.ndarray:
        """The current matrix (not to be written unless :meth:`writable` gave it)."""
        if self.pending is not None:
            self._x, self.private = self.writable(), True
        return self._x

    def writable(self) -> np.ndarray:
        """A matrix of the current values that the caller may overwrite: ``x`` itself if private, else a copy."""
        new = self._x if self.private else self._x.copy()
        if self.pending is not None:
            changed, part = self.pending
            new[:, changed] = part
            self.pending = None
        return new

    def change(self, changed: np.ndarray, part: np.ndarray) -> None:
        """The next stage: the columns ``changed`` of ``x`` replaced by those of ``part`` (a new array)."""
        self.x  # noqa: B018 -- any change not yet applied to the matrix
        if changed.size == len(self.columns) and np.array_equal(changed, np.arange(changed.size)):
            self.replace(part)
            return
        if self._x.size >= _SHARE_ABOVE and 2 * changed.size < len(self.columns):
            # The frame shares the unchanged columns; the matrix is updated when next read (by then the step's
            # own temporaries are gone).
            self.frame = replace_columns(self.frame, [self.columns[j] for j in changed], part)
            self.pending = (changed, part)
            return
        new = self.writable()
        new[:, changed] = part
        self.replace(new)

    def replace(self, new: np.ndarray) -> None:
        """The next stage: the matrix ``new`` (kept by its frame)."""
        self._x, self.private, self.pending = new, False, None
        self.frame = self.rows.frame(new, self.columns)

    def take(self, keep: np.ndarray) -> None:
        """The next stage: the rows ``keep``."""
        x = self.x[keep]
        self.rows = self.rows.take(keep)
        self.replace(x)


def build(data: pd.DataFrame, meta: pd.DataFrame, spec: Spec | Mapping[str, Any] | str | Path) -> Result:
    """Validate the inputs and run the spec; see the module docstring.

    ``spec`` may be a :class:`Spec`, plain data (parsed YAML) or a path to a YAML file.

    The steps run on the matrix of indicator values (rows × indicators) with the identifiers and the rows'
    grid computed once; each stage's frame wraps its matrix (large stages that change few columns share the
    others with the previous stage). The numbers are those of :func:`run_step` and :func:`aggregate` on frames.
    """
    spec = _coerce_spec(spec)
    ready = _prepared(data, meta, spec)
    inputs = ready.inputs
    structure, base = inputs.structure, inputs.base
    indicators = list(structure.indicators)
    columns = column_index(tuple(indicators))
    times = None if ready.times is None else ready.times.copy()
    ids: list[tuple[str, Any]] = [(UNIT, ready.units)] + ([] if times is None else [(TIME, times)])
    rows = _Rows(base.index, ids, ready.grid, times)
    state = _Matrix(rows, columns, ready)
    stages: dict[str, pd.DataFrame] = {"Raw": state.frame}
    treatment: Treatment | None = None
    screening: pd.DataFrame | None = None
    final_weights = dict(structure.weight)
    rank_columns: dict[str, pd.arrays.IntegerArray] | None = None
    for step in spec.steps:
        p = step.params
        x = state.x
        if step.step == "weights":
            continue
        if step.step == "aggregate":
            base_weights, source = weight_source(spec, structure)
            groups = base.loc[state.rows.index, ready.group_codes] if _uses_groups(step) else None
            agg, used = aggregate_values(
                x, structure, source, step.method, step.params, step.by_level, state.rows.times, groups,
                lambda v, codes: state.rows.frame(v, column_index(tuple(codes))),
            )
            final_weights = {**base_weights, **used}
            aggregates = list(structure.aggregates)
            if x.size < _SHARE_ABOVE:
                current = state.rows.frame(np.hstack([x, agg]), column_index((*indicators, *aggregates)))
            else:  # the indicator columns shared with the previous stage
                extra = pd.DataFrame(agg, columns=column_index(tuple(aggregates)), index=state.rows.index, copy=False)
                current = pd.concat([state.frame, extra], axis=1)
            rank_columns = {**rank_arrays(x, state.rows.grid, indicators),
                            **rank_arrays(agg, state.rows.grid, aggregates)}
            stages["Aggregated"] = current
            continue
        if step.step == "denominate":
            denoms = p["denominators"] if p["denominators"] is not None else ready.denominators
            changed = np.array([j for j, c in enumerate(indicators) if c in denoms], dtype=np.intp)
            part = x[:, changed]
            divide(part, [ready.column(denoms[indicators[j]])[state.rows.positions] for j in changed])
            state.change(changed, part)
        elif step.step == "impute":
            group = p.get("group")
            labels = None if group is None else ready.labels(group)[state.rows.positions]
            grid = state.rows.grid
            changed, filled = impute_values(x, step.method, state.rows.times, labels, _given(grid),
                                            p.get("imp_type", "latest"), p.get("max_time"))
            state.change(changed, filled)
        elif step.step == "screen":
            screening = screen_rows(x, dict(state.rows.ids), state.rows.index, step.method,
                                    dat_thresh=p["dat_thresh"], nonzero_thresh=p["nonzero_thresh"],
                                    force_in=p["force_in"], force_out=p["force_out"])
            keep = screening["Included"].to_numpy()
            if not keep.any():
                raise SpecError(spec.source, f"{step.path}.params", "screening removed every unit")
            if not keep.all():
                state.take(keep)
        elif step.step == "treat":
            changed, treated, details, points = treat_values(x, state.rows.grid, indicators, step.method, p,
                                                             step.indiv, state.rows.times is not None)
            state.change(changed, treated)
            treatment = Treatment(state.frame, details, points)
        elif step.step == "normalise":
            grid = state.rows.grid
            state.replace(normalise_values(state.writable(), _given(grid), indicators, structure.direction,
                                           step.method, p, step.indiv, global_=step.global_, meta=inputs.meta,
                                           panel=state.rows.times is not None))
        else:
            raise ValueError(f"unknown step {step.step!r}")
        stages[STAGE_NAMES[step.step]] = state.frame
    codes = list(structure.codes)
    if rank_columns is None:
        current = stages[list(stages)[-1]]
        rank_columns = rank_arrays(current[codes].to_numpy(dtype=float), state.rows.grid, codes)
    rows = state.rows
    rank_table = arrays_frame(rows.index, [(name, array.copy()) for name, array in rows.ids]
                              + [(c, rank_columns[c]) for c in codes])
    return Result(
        spec=spec,
        data=inputs.data.copy(deep=False),  # the cached frames stay as they are whatever is done to these
        meta=inputs.meta.copy(deep=False),
        structure=Structure(structure.codes, dict(structure.level), dict(structure.parent), dict(structure.children),
                            dict(structure.direction), dict(structure.weight), structure.max_level),
        stages=stages,
        ranks=rank_table,
        weights=effective_weights(final_weights, structure),
        treatment=treatment,
        screening=screening,
    )


@dataclass
class _Ready:
    """Validated inputs with what every build of them derives: the Time and uCode of the rows, their grid, the
    indicator matrix (copied by each build), the denominators of iMeta and the Group columns."""

    inputs: Inputs
    times: np.ndarray | None
    units: Any
    grid: Grid
    raw: np.ndarray
    denominators: Mapping[str, str]
    group_codes: list[str]
    cached: bool = False
    floats: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, inputs: Inputs, cached: bool = False) -> _Ready:
        """``cached``: kept for later builds (which then copy ``raw`` before writing it)."""
        base = inputs.base
        times = base[TIME].to_numpy() if TIME in base.columns else None
        return cls(inputs, times, base[UNIT].array, Grid.from_ids(base[UNIT].to_numpy(dtype=object), times),
                   values_of(base, list(inputs.structure.indicators)), denominators_from_meta(inputs.meta),
                   list(inputs.meta.loc[inputs.meta["Type"] == "Group", "iCode"]), cached)

    def column(self, code: str) -> np.ndarray:
        """A numeric column of the sorted iData (e.g. a denominator) as floats (read once; not to be written)."""
        if code not in self.floats:
            self.floats[code] = self.inputs.base[code].to_numpy(dtype=float)
        return self.floats[code]

    def labels(self, code: str) -> np.ndarray:
        """A column of the sorted iData (e.g. a group) as Python objects."""
        return self.inputs.base[code].to_numpy(dtype=object)


class _Snapshot:
    """A copy of a small frame's labels and column arrays, to tell whether a frame still has that content."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.columns = frame.columns.copy()
        self.index = frame.index.copy()
        arrays = list(_column_arrays(frame))
        self.floats = [j for j, a in enumerate(arrays) if isinstance(a, np.ndarray) and a.dtype == np.float64]
        self.float_block = np.stack([arrays[j] for j in self.floats]) if self.floats else None
        others = set(range(len(arrays))) - set(self.floats)
        self.others = {j: arrays[j].copy() for j in sorted(others)}

    def matches(self, frame: pd.DataFrame) -> bool:
        if frame.shape != (len(self.index), len(self.columns)) or not frame.columns.equals(self.columns):
            return False
        if not frame.index.equals(self.index):
            return False
        arrays = list(_column_arrays(frame))
        floats = [arrays[j] for j in self.floats]
        if any(not isinstance(a, np.ndarray) or a.dtype != np.float64 for a in floats):
            return False
        if self.float_block is not None and not np.array_equal(np.stack(floats), self.float_block, equal_nan=True):
            return False
        return all(_same_array(arrays[j], b) for j, b in self.others.items())


def _column_arrays(frame: pd.DataFrame) -> Any:
    """The column arrays of ``frame`` without building a Series for each (pandas' internal iterator)."""
    return frame._iter_column_arrays()


def _same_array(a: Any, b: Any) -> bool:
    """Equal dtype, length and values (NaN equal to NaN in float arrays; an object array holding NaN never
    matches, so such a frame is simply validated again)."""
    if type(a) is not type(b) or a.dtype != b.dtype or len(a) != len(b):
        return False
    if isinstance(a, np.ndarray):
        if a.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    return bool(a.equals(b))


_CACHE_BELOW = 1 << 20  # values: larger inputs are validated on every build (there it is a small part of it)
_CACHE_SIZE = 4
_cache: list[tuple[_Snapshot, _Snapshot, Spec, _Ready]] = []
_cache_lock = threading.Lock()


def _prepared(data: pd.DataFrame, meta: pd.DataFrame, spec: Spec) -> _Ready:
    """:func:`prepare` and what builds derive from its result, remembered for the last few small inputs.

    Validation and sorting depend only on the content of iData, iMeta and the spec, so a build given inputs
    equal to ones validated before (every label, dtype and value compared with a copy kept then) reuses that
    work; anything else is validated again. Only inputs under 1,048,576 values are remembered."""
    if data.size + meta.size >= _CACHE_BELOW:
        return _Ready.of(prepare(data, meta, spec))
    with _cache_lock:
        entries = list(_cache)
    for i, (data_snap, meta_snap, spec_snap, ready) in enumerate(entries):
        if spec_snap == spec and meta_snap.matches(meta) and data_snap.matches(data):
            if i:
                with _cache_lock:
                    if entries[i] in _cache:
                        _cache.remove(entries[i])
                        _cache.insert(0, entries[i])
            return ready
    ready = _Ready.of(prepare(data, meta, spec), cached=True)
    entry = (_Snapshot(data), _Snapshot(meta), copy.deepcopy(spec), ready)
    with _cache_lock:
        _cache.insert(0, entry)
        del _cache[_CACHE_SIZE:]
    return ready


def _given(grid: Grid) -> Callable[[], Grid]:
    return lambda: grid


def _uses_groups(step: Step) -> bool:
    """Whether an aggregate step fills missing children with group means at some level."""
    entries = [step.params, *(entry.get("params", {}) for entry in step.by_level.values())]
    return any(entry.get("missing") == "group_mean" for entry in entries)


def regenerate(result: Result, spec: Spec | Mapping[str, Any] | str | Path | None = None) -> Result:
    """Rebuild from the inputs a result holds, with its own spec or a replacement (for sensitivity runs)."""
    return build(result.data, result.meta, result.spec if spec is None else spec)
