"""Typed fields of JSON objects, read with DuckDB: one pass per file, every problem located.

Contract: `ObjectReader` turns files of JSON objects (JSON Lines, a JSON list, or CSV whose
headers are the fields' names, nested ones flattened as `parent.child` or `parent_child`) and
the lists nested inside them into DuckDB tables with one typed column per declared `Field`, and
records every problem (malformed line, value of the wrong JSON type, unknown enum value,
missing required field) in a `problems` table naming file, line, object id and field path.

Method: a JSON Lines file is read as text lines (`read_csv` with no delimiter or quoting), so
a truncated line keeps its line number; each object is parsed once by `json_extract` with the
list of declared paths, the JSON type of each value read from its first character (numbers
without a point are integers), and all field checks run in one scan of the extracted table.
Measured reason: on 66 MB of Stripe objects (2,000 accounts) parsing into JSON columns and
re-parsing them for each check and conversion took 5.0 s; this single-parse form takes 2.3 s
on the same files (2 shared cores, so both contaminated by other work).
The JSON type is what the file holds: an amount sent as the string "100" is refused, where
`read_json` with typed columns would silently cast it.

Bulk form (`extract_lines`), for JSON Lines files: pyarrow parses each file in 128 MB blocks
against a strict schema built from the declared fields (nested lists as lists of structs);
pyarrow's compute functions take each declared field out of its struct and flatten each list
(`struct_field`, `list_flatten`, `list_parent_indices`: no values copied), so every level
reaches DuckDB as flat typed columns; the same `check` runs on the result. Anything
the strict schema refuses (a string amount, a truncated or blank line, an expanded object
where an id is usual, a duplicated key) makes that resource fall back to the per-line form,
which names file, line and field, so both forms give the same tables and the same problems
(tests/unit/data/test_stripe.py compares them). Measured reason: on the 209 MB invoices
file of 10,000 accounts the per-line form took 2.5 CPU s (invoices, lines, discount
amounts), the bulk form 2.3 (pyarrow's parse 1.0 of it, DuckDB's flattening the rest): a
small gain, measured on 2 shared, heavily loaded cores. Flattening in DuckDB (unnesting the
struct lists through temporary tables) converted the whole `lines` list once to read
`lines.has_more` and again per level. Flat columns: 0.7 CPU s of DuckDB statements at
10,000 accounts (1.0 before); at 100,000 customers 21 CPU s (23 before), the rest of both
being DuckDB spilling past a 2 GB `memory_limit` (2.7 GB written); both on 2 cores at load 6-16.
A bulk table stores values only: no type tags, no `broken` flag, no always-null columns
(`check(bulk=True)` reads presence from the values), because DuckDB keeps in-memory tables
uncompressed (measured: a VARCHAR tag ~19 bytes a row, an all-null VARCHAR ~14) and the
tags pushed the 100,000-customer tables past a 2 GB `memory_limit`. pyarrow parses with jemalloc
(`arrow_memory`): its default mimalloc returned each 128 MB block's memory to the system
(3.9 system CPU s for the 418 MB invoices of 20,000 accounts, 0.3 with jemalloc).
Together, at 100,000 customers: reading and checking 51 CPU s -> 33 (load 7).
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

FIELD_SAMPLE = 1000
"""Objects per file whose unused top-level fields are counted."""

MEMORY_LIMIT = 2 << 30
"""Least DuckDB memory (bytes) of an `ObjectReader` given a spill folder (see `memory_limit`)."""

MEMORY_SHARE = 3
"""An `ObjectReader` given a spill folder may use 1/`MEMORY_SHARE` of DuckDB's default limit."""

NO_CHECKPOINT = "1TB"
"""The reader's `checkpoint_threshold`: its in-memory tables are never checkpointed.

DuckDB checkpoints an in-memory database too, by default after every 16 MiB of changes, and
each checkpoint rewrote the tables written so far: reading the 2.1 GB invoices file of 100,000
Stripe customers, two of its 48 inserts stalled 1.3-1.6 s each (2 CPU s, the queries
themselves took milliseconds); without checkpoints no insert took over 0.35 s, and reading
all files took 21.0 CPU s instead of 24.3 at the same peak memory (4.6 GB; 2 cores, load 1.6).
The tables are scratch, dropped when the import ends, so a checkpoint buys nothing."""

_UNITS = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


