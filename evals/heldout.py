"""Scaffolding shared by the blind held-out set generators (`evals/holdout*/build*.py`).

Each generator writes one frozen JSON Lines set from Python literals, so that every asserted
value sits next to the SQL it comes from. What they have in common lives here once: the
`expect` builder (keys always in the same order, so a set rebuilds byte-identically), writing a
set with a duplicate-id check, re-running fact queries on a warehouse, the demo warehouse a
script's `--db` names or builds (`demo_warehouse`, through the `revrisk demo` command a user
runs), and making upload files from the reference project's account rows. The sets themselves
are frozen: a rebuild must not change a byte (tests/unit/test_layout.py holds their hashes).

Examples:
    >>> expectation(tools=["score_leakage"], refuse=False)
    {'tools': ['score_leakage'], 'refuse': False}
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict, Unpack

import pandas as pd
from pydantic import ValidationError

PS, SL, EX, DL = "portfolio_summary", "score_leakage", "explain_risk_factors", "detect_leakage"
DT, FD, LS, SR = "decompose_trend", "find_declining_customers", "list_segments", "segment_report"
SQ, SF = "query_duckdb", "score_file"
"""Short names of the ten tools, as the generators write them."""

DEMO_DB: dict[str, int] = {"accounts": 2000, "seed": 7}
"""The warehouse every held-out case runs against (`revrisk demo --accounts 2000 --seed 7`)."""


def build_demo(folder: Path) -> Path:
    """A fresh `DEMO_DB` warehouse in `folder`, built by the `revrisk demo` command."""
    db = folder / "demo.duckdb"
    revrisk = Path(sys.executable).with_name("revrisk")
    spec = [f"--{key}={value}" for key, value in DEMO_DB.items()]
    subprocess.run([str(revrisk), "demo", *spec, "--db", str(db)], check=True, capture_output=True)
    return db


@contextlib.contextmanager
def demo_warehouse(argv: Sequence[str] | None, description: str) -> Iterator[Path]:
    """The warehouse a generator or validator reads: `--db PATH` from `argv`, else a fresh
    `build_demo` in a temporary folder that lasts as long as the block."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--db", type=Path, help="an existing demo warehouse (2,000 accounts, seed 7)"
    )
    db: Path | None = parser.parse_args(argv).db
    if db is not None:
        yield db
        return
    with tempfile.TemporaryDirectory() as tmp:
        yield build_demo(Path(tmp))


class ExpectedCalls(TypedDict, total=False):
    """What a turn expects the assistant to do (`expectation`'s keywords but `contains`)."""

    tools: list[str] | None
    not_called: list[str] | None
    args: dict[str, dict[str, Any]] | None
    no_tool: bool | None
    refuse: bool | None
    clarify: bool | None


class Expect(ExpectedCalls, total=False):
    """`expectation`'s keywords: what a turn expects, as the generators write it. A generator's
    own turn builder takes them as ``**expect: Unpack[Expect]`` and passes them on, so the
    list is written once (`ExpectedCalls` for a builder that makes `contains` itself)."""

    contains: list[str] | None


_EXPECT_KEYS = {
    "tools": "tools",
    "not_called": "tools_not_called",
    "args": "args",
    "no_tool": "no_tool",
    "contains": "answer_contains",
    "refuse": "refuse",
    "clarify": "clarify",
}
"""Each `Expect` keyword's key in the case format, in the format's order (a set rebuilds
byte-identically only if the order never changes)."""


def expectation(**given: Unpack[Expect]) -> dict[str, Any]:
    """A turn's `expect` object with only the keys given, in the case format's order: a list or
    mapping when it is not empty, a flag when it is not None (so a False flag is written).

    Examples:
        >>> expectation(contains=["102"], no_tool=False, args={}, tools=["portfolio_summary"])
        {'tools': ['portfolio_summary'], 'no_tool': False, 'answer_contains': ['102']}
    """
    unknown = sorted(set(given) - set(_EXPECT_KEYS))
    if unknown:
        raise TypeError(f"expectation() got unknown keywords: {unknown}")
    values: dict[str, Any] = dict(given)
    expect: dict[str, Any] = {}
    for name, key in _EXPECT_KEYS.items():
        value = values.get(name)
        if value or value is False:
            expect[key] = value
    return expect


