"""Check `holdout9.jsonl` against the seed-7 demo warehouse.

Contract: `python -m evals.holdout9.validate [--db PATH]` loads the set with
`evals.schema.load_cases` (so it must parse as cases), re-runs every ``value <- sql`` fact of
every turn's note read-only and checks that the first cell equals the recorded value, and checks
that each `answer_contains` string is part of one of that turn's fact values. Prints one line
per problem; exit 0 when there is none, 1 otherwise. Without --db it builds the demo warehouse
in a temporary folder first (as `build.py` does).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from evals.heldout import note_problems, validate_main
from evals.holdout9.build import OUT


def check(con: duckdb.DuckDBPyConnection, path: Path = OUT) -> list[str]:
    """Every problem of the set at `path`, as one sentence each."""
    return note_problems(con, path)


def main(argv: list[str] | None = None) -> int:
    return validate_main(OUT, argv, __doc__.splitlines()[0])


if __name__ == "__main__":
    raise SystemExit(main())
