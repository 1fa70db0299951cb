"""The account-partitioned warehouse: Parquet files hash-partitioned by account, and its checks.

Contract. A book of P partitions is a folder:

    DIR/manifest.json                          what was written (the only file read first)
    DIR/<table>/partition=<p>/<chunk>_<i>.parquet

Every row of an account is in partition `partition_of(account_id, P)` (md5 of the id, first
32 bits, modulo P: stable across processes, machines and library versions, and computable in
DuckDB SQL as `partition_sql`). `invoice_lines` follow their invoice's account,
`revenue_imports` their `customer_id`. Columns and types are the single-file tables' (the
files are written from DuckDB tables created by data/schema.sql), so a partition loaded into an
in-memory DuckDB with `load_partition` *is* a small warehouse and every per-account query of
the embedded path runs on it unchanged.

`manifest.json` lists every file with its row count, byte size and the table's column types;
`verify_book` checks all of them before any work starts and raises `PartitionError` naming the
partition and file of the first missing, truncated (size or footer) or schema-drifted file.

Method of `revrisk demo --partitions`: the generator's own chunk loop (50,000 accounts, random
stream `[seed, chunk]`, data/synth) runs unchanged; each chunk goes to an in-memory DuckDB
with the schema's column types (no constraints or indexes: a measured 4.5 s -> 0.9 s per chunk)
and is written out split by partition with `COPY ... PARTITION_BY`. A seed therefore gives the
same rows as the single-file build (tests compare them table by table), chunks are independent
(a process pool writes them in parallel), and memory is bounded by one chunk (~1.1 GB peak).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import duckdb

from data.warehouse import RAW_TABLES, TRUTH_TABLES, connect, ensure_schema, get_meta

MANIFEST = "manifest.json"
LAYOUT_VERSION = 1
PARTITION_COLUMN = "partition"
BOOK_TABLES: tuple[str, ...] = (*RAW_TABLES, *TRUTH_TABLES, "revenue_imports")
"""Tables a partitioned book carries (billing facts, ground truth, imported revenue)."""

_ACCOUNT_KEY = {"revenue_imports": "customer_id"}


class PartitionError(ValueError):
    """A partition of a book that cannot be used: names the partition, the file and why."""

    def __init__(self, partition: int | None, file: str, problem: str) -> None:
        self.partition, self.file, self.problem = partition, file, problem
        where = f"partition {partition}" if partition is not None else "book"
        super().__init__(f"{where}: {file}: {problem}")


def partition_of(account_id: str, n_partitions: int) -> int:
    """The partition holding every row of `account_id`.

    Examples:
        >>> partition_of("ACC000123", 32)
        23
    """
    return int(hashlib.md5(account_id.encode()).hexdigest()[:8], 16) % n_partitions


def partition_sql(column: str, n_partitions: int) -> str:
    """`partition_of` as a DuckDB expression on `column`.

    Examples:
        >>> duckdb.sql("SELECT " + partition_sql("'ACC000123'", 32)).fetchall()[0][0]
        23
    """
    return f"CAST(('0x' || left(md5({column}), 8)) AS UBIGINT) % {int(n_partitions)}"


def _source_sql(table: str, n_partitions: int) -> str:
    """Rows of `table` with their partition, in the table's own row order."""
    if table == "invoice_lines":
        part = partition_sql("i.account_id", n_partitions)
        return (
            f"SELECT l.*, {part} AS {PARTITION_COLUMN} FROM invoice_lines l "
            "JOIN invoices i ON i.invoice_id = l.invoice_id ORDER BY l.line_id"
        )
    part = partition_sql(_ACCOUNT_KEY.get(table, "account_id"), n_partitions)
    return f"SELECT *, {part} AS {PARTITION_COLUMN} FROM {table}"


def table_schema(con: duckdb.DuckDBPyConnection, table: str) -> list[list[str]]:
    """[[column, DuckDB type], ...] of a table, in order."""
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
        "AND table_schema = current_schema() ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [[str(name), str(kind)] for name, kind in rows]


