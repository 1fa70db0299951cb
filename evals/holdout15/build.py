"""Write `holdout15.jsonl`: the cases of `build_cases.py` with their facts run on the demo.

`python -m evals.holdout15.build [--db PATH]` reads the seed-7, 2,000-account demo warehouse at
PATH (or builds one in a temporary folder) read-only; every count and id an answer must contain
is the value of a fact's SQL, kept with the SQL in the turn's note (`evals.heldout.build_main`).
"""

from __future__ import annotations

from pathlib import Path

from evals.heldout import build_main
from evals.holdout15.build_cases import CASES

OUT = Path(__file__).resolve().parent / "holdout15.jsonl"


def main(argv: list[str] | None = None) -> int:
    return build_main(CASES, "h15-", OUT, argv, __doc__.splitlines()[0])


if __name__ == "__main__":
    raise SystemExit(main())
