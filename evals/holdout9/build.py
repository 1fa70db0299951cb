"""Build `holdout9.jsonl` from `build_cases.py` and the seed-7 demo warehouse.

Contract: `python -m evals.holdout9.build [--db PATH]` builds `revrisk demo --accounts 2000
--seed 7` into a temporary folder (or reads an existing one at PATH), runs every fact's SQL on a
read-only DuckDB connection, and writes one case per line: each turn's note is
``value <- sql`` facts joined by `` ;; ``, and its `answer_contains` is the facts marked
"count" (the value) or "ids" (each id of the list). Nothing is typed by hand: a number or id
in an expectation is always a value the warehouse returned.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from evals.heldout import DEMO_DB, NOTE_SEP, build_main, first_cell, resolve_cases
from evals.holdout9.build_cases import CASES

HERE = Path(__file__).resolve().parent
OUT = HERE / "holdout9.jsonl"
DB_SPEC = DEMO_DB
SEP = NOTE_SEP
__all__ = ["DB_SPEC", "OUT", "SEP", "build_cases", "first_cell", "main"]


def build_cases(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every case with its facts evaluated and its answer strings filled in."""
    return resolve_cases(con, CASES, prefix="h9-")


def main(argv: list[str] | None = None) -> int:
    return build_main(CASES, "h9-", OUT, argv, __doc__.splitlines()[0])


if __name__ == "__main__":
    raise SystemExit(main())