def memory_limit(con: duckdb.DuckDBPyConnection) -> str:
    """DuckDB memory of an `ObjectReader` given a spill folder: a third of DuckDB's default
    limit on `con` (80% of the memory of the machine or container, as DuckDB detects it), at
    least `MEMORY_LIMIT`; beyond it, tables spill to the folder.

    Measured reason (100,000 Stripe customers, 3.3 GB of JSON Lines, 2 shared cores at load
    3-6, in one process): capped at 2 GB the import spilled and took 87.5 CPU s (21.6 system),
    119 s wall, 3.0 GB peak RSS; at 6 GB (about a third of DuckDB's 18.8 GiB on this 23 GB
    machine) it took 76.8 CPU s (15.4 system), 85 s wall, 4.7 GB peak RSS. A machine with
    8 GB keeps 2 GB. Tried and not kept: `allocator_flush_threshold` at 4 GB (80.9 CPU s
    against 83.1 without: noise). The result counts MB as DuckDB does (10^6 bytes)."""
    found = re.fullmatch(
        r"([0-9.]+) (KiB|MiB|GiB|TiB)",
        str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]),
    )
    share = 0
    if found is not None:
        share = int(float(found.group(1)) * _UNITS[found.group(2)]) // MEMORY_SHARE
    return f"{max(MEMORY_LIMIT, share) >> 20}MB"


FieldKind = Literal[
    "id",
    "expandable",
    "int",
    "count",
    "time",
    "number",
    "text",
    "decimal_text",
    "bool",
    "list",
    "object",
]
"""How a field's value must look: `id`/`text` strings, `expandable` an id string or the expanded
object (its `id` is used), `int` an integer (minor currency units), `time` Unix seconds,
`number` any number, `decimal_text` a decimal string, `bool`, `list`, `object`."""


@dataclass(frozen=True)
class Field:
    """One field read from an object: dotted path, JSON kind, what it feeds (`target`, for the
    documentation), whether it must be present and its allowed values."""

    path: str
    kind: FieldKind
    target: str = ""
    required: bool = False
    allowed: tuple[str, ...] = ()

    @property
    def column(self) -> str:
        """Typed value column: text for ids/strings (an expanded object's id), BIGINT for
        amounts and times, DOUBLE for numbers, BOOLEAN, or the JSON text of lists/objects."""
        return "f_" + re.sub(r"[^A-Za-z0-9]", "_", self.path)

    @property
    def tag(self) -> str:
        """The JSON type of the value as found: VARCHAR, BIGINT, DOUBLE, BOOLEAN, OBJECT,
        ARRAY, NULL (missing: SQL NULL)."""
        return "k_" + self.column[2:]

    @property
    def raw(self) -> str:
        """Expandable fields: the expanded object's JSON (NULL when given as an id)."""
        return "o_" + self.column[2:]


@dataclass(frozen=True)
class ObjectType:
    """An object type: its name, the `object` value it carries, its fields, the file stems
    that list it (none for objects only found nested in others) and a note."""

    name: str
    object: str
    fields: tuple[Field, ...]
    files: tuple[str, ...] = ()
    note: str = ""


_JTYPES = {
    "id": ("VARCHAR",),
    "text": ("VARCHAR", "BIGINT", "UBIGINT", "DOUBLE", "BOOLEAN"),
    "decimal_text": ("VARCHAR", "BIGINT", "UBIGINT", "DOUBLE"),
    "expandable": ("VARCHAR", "OBJECT"),
    "int": ("BIGINT", "UBIGINT"),
    "count": ("BIGINT", "UBIGINT"),
    "time": ("BIGINT", "UBIGINT"),
    "number": ("BIGINT", "UBIGINT", "DOUBLE"),
    "bool": ("BOOLEAN",),
    "list": ("ARRAY",),
    "object": ("OBJECT",),
}
_EXPECT = {
    "id": "a string id",
    "text": "a string",
    "decimal_text": "a decimal string",
    "expandable": "an id or an expanded object",
    "int": "an integer (minor currency units)",
    "count": "an integer",
    "time": "an integer (Unix seconds)",
    "number": "a number",
    "bool": "true or false",
    "list": "a list",
    "object": "an object",
}


@dataclass(frozen=True)
class Found:
    """One problem: file, line (or object/row number), object id, field path, message, value."""

    file: str
    line: int | None
    object_id: str | None
    field: str | None
    message: str
    value: str | None = None


def _path_json(path: str) -> str:
    return "$." + path


