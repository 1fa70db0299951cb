"""Check `holdout12.jsonl` against the seed-7 demo warehouse and the live tool schemas.

Contract: `python -m evals.holdout12.validate [--db PATH]` loads the set with
`evals.schema.load_cases`, re-runs every ``value <- sql`` fact of every turn's note read-only
and checks the first cell still equals the value, and checks each `answer_contains` string is
part of one of that turn's fact values (`evals.heldout.note_problems`). Then it validates every
expected `args` object against its tool's live argument model (`tools.schemas.TOOL_ARGS`:
names, types, enums, patterns, ranges), checks that every expected tool name is one of the
ten, and that an account id in the args of a turn whose note holds one id (an ordinal
follow-up: "the second one") is that id. Prints one line per problem; exit 0 when there is
none, 1 otherwise. Without --db it builds the demo warehouse in a temporary folder first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import ValidationError

from evals.heldout import NOTE_SEP, validate_main
from evals.holdout12.build import OUT

_ONE_ID = re.compile(r"ACC[0-9]{6}")


def arg_problems(path: Path) -> list[str]:
    """Every expected tool name that is not a tool, every `args` object its tool's live
    argument model rejects, and every ordinal follow-up whose account id is not its fact's."""
    from tools.schemas import TOOL_ARGS

    problems = []
    for line in path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        for i, turn in enumerate(case["turns"], start=1):
            where = f"{case['id']} turn {i}"
            expect = turn.get("expect", {})
            for tool in expect.get("tools", []) + expect.get("tools_not_called", []):
                if tool not in TOOL_ARGS:
                    problems.append(f"{where}: unknown tool {tool}")
            for tool, args in expect.get("args", {}).items():
                if tool not in expect.get("tools", []):
                    problems.append(f"{where}: args for {tool}, which is not expected")
                try:
                    TOOL_ARGS[tool].model_validate(args)
                except ValidationError as exc:
                    errors = "; ".join(f"{e['loc']}: {e['msg']}" for e in exc.errors())
                    problems.append(f"{where}: {tool} args: {errors}")
            values = [
                fact.partition(" <- ")[0]
                for fact in (turn.get("note", "").split(NOTE_SEP) if turn.get("note") else [])
            ]
            single = [v for v in values if _ONE_ID.fullmatch(v)]
            for args in expect.get("args", {}).values():
                if "account_id" in args and single and args["account_id"] not in single:
                    problems.append(
                        f"{where}: account_id {args['account_id']} is not the fact's {single}"
                    )
    print(f"{len(problems)} args problem(s) against the live schemas")
    return problems


def main(argv: list[str] | None = None) -> int:
    return validate_main(OUT, argv, __doc__.splitlines()[0], checks=[arg_problems])


if __name__ == "__main__":
    raise SystemExit(main())