def copy_partitioned(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    n_partitions: int,
    label: str,
    tables: Iterable[str] = BOOK_TABLES,
) -> None:
    """Write `tables` of `con` under `out`, split by partition, files named `<label>_<i>`."""
    for table in tables:
        if not con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]:
            continue
        target = (out / table).as_posix()
        con.execute(
            f"COPY ({_source_sql(table, n_partitions)}) TO '{target}' (FORMAT parquet, "
            f"PARTITION_BY ({PARTITION_COLUMN}), OVERWRITE_OR_IGNORE, "
            f"FILENAME_PATTERN '{label}_{{i}}', COMPRESSION zstd)"
        )


# ---------------------------------------------------------------------------- manifest
@dataclass(frozen=True)
class Book:
    """A verified partitioned book: its folder and manifest."""

    root: Path
    manifest: dict[str, Any]

    @property
    def n_partitions(self) -> int:
        return int(self.manifest["n_partitions"])

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self.manifest.get("meta", {}))

    def files(self, partition: int, table: str) -> list[Path]:
        """The Parquet files of `table` in `partition`, in write order."""
        entries = self.manifest["files"].get(str(partition), {}).get(table, [])
        return [self.root / e["file"] for e in entries]

    def all_files(self, table: str) -> list[Path]:
        return [f for p in range(self.n_partitions) for f in self.files(p, table)]

    def schema(self, table: str) -> list[list[str]]:
        return list(self.manifest["schemas"][table])


def _scan_files(root: Path, n_partitions: int) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every Parquet file under `root`, by partition and table, with rows and bytes."""
    import pyarrow.parquet as pq

    files: dict[str, dict[str, list[dict[str, Any]]]] = {str(p): {} for p in range(n_partitions)}
    for table in BOOK_TABLES:
        folder = root / table
        if not folder.is_dir():
            continue
        for sub in sorted(folder.iterdir()):
            partition = sub.name.split("=", 1)[1]
            for path in sorted(sub.glob("*.parquet")):
                files[partition].setdefault(table, []).append(
                    {
                        "file": path.relative_to(root).as_posix(),
                        "rows": pq.read_metadata(path).num_rows,
                        "bytes": path.stat().st_size,
                    }
                )
    return files


def write_manifest(
    root: Path, n_partitions: int, schemas: dict[str, list[list[str]]], meta: dict[str, Any]
) -> dict[str, Any]:
    """Record every file of the book (written last: a folder without it is incomplete)."""
    files = _scan_files(root, n_partitions)
    manifest = {
        "layout_version": LAYOUT_VERSION,
        "n_partitions": n_partitions,
        "partition_key": "int(md5(account_id)[:8], 16) % n_partitions",
        "schemas": schemas,
        "meta": meta,
        "rows": {t: sum(e["rows"] for p in files.values() for e in p.get(t, [])) for t in schemas},
        "files": files,
    }
    tmp = root / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, root / MANIFEST)
    return manifest


def _arrow_type_matches(arrow_type: Any, duck_type: str) -> bool:
    """Whether a Parquet column's Arrow type is what DuckDB writes for `duck_type`."""
    import pyarrow as pa

    text = duck_type.upper()
    if text.startswith("DECIMAL"):
        precision, scale = (int(x) for x in text[8:-1].split(","))
        return bool(pa.types.is_decimal(arrow_type)) and (
            arrow_type.precision,
            arrow_type.scale,
        ) == (precision, scale)
    expected = {
        "VARCHAR": pa.string(),
        "DATE": pa.date32(),
        "INTEGER": pa.int32(),
        "BIGINT": pa.int64(),
        "DOUBLE": pa.float64(),
        "BOOLEAN": pa.bool_(),
        "TIMESTAMP": pa.timestamp("us"),
    }.get(text)
    return (
        expected is None
        or arrow_type == expected
        or (text == "VARCHAR" and arrow_type == pa.large_string())
    )


