"""Run independent column blocks on a small thread pool.

NumPy releases the GIL inside sorting and ufunc loops, so column-wise work split into blocks runs in
parallel on several cores. Blocks are fixed by the array shapes (never by timing) and each writes its own
columns, so results do not depend on scheduling. Calls made from inside a worker run inline.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORKERS = max(1, os.cpu_count() or 1)
_BLOCK_ELEMENTS = 1 << 21
_PARALLEL_ELEMENTS = 1 << 17  # below this, handing blocks to threads costs more than the work
_state = threading.local()
_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def column_blocks(n_rows: int, n_cols: int) -> list[slice]:
    """Column slices of about 2 M elements each, at least one per worker when there are enough columns; a
    single slice when the whole array has fewer than 131,072 elements."""
    if n_rows * n_cols < _PARALLEL_ELEMENTS:
        return [slice(0, n_cols)] if n_cols else []
    width = max(1, _BLOCK_ELEMENTS // max(n_rows, 1))
    width = min(width, max(1, -(-n_cols // WORKERS)))
    return [slice(i, min(i + width, n_cols)) for i in range(0, n_cols, width)]


def _in_worker(fn: Callable[[T], R]) -> Callable[[T], R]:
    def run(item: T) -> R:
        _state.worker = True
        return fn(item)

    return run


def run_blocks(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[fn(item) for item in items]``, on the pool when there are several items and cores."""
    global _pool
    if len(items) < 2 or WORKERS < 2 or getattr(_state, "worker", False):
        return [fn(item) for item in items]
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="kechuang-index")
    return list(_pool.map(_in_worker(fn), items))


def run_inline() -> None:
    """From now on, run every block of calls made from this thread inline (for worker processes of a pool that
    is already parallel: one thread per process avoids oversubscribing the cores)."""
    _state.worker = True