class ObjectReader:
    """Reads files of objects into a private in-memory DuckDB (`con`); problems go to its
    `problems` table (file, line, object_id, field, value, message)."""

    def __init__(self, spill: Path | None = None) -> None:
        self.con = duckdb.connect()
        self.con.execute(f"SET checkpoint_threshold = '{NO_CHECKPOINT}'")
        if spill is not None:  # tables beyond memory_limit() go to disk there
            self.con.execute(f"SET temp_directory = '{quote_sql(str(spill))}'")
            self.con.execute(f"SET memory_limit = '{memory_limit(self.con)}'")
        self.con.execute(
            "CREATE TEMP TABLE problems (file VARCHAR, line BIGINT, object_id VARCHAR, "
            "field VARCHAR, value VARCHAR, message VARCHAR)"
        )
        self.unused: dict[str, int] = {}
        self.unused_fields: dict[str, dict[str, int]] = {}
        self.files: dict[str, int] = {}
        self.labels: dict[str, str] = {}

    def found(self, cap: int) -> tuple[list[Found], int]:
        """The first `cap` problems (by file and line) and how many there are."""
        total = int(self.con.execute("SELECT count(*) FROM problems").fetchall()[0][0])
        rows = self.con.execute(
            f"SELECT * FROM problems ORDER BY file, line NULLS FIRST, field LIMIT {int(cap)}"
        ).fetchall()
        return [Found(f, ln, o, fld, msg, val) for f, ln, o, fld, val, msg in rows], total

    # ---------------------------------------------------------------- problems
    def report(self, query: str, message: str) -> None:
        """Record every row of `query` (file, line, object_id, field, value) as a problem."""
        self.con.execute(
            f"INSERT INTO problems SELECT q.*, '{quote_sql(message)}' FROM ({query}) q"
        )

    def add(
        self,
        file: str,
        line: int | None,
        object_id: str | None,
        fld: str | None,
        message: str,
        value: str | None = None,
    ) -> None:
        self.con.execute(
            "INSERT INTO problems VALUES (?, ?, ?, ?, ?, ?)",
            [file, line, object_id, fld, value, message],
        )

    # ---------------------------------------------------------------- reading
    def source(self, resource: str, paths: list[Path], types: dict[str, ObjectType]) -> str:
        """SQL yielding (file, line, prefix, j) for the objects of `paths`: JSON Lines read as
        text lines (so a truncated line is found by its number), JSON lists, or CSV rows."""
        parts = []
        for path in paths:
            suffix = path.suffix.lower()
            name = path.name
            self.labels[name] = "row" if suffix == ".csv" else "line"
            if suffix in (".jsonl", ".ndjson"):
                parts.append(
                    f"SELECT * FROM (SELECT '{quote_sql(name)}' AS file, "
                    "row_number() OVER () AS line, "
                    f"'' AS prefix, column0 AS j "
                    f"FROM read_csv('{quote_sql(str(path))}', columns={{'column0': 'VARCHAR'}}, "
                    "delim='\\x01', quote='', escape='', header=false, auto_detect=false, "
                    "max_line_size=67108864, strict_mode=false)) WHERE j IS NOT NULL"
                )
            elif suffix == ".json":
                parts.append(self._json_list(path))
            else:
                parts.append(self._csv(path, types.get(resource)))
        return " UNION ALL ".join(parts)

    def _json_list(self, path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        empty = (
            "SELECT NULL::VARCHAR AS file, NULL::BIGINT AS line, '' AS prefix, "
            "NULL::VARCHAR AS j WHERE false"
        )
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            self.add(
                path.name,
                error.lineno,
                None,
                None,
                f"not valid JSON ({error.msg}, column {error.colno})",
            )
            return empty
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]  # a saved API list response
        if not isinstance(data, list):
            self.add(path.name, 1, None, None, "expected a JSON list of objects")
            return empty
        self.labels[path.name] = "object"
        frame = pd.DataFrame(
            {"file": path.name, "line": range(1, len(data) + 1), "j": [json.dumps(o) for o in data]}
        )
        name = f"_list_{len(self.labels)}"
        self.con.register(name, frame)
        return f"SELECT file, line, '' AS prefix, j FROM {name}"

    def _csv(self, path: Path, resource: ObjectType | None) -> str:
        """CSV with the API's field names, nested ones flattened as parent.child or parent_child:
        each row becomes the JSON object the API would list (numbers and booleans typed, cells
        holding JSON kept as JSON, empty cells missing)."""
        header = self.con.execute(
            f"SELECT * FROM read_csv('{quote_sql(str(path))}', all_varchar=true, header=true) "
            "LIMIT 0"
        ).description
        names = [d[0] for d in header]
        known = [f.path for f in resource.fields] if resource else []
        tree: dict = {}
        for name in names:
            target = _csv_path(name, known)
            node = tree
            parts = target.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    break
            else:
                node[parts[-1]] = name
        value = _csv_object_sql(tree)
        return (
            f"SELECT '{quote_sql(path.name)}' AS file, row_number() OVER () + 1 AS line, "
            "'' AS prefix, "
            f"CAST({value} AS VARCHAR) AS j "
            f"FROM read_csv('{quote_sql(str(path))}', all_varchar=true, header=true)"
        )

    # ---------------------------------------------------------------- extraction
    def extract(self, resource: ObjectType, source: str, out: str, top: bool = True) -> None:
        """`out` = one row per object of `source`, each field as a type tag and a typed value
        (parsed once: the tag is read from the first character of the extracted JSON); every
        field checked in one pass (kind, required, allowed values) and problems recorded.

        `source` yields file, line, prefix, j and, for nested objects, oid and parent columns."""
        fields = resource.fields
        paths = ", ".join(f"'{_path_json(f.path)}'" for f in fields)
        items, tags, scratch = [], [], []
        for i, f in enumerate(fields):
            x, t = f"v[{i + 3}]", f"_t{i}"
            tags.append(f"{_tag_sql(x)} AS {t}")
            scratch.append(t)
            items.append(f"{_checked_tag_sql(x, t, f.kind)} AS {f.tag}")
            items.append(f"{_value_sql(x, f.kind)} AS {f.column}")
            if f.kind in ("expandable", "object"):
                items.append(f"CASE WHEN left({x}, 1) = '{{' THEN {x} END AS {f.raw}")
        oid = "v[2]->>'$' AS oid, " if top else ""
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {out} AS SELECT * EXCLUDE (j, v, {', '.join(scratch)}), "
            f"v IS NULL AS broken, v[1]->>'$' AS object, {oid}{', '.join(items)} "
            f"FROM (SELECT *, {', '.join(tags)} FROM ("
            f"SELECT *, try(json_extract(j, ['$.object', '$.id', {paths}])) AS v "
            f"FROM ({source})))"
        )
        self.check(resource, out, top)

    def extract_lines(
        self,
        resource: ObjectType,
        paths: list[Path],
        out: str,
        children: Children,
    ) -> list[str] | None:
        """The bulk form of `extract` for JSON Lines files: pyarrow parses each file in blocks
        against a schema built from the declared fields (strict: a string where an integer
        belongs, a truncated line, a blank line or an expanded object where an id is declared
        fails the parse), DuckDB flattens the nested lists named in `children` (list field
        path -> child type, its table, its own children) into their tables, and `check` runs
        the same checks as for `extract`.

        Returns the tables written (`out` and every descendant), or None, leaving nothing
        behind, when a file is not plain JSON Lines the schema reads: the caller then runs
        `extract` (and its nested extractions), which names file, line and field."""
        if not paths or any(p.suffix.lower() not in (".jsonl", ".ndjson") for p in paths):
            return None
        schema = _arrow_schema(resource, children)
        if schema is None:
            return None
        tables = _descendants(out, resource, children)
        options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
        try:
            self._lines_batch(resource, schema.empty_table(), "", 0, out, children, create=True)
            for path in paths:
                self.labels[path.name] = "line"
                offset = 0
                reader = pj.open_json(
                    path, read_options=pj.ReadOptions(block_size=ARROW_BLOCK), parse_options=options
                )
                for batch in reader:
                    self._lines_batch(resource, batch, path.name, offset, out, children)
                    offset += batch.num_rows
                if offset != _json_lines(path):
                    raise pa.ArrowInvalid("blank lines: line numbers would shift")
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError, OSError):
            for table, _ in tables:
                self.con.execute(f"DROP TABLE IF EXISTS {table}")
            return None
        for table, object_type in tables:
            self.check(object_type, table, top=table == out, bulk=True)
        return [table for table, _ in tables]

    def _lines_batch(
        self,
        resource: ObjectType,
        batch: pa.RecordBatch | pa.Table,
        file: str,
        offset: int,
        out: str,
        children: Children,
        create: bool = False,
    ) -> None:
        """One parsed block: the objects into `out`, their list elements into the children's
        tables (created from an empty block first, so the column types are fixed once).

        Each level reaches DuckDB as flat columns, one per declared field (pyarrow takes
        struct fields and flattens lists without copying values), so DuckDB converts no
        nested list twice: reading `lines.has_more` from the struct converted the whole
        `lines` list (measured: 23 CPU s of flattening at 100,000 customers before)."""
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        lines = pa.array(range(offset + 1, offset + table.num_rows + 1), pa.int64())
        top = _Level(partial(_table_field, table), lines)
        verb = f"CREATE OR REPLACE TEMP TABLE {out} AS" if create else f"INSERT INTO {out}"
        self._insert_level(
            verb, resource, top, file, "'' AS prefix", '"id" AS oid, ', ("object", "id")
        )
        self._lines_children(
            top,
            top.values("id"),
            pa.array([""] * table.num_rows, pa.string()),
            file,
            children,
            create,
        )

    def _insert_level(
        self,
        verb: str,
        resource: ObjectType,
        level: _Level,
        file: str,
        keys: str,
        oid: str,
        extra: tuple[str, ...],
        columns: dict[str, pa.Array] | None = None,
    ) -> None:
        """Insert one level's rows: `keys` (SQL over `columns`), `oid`, then the value
        columns `extract` makes. No type tags: the strict schema fixed each field's JSON type
        (`check(bulk=True)` reads presence from the values); a list field is stored as its
        tag column, a BOOLEAN (present), and `object` fields (absent or null in bulk) not at
        all."""
        flat = dict(columns or {})
        flat["__line"] = level.lines
        for name in extra:
            flat[name] = level.values(name)
        items = []
        for i, f in enumerate(resource.fields):
            x = f"c{i}"
            if f.kind == "list":
                flat[x] = pc.is_valid(level.values(f.path))
                items.append(f"{x} AS {f.tag}")
            elif f.kind != "object":
                flat[x] = level.values(f.path)
                items.append(f"{x} AS {f.column}")
        self.con.register("_bulk_flat", pa.table(flat))
        try:
            self.con.execute(
                f"{verb} SELECT '{quote_sql(file)}' AS file, __line AS line, {keys}, "
                f'"object" AS object, {oid}{", ".join(items)} FROM _bulk_flat'
            )
        finally:
            self.con.unregister("_bulk_flat")

    def _lines_children(
        self,
        parent: _Level,
        oids: pa.Array,
        prefixes: pa.Array,
        file: str,
        children: Children,
        create: bool,
    ) -> None:
        """Each list field of the `parent` level's rows (whose top-level object ids are `oids`
        and field prefixes `prefixes`) into its child table, then that child's own lists."""
        for list_path, (child, table, grandchildren) in children.items():
            lists = parent.values(list_path)
            parents = pc.list_parent_indices(lists)
            elements = pc.list_flatten(lists)
            rank = np.asarray(parents)
            idx = pa.array(np.arange(len(rank)) - np.searchsorted(rank, rank) + 1, pa.int64())
            parent_prefix = prefixes.take(parents)
            prefix = pc.binary_join_element_wise(
                parent_prefix, f"{list_path}[", pc.cast(pc.subtract(idx, 1), pa.string()), "].", ""
            )
            level = _Level(partial(_field_of, elements, skip=0), parent.lines.take(parents))
            child_oids = oids.take(parents)
            verb = f"CREATE OR REPLACE TEMP TABLE {table} AS" if create else f"INSERT INTO {table}"
            self._insert_level(
                verb,
                child,
                level,
                file,
                "__oid AS oid, __prefix AS prefix, __oid AS parent_id, "
                "__parent_prefix AS parent_prefix, __idx AS idx",
                "",
                ("object",),
                {
                    "__oid": child_oids,
                    "__prefix": prefix,
                    "__parent_prefix": parent_prefix,
                    "__idx": idx,
                },
            )
            if grandchildren:
                self._lines_children(level, child_oids, prefix, file, grandchildren, create)

    def check(self, resource: ObjectType, out: str, top: bool = True, bulk: bool = False) -> None:
        """The checks every extracted table gets, however it was read: broken lines, objects
        of other types (counted as unused and dropped), objects per file, and every field's
        kind, presence and allowed values, recorded as problems.

        `bulk`: `out` was read by `extract_lines`, whose strict schema already refused every
        broken line and value of another JSON type; it has no tag columns, so presence is read
        from the values and only the required, allowed-value and decimal checks remain."""
        fields = resource.fields
        if top:
            if not bulk:
                self.report(
                    f"SELECT file, line, NULL, NULL, NULL FROM {out} WHERE broken",
                    "not a complete JSON object (truncated or malformed line)",
                )
            for obj, count in self.con.execute(
                f"SELECT object, count(*) FROM {out} WHERE object IS NOT NULL "
                f"AND object NOT IN ('{resource.object}', 'card') GROUP BY 1"
            ).fetchall():
                self.unused[f"{obj} objects in the {resource.name} files"] = int(count)
                self.con.execute(f"DELETE FROM {out} WHERE object = '{quote_sql(obj)}'")
            for name, count in self.con.execute(
                f"SELECT file, count(*) FROM {out} GROUP BY file"
            ).fetchall():
                self.files[name] = self.files.get(name, 0) + int(count)
        checks = []
        for f in fields:
            col, jt = f.column, f.tag
            types = ", ".join(f"'{t}'" for t in _JTYPES[f.kind])
            where = f"prefix || '{f.path}'"
            if not bulk:
                missing, string = f"{jt} IS NULL OR {jt} = 'NULL'", f"{jt} = 'VARCHAR'"
            elif f.kind == "list":
                missing, string = f"{jt} IS NOT true", "false"
            elif f.kind == "object":
                missing, string = "true", "false"
            else:
                missing, string = f"{col} IS NULL", f"{col} IS NOT NULL"
            if f.required:
                expected = _text(f"missing; expected {_EXPECT[f.kind]}")
                checks.append((missing, where, "NULL", expected))
            if not bulk:
                found = f"split_part({jt}, ':', 1)"
                checks.append(
                    (
                        f"{jt} NOT IN ('NULL', {types})",
                        where,
                        f"substr({jt}, strpos({jt}, ':') + 1)",
                        f"'expected {quote_sql(_EXPECT[f.kind])}, found ' || CASE {found} "
                        "WHEN 'VARCHAR' THEN 'a string' WHEN 'BIGINT' THEN 'an integer' "
                        "WHEN 'DOUBLE' THEN 'a decimal number' WHEN 'BOOLEAN' THEN 'a boolean' "
                        "WHEN 'OBJECT' THEN 'an object' ELSE 'a list' END",
                    )
                )
            if f.allowed:
                allowed = ", ".join(f"'{a}'" for a in f.allowed)
                checks.append(
                    (
                        f"{string} AND {col} NOT IN ({allowed})",
                        where,
                        col,
                        _text(f"unknown value; expected one of: {', '.join(f.allowed)}"),
                    )
                )
            if f.kind == "decimal_text":
                checks.append(
                    (
                        f"{string} AND NOT regexp_full_match({col}, '-?[0-9]+(\\.[0-9]+)?')",
                        where,
                        col,
                        _text("expected a decimal amount in minor units"),
                    )
                )
        if not checks:
            return
        cases = ", ".join(
            f"CASE WHEN {cond} THEN {{'field': {where}, 'value': left({value}, 80), "
            f"'message': {message}}} END"
            for cond, where, value, message in checks
        )
        # only rows breaking some check build the list of their problems
        any_bad = " OR ".join(f"coalesce({cond}, false)" for cond, _, _, _ in checks)
        self.con.execute(
            f"INSERT INTO problems SELECT file, line, oid, p.field, p.value, p.message FROM ("
            f"SELECT file, line, oid, unnest(list_filter([{cases}], lambda x: x IS NOT NULL)) AS p "
            f"FROM {out} WHERE {'' if bulk else 'NOT broken AND '}({any_bad}))"
        )

    def count_unused_fields(self, resource: ObjectType, paths: list[Path]) -> None:
        """Top-level fields the mapping does not read, per file, counted over the first
        `FIELD_SAMPLE` objects of each file (an export's objects share one shape; counting
        every object would parse the whole file a second time)."""
        used = {"object", "id", *(f.path.split(".")[0] for f in resource.fields)}
        known = [f.path for f in resource.fields]
        for path in paths:
            counts: dict[str, int] = {}
            for keys in _sample_keys(path, known):
                for key in keys:
                    if key not in used:
                        counts[key] = counts.get(key, 0) + 1
            if counts:
                self.unused_fields[path.name] = dict(sorted(counts.items()))

    # SQL helpers over extracted columns
    @staticmethod
    def s(f: str, t: str = "") -> str:
        """Text value (an expanded object's id)."""
        return (t + "." if t else "") + "f_" + re.sub(r"[^A-Za-z0-9]", "_", f)

    @staticmethod
    def d(f: str, t: str = "") -> str:
        """Unix seconds -> DATE (UTC)."""
        return f"(DATE '1970-01-01' + CAST(floor({ObjectReader.s(f, t)} / 86400) AS INTEGER))"

    def children(self, parent: str, list_field: str, label: str) -> str:
        col = "f_" + re.sub(r"[^A-Za-z0-9]", "_", list_field)
        return (
            f"SELECT file, line, oid, prefix || '{label}[' || (idx - 1) || '].' AS prefix, "
            f"elem AS j, oid AS parent_id, prefix AS parent_prefix, idx FROM ("
            f"SELECT file, line, oid, prefix, unnest(json_extract({col}, '$[*]')) AS elem, "
            f"generate_subscripts(json_extract({col}, '$[*]'), 1) AS idx "
            f"FROM {parent} WHERE k_{col[2:]} = 'ARRAY' AND {col} <> '[]')"
        )


