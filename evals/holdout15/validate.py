"""Check `holdout15.jsonl` against the seed-7 demo warehouse and the live tool schemas.

`python -m evals.holdout15.validate [--db PATH]`: the notes' facts re-run and the expected
arguments validated (`evals.heldout.validate_main`, `evals.heldout.arg_problems`).
"""

from __future__ import annotations

from evals.heldout import arg_problems, validate_main
from evals.holdout15.build import OUT


def main(argv: list[str] | None = None) -> int:
    return validate_main(OUT, argv, __doc__.splitlines()[0], checks=[arg_problems])


if __name__ == "__main__":
    raise SystemExit(main())