def _check_file(root: Path, partition: int, entry: dict[str, Any], schema: list[list[str]]) -> None:
    import pyarrow.parquet as pq

    path = root / entry["file"]
    if not path.exists():
        raise PartitionError(partition, entry["file"], "missing")
    size = path.stat().st_size
    if size != entry["bytes"]:
        raise PartitionError(
            partition,
            entry["file"],
            f"truncated or rewritten: {size} bytes, manifest says {entry['bytes']}",
        )
    try:
        meta = pq.read_metadata(path)
        arrow = pq.read_schema(path)
    except Exception as error:  # pyarrow raises several types for a damaged footer
        raise PartitionError(partition, entry["file"], f"unreadable Parquet ({error})") from None
    if meta.num_rows != entry["rows"]:
        raise PartitionError(
            partition, entry["file"], f"{meta.num_rows} rows, manifest says {entry['rows']}"
        )
    names = [f.name for f in arrow]
    expected = [name for name, _ in schema]
    if names != expected:
        raise PartitionError(
            partition, entry["file"], f"schema drifted: columns {names}, expected {expected}"
        )
    for field, (name, kind) in zip(arrow, schema, strict=True):
        if not _arrow_type_matches(field.type, kind):
            raise PartitionError(
                partition,
                entry["file"],
                f"schema drifted: column {name!r} is {field.type}, expected {kind}",
            )