def write_cases(cases: list[dict[str, Any]], path: Path, *, ensure_ascii: bool = False) -> None:
    """One JSON object per line (after checking ids are unique); prints what was written."""
    ids = [case["id"] for case in cases]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SystemExit(f"duplicate case ids: {dupes}")
    with path.open("w", encoding="utf-8") as handle:
        for case in cases:
            handle.write(json.dumps(case, ensure_ascii=ensure_ascii) + "\n")
    n_turns = sum(len(case["turns"]) for case in cases)
    print(f"wrote {path}: {len(cases)} cases, {n_turns} turns")


def check_facts(db: str, facts: Mapping[str, tuple[str, str]]) -> int:
    """Re-run each fact's query read-only; print mismatches; 0 when all hold, else 1."""
    import duckdb

    con = duckdb.connect(db, read_only=True)
    failures = 0
    for name, (sql, expected) in facts.items():
        row = con.execute(sql).fetchone()
        got = "" if row is None or row[0] is None else str(row[0])
        if got != expected:
            failures += 1
            print(f"MISMATCH {name}: expected {expected!r}, got {got!r}\n  {sql}")
    con.close()
    print(f"{len(facts) - failures}/{len(facts)} facts hold")
    return 1 if failures else 0


NOTE_SEP = " ;; "
"""Between the ``value <- sql`` facts of one turn's note."""

Fact = tuple[str, str]
"""A turn's fact: (SQL whose first cell is the value, use: "count", "ids" or "" for a note only)."""


def first_cell(con: Any, sql: str) -> str:
    """The first cell of `sql`'s result on a DuckDB connection, as text (what a note records)."""
    row = con.execute(sql).fetchone()
    return "" if row is None or row[0] is None else str(row[0])


def resolve_cases(
    con: Any,
    cases: Iterable[tuple[str, list[str], list[dict[str, Any]]]],
    prefix: str,
    db_spec: Mapping[str, int] = DEMO_DB,
) -> list[dict[str, Any]]:
    """Cases written as data, `(case_id, tags, turns)` with each turn `{"user", "expect",
    "facts"}`, turned into the case format: every fact's SQL run on `con`, the turn's note is
    ``value <- sql`` facts joined by `NOTE_SEP`, and its `answer_contains` is the value of each
    "count" fact and each id of each "ids" fact (a `', '`-joined list)."""
    out = []
    for case_id, tags, turns in cases:
        out_turns = []
        for turn in turns:
            expect = dict(turn["expect"])
            notes, contains = [], []
            for sql, use in turn.get("facts", []):
                if NOTE_SEP.strip() in sql or " <- " in sql:
                    raise ValueError(f"{case_id}: a fact's SQL may not contain ';;' or ' <- '")
                value = first_cell(con, sql)
                notes.append(f"{value} <- {sql}")
                if use == "count":
                    contains.append(value)
                elif use == "ids":
                    contains.extend(value.split(", "))
            if contains:
                expect["answer_contains"] = contains
            entry: dict[str, Any] = {"user": turn["user"], "expect": expect}
            if notes:
                entry["note"] = NOTE_SEP.join(notes)
            out_turns.append(entry)
        out.append(
            {"id": f"{prefix}{case_id}", "db": dict(db_spec), "tags": tags, "turns": out_turns}
        )
    return out


def build_main(
    cases: Iterable[tuple[str, list[str], list[dict[str, Any]]]],
    prefix: str,
    out: Path,
    argv: Sequence[str] | None,
    description: str,
) -> int:
    """A generator's whole run: `resolve_cases` on the `demo_warehouse` that `argv` names (or
    a fresh one), read-only, then `write_cases` to `out`; 0."""
    import duckdb

    with demo_warehouse(argv, description) as db:
        con = duckdb.connect(str(db), read_only=True)
        try:
            resolved = resolve_cases(con, cases, prefix)
        finally:
            con.close()
    write_cases(resolved, out)
    return 0


