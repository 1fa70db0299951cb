"""Check `holdout8.jsonl`: it loads with `evals.schema.load_cases`, and every note's facts hold.

Contract: `python -m evals.holdout8.validate [--db PATH]` exits 0 when every case loads and
every `value <- SQL` fact in a turn's `note` (facts separated by ` ;; `) returns exactly
`value` as its first cell, read-only, against the demo warehouse (2,000 accounts, seed 7; a
fresh one is built when `--db` is not given); and every `answer_contains` string of a turn is
part of one of that turn's fact values. Exits 1 listing each mismatch otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from evals.heldout import demo_warehouse
from evals.holdout8.build import OUT
from evals.schema import load_cases


def check(db: Path, path: Path = OUT) -> list[str]:
    """Every problem found, as text; empty when the set is sound."""
    loaded = load_cases([path])
    problems: list[str] = []
    con = duckdb.connect(str(db), read_only=True)
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            for i, turn in enumerate(case["turns"], 1):
                values: list[str] = []
                for fact in filter(None, (turn.get("note") or "").split(" ;; ")):
                    value, _, sql = fact.partition(" <- ")
                    row = con.execute(sql).fetchone()
                    got = None if row is None else str(row[0])
                    values.append(value)
                    if got != value:
                        problems.append(f"{case['id']} turn {i}: {value!r} but SQL gives {got!r}")
                for text in turn.get("expect", {}).get("answer_contains", []):
                    if not any(text.lower() in v.lower() for v in values):
                        problems.append(f"{case['id']} turn {i}: {text!r} has no SQL fact")
    finally:
        con.close()
    print(f"{len(loaded)} cases loaded from {path.name}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Validate against `--db` or a fresh demo; print problems."""
    with demo_warehouse(argv, __doc__.splitlines()[0]) as db:
        problems = check(db)
    for problem in problems:
        print(problem)
    print("ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
