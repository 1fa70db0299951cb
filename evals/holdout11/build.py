"""Build `holdout11.jsonl` from `build_cases.py` and the seed-7 demo warehouse.

Contract: `python -m evals.holdout11.build [--db PATH]` builds `revrisk demo --accounts 2000
--seed 7` into a temporary folder (or reads an existing one at PATH), runs every fact's SQL on a
read-only DuckDB connection and writes one case per line (`evals.heldout.resolve_cases`: a
turn's note is ``value <- sql`` facts joined by `` ;; ``, its `answer_contains` the "count"
values and each id of the "ids" values). No number or id in an answer expectation is typed by
hand.
"""

from __future__ import annotations

from pathlib import Path

from evals.heldout import build_main
from evals.holdout11.build_cases import CASES

OUT = Path(__file__).resolve().parent / "holdout11.jsonl"


def main(argv: list[str] | None = None) -> int:
    return build_main(CASES, "h11-", OUT, argv, __doc__.splitlines()[0])


if __name__ == "__main__":
    raise SystemExit(main())