def note_problems(con: Any, path: Path) -> list[str]:
    """Every problem of the set at `path`, one sentence each: it must load as cases, each
    ``value <- sql`` fact of a turn's note must still give its value on `con`, and each
    `answer_contains` string must be part of one of that turn's fact values."""
    from evals.schema import load_cases

    load_cases([path])  # schema and unique ids
    problems = []
    n_facts = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        for i, turn in enumerate(case["turns"], start=1):
            where = f"{case['id']} turn {i}"
            values = []
            note = turn.get("note", "")
            for fact in note.split(NOTE_SEP) if note else []:
                value, sep, sql = fact.partition(" <- ")
                if not sep:
                    problems.append(f"{where}: fact without ' <- ': {fact[:60]}")
                    continue
                n_facts += 1
                got = first_cell(con, sql)
                if got != value:
                    problems.append(f"{where}: {sql[:60]}... gives {got}, note says {value}")
                values.append(value)
            for text in turn.get("expect", {}).get("answer_contains", []):
                if not any(text in value for value in values):
                    problems.append(f"{where}: answer_contains {text!r} is in no fact value")
    print(f"checked {n_facts} facts")
    return problems


def validate_main(
    path: Path,
    argv: Sequence[str] | None,
    description: str,
    checks: Sequence[Callable[[Path], list[str]]] = (),
) -> int:
    """A validator's whole run: `note_problems` of `path` on the `demo_warehouse` that `argv`
    names (or a fresh one), then each of a set's own `checks`, printed one a line; 0 when there
    is none, else 1."""
    import duckdb

    with demo_warehouse(argv, description) as db:
        con = duckdb.connect(str(db), read_only=True)
        try:
            problems = note_problems(con, path)
        finally:
            con.close()
    for extra in checks:
        problems.extend(extra(path))
    for problem in problems:
        print(problem)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 0 if not problems else 1


def numeric_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns that parse as numbers become numbers (for Excel upload files); text stays."""
    frame = frame.copy()
    for column in frame.columns:
        with contextlib.suppress(ValueError, TypeError):
            frame[column] = pd.to_numeric(frame[column])
    return frame


def chosen_rows(reference: Path, ids: Iterable[str]) -> tuple[list[str], list[list[str]]]:
    """The header and the rows (by account id, in the order given) of a reference CSV."""
    import csv

    with reference.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    by_id = {row[0]: row for row in rows[1:]}
    return rows[0], [by_id[i] for i in ids]


_ONE_ID = re.compile(r"ACC[0-9]{6}")


def arg_problems(path: Path) -> list[str]:
    """A held-out set's check against the live tool schemas (`validate_main`'s `checks`):
    every expected tool name that is not a tool, every `args` object its tool's live
    argument model rejects, and every ordinal follow-up whose account id is not its fact's."""
    from tools.schemas import TOOL_ARGS

    problems = []
    for line in path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        for i, turn in enumerate(case["turns"], start=1):
            where = f"{case['id']} turn {i}"
            expect = turn.get("expect", {})
            for tool in expect.get("tools", []) + expect.get("tools_not_called", []):
                if tool not in TOOL_ARGS:
                    problems.append(f"{where}: unknown tool {tool}")
            for tool, args in expect.get("args", {}).items():
                if tool not in expect.get("tools", []):
                    problems.append(f"{where}: args for {tool}, which is not expected")
                try:
                    TOOL_ARGS[tool].model_validate(args)
                except ValidationError as exc:
                    errors = "; ".join(f"{e['loc']}: {e['msg']}" for e in exc.errors())
                    problems.append(f"{where}: {tool} args: {errors}")
            values = [
                fact.partition(" <- ")[0]
                for fact in (turn.get("note", "").split(NOTE_SEP) if turn.get("note") else [])
            ]
            single = [v for v in values if _ONE_ID.fullmatch(v)]
            for args in expect.get("args", {}).values():
                if "account_id" in args and single and args["account_id"] not in single:
                    problems.append(
                        f"{where}: account_id {args['account_id']} is not the fact's {single}"
                    )
    print(f"{len(problems)} args problem(s) against the live schemas")
    return problems


__all__ = [
    "DEMO_DB",
    "DL",
    "DT",
    "EX",
    "FD",
    "LS",
    "NOTE_SEP",
    "PS",
    "SF",
    "SL",
    "SQ",
    "SR",
    "Expect",
    "ExpectedCalls",
    "Fact",
    "arg_problems",
    "build_main",
    "check_facts",
    "chosen_rows",
    "expectation",
    "first_cell",
    "note_problems",
    "numeric_columns",
    "resolve_cases",
    "validate_main",
    "write_cases",
]