def verify_book(root: Path | str, partitions: Iterable[int] | None = None) -> Book:
    """Open a book after checking every file the manifest lists (see module docstring)."""
    root = Path(root)
    path = root / MANIFEST
    if not path.exists():
        raise PartitionError(
            None,
            MANIFEST,
            f"no partitioned book at {root} (write one with `revrisk demo "
            "--partitions` or `revrisk partition`)",
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PartitionError(None, MANIFEST, f"unreadable ({error})") from None
    if manifest.get("layout_version") != LAYOUT_VERSION:
        raise PartitionError(None, MANIFEST, f"layout {manifest.get('layout_version')} unknown")
    book = Book(root, manifest)
    wanted = range(book.n_partitions) if partitions is None else partitions
    for partition in wanted:
        tables = manifest["files"].get(str(partition))
        if tables is None:
            raise PartitionError(partition, f"partition={partition}", "not in the manifest")
        for table, entries in tables.items():
            for entry in entries:
                _check_file(root, partition, entry, book.schema(table))
    return book


def load_tables(
    files: dict[str, list[Path]], memory_limit: str = "1GB", threads: int = 1
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB warehouse (schema, views, macros) holding `files` per table.

    Tables are plain copies of the Parquet rows (no constraint or index to maintain), except
    `accounts`, which keeps the schema's key so the tables that refer to it can be created.
    The database is attached with `COMPRESS` and checkpointed once loaded, so its tables are
    held compressed as in a file. Measured reason, one 62.5k-account partition of a 1M book:
    the tables took 458 MB uncompressed and 112 MB compressed, for 2.1 s more CPU to load;
    `find_leakage` then ended at 810 MB RSS instead of 1,146 MB (0.7 s more CPU), same findings.
    """
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET threads = {int(threads)}")
    con.execute("SET enable_progress_bar = false")
    con.execute("ATTACH ':memory:' AS book (COMPRESS)")
    con.execute("USE book")
    sources = {}
    for table in BOOK_TABLES:
        if files.get(table):
            listing = ", ".join(f"'{f.as_posix()}'" for f in files[table])
            sources[table] = f"read_parquet([{listing}], hive_partitioning = false)"
    for table, source in sources.items():
        if table != "accounts":
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM {source}")
    ensure_schema(con)  # the rest of the schema
    if "accounts" in sources:
        con.execute(f"INSERT INTO accounts SELECT * FROM {sources['accounts']}")
    con.execute("CHECKPOINT book")
    return con


def load_partition(
    book: Book, partition: int, memory_limit: str = "1GB"
) -> duckdb.DuckDBPyConnection:
    """One partition of `book` as an in-memory warehouse (see `load_tables`)."""
    return load_tables({t: book.files(partition, t) for t in BOOK_TABLES}, memory_limit)


def subset_tables(con: duckdb.DuckDBPyConnection, account_ids: list[str]) -> dict[str, Any]:
    """The rows of `account_ids` in every book table of `con`, as Arrow tables.

    Per-account queries (features, labels) give the same rows on them, loaded with
    `load_tables`, as on `con`: the training sample of a book is gathered this way, 2 % of it
    for 20,000 of 1,000,000 accounts.
    """
    import pyarrow as pa

    present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    con.register("_subset_ids", pa.table({"account_id": pa.array(account_ids, pa.string())}))
    try:
        rows: dict[str, Any] = {}
        for table in BOOK_TABLES:
            if table not in present:
                continue
            if table == "invoice_lines":
                sql = (
                    "SELECT l.* FROM invoice_lines l WHERE l.invoice_id IN (SELECT invoice_id "
                    "FROM invoices WHERE account_id IN (SELECT account_id FROM _subset_ids)) "
                    "ORDER BY l.line_id"
                )
            else:
                key = _ACCOUNT_KEY.get(table, "account_id")
                sql = f"SELECT * FROM {table} WHERE {key} IN (SELECT account_id FROM _subset_ids)"
            rows[table] = con.sql(sql).to_arrow_table()
        return rows
    finally:
        con.unregister("_subset_ids")


def read_book_sql(book: Book, table: str) -> str:
    """A DuckDB table expression over every file of `table` in the book."""
    files = book.all_files(table)
    if not files:
        columns = ", ".join(f"CAST(NULL AS {kind}) AS {name}" for name, kind in book.schema(table))
        return f"(SELECT {columns} LIMIT 0)"
    listing = ", ".join(f"'{f.as_posix()}'" for f in files)
    return f"read_parquet([{listing}], hive_partitioning = false)"


# ---------------------------------------------------------------------------- results
RESULTS_CATALOG = "results.duckdb"


def write_results_catalog(
    out: Path, book: Book, info: dict[str, Any], result_tables: Iterable[str]
) -> Path:
    """`OUT/results.duckdb`: a warehouse whose tables are views over Parquet folders.

    The book's tables read its partitions, the result tables `OUT/<table>/part-*.parquet`;
    the schema's views and macros sit on top, and `meta` marks the caches fresh, so every
    reader of a warehouse (services, tools, `revrisk ask --db`, the chat) reads the merged
    results through DuckDB without copying them. Paths are absolute: rebuild the catalog
    (`revrisk serve --results OUT` does) after moving the folders.
    """
    from data.warehouse import set_meta

    out = Path(out).resolve()
    path = out / RESULTS_CATALOG
    tmp = out / (RESULTS_CATALOG + ".tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        ensure_schema(con)  # then the tables become views (children first: foreign keys)
        for table in (*reversed(BOOK_TABLES), *result_tables):
            con.execute(f"DROP TABLE {table}")
        for table in BOOK_TABLES:
            if book.all_files(table):
                glob = (book.root.resolve() / table / "*" / "*.parquet").as_posix()
                source = f"read_parquet('{glob}', hive_partitioning = false)"
            else:
                source = read_book_sql(book, table)
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM {source}")
        for table in result_tables:
            glob = (out / table / "part-*.parquet").as_posix()
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{glob}')")
        version = str(book.meta.get("data_version") or "1")
        keys = ("source", "seed", "n_accounts", "n_months", "built_at")
        set_meta(con, **{k: book.meta[k] for k in keys if book.meta.get(k) is not None})
        set_meta(
            con,
            data_version=version,
            leakage_data_version=version,
            leakage_cache_info=json.dumps(info.get("leakage", info), default=str),
            trends_data_version=f"{version}/{info.get('trend_method_version', '1')}",
            trends_cache_info=json.dumps(info.get("trends", info), default=str),
            results_of=str(book.root.resolve()),
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, path)
    return path


# ---------------------------------------------------------------------------- writing books
def _schemas() -> dict[str, list[list[str]]]:
    con = duckdb.connect()
    ensure_schema(con)
    return {t: table_schema(con, t) for t in BOOK_TABLES}


def _unconstrained(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> None:
    """Shadow the schema's tables with same-typed ones without constraints or indexes."""
    con.execute("CREATE SCHEMA fast")
    for table in tables:
        con.execute(f"CREATE TABLE fast.{table} AS FROM main.{table} LIMIT 0")
    con.execute("SET search_path = 'fast'")


def _write_world_chunk(args: tuple[Any, ...]) -> int:
    """Simulate one generator chunk and write it split by partition (runs in a worker)."""
    config, chunk, out, n_partitions = args
    import numpy as np

    from data.synth import CHUNK_SIZE
    from data.synth.population import draw_population
    from data.synth.simulate import ChunkSimulation
    from data.synth.writer import WRITE_ORDER, write_frames

    first = 1 + chunk * CHUNK_SIZE
    size = min(CHUNK_SIZE, config.n_accounts - first + 1)
    rng = np.random.default_rng([config.seed, chunk])
    pop = draw_population(rng, first, size, config.n_months, config.window_start)
    frames = ChunkSimulation(pop, rng, config.n_months, config.window_start).run().frames()
    con = duckdb.connect()
    try:
        con.execute("SET threads = 1")
        ensure_schema(con)
        _unconstrained(con, WRITE_ORDER)
        write_frames(con, frames)
        del frames
        copy_partitioned(con, Path(out), n_partitions, f"c{chunk:05d}", WRITE_ORDER)
    finally:
        con.close()
    return size


def _fresh_folder(out: Path) -> Path:
    building = out.with_name(out.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    return building


def _move_into_place(building: Path, out: Path) -> None:
    old = out.with_name(out.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        os.replace(out, old)
    os.replace(building, out)
    shutil.rmtree(old, ignore_errors=True)


def build_partitioned_world(
    out: Path | str,
    config: Any,
    n_partitions: int,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> Book:
    """The synthetic world of `config` (a `data.synth.WorldConfig`) as a partitioned book.

    Written beside `out` and moved into place when complete, like the single-file build.
    """
    from data.synth import CHUNK_SIZE

    out = Path(out)
    if n_partitions < 1:
        raise ValueError(f"--partitions must be >= 1, got {n_partitions}")
    building = _fresh_folder(out)
    chunks = range((config.n_accounts + CHUNK_SIZE - 1) // CHUNK_SIZE)
    done = 0
    jobs = [(config, c, building, n_partitions) for c in chunks]
    if workers <= 1:
        for job in jobs:
            done += _write_world_chunk(job)
            if progress is not None:
                progress(done, config.n_accounts)
    else:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            for future in as_completed([pool.submit(_write_world_chunk, j) for j in jobs]):
                done += future.result()
                if progress is not None:
                    progress(done, config.n_accounts)
    meta = {
        "source": "synthetic",
        "seed": config.seed,
        "n_accounts": config.n_accounts,
        "n_months": config.n_months,
        "end_month": config.end_month.isoformat(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_version": "1",
    }
    manifest = write_manifest(building, n_partitions, _schemas(), meta)
    _move_into_place(building, out)
    return Book(out, manifest)


def partition_warehouse(db_path: Path | str, out: Path | str, n_partitions: int) -> Book:
    """Split a single-file warehouse into a partitioned book (read-only on the warehouse)."""
    out = Path(out)
    if n_partitions < 1:
        raise ValueError(f"--partitions must be >= 1, got {n_partitions}")
    building = _fresh_folder(out)
    with connect(db_path, read_only=True) as con:
        con.execute("SET preserve_insertion_order = true")
        copy_partitioned(con, building, n_partitions, "w00000")
        keys = ("source", "seed", "n_accounts", "n_months", "end_month", "built_at")
        meta: dict[str, Any] = {k: get_meta(con, k) for k in keys}
        meta["data_version"] = get_meta(con, "data_version", "1")
        meta["partitioned_from"] = str(Path(db_path).resolve())
        schemas = {t: table_schema(con, t) for t in BOOK_TABLES}
    manifest = write_manifest(building, n_partitions, schemas, meta)
    _move_into_place(building, out)
    return Book(out, manifest)


__all__ = [
    "BOOK_TABLES",
    "MANIFEST",
    "PARTITION_COLUMN",
    "RESULTS_CATALOG",
    "Book",
    "PartitionError",
    "build_partitioned_world",
    "copy_partitioned",
    "load_partition",
    "load_tables",
    "partition_of",
    "partition_sql",
    "partition_warehouse",
    "read_book_sql",
    "subset_tables",
    "table_schema",
    "verify_book",
    "write_manifest",
    "write_results_catalog",
]
