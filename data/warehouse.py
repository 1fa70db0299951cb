"""DuckDB warehouse: opening connections, creating the schema, transactions, bookkeeping.

Writers (demo build, imports, cache refresh, training) take a short-lived read-write
connection, and hold `writer_lock` for the whole update (data, then the caches derived from
it), so writers never interleave; every reader, the agent's SQL tool included, opens the file
read-only and never writes. DuckDB's file lock lets one process write or many read: a reader
that meets a writer's lock retries for `READ_WAIT_S`, a writer that meets readers for
`WRITE_WAIT_S`, and then each raises `WarehouseBusyError` ("the data is being updated — ask
again in a moment"), never DuckDB's raw `IOException` with its path and PID.
Measured (issue 11): with readers refreshing caches and no retry, 6 of 10 concurrent
questions during an import failed with that raw error, and so did the import's own refresh.

Kept-open readers (`READERS`): a read-only connection, when its unit of work ends, is kept
idle for the next unit of work of this process (up to `KEEP_OPEN_S`) instead of closed. It is
the same connection `open_duckdb` would give: while it is open DuckDB's shared lock keeps every
other process from writing, so it still reads the last complete version. It is closed, never
reused, as soon as a writer of any process holds the writer lock or waits for the file (a
watcher thread probes both every `WATCH_S`, so a writer waits at most that much longer), when
the file was replaced or removed (demo moves a new file into place) or when this process
writes.
Measured (issue 13): opening the 100k-account warehouse read-only costs 20 ms of CPU and
~116 ms of wall time at load average 20, and the SQL tool's locked connection 73 ms CPU and
~413 ms wall; a turn opened one or the other every time, which put the agent's p95 over 200 ms.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb

if TYPE_CHECKING:
    import pandas as pd

RAW_TABLES: tuple[str, ...] = (
    "accounts",
    "contracts",
    "usage_monthly",
    "invoices",
    "invoice_lines",
    "payment_methods",
    "payments",
)
"""Billing facts, in foreign-key order (parents first)."""

TRUTH_TABLES: tuple[str, ...] = (
    "leakage_events",
    "leakage_risk_truth",
    "trend_truth",
    "decline_truth",
    "anomaly_truth",
)
"""Ground truth of the synthetic world: evaluation only, never read to make a prediction."""

LEAKAGE_CACHE_TABLES: tuple[str, ...] = ("detected_leakage", "leakage_scores", "leakage_factors")
TREND_CACHE_TABLES: tuple[str, ...] = ("trend_metrics", "trend_series", "segments")
CACHE_TABLES: tuple[str, ...] = (*LEAKAGE_CACHE_TABLES, *TREND_CACHE_TABLES)
"""Tables derived from the billing facts (`revrisk refresh` rebuilds them; `revrisk run` writes
them per partition): leakage detections, scores and factors; trend metrics, series, segments."""


BUSY_MESSAGE = "The data is being updated — ask again in a moment."
"""What a reader says while a writer holds the warehouse (no path, no PID)."""
READ_WAIT_S = 5.0
"""How long a read-only open retries while a writer holds DuckDB's lock (a write
transaction of an import or a cache refresh lasts seconds at most)."""
WRITE_WAIT_S = 120.0
"""How long a read-write open retries while readers hold the file (each reader holds it for
one question, well under a second on the demo warehouse)."""


class WarehouseMissingError(FileNotFoundError):
    """Raised when a read-only open finds no warehouse file."""


def require_warehouse(path: Path | str) -> Path:
    """`path` when a warehouse file is there, else `WarehouseMissingError` naming it and the
    commands that build one. Creates nothing: read commands check this before any open that
    would create the file (a mistyped --db must not leave an empty warehouse behind)."""
    path = Path(path)
    if not path.exists():
        raise WarehouseMissingError(
            f"No warehouse at {path}. Build the demo with `revrisk demo` or import data "
            "with `revrisk import FILE`."
        )
    return path


class CachesNotBuiltError(ValueError):
    """A warehouse whose derived caches were never built, and no update is running: the
    message names the command that builds them."""


class WarehouseBusyError(RuntimeError):
    """The warehouse is locked by another process (an update is running): try again shortly.

    The message is `BUSY_MESSAGE` by default: it names no file and no process.
    """

    def __init__(self, message: str = BUSY_MESSAGE) -> None:
        self.message = message
        super().__init__(message)


def is_lock_conflict(error: BaseException) -> bool:
    """True for DuckDB's "Could not set lock on file … Conflicting lock is held" error."""
    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()