Children = dict[str, tuple["ObjectType", str, "Children"]]
"""List fields read in bulk: list field path -> (child type, child table, its own lists)."""


@contextmanager
def arrow_memory() -> Iterator[None]:
    """pyarrow's default memory pool is jemalloc (else the system allocator) inside the block:
    pyarrow's bundled default, mimalloc, returned each parsed block's memory to the system
    and faulted it back in. Measured on the 418 MB invoices file of 20,000 accounts (2 shared
    cores, load 7): mimalloc 2.0 user + 3.9 system CPU s, 9.0 s wall; jemalloc 1.5 + 0.3,
    2.9 s; the system allocator 1.7 + 0.3, 3.1 s. Arrays keep the pool that made them, so
    restoring the default afterwards is safe."""
    before = pa.default_memory_pool()
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # pyarrow built without jemalloc (Windows wheels)
        pool = pa.system_memory_pool()
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(before)


ARROW_BLOCK = 128 << 20
"""Bytes of JSON Lines parsed per block by pyarrow (memory per block, not per file). On the
209 MB invoices file of 10,000 accounts: 16 MB blocks 4.2 CPU s, 64 MB 2.5, 128 MB 2.3."""

_ARROW_TYPES: dict[str, pa.DataType] = {
    "id": pa.string(),
    "text": pa.string(),
    "decimal_text": pa.string(),
    "expandable": pa.string(),
    "int": pa.int64(),
    "count": pa.int64(),
    "time": pa.int64(),
    "number": pa.float64(),
    "bool": pa.bool_(),
    "object": pa.null(),
}
"""The bulk schema's type per kind: only the common form (an expandable field as an id, an
`object` field absent or null) is read in bulk; anything else fails the parse and is read by
`extract`."""


