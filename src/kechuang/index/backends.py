"""Where the blocks of an uncertainty or sensitivity analysis run: in process, on a local process pool, or on
Dask (a ``LocalCluster`` or a running ``dask scheduler`` / ``dask worker`` cluster given by its address).

Every backend evaluates the same deterministic blocks (see :mod:`kechuang.index.sampling`) and yields their
results as they complete; the caller merges them so that the numbers do not depend on the backend, the number
of workers or the completion order.

* :class:`SerialBackend` runs the blocks one after another in this process.
* :class:`ProcessBackend` (the default on one machine, except for small problems: fewer than
  :data:`SMALL_WORK` runs × units run in process, as starting workers would take longer) starts a pool of
  worker processes from a fork server that has imported the engine, ships the problem once per worker and
  keeps BLAS single-threaded in the workers (``OMP_NUM_THREADS`` = ``OPENBLAS_NUM_THREADS`` =
  ``MKL_NUM_THREADS`` = 1), so that W workers use W cores. The workers do not import the caller's main
  script (they run only the engine's own functions on the shipped problem), so a script without an
  ``if __name__ == "__main__":`` guard runs as it would in process, instead of each worker running it again
  and failing to start a pool of its own while bootstrapping.
* :class:`DaskBackend` connects to ``address`` (``tcp://host:8786``), or starts a ``LocalCluster`` of worker
  processes with one thread each. It scatters the problem to every worker once. For a LocalCluster it sets
  ``distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_`` to ``None`` (Dask's default of 65,536 makes
  glibc return memory to the system after every large NumPy temporary, which makes these workers about two
  times slower); for a cluster you start yourself, set it in the workers' Dask configuration (see
  docs/uncertainty.md).
"""

from __future__ import annotations

import multiprocessing.context
import os
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from kechuang.index import _batch
from kechuang.index.errors import MissingDependency

__all__ = ["SMALL_WORK", "Backend", "SerialBackend", "ProcessBackend", "DaskBackend", "make_backend", "dask_config"]

SMALL_WORK = 2_000_000
_SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_PROBLEM: Any = None

Task = Callable[[Any, Any], Any]


class Backend(ABC):
    """Runs ``fn(problem, item)`` for many items; use as a context manager."""

    name = "backend"

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:  # noqa: B027 - a backend without workers has nothing to release
        """Release workers (and clear their caches)."""

    @abstractmethod
    def map(self, fn: Task, problem: Any, items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Yield ``(position, fn(problem, items[position]))`` as the results complete (any order)."""


class SerialBackend(Backend):
    """Everything in this process, block after block."""

    name = "serial"

    def map(self, fn: Task, problem: Any, items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        for i, item in enumerate(items):
            yield i, fn(problem, item)

    def close(self) -> None:
        _batch.clear_cache()


def _init_process(problem: Any) -> None:
    global _PROBLEM
    _PROBLEM = problem
    _batch.in_worker()


def _call_in_process(args: tuple[Task, int, Any]) -> tuple[int, Any]:
    fn, i, item = args
    return i, fn(_PROBLEM, item)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    """While a worker is launched, hide where ``__main__`` came from (its ``__spec__`` and ``__file__``), so that
    multiprocessing does not tell the worker to import the main script or module again."""
    main = sys.modules.get("__main__")
    saved: dict[str, Any] = {k: main.__dict__[k] for k in ("__spec__", "__file__")
                             if main is not None and k in main.__dict__}
    if main is not None:
        main.__dict__["__spec__"] = None
        main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        if main is not None:
            main.__dict__.update(saved)


class _WorkerProcess(multiprocessing.context.ForkServerProcess):
    """A fork-server process started without the parent's main script (also when the pool replaces a worker)."""

    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        with _main_script_hidden():
            return multiprocessing.context.ForkServerProcess._Popen(process_obj)


class _WorkerContext(multiprocessing.context.ForkServerContext):
    Process = _WorkerProcess  # type: ignore[assignment]


class ProcessBackend(Backend):
    """A pool of ``workers`` processes (default: one per core) on this machine."""

    name = "processes"

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self._pool: Any = None
        self._token: str | None = None

    def _start(self, problem: Any) -> None:
        self.close()
        ctx = _WorkerContext()
        ctx.set_forkserver_preload(["kechuang.index._batch"])
        with _environment(_SINGLE_THREADED):
            self._pool = ctx.Pool(self.workers, initializer=_init_process, initargs=(problem,))
        self._token = problem.token

    def map(self, fn: Task, problem: Any, items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        if self._pool is None or self._token != problem.token:
            self._start(problem)
        yield from self._pool.imap_unordered(_call_in_process, [(fn, i, item) for i, item in enumerate(items)])

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


def dask_config() -> dict[str, Any]:
    """Dask settings for numpy-heavy workers: keep glibc from trimming memory after every temporary."""
    return {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def _call_on_dask(fn: Task, problem: Any, item: Any) -> Any:
    _batch.in_worker()
    return fn(problem, item)


class DaskBackend(Backend):
    """Dask distributed: the scheduler at ``address``, an existing ``client``, or a new LocalCluster of
    ``workers`` processes (one thread each)."""

    name = "dask"

    def __init__(self, address: str | None = None, *, client: Any = None, workers: int | None = None):
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise MissingDependency("a Dask cluster (--scheduler, backend 'dask')", "Dask and distributed",
                                    "kechuang[distributed]") from None

        self._own_client = client is None
        self._cluster: Any = None
        if client is not None:
            self.client = client
        elif address is not None:
            self.client = Client(address)
        else:
            with dask.config.set(dask_config()):
                self._cluster = LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
            self.client = Client(self._cluster)
        self.address = address or self.client.scheduler.address

    def map(self, fn: Task, problem: Any, items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed

        shared = self.client.scatter(problem, broadcast=True, hash=False)
        futures = [self.client.submit(_call_on_dask, fn, shared, item, pure=False) for item in items]
        position = {f.key: i for i, f in enumerate(futures)}
        for future, result in as_completed(futures, with_results=True):
            yield position[future.key], result

    def close(self) -> None:
        if self.client.status == "running":
            self.client.run(_batch.clear_cache)
        if self._own_client:
            self.client.close()
            if self._cluster is not None:
                self._cluster.close()


def make_backend(backend: str | Backend | None = None, *, scheduler: str | None = None,
                 workers: int | None = None, blocks: int = 2, work: int = SMALL_WORK) -> Backend:
    """The backend to use: an instance as given; ``scheduler`` (an address, or ``local`` for a new
    LocalCluster) → Dask; ``"serial"``, ``"processes"`` or ``"dask"`` by name; by default a process pool,
    or the serial backend when there is a single block or worker, or when the problem is small (``work`` =
    runs × units below :data:`SMALL_WORK`, where starting the workers costs more than the runs)."""
    if isinstance(backend, Backend):
        return backend
    if scheduler is not None:
        return DaskBackend(None if scheduler == "local" else scheduler, workers=workers)
    if backend == "dask":
        return DaskBackend(workers=workers)
    if backend == "serial":
        return SerialBackend()
    if backend not in (None, "processes"):
        raise ValueError(f"unknown backend {backend!r} (valid: serial, processes, dask)")
    n = workers or os.cpu_count() or 1
    if backend is None and (blocks < 2 or n < 2 or work < SMALL_WORK):
        return SerialBackend()
    return ProcessBackend(n)