def open_duckdb(
    path: Path | str, *, read_only: bool, wait_s: float | None = None
) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect(path, read_only=...)`, retrying while another process holds the file's
    lock; `WarehouseBusyError` after `wait_s` (default `READ_WAIT_S` / `WRITE_WAIT_S`)."""
    limit = (READ_WAIT_S if read_only else WRITE_WAIT_S) if wait_s is None else wait_s
    deadline = time.monotonic() + limit
    path = Path(path)
    if not read_only:
        READERS.release(path)  # this process's kept readers would conflict with the write
    pending: int | None = None
    delay = 0.01
    try:
        while True:
            if not read_only or not writer_waiting(path):
                try:
                    return duckdb.connect(str(path), read_only=read_only)
                except duckdb.Error as error:
                    if not is_lock_conflict(error):
                        raise
                if not read_only and pending is None:
                    pending = _announce_writer(path)
            if time.monotonic() >= deadline:
                raise WarehouseBusyError() from None
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
    finally:
        if pending is not None:
            _pending_lock(path).unlink(missing_ok=True)
            os.close(pending)  # releases the flock


def _pending_lock(path: Path) -> Path:
    return path.with_name(path.name + ".pending.lock")


def _announce_writer(path: Path) -> int | None:
    """A writer that found the file held by readers holds `<file>.pending.lock` until it has
    the file (then removes it), so that new readers wait instead of starving it (readers come
    and go continuously)."""
    try:
        fd = os.open(_pending_lock(path), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    # Another writer may have announced itself already: either way readers wait.
    with contextlib.suppress(BlockingIOError):
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def _held_exclusively(lock: Path) -> bool:
    """True while some process holds an exclusive flock on the file `lock` (a probe with a
    shared, non-blocking lock that is released at once)."""
    if not lock.exists():
        return False
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def writer_waiting(path: Path) -> bool:
    """True while a writer is waiting for the file (see `_announce_writer`)."""
    return _held_exclusively(_pending_lock(path))


_WRITER_LOCKS: dict[str, tuple[int, int]] = {}
_WRITER_GUARD = threading.RLock()


def _writer_lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".writer.lock")


@contextmanager
def writer_lock(path: Path | str, wait_s: float = WRITE_WAIT_S) -> Iterator[None]:
    """Hold the warehouse's writer lock (an `flock` on `<file>.writer.lock`) for one update.

    Writers (import, demo, cache refresh, training) take it around the data change and the
    caches derived from it, so two writers never interleave and readers can tell an update is
    running (`writer_active`). Re-entrant within a process. `WarehouseBusyError` when another
    process keeps it longer than `wait_s`.
    """
    path = Path(path)
    key = str(path.resolve())
    with _WRITER_GUARD:
        held = _WRITER_LOCKS.get(key)
        if held is not None:
            _WRITER_LOCKS[key] = (held[0], held[1] + 1)
    if held is not None:
        try:
            yield
        finally:
            with _WRITER_GUARD:
                fd, depth = _WRITER_LOCKS[key]
                _WRITER_LOCKS[key] = (fd, depth - 1)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(_writer_lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait_s
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusyError() from None
                time.sleep(0.05)
        with _WRITER_GUARD:
            _WRITER_LOCKS[key] = (fd, 1)
        READERS.release(path)
        try:
            yield
        finally:
            with _WRITER_GUARD:
                _WRITER_LOCKS.pop(key, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def writer_active(path: Path | str) -> bool:
    """True while some process (this one included) holds `writer_lock` on `path`."""
    path = Path(path)
    with _WRITER_GUARD:
        if str(path.resolve()) in _WRITER_LOCKS:
            return True
    return _held_exclusively(_writer_lock_path(path))


def schema_sql() -> str:
    """The schema file's text (tables, ground truth, views)."""
    return resources.files("data").joinpath("schema.sql").read_text(encoding="utf-8")


@contextmanager
def connect(path: Path | str, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse at `path` for one unit of work.

    A read-write open creates the file and its schema when missing, and is closed afterwards;
    a read-only open of a missing file raises `WarehouseMissingError` with the command that
    builds one, and a read-only connection whose unit of work ended without an exception is
    kept for the next one (`READERS`, see the module docstring). Either waits while another
    process holds the file (see `open_duckdb`), then raises `WarehouseBusyError`.
    """
    path = Path(path)
    if read_only:
        require_warehouse(path)
        with READERS.borrow(path, "warehouse", lambda: _open_reader(path), _close) as con:
            yield con
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    con = open_duckdb(path, read_only=False)
    con.execute("SET enable_progress_bar = false")
    try:
        ensure_schema(con)
        yield con
    finally:
        con.close()


def _open_reader(path: Path) -> duckdb.DuckDBPyConnection:
    con = open_duckdb(path, read_only=True)
    con.execute("SET enable_progress_bar = false")
    with _META_LOCK:
        _READER_META[id(con)] = (con, {})
    return con


def _close(con: duckdb.DuckDBPyConnection) -> None:
    with _META_LOCK:
        _READER_META.pop(id(con), None)
    con.close()


_READER_META: dict[int, tuple[duckdb.DuckDBPyConnection, dict[str, str | None]]] = {}
"""`get_meta`'s values per open read-only warehouse connection (`connect(read_only=True)`),
dropped when it closes. While such a connection is open no process can write the file
(DuckDB's shared lock; this process releases its readers before it writes), so a value read
once stays the connection's answer. Measured (issue 13, 100k warehouse): ~4 ms a look-up,
~2.5 look-ups per tool call. The connection is held so its id cannot be reused meanwhile."""
_META_LOCK = threading.Lock()


def _forget_meta() -> None:
    global _META_LOCK
    _READER_META.clear()
    _META_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_forget_meta)


# ------------------------------------------------------------------------------ kept readers
KEEP_OPEN_S = 10.0
"""How long an idle read-only connection is kept for this process's next unit of work."""
WATCH_S = 0.05
"""How often the watcher looks for writers (and idle connections past `KEEP_OPEN_S`)."""

_T = TypeVar("_T")


@dataclass(eq=False)
class _Idle:
    value: Any
    close: Callable[[Any], None]
    identity: tuple[int, ...]
    since: float


def _identity(path: Path) -> tuple[int, ...] | None:
    """Which file `path` is (device, inode, size, modification time); None when absent."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _writer_near(path: Path) -> bool:
    return writer_active(path) or writer_waiting(path)


class ReaderPool:
    """Idle read-only connections of this process, per warehouse file and kind (a plain
    connection, the SQL guard's locked one, …), reused while nothing could have changed the
    file. See the module docstring for when one is closed instead."""

    def __init__(self) -> None:
        self._idle: dict[tuple[str, Hashable], list[_Idle]] = {}
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._stopped = threading.Event()

    @contextmanager
    def borrow(
        self,
        path: Path | str,
        kind: Hashable,
        opener: Callable[[], _T],
        close: Callable[[_T], None],
        reusable: Callable[[BaseException], bool] = lambda _: False,
    ) -> Iterator[_T]:
        """A kept connection of `kind` to `path`, else `opener()`; kept again afterwards
        unless the unit of work raised (an exception `reusable` accepts does not count)."""
        path = Path(path).resolve()
        kept = self._take(path, kind)
        if kept is None:
            value = opener()
            identity = _identity(path)
        else:
            value, identity = kept.value, kept.identity
        try:
            yield value
        except BaseException as exc:
            if isinstance(exc, Exception) and reusable(exc):
                self._give(path, kind, _Idle(value, close, identity or (), time.monotonic()))
            else:
                close(value)
            raise
        self._give(path, kind, _Idle(value, close, identity or (), time.monotonic()))

    def _take(self, path: Path, kind: Hashable) -> _Idle | None:
        if _writer_near(path):
            self.release(path)
            return None
        identity = _identity(path)
        stale: list[_Idle] = []
        found = None
        with self._lock:
            items = self._idle.get((str(path), kind), [])
            while items and found is None:
                item = items.pop()
                if item.identity == identity:
                    found = item
                else:
                    stale.append(item)
        for item in stale:
            item.close(item.value)
        return found

    def _give(self, path: Path, kind: Hashable, item: _Idle) -> None:
        if (
            self._stopped.is_set()
            or not item.identity
            or item.identity != _identity(path)
            or _writer_near(path)
        ):
            item.close(item.value)
            return
        with self._lock:
            self._idle.setdefault((str(path), kind), []).append(item)
            if self._watcher is None:
                self._watcher = threading.Thread(
                    target=self._watch, name="warehouse-readers", daemon=True
                )
                self._watcher.start()

    def release(self, path: Path | str | None = None) -> None:
        """Close every idle connection (to `path`, or to any file)."""
        key = None if path is None else str(Path(path).resolve())
        with self._lock:
            gone = [k for k in self._idle if key is None or k[0] == key]
            items = [item for k in gone for item in self._idle.pop(k)]
        for item in items:
            item.close(item.value)

    def stop(self) -> None:
        """At exit: stop the watcher thread (a daemon thread stopped inside DuckDB's C++ aborts
        the process) and close every idle connection; nothing is kept afterwards."""
        self._stopped.set()
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout=5)
        self.release()

    def _watch(self) -> None:
        while not self._stopped.wait(WATCH_S):
            with self._lock:
                paths = {key[0] for key in self._idle}
            near = {path for path in paths if _writer_near(Path(path))}
            files = {path: _identity(Path(path)) for path in paths}
            now = time.monotonic()
            closing: list[_Idle] = []
            with self._lock:
                for key, items in list(self._idle.items()):
                    near_key, file = key[0] in near, files.get(key[0], ())
                    keep = [
                        i
                        for i in items
                        if not near_key and i.identity == file and now - i.since < KEEP_OPEN_S
                    ]
                    closing += [i for i in items if i not in keep]
                    if keep:
                        self._idle[key] = keep
                    else:
                        del self._idle[key]
                done = not self._idle
                if done:
                    self._watcher = None
            for item in closing:
                item.close(item.value)
            if done:
                return
        with self._lock:
            self._watcher = None

    def _forget(self) -> None:
        """In a forked child: drop the parent's connections without touching them."""
        self._idle = {}
        self._lock = threading.Lock()
        self._watcher = None
        self._stopped = threading.Event()


READERS = ReaderPool()
"""This process's kept read-only connections (`connect(read_only=True)`, the SQL guard)."""
os.register_at_fork(after_in_child=READERS._forget)
atexit.register(READERS.stop)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table and view that does not exist yet (idempotent)."""
    con.execute(schema_sql())


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing unit of work: commit on success, roll back on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every base table, sorted by name.

    Examples:
        >>> import duckdb
        >>> con = duckdb.connect()
        >>> ensure_schema(con)
        >>> table_counts(con)["accounts"]
        0
    """
    names = [
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema = current_schema() "
            "ORDER BY table_name"
        ).fetchall()
    ]
    counts: dict[str, int] = {}
    for name in names:
        row = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts


def get_meta(con: duckdb.DuckDBPyConnection, key: str, default: str | None = None) -> str | None:
    """A bookkeeping value (data version, world seed, build time, ...); on a read-only
    connection of `connect`, read once per connection (see `_READER_META`)."""
    with _META_LOCK:
        entry = _READER_META.get(id(con))
    memo = entry[1] if entry is not None and entry[0] is con else None
    if memo is not None and key in memo:
        value = memo[key]
    else:
        row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        value = str(row[0]) if row else None
        if memo is not None:
            memo[key] = value
    return default if value is None else value


def get_meta_json(con: duckdb.DuckDBPyConnection, key: str) -> dict[str, Any]:
    """A bookkeeping value stored as JSON (a cache's refresh report); empty when absent."""
    raw = get_meta(con, key)
    return json.loads(raw) if raw else {}


def replace_rows(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, order_by: str | None = None
) -> None:
    """Replace every row of a cache `table` with `frame`'s columns of the table's names, in
    the table's column order (call inside a transaction). ValueError naming the columns the
    frame lacks, before anything is deleted."""
    insert_rows(con, table, frame, order_by, replace=True)


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pd.DataFrame,
    order_by: str | None = None,
    *,
    replace: bool = False,
) -> None:
    """Append `frame`'s columns of `table`'s names to `table`, in the table's column order
    (after deleting every row first with `replace=True`; see `replace_rows`)."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    columns = [r[0] for r in rows]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"cache frame for {table} lacks column(s) {missing}")
    if replace:
        con.execute(f"DELETE FROM {table}")
    con.register("_incoming", frame[columns])
    try:
        order = f" ORDER BY {order_by}" if order_by else ""
        con.execute(f"INSERT INTO {table} SELECT * FROM _incoming{order}")
    finally:
        con.unregister("_incoming")


def set_meta(con: duckdb.DuckDBPyConnection, **values: object) -> None:
    """Insert or replace bookkeeping values."""
    for key, value in values.items():
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, str(value)])


def bump_data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Mark the billing data as changed, so caches derived from it know they are stale."""
    version = int(get_meta(con, "data_version", "0") or 0) + 1
    set_meta(con, data_version=version)
    return version


def latest_month(con: duckdb.DuckDBPyConnection) -> str | None:
    """The latest month with usage, invoices or imported revenue, as 'YYYY-MM-01', or None."""
    row = con.execute(
        "SELECT max(m) FROM (SELECT max(month) AS m FROM usage_monthly "
        "UNION ALL SELECT max(period) FROM invoices "
        "UNION ALL SELECT max(month) FROM revenue_imports)"
    ).fetchone()
    return str(row[0]) if row and row[0] is not None else None