def _arrow_fields(resource: ObjectType, children: Children) -> list[pa.Field] | None:
    tree: dict = {"object": pa.string(), "id": pa.string()}
    for f in resource.fields:
        if f.kind == "list":
            if f.path not in children:
                return None
            child, _, grandchildren = children[f.path]
            inner = _arrow_fields(child, grandchildren)
            if inner is None:
                return None
            kind: pa.DataType = pa.list_(pa.struct(inner))
        else:
            kind = _ARROW_TYPES[f.kind]
        node = tree
        parts = f.path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                return None
        if isinstance(node.get(parts[-1]), dict):
            return None
        node[parts[-1]] = kind

    def build(node: dict) -> list[pa.Field]:
        return [
            pa.field(k, pa.struct(build(v)) if isinstance(v, dict) else v) for k, v in node.items()
        ]

    return build(tree)


def _arrow_schema(resource: ObjectType, children: Children) -> pa.Schema | None:
    """The pyarrow schema of `resource` with its `children` lists, or None if a field cannot
    be read in bulk (a list not in `children`, a path that is both a value and an object)."""
    fields = _arrow_fields(resource, children)
    return None if fields is None else pa.schema(fields)


def _descendants(
    out: str, resource: ObjectType, children: Children
) -> list[tuple[str, ObjectType]]:
    """`out` and the tables of every nested list below it, parents first."""
    tables = [(out, resource)]
    for child, table, grandchildren in children.values():
        tables += _descendants(table, child, grandchildren)
    return tables


