"""Check `holdout9.jsonl` against the seed-7 demo warehouse.

Contract: `python -m evals.holdout9.validate [--db PATH]` loads the set with
`evals.schema.load_cases` (so it must parse as cases), re-runs every ``value <- sql`` fact of
every turn's note read-only and checks that the first cell equals the recorded value, and checks
that each `answer_contains` string is part of one of that turn's fact values. Prints one line
per problem; exit 0 when there is none, 1 otherwise. Without --db it builds the demo warehouse
in a temporary folder first (as `build.py` does).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from evals.heldout import demo_warehouse
from evals.holdout9.build import OUT, SEP, first_cell
from evals.schema import load_cases


def check(con: duckdb.DuckDBPyConnection, path: Path = OUT) -> list[str]:
    """Every problem of the set at `path`, as one sentence each."""
    load_cases([path])  # schema and unique ids
    problems = []
    n_facts = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        for i, turn in enumerate(case["turns"], start=1):
            where = f"{case['id']} turn {i}"
            values = []
            note = turn.get("note", "")
            for fact in note.split(SEP) if note else []:
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


def main(argv: list[str] | None = None) -> int:
    with demo_warehouse(argv, __doc__.splitlines()[0]) as db:
        con = duckdb.connect(str(db), read_only=True)
        try:
            problems = check(con)
        finally:
            con.close()
    for problem in problems:
        print(problem)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
