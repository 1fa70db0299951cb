"""Partitioned books: `revrisk partition` splits a warehouse, `revrisk run` runs the pipeline
over a book's partitions on a local process pool or a Dask cluster (see services.partitioned).

Both report each phase's seconds and peak memory. Peak memory is measured three ways: this
process's own maximum RSS; the largest sum of RSS over this process and all its descendants
(worker processes included), sampled every 0.2 s from /proc; and the same sum of PSS
(proportional set size: a page shared by n processes counts 1/n in each), which is what the
machine must hold when workers are forked from a fork server and share its imported modules
(the RSS sum counts those pages once per process). `/usr/bin/time -v` reports only the largest
single process.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from cli.common import DbOption, JsonOption, default_db, emit_json, fail
from data.monitor import Sampler

err = Console(stderr=True)


class TreeMemory(Sampler):
    """Largest total RSS and PSS (MB) of this process and its descendants, sampled in a thread.

    RSS every `interval` seconds; PSS (the kernel walks every page table to count it, ~5 ms of
    CPU per GB-sized process) at most once a second, and only when the RSS sum exceeds the
    PSS peak so far (PSS <= RSS, so no new peak is possible otherwise).
    """

    def __init__(self, interval: float = 0.2, pss_interval: float = 1.0) -> None:
        super().__init__(interval, "tree-memory")
        self.pss_interval = pss_interval
        self.peak_mb, self.peak_pss_mb = 0.0, 0.0
        self._last_pss = 0.0

    def tick(self) -> bool:
        pids = tree_pids(os.getpid())
        rss = sum(_proc_mb(pid, "status", b"VmRSS:") for pid in pids)
        self.peak_mb = max(self.peak_mb, rss)
        now = time.monotonic()
        if rss > self.peak_pss_mb and now - self._last_pss >= self.pss_interval:
            pss = sum(_proc_mb(pid, "smaps_rollup", b"Pss:") for pid in pids)
            self.peak_pss_mb, self._last_pss = max(self.peak_pss_mb, pss), now
        return False


def _proc_mb(pid: int, name: str, key: bytes) -> float:
    """A `key: N kB` line of /proc/<pid>/<name>, in MB (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/{name}", "rb") as file:
            for line in file:
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return 0.0
    return 0.0


def tree_pids(root: int) -> list[int]:
    """`root` and its descendants (Linux /proc; just `root` elsewhere). Plain `open` over
    `/proc/*/stat`: ~2 ms for 130 processes, where pathlib and `status` took ~30 ms."""
    if not os.path.isdir("/proc"):
        return [root]
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as file:
                parent = int(file.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(name))
    members = [root]
    for pid in members:  # grows while iterating: breadth-first
        members.extend(children.get(pid, ()))
    return members


def tree_rss_mb(root: int) -> float:
    """Sum of VmRSS over `root` and its descendants (Linux /proc; 0 elsewhere)."""
    return sum(_proc_mb(pid, "status", b"VmRSS:") for pid in tree_pids(root))


def peak_memory(tree: TreeMemory) -> dict[str, float]:
    """The command's peak memory figures (MB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "peak_rss_mb_this_process": round(own, 1),
        "peak_rss_mb_largest_child": round(children, 1),
        "peak_rss_mb_all_processes": round(max(tree.peak_mb, own), 1),
        "peak_pss_mb_all_processes": round(tree.peak_pss_mb, 1),
    }


def register(app: typer.Typer) -> None:
    """Add `partition` and `run`."""
    app.command("partition")(partition)
    app.command("run")(run)


def partition(
    out: Annotated[Path, typer.Option("--out", help="Folder of the partitioned book.")],
    partitions: Annotated[int, typer.Option("--partitions", help="Number of partitions.", min=1)],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Split a single-file warehouse into a book of Parquet files hash-partitioned by account."""
    from data.partitioned import partition_warehouse
    from data.warehouse import WarehouseMissingError

    path = db or default_db()
    started = time.perf_counter()
    try:
        if not Path(path).exists():
            raise WarehouseMissingError(f"No warehouse at {path}.")
        book = partition_warehouse(path, out, partitions)
    except (WarehouseMissingError, ValueError) as error:
        raise fail(str(error), code=2) from None
    report = {
        "book": str(book.root),
        "partitions": book.n_partitions,
        "rows": book.manifest["rows"],
        "seconds": round(time.perf_counter() - started, 2),
    }
    if as_json:
        emit_json(report)
        return
    err.print(
        f"[green]Partitioned[/green] {path} into {book.n_partitions} partitions at {book.root} "
        f"in {report['seconds']} s."
    )


def run(
    input_dir: Annotated[Path, typer.Option("--input", help="Folder of a partitioned book.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the results.")],
    engine: Annotated[str, typer.Option(help="local (process pool) or dask.")] = "local",
    workers: Annotated[int, typer.Option(help="Worker processes (local pool or cluster).")] = 2,
    address: Annotated[
        str | None, typer.Option(help="Dask scheduler address (default: start a local cluster).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue a stopped run in OUT, skipping done work.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Detectors, features, scoring and the trend scan on every partition; results as Parquet
    folders OUT/<table>/part-*.parquet and a catalog OUT/results.duckdb for the chat."""
    from data.partitioned import PartitionError
    from services.partitioned import EngineError, ResumeError, run_book

    def progress(stage: str, done: int, total: int) -> None:
        if not as_json:
            err.print(f"stage {stage}: {done}/{total} partitions", highlight=False)

    started = time.perf_counter()
    with TreeMemory() as tree:
        try:
            report = run_book(input_dir, out, engine, workers, address, resume, progress=progress)
        except (PartitionError, ResumeError, EngineError) as error:
            raise fail(str(error), code=2) from None
    payload: dict[str, Any] = dict(report.__dict__)
    payload["seconds"] = round(time.perf_counter() - started, 2)
    payload |= peak_memory(tree)
    if as_json:
        emit_json(payload)
        return
    phases = ", ".join(f"{k} {v} s" for k, v in report.phases.items())
    cpu = ", ".join(f"{k} {v} s" for k, v in report.cpu.items())
    err.print(
        f"[green]Ran[/green] {report.n_partitions} partitions on {engine} ({workers} workers) in "
        f"{payload['seconds']} s ({phases}); skipped {report.skipped}; peak memory "
        f"{payload['peak_rss_mb_all_processes']} MB RSS, {payload['peak_pss_mb_all_processes']} MB "
        "PSS over all processes."
    )
    err.print(f"CPU: {cpu}", highlight=False)
    err.print(f"Totals: {report.totals}")
    err.print(f"Results: {report.out_dir} (chat: revrisk serve --results {report.out_dir})")


__all__ = [
    "TreeMemory",
    "partition",
    "peak_memory",
    "register",
    "run",
    "tree_pids",
    "tree_rss_mb",
]
