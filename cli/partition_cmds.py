"""Partitioned books: `revrisk partition` splits a warehouse, `revrisk run` runs the pipeline
over a book's partitions on a local process pool or a Dask cluster (see services.partitioned).

Both report each phase's seconds and peak memory. Peak memory is measured two ways: this
process's own maximum RSS, and the largest sum of RSS over this process and all its
descendants (worker processes included), sampled every 0.2 s from /proc, which is what a
machine must hold; `/usr/bin/time -v` reports only the largest single process.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from cli.common import DbOption, JsonOption, default_db, emit_json, fail

err = Console(stderr=True)


class TreeMemory:
    """Largest total RSS (MB) of this process and its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval, self.peak_mb = interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(os.getpid()))
            self._stop.wait(self.interval)


def tree_rss_mb(root: int) -> float:
    """Sum of VmRSS over `root` and its descendants (Linux /proc; 0 elsewhere)."""
    parents: dict[int, int] = {}
    rss: dict[int, float] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return 0.0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry.name)] = int(fields.get("PPid", "0").strip() or 0)
        rss[int(entry.name)] = float(fields.get("VmRSS", "0 kB").split()[0]) / 1024
    members, frontier = {root}, [root]
    while frontier:
        current = frontier.pop()
        for pid, parent in parents.items():
            if parent == current and pid not in members:
                members.add(pid)
                frontier.append(pid)
    return sum(rss.get(pid, 0.0) for pid in members)


def peak_memory(tree: TreeMemory) -> dict[str, float]:
    """The command's peak memory figures (MB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "peak_rss_mb_this_process": round(own, 1),
        "peak_rss_mb_largest_child": round(children, 1),
        "peak_rss_mb_all_processes": round(max(tree.peak_mb, own), 1),
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
    err.print(
        f"[green]Ran[/green] {report.n_partitions} partitions on {engine} ({workers} workers) in "
        f"{payload['seconds']} s ({phases}); skipped {report.skipped}; peak memory "
        f"{payload['peak_rss_mb_all_processes']} MB over all processes."
    )
    err.print(f"Totals: {report.totals}")
    err.print(f"Results: {report.out_dir} (chat: revrisk serve --results {report.out_dir})")


__all__ = ["TreeMemory", "partition", "peak_memory", "register", "run", "tree_rss_mb"]
