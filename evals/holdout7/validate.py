"""Check evals/holdout7/holdout7.jsonl against a fresh demo warehouse.

Contract: loads the set with `evals.schema.load_cases` (so the format is the one the runner
accepts), builds a fresh demo warehouse (`revrisk demo --accounts 2000 --seed 7`) in a
temporary folder unless --db names an existing one, and for every turn:
  - re-runs each fact of its note (`value[, value ...] <- SQL`, facts joined by ` || `)
    read-only and requires the listed values to equal the query's cells, order-insensitive;
  - requires every `answer_contains` item to be one of the values its note proves;
  - requires every account id in `args` to exist in the warehouse.
Exits 0 when all hold, 1 otherwise, printing each failure with its case id and turn.

Run: .venv/bin/python -m evals.holdout7.validate [--db PATH]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import duckdb

from evals.heldout import demo_warehouse
from evals.schema import load_cases

HERE = Path(__file__).parent
SET = HERE / "holdout7.jsonl"


def parse_note(note: str) -> list[tuple[list[str], str]]:
    """`'1, 2 <- SELECT ... || 3 <- SELECT ...'` -> [(['1', '2'], 'SELECT ...'), ...]."""
    facts = []
    for part in note.split(" || "):
        values, sep, sql = part.partition(" <- ")
        if not sep:
            raise ValueError(f"note fact without ' <- ': {part!r}")
        facts.append(([v.strip() for v in values.split(",")], sql.strip()))
    return facts


def check(db: Path) -> list[str]:
    failures: list[str] = []
    con = duckdb.connect(str(db), read_only=True)
    known = {r[0] for r in con.sql("SELECT account_id FROM accounts").fetchall()}
    n_facts = 0
    for loaded in load_cases([SET]):
        c = loaded.case
        for i, turn in enumerate(c.turns, 1):
            where = f"{c.id} turn {i}"
            proven: set[str] = set()
            note = (turn.model_extra or {}).get("note")  # kept by the schema as an extra field
            if note:
                for values, sql in parse_note(note):
                    n_facts += 1
                    cells = [str(v) for row in con.sql(sql).fetchall() for v in row]
                    if Counter(cells) != Counter(values):
                        failures.append(f"{where}: note says {values}, SQL gives {cells}")
                    proven.update(values)
            for item in turn.expect.answer_contains:
                if item not in proven:
                    failures.append(f"{where}: answer_contains {item!r} is not proven by its note")
            for tool_args in turn.expect.args.values():
                acc = tool_args.get("account_id")
                if acc is not None and acc not in known:
                    failures.append(f"{where}: account {acc} is not in the warehouse")
    print(f"{n_facts} facts checked")
    return failures


def main() -> int:
    with demo_warehouse(None, __doc__.splitlines()[0]) as db:
        failures = check(db)
    for f in failures:
        print("FAIL", f)
    print("OK" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
