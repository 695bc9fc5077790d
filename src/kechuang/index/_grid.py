"""Row layout helpers shared by the pipeline verbs.

Stage frames hold one row per unit (``uCode``) or per unit-year (``uCode``, ``Time``). Cross-sectional
operations (a minimum, a skewness, a rank) are computed *per year*; to vectorise them over all years and
indicators at once the rows are laid out as a cube ``(unit, time, indicator)`` and viewed as a matrix
``(unit, time × indicator)`` whose every column is one indicator in one year. Absent unit-years are NaN in
the cube and are dropped again when the cube is turned back into rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

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
        units, unit_pos = np.unique(frame[UNIT].to_numpy(dtype=object), return_inverse=True)
        if TIME in frame.columns:
            times, time_pos = np.unique(frame[TIME].to_numpy(), return_inverse=True)
        else:
            times, time_pos = np.zeros(1, dtype=np.int64), np.zeros(len(frame), dtype=np.intp)
        n_u, n_t = len(units), len(times)
        complete = (
            len(frame) == n_u * n_t
            and bool(np.array_equal(unit_pos, np.repeat(np.arange(n_u), n_t)))
            and bool(np.array_equal(time_pos, np.tile(np.arange(n_t), n_u)))
        )
        return cls(units, times, unit_pos, time_pos, complete)

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
