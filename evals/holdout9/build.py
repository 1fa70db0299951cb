"""Build `holdout9.jsonl` from `build_cases.py` and the seed-7 demo warehouse.

Contract: `python -m evals.holdout9.build [--db PATH]` builds `revrisk demo --accounts 2000
--seed 7` into a temporary folder (or reads an existing one at PATH), runs every fact's SQL on a
read-only DuckDB connection, and writes one case per line: each turn's note is
``value <- sql`` facts joined by `` ;; ``, and its `answer_contains` is the facts marked
"count" (the value) or "ids" (each id of the list). Nothing is typed by hand: a number or id
in an expectation is always a value the warehouse returned.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from evals.heldout import demo_warehouse
from evals.holdout9.build_cases import CASES

HERE = Path(__file__).resolve().parent
OUT = HERE / "holdout9.jsonl"
DB_SPEC = {"accounts": 2000, "seed": 7}
SEP = " ;; "


def first_cell(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The first cell of `sql`'s result as text (what a note records)."""
    row = con.execute(sql).fetchone()
    return "" if row is None or row[0] is None else str(row[0])


def build_cases(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every case with its facts evaluated and its answer strings filled in."""
    cases = []
    for case_id, tags, turns in CASES:
        out_turns = []
        for turn in turns:
            expect = dict(turn["expect"])
            notes, contains = [], []
            for sql, use in turn["facts"]:
                if SEP.strip() in sql or " <- " in sql:
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
                entry["note"] = SEP.join(notes)
            out_turns.append(entry)
        cases.append({"id": f"h9-{case_id}", "db": DB_SPEC, "tags": tags, "turns": out_turns})
    return cases


def main(argv: list[str] | None = None) -> int:
    with demo_warehouse(argv, __doc__.splitlines()[0]) as db:
        con = duckdb.connect(str(db), read_only=True)
        try:
            cases = build_cases(con)
        finally:
            con.close()
    lines = [json.dumps(case, ensure_ascii=False) for case in cases]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases, {sum(len(c['turns']) for c in cases)} turns -> {OUT.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
