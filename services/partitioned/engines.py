"""Where partition tasks run: a bounded local process pool, or a Dask cluster.

Both engines take the same function and partitions, yield each partition's result as it
completes and retry a partition whose worker died:

- `local`: `concurrent.futures.ProcessPoolExecutor` with `workers` processes, each replaced
  after one partition: a worker kept across the 64 tasks of a 1M-account run grew to 4.1 GB
  (memory the allocator keeps after a task), one task peaks at ~1.2 GB. Workers are forked by
  a fork server that has imported the task modules once (`WORKER_MODULES`) and never runs a
  query, so no DuckDB or OpenMP thread is forked and a fresh worker starts in milliseconds: a
  spawned one spent ~4 s of CPU importing pandas, DuckDB, LightGBM and scikit-learn, 64 times
  in a 1M-account run (~256 CPU s, more than half of stage A's compute). A worker that dies
  breaks the pool; the engine starts a new pool and resubmits the partitions that had not
  finished, at most `retries` times each.
- `dask`: a `distributed.Client` on a running scheduler (`address`) or on a `LocalCluster` of
  `workers` single-threaded processes started here. The scheduler reschedules the tasks of a
  worker that dies on another; `retries` re-runs a task that raised.

Why Dask and not Ray (measured on this 2-core machine, with other jobs running, so the times
are indicative): the engine adds 22 MB to the install against Ray's 214 MB; a 2-worker local
cluster starts in 2.7-5.7 s against 12-15 s; 8 tasks of (read a 600k-row Parquet partition,
group, unstack, fit) take 5.7-7.9 s cold and 1.9-2.4 s warm against 5.4-6.3 s and 0.8-1.2 s.
A partition of the real pipeline takes tens of seconds, so per-task overhead is noise, and Dask
is pure-Python wheels that reschedule a dead worker's tasks without extra code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any, Literal, get_args

from services.partitioned.tasks import WORKER_MODULES

EngineName = Literal["local", "dask"]
ENGINES: tuple[str, ...] = get_args(EngineName)


class EngineError(RuntimeError):
    """The engine could not run (not installed, no scheduler at the address, retries spent)."""


class LocalEngine:
    """A bounded pool of `workers` processes on this machine, kept across stages."""

    def __init__(self, workers: int = 2, retries: int = 2) -> None:
        self.workers, self.retries = workers, retries
        self.restarts = 0
        self._pool: ProcessPoolExecutor | None = None

    def _live_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = get_context("forkserver")
            context.set_forkserver_preload(list(WORKER_MODULES))
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=context, max_tasks_per_child=1
            )
        return self._pool

    def _discard_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map(
        self, fn: Callable[..., Any], items: Sequence[int], *args: Any
    ) -> Iterator[tuple[int, Any]]:
        """`fn(*args, item)` for every item, yielded as (item, result) when each completes."""
        attempts = dict.fromkeys(items, 0)
        pending = list(items)
        while pending:
            pool = self._live_pool()
            futures: dict[Future[Any], int] = {pool.submit(fn, *args, i): i for i in pending}
            pending = []
            running = set(futures)
            while running:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    item = futures[future]
                    try:
                        result = future.result()
                    except BrokenProcessPool:  # a worker died: every unfinished item reruns
                        attempts[item] += 1
                        if attempts[item] > self.retries:
                            self._discard_pool()
                            raise EngineError(
                                f"partition {item}: its worker died {attempts[item]} times"
                            ) from None
                        pending.append(item)
                        continue
                    except BaseException:
                        self._discard_pool()
                        raise
                    yield item, result
            if pending:
                self._discard_pool()
                self.restarts += 1

    def close(self) -> None:
        self._discard_pool()


class DaskEngine:
    """Tasks on a Dask cluster: the one at `address`, or a local one started here."""

    def __init__(self, workers: int = 2, address: str | None = None, retries: int = 2) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise EngineError(
                "the dask engine needs the cluster extra: pip install 'revrisk-copilot[cluster]' "
                "(or uv sync --extra cluster)"
            ) from None
        self.retries = retries
        self.cluster = None
        try:
            if address:
                self.client = Client(address, timeout="10s")
            else:
                self.cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    memory_limit=0,
                )
                self.client = Client(self.cluster)
        except OSError as error:
            raise EngineError(f"no Dask scheduler reachable at {address}: {error}") from None

    def map(
        self, fn: Callable[..., Any], items: Sequence[int], *args: Any
    ) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed

        futures = [
            self.client.submit(fn, *args, i, pure=False, retries=self.retries) for i in items
        ]
        by_key = {f.key: i for f, i in zip(futures, items, strict=True)}
        try:
            for future, result in as_completed(futures, with_results=True):
                yield by_key[future.key], result
        except Exception as error:  # KilledWorker and friends: name the partition
            raise EngineError(f"dask: {type(error).__name__}: {error}") from error

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_engine(
    name: str, workers: int = 2, address: str | None = None, retries: int = 2
) -> LocalEngine | DaskEngine:
    """The engine called `name` (see module docstring)."""
    if name == "local":
        return LocalEngine(workers, retries)
    if name == "dask":
        return DaskEngine(workers, address, retries)
    if name == "ray":
        raise EngineError(
            "ray is not supported: the cluster engine is Dask (measured smaller, faster to start; "
            "see the README), use --engine dask"
        )
    raise EngineError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")


__all__ = ["ENGINES", "DaskEngine", "EngineError", "EngineName", "LocalEngine", "make_engine"]
