"""Row layout helpers shared by the pipeline verbs.

Stage frames hold one row per unit (``uCode``) or per unit-year (``uCode``, ``Time``). Cross-sectional
operations (a minimum, a skewness, a rank) are computed *per year*; to vectorise them over all years and
indicators at once the rows are laid out as a cube ``(unit, time, indicator)`` and viewed as a matrix
``(unit, time × indicator)`` whose every column is one indicator in one year. Absent unit-years are NaN in
the cube and are dropped again when the cube is turned back into rows.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.internals import create_dataframe_from_blocks

UNIT = "uCode"
TIME = "Time"


def id_columns(frame: pd.DataFrame) -> list[str]:
    """Identifier columns of a stage frame: ``["uCode"]`` or ``["uCode", "Time"]``."""
    return [UNIT, TIME] if TIME in frame.columns else [UNIT]


def values_of(frame: pd.DataFrame, codes: Sequence[str]) -> np.ndarray:
    """The ``codes`` columns of ``frame`` as a new, writable float64 matrix (rows × codes)."""
    return np.array(frame[list(codes)].to_numpy(dtype=float), dtype=float, order="C", copy=True)


def make_frame(ids: pd.DataFrame, values: np.ndarray, codes: Sequence[str]) -> pd.DataFrame:
    """A stage frame: the identifier columns of ``ids`` followed by one column per code from ``values``.

    The value matrix is wrapped without copying and keeps the index of ``ids``.
    """
    out = pd.DataFrame(values, columns=list(codes), index=ids.index, copy=False)
    for pos, col in enumerate(id_columns(ids)):
        out.insert(pos, col, ids[col].array)  # the column as it is: no round trip through Python objects
    return out


def frame_of(
    index: pd.Index, ids: Sequence[tuple[str, Any]], values: np.ndarray, columns: pd.Index,
    names: pd.Index | None = None,
) -> pd.DataFrame:
    """A stage frame from arrays: the identifier columns ``ids`` (name, array; each frame gets its own copy) then
    ``values`` (rows × columns, wrapped without copying) — :func:`make_frame` without reading the identifiers
    from a frame. ``names``: the identifier names followed by ``columns``, when the caller has them.

    The frame is assembled from its blocks (``pandas.api.internals``): one per identifier and one for the
    matrix, with no inference and no column-by-column insertion."""
    n = len(ids)
    blocks = [_block(array.copy(), pos) for pos, (_, array) in enumerate(ids)]
    blocks.append((values.T, np.arange(n, n + values.shape[1])))
    if names is None:
        names = column_index((*(name for name, _ in ids), *columns)) if n else columns
    return create_dataframe_from_blocks(blocks, index=index, columns=names)


TEXT = pd.Series(["text"]).dtype
"""The dtype pandas infers for a column of Python strings (``str``)."""


@functools.lru_cache(maxsize=512)
def column_index(names: tuple[str, ...]) -> pd.Index:
    """The column labels ``names`` as an Index (built once per tuple of names: an Index is immutable)."""
    return pd.Index(list(names))


def _block(array: Any, pos: int) -> tuple[Any, np.ndarray]:
    if isinstance(array, pd.arrays.NumpyExtensionArray):
        array = array.to_numpy()
    if isinstance(array, np.ndarray):
        if array.dtype == object:  # text gets the dtype the DataFrame constructor infers for it
            if pd.api.types.infer_dtype(array, skipna=True) != "string":
                return array.reshape(1, -1), np.array([pos])
            array = pd.array(array, dtype=TEXT)
        else:
            return array.reshape(1, -1), np.array([pos])
    return array, np.array([pos])


def arrays_frame(index: pd.Index | None, arrays: Sequence[tuple[str, Any]]) -> pd.DataFrame:
    """``pd.DataFrame(dict(arrays), index=index)`` for one-dimensional columns (NumPy arrays or pandas extension
    arrays), built from blocks: object arrays of text get the dtype the constructor infers for text, the others
    are taken as they are (not copied). ``index``: a RangeIndex when ``None``."""
    blocks = [_block(array, pos) for pos, (_, array) in enumerate(arrays)]
    n = len(arrays[0][1]) if arrays else 0
    return create_dataframe_from_blocks(blocks, index=pd.RangeIndex(n) if index is None else index,
                                        columns=column_index(tuple(name for name, _ in arrays)))


def replace_columns(frame: pd.DataFrame, codes: Sequence[str], values: np.ndarray) -> pd.DataFrame:
    """A shallow copy of ``frame`` with the ``codes`` columns replaced by the columns of ``values``.

    Under pandas copy-on-write the other columns keep sharing memory with ``frame``, so a stage that
    changes a few indicators does not duplicate the others. A small frame (under 1,048,576 values) is instead
    copied into one block per type: one column per block would make every later column selection slower than
    the copy.
    """
    out = frame.copy(deep=False)
    for j, code in enumerate(codes):
        out[code] = values[:, j]
    return compact(out)


_CONSOLIDATE_BELOW = 1 << 20


def compact(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its columns in one block per type when it holds fewer than 1,048,576 values (a copy);
    a larger frame as it is (its columns may share memory with other stages)."""
    return frame.copy(deep=True) if frame.size < _CONSOLIDATE_BELOW else frame


