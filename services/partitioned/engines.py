"""Where partition tasks run: a bounded local process pool, or a Dask cluster.

Both engines take the same function and partitions, yield each partition's result as it
completes and retry a partition whose worker died:

- `local`: at most `workers` partitions at once, each in its own single-process
  `concurrent.futures.ProcessPoolExecutor`, so each in a fresh process: a worker kept across
  the 64 tasks of a 1M-account run grew to 4.1 GB (memory the allocator keeps after a task),
  one task peaks at ~1.2 GB. Workers are forked by a fork server that has imported the task
  modules once (`WORKER_MODULES`) and never runs a query, so no DuckDB or OpenMP thread is
  forked and a fresh worker starts in milliseconds: a spawned one spent ~4 s of CPU importing
  pandas, DuckDB, LightGBM and scikit-learn, 64 times in a 1M-account run (~256 CPU s, more
  than half of stage A's compute). A worker that dies breaks only its own executor; the
  engine runs that partition again in a new one, at most `retries` times.
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
    """At most `workers` partition tasks at once on this machine, each in a fresh process."""

    def __init__(self, workers: int = 2, retries: int = 2) -> None:
        self.workers, self.retries = workers, retries
        self.restarts = 0
        self._live: set[ProcessPoolExecutor] = set()

    def _one_shot(self) -> ProcessPoolExecutor:
        """A single-process executor for one task (forked by the preloaded fork server).

        One executor per task, not one pool with `max_tasks_per_child=1`: Python 3.11's
        worker replacement can strand queued tasks (CPython gh-115634), which hung the
        kill-a-worker test with idle workers; a task's own executor has nothing to replace.
        """
        context = get_context("forkserver")
        context.set_forkserver_preload(list(WORKER_MODULES))
        executor = ProcessPoolExecutor(1, mp_context=context)
        self._live.add(executor)
        return executor

    def _retire(self, executor: ProcessPoolExecutor) -> None:
        self._live.discard(executor)
        executor.shutdown(wait=True, cancel_futures=True)

    def map(
        self, fn: Callable[..., Any], items: Sequence[int], *args: Any
    ) -> Iterator[tuple[int, Any]]:
        """`fn(*args, item)` for every item, yielded as (item, result) when each completes."""
        attempts = dict.fromkeys(items, 0)
        pending = list(reversed(items))  # pop() takes them in order
        running: dict[Future[Any], tuple[int, ProcessPoolExecutor]] = {}
        try:
            while pending or running:
                while pending and len(running) < self.workers:
                    item = pending.pop()
                    executor = self._one_shot()
                    running[executor.submit(fn, *args, item)] = (item, executor)
                done, _ = wait(set(running), return_when=FIRST_COMPLETED)
                for future in done:
                    item, executor = running.pop(future)
                    self._retire(executor)
                    try:
                        result = future.result()
                    except BrokenProcessPool:  # its worker died: run the partition again
                        attempts[item] += 1
                        self.restarts += 1
                        if attempts[item] > self.retries:
                            raise EngineError(
                                f"partition {item}: its worker died {attempts[item]} times"
                            ) from None
                        pending.append(item)
                        continue
                    yield item, result
        finally:
            for executor in list(self._live):
                self._retire(executor)

    def close(self) -> None:
        for executor in list(self._live):
            self._retire(executor)


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
