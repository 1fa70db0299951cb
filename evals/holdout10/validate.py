"""Check `holdout10.jsonl` against the seed-7 demo warehouse.

Contract: `python -m evals.holdout10.validate [--db PATH]` loads the set with
`evals.schema.load_cases`, re-runs every ``value <- sql`` fact of every turn's note read-only
and checks the first cell still equals the value, and checks each `answer_contains` string is
part of one of that turn's fact values (`evals.heldout.note_problems`). Prints one line per
problem; exit 0 when there is none, 1 otherwise. Without --db it builds the demo warehouse in a
temporary folder first.

The set is written to the tool contract landing on 2026-12-05: `score_leakage` and
`portfolio_summary` take an optional `region` (a value of accounts.region) and
`find_declining_customers` optional `tier` and `region`. While the live `tools.schemas` lacks
an argument of `PENDING`, the schema check runs with it added (`pending_contract`); once the
contract has landed that step changes nothing.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, create_model

from evals.heldout import FD, PS, SL, validate_main
from evals.holdout10.build import OUT

Region = Literal["North America", "EMEA", "APAC", "LATAM"]
Tier = Literal["Starter", "Professional", "Business", "Enterprise"]
PENDING: dict[str, dict[str, Any]] = {
    PS: {"region": Region},
    SL: {"region": Region},
    FD: {"tier": Tier, "region": Region},
}
"""Arguments of the 2026-12-05 contract the set's expectations use: tool -> name -> values."""


@contextlib.contextmanager
def pending_contract() -> Iterator[None]:
    """`tools.schemas.TOOL_ARGS` with the `PENDING` arguments it lacks added (optional, default
    None), for as long as the block lasts; restored after."""
    from tools.schemas import TOOL_ARGS

    saved = dict(TOOL_ARGS)
    try:
        for tool, fields in PENDING.items():
            base = TOOL_ARGS[tool]
            missing: dict[str, Any] = {
                name: (kind | None, Field(default=None))
                for name, kind in fields.items()
                if name not in base.model_fields
            }
            if missing:
                TOOL_ARGS[tool] = create_model(base.__name__, __base__=base, **missing)
        yield
    finally:
        TOOL_ARGS.clear()
        TOOL_ARGS.update(saved)


def arg_problems(path: Path) -> list[str]:
    """Every expected `args` object that its tool's argument model (with `PENDING`) rejects:
    names, types, enums, patterns and ranges, not only the names `load_cases` checks."""
    from tools.schemas import TOOL_ARGS

    problems = []
    for line in path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        for i, turn in enumerate(case["turns"], start=1):
            for tool, args in turn.get("expect", {}).get("args", {}).items():
                try:
                    TOOL_ARGS[tool].model_validate(args)
                except ValidationError as exc:
                    errors = "; ".join(f"{e['loc']}: {e['msg']}" for e in exc.errors())
                    problems.append(f"{case['id']} turn {i}: {tool} args: {errors}")
    print(f"{len(problems)} args problem(s) against the contract")
    return problems


def main(argv: list[str] | None = None) -> int:
    with pending_contract():
        return validate_main(OUT, argv, __doc__.splitlines()[0], checks=[arg_problems])


if __name__ == "__main__":
    raise SystemExit(main())