@dataclass(frozen=True)
class Grid:
    """Positions of the rows of a frame in a ``(unit, time)`` grid.

    ``units`` and ``times`` are sorted; a frame without ``Time`` has a single time slot. ``complete`` is true
    when the rows are exactly the full grid in unit-major order, in which case the cube is a free reshape.
    """

    units: np.ndarray
    times: np.ndarray
    unit_pos: np.ndarray
    time_pos: np.ndarray
    complete: bool

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Grid:
        """Grid of the rows of ``frame`` (identified by ``uCode`` and, if present, ``Time``)."""
        times = frame[TIME].to_numpy() if TIME in frame.columns else None
        return cls.from_ids(frame[UNIT].to_numpy(dtype=object), times)

    @classmethod
    def from_ids(cls, units: np.ndarray, times: np.ndarray | None) -> Grid:
        """Grid of rows identified by the arrays ``units`` and ``times`` (``None``: no ``Time`` column)."""
        units_sorted, unit_pos = np.unique(units, return_inverse=True)
        if times is not None:
            times_sorted, time_pos = np.unique(times, return_inverse=True)
        else:
            times_sorted, time_pos = np.zeros(1, dtype=np.int64), np.zeros(len(units), dtype=np.intp)
        n_u, n_t = len(units_sorted), len(times_sorted)
        complete = (
            len(units) == n_u * n_t
            and bool(np.array_equal(unit_pos, np.repeat(np.arange(n_u), n_t)))
            and bool(np.array_equal(time_pos, np.tile(np.arange(n_t), n_u)))
        )
        return cls(units_sorted, times_sorted, unit_pos, time_pos, complete)

    def take(self, keep: np.ndarray) -> Grid:
        """The grid of the rows selected by the boolean mask ``keep`` — the same as :meth:`of` of those rows,
        from integer positions alone (units and times no row keeps are dropped)."""
        unit_pos, time_pos = self.unit_pos[keep], self.time_pos[keep]
        used_u = np.flatnonzero(np.bincount(unit_pos, minlength=len(self.units)))
        used_t = np.flatnonzero(np.bincount(time_pos, minlength=len(self.times)))
        unit_pos = np.searchsorted(used_u, unit_pos)
        time_pos = np.searchsorted(used_t, time_pos)
        n_u, n_t = len(used_u), len(used_t)
        complete = (
            len(unit_pos) == n_u * n_t
            and bool(np.array_equal(unit_pos, np.repeat(np.arange(n_u), n_t)))
            and bool(np.array_equal(time_pos, np.tile(np.arange(n_t), n_u)))
        )
        return Grid(self.units[used_u], self.times[used_t], unit_pos, time_pos, complete)

    @property
    def shape(self) -> tuple[int, int]:
        """``(number of units, number of time slots)``."""
        return len(self.units), len(self.times)

    def cube(self, values: np.ndarray) -> np.ndarray:
        """Rows × k matrix → ``(unit, time, k)`` cube with NaN for absent unit-years."""
        n_u, n_t = self.shape
        k = values.shape[1]
        if self.complete:
            return values.reshape(n_u, n_t, k)
        out = np.full((n_u, n_t, k), np.nan)
        out[self.unit_pos, self.time_pos] = values
        return out

    def rows(self, cube: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`cube`: ``(unit, time, k)`` → rows × k in the frame's row order."""
        n_u, n_t, k = cube.shape
        if self.complete:
            return cube.reshape(n_u * n_t, k)
        return cube[self.unit_pos, self.time_pos]