@dataclass(frozen=True)
class _Level:
    """One level of a parsed block: `values(path)` gives a field's column (pyarrow), `lines`
    the line of each row's top-level object."""

    values: Callable[[str], pa.Array]
    lines: pa.Array


def _table_field(table: pa.Table, path: str) -> pa.Array:
    """The values at dotted `path` among the top-level columns of a parsed block."""
    return _field_of(table.column(path.split(".")[0]), path, skip=1)


def _field_of(column: pa.Array | pa.ChunkedArray, path: str, skip: int) -> pa.Array:
    """The values at dotted `path` inside a struct column (its first `skip` parts already
    taken): null wherever a parent struct is null."""
    values = column
    if isinstance(values, pa.ChunkedArray):  # one chunk per parsed block: no copy
        values = values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()
    for part in path.split(".")[skip:]:
        values = pc.struct_field(values, part)
    return values


def _json_lines(path: Path) -> int:
    """Lines of a JSON Lines file (a last line without a newline counts)."""
    size = path.stat().st_size
    if not size:
        return 0
    with open(path, "rb") as handle:
        handle.seek(size - 1)
        last = handle.read(1)
    return count_lines(path) + (last != b"\n")


def quote_sql(text: str) -> str:
    """Text for inside an SQL string literal (quotes doubled)."""
    return text.replace("'", "''")


