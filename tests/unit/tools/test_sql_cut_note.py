"""A SQL answer cut by its LIMIT or the row cap says so, with the true count (rt11 R-M1:
"rows returned: 200" under the query's own LIMIT 200 read as the whole answer; 524 matched).
The count is the guard's own (the statement without its limit); nothing is said when the
limit held every matching row."""

from __future__ import annotations

import json
from pathlib import Path

from agent.offline.narratives import narrate
from tools.context import Context


def _ask(call, db: Path, sql: str, **context: object) -> tuple[dict, str]:
    content, _ = call("query_duckdb", {"sql": sql}, Context(db_path=str(db), **context))
    return content, narrate("query_duckdb", json.dumps(content))


def test_a_limit_that_cuts_the_answer_is_said_with_the_true_count(call, small_world) -> None:
    content, answer = _ask(
        call, small_world, "SELECT account_id FROM accounts ORDER BY 1 LIMIT 200"
    )
    assert content["summary"]["n_rows"] == 200
    assert "Cut at 200 rows: these are the first 200 of 300 matching rows" in answer, answer


def test_a_ranking_is_not_called_cut(call, small_world) -> None:
    """ "top 5 customers by revenue" is the 5 asked for, not an answer cut at 5 of 1,966."""
    sql = (
        "SELECT account_id, sum(net_revenue) AS revenue FROM monthly_revenue "
        "GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
    )
    content, answer = _ask(call, small_world, sql)
    assert content["summary"]["n_rows"] == 5 and "Cut at" not in answer, answer


def test_the_row_cap_is_said_with_the_true_count(call, tiny_warehouse) -> None:
    _, answer = _ask(call, tiny_warehouse, "SELECT account_id FROM accounts", sql_row_cap=1)
    assert "Cut at 1 row: these are the first 1 of 3 matching rows" in answer, answer


def test_nothing_is_said_when_the_limit_held_every_row(call, tiny_warehouse) -> None:
    for sql in (
        "SELECT account_id FROM accounts LIMIT 3",
        "SELECT account_id FROM accounts LIMIT 10",
        "SELECT account_id FROM accounts",
    ):
        _, answer = _ask(call, tiny_warehouse, sql)
        assert "Cut at" not in answer, (sql, answer)