def count_lines(path: Path) -> int:
    """Newlines in a file (read in 1 MiB blocks)."""
    with open(path, "rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


def _csv_path(name: str, known: list[str]) -> str:
    """A CSV header as a dotted field path: 'card.exp_month' as is; 'card_exp_month' matched
    against the fields the mapping reads; anything else kept as a top-level name."""
    if "." in name:
        return name
    for path in known:
        if path.replace(".", "_") == name:
            return path
    return name


def _csv_object_sql(tree: dict) -> str:
    items = []
    for key, node in tree.items():
        if isinstance(node, dict):
            items.append(f"'{quote_sql(key)}', {_csv_object_sql(node)}")
        else:
            col = '"' + node.replace('"', '""') + '"'
            items.append(
                f"'{quote_sql(key)}', CASE WHEN {col} IS NULL OR {col} = '' THEN NULL "
                f"WHEN regexp_full_match({col}, '-?[0-9]+|-?[0-9]+\\.[0-9]+|true|false') "
                f"THEN json({col}) "
                f"WHEN regexp_full_match(trim({col}), '[\\[{{].*') AND json_valid({col}) "
                f"THEN json({col}) ELSE to_json({col}) END"
            )
    return "json_object(" + ", ".join(items) + ")"


def _sample_keys(path: Path, known: list[str]) -> list[list[str]]:
    """Top-level keys of the first `FIELD_SAMPLE` objects of a file (CSV: its header)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with open(path, encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle), [])
        return [[_csv_path(name, known).split(".")[0] for name in header]]
    objects: list[object] = []
    try:
        if suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            data = data.get("data", data) if isinstance(data, dict) else data
            objects = list(data[:FIELD_SAMPLE]) if isinstance(data, list) else []
        else:
            with open(path, encoding="utf-8") as handle:
                for line in itertools.islice(handle, FIELD_SAMPLE):
                    if line.strip():
                        objects.append(json.loads(line))
    except (json.JSONDecodeError, UnicodeDecodeError):
        pass  # reported, with its line, by the extraction
    return [list(o) for o in objects if isinstance(o, dict)]


def _tag_sql(x: str) -> str:
    """The JSON type of an extracted value from its first character (no second parse)."""
    return (
        f"CASE WHEN {x} IS NULL THEN NULL ELSE CASE left({x}, 1) WHEN '\"' THEN 'VARCHAR' "
        f"WHEN '{{' THEN 'OBJECT' WHEN '[' THEN 'ARRAY' "
        f"WHEN 'n' THEN 'NULL' WHEN 't' THEN 'BOOLEAN' WHEN 'f' THEN 'BOOLEAN' "
        f"ELSE CASE WHEN contains({x}, '.') OR contains(lower({x}), 'e') THEN 'DOUBLE' "
        f"ELSE 'BIGINT' END END END"
    )


def _checked_tag_sql(x: str, tag: str, kind: FieldKind) -> str:
    """`_tag_sql`, and for a value of a JSON type `kind` does not take, the tag followed by
    ':' and the value's JSON text (first 80 characters), so the problem quotes the value the
    file holds (`"27000"` where an integer belongs; rt6 #14 showed 'a string'). Only wrong
    values carry the text, so the column stores nothing more for the others; `tag` is the
    tag computed once in a projection below (inlining `_tag_sql` three times cost 35% more
    CPU). Measured, the per-line reading of 2,000 Stripe accounts (min of 3, A/B twice, load
    3-4): 2.04 / 2.23 CPU s before, 2.18 / 2.47 after; the bulk JSON Lines form is unchanged."""
    accepted = ", ".join(f"'{t}'" for t in ("NULL", *_JTYPES[kind]))
    return (
        f"CASE WHEN {x} IS NULL OR {tag} IN ({accepted}) THEN {tag} "
        f"ELSE {tag} || ':' || left(CAST({x} AS VARCHAR), 80) END"
    )


def _text(message: str) -> str:
    """A problem message as an SQL string literal."""
    return "'" + quote_sql(message) + "'"


def _value_sql(x: str, kind: str) -> str:
    text = f"CAST({x} AS VARCHAR)"
    if kind in ("int", "count", "time"):
        return f"CASE WHEN left({x}, 1) IN {_DIGITS} THEN TRY_CAST({text} AS BIGINT) END"
    if kind == "number":
        return f"CASE WHEN left({x}, 1) IN {_DIGITS} THEN TRY_CAST({text} AS DOUBLE) END"
    if kind == "bool":
        return f"CASE {text} WHEN 'true' THEN true WHEN 'false' THEN false END"
    if kind in ("list", "object"):
        return text
    # a JSON string without escapes is its text between the quotes (no second parse)
    string = (
        f"CASE WHEN contains({text}, '\\') THEN {x}->>'$' "
        f"ELSE substr({text}, 2, length({text}) - 2) END"
    )
    if kind == "expandable":
        return f"CASE left({x}, 1) WHEN '\"' THEN {string} WHEN '{{' THEN {x}->>'$.id' END"
    # id, text, decimal_text: strings, or scalars as their text (CSV cells, numeric metadata)
    return (
        f"CASE left({x}, 1) WHEN '\"' THEN {string} WHEN '{{' THEN NULL WHEN '[' THEN NULL "
        f"WHEN 'n' THEN NULL ELSE {text} END"
    )


_DIGITS = "('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9')"


def sql_list(values: Sequence[object]) -> str:
    """An SQL list of quoted text values.

    Examples:
        >>> sql_list(("a", "b'c"))
        "('a', 'b''c')"
    """
    return "(" + ", ".join("'" + quote_sql(str(v)) + "'" for v in values) + ")"
