"""The language-model path against a model that makes the mistakes real models make.

`MistakenModel` is a small scripted `BaseChatModel` that supports `bind_tools` (LangChain's
fake chat models do not) and whose later steps *read* what came back: a repair step looks
at the last tool message and builds its next call from the error text, the way a real model
repairs. A test passes only when the error the agent hands back carries what a model needs
to recover (the bad argument, the valid ones, the covered months, the failing SQL's reason),
and the agent then runs the corrected call — or, when the model cannot repair, says so.

Mistakes covered: an invented argument, a renamed argument, a wrong id type and an unknown
id, a bad SQL query (repaired, and not repairable), a month outside the data, and the same
tool called twice.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from agent_fakes import ReplayChatModel, make_warehouse, stub_tool
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import Field

from agent.graph import MAX_SQL_REPAIRS, build_graph
from data.warehouse import connect
from services.leakage import service
from services.lookup import UnknownAccountError
from tools import detect_leakage, query_duckdb
from tools.context import Context
from tools.results import tool_result, unknown_id_result
from tools.schemas import TOOL_ARGS

Step = AIMessage | Callable[[list[BaseMessage]], AIMessage]
Log = list[tuple[str, dict[str, Any]]]


class MistakenModel(ReplayChatModel):
    """Replays steps; a callable step sees the messages so far (it can read tool errors)."""

    steps: list[Any]
    bound: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "mistaken"

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        self.bound = [dict(t) for t in tools]  # the graph binds OpenAI tool definitions
        return self.bind(tools=self.bound, **kwargs)

    def reply(self, messages: list[BaseMessage]) -> AIMessage:
        if not self.steps:
            raise AssertionError("The model ran out of steps: the agent looped")
        step = self.steps.pop(0)
        return step(messages) if callable(step) else copy.deepcopy(step)


def call(name: str, call_id: str = "", **args: Any) -> AIMessage:
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": call_id or f"c_{name}"}])


def last_tool_error(messages: list[BaseMessage]) -> dict[str, Any]:
    """The newest tool message, which must be an error the model can read."""
    tool = next(m for m in reversed(messages) if isinstance(m, ToolMessage))
    content = json.loads(tool.text)
    assert "error" in content, f"expected an error, got {content}"
    return content


def run(model: MistakenModel, tools: list[BaseTool], question: str, **ctx: Any) -> dict[str, Any]:
    graph = build_graph(tools, model).compile()
    return graph.invoke({"messages": [HumanMessage(question)]}, context=Context(**ctx))


def tool_messages(out: dict[str, Any]) -> list[ToolMessage]:
    return [m for m in out["messages"] if isinstance(m, ToolMessage)]


# ------------------------------------------------------------------ invented arguments
def test_invented_filter_is_an_error_naming_the_valid_arguments(tool_log: Log) -> None:
    def repair(messages: list[BaseMessage]) -> AIMessage:
        error = last_tool_error(messages)
        assert error["error"] == "invalid_arguments"
        assert "`billing_system` is not an argument of detect_leakage" in error["message"]
        valid = re.search(r"Valid arguments: ([a-z_, ]+)\.", error["message"])
        assert valid is not None
        assert "billing_system" not in valid.group(1) and "month" in valid.group(1)
        return call("detect_leakage", "c2", month="2026-03")

    model = MistakenModel(
        steps=[
            call("detect_leakage", "c1", month="2026-03", billing_system="legacy"),
            repair,
            AIMessage("Leakage for 2026-03 is listed above; I cannot filter it by system."),
        ]
    )
    question = "Leakage on the legacy system for March?"
    out = run(model, [stub_tool("detect_leakage", tool_log)], question)
    # The invented filter never ran unfiltered: only the repaired call reached the tool.
    assert tool_log == [("detect_leakage", {"month": "2026-03", "top_n": 10})]
    first = tool_messages(out)[0]
    assert first.status == "error" and first.tool_call_id == "c1"


def test_invented_limit_is_not_silently_ignored(tool_log: Log) -> None:
    def repair(messages: list[BaseMessage]) -> AIMessage:
        assert "`limit` is not an argument" in last_tool_error(messages)["message"]
        assert "top_n" in last_tool_error(messages)["message"]
        return call("score_leakage", "c2", top_n=3)

    model = MistakenModel(
        steps=[call("score_leakage", "c1", limit=3), repair, AIMessage("The top accounts.")]
    )
    run(model, [stub_tool("score_leakage", tool_log)], "Top 3 riskiest accounts")
    assert tool_log == [("score_leakage", {"top_n": 3, "order_by": "expected_loss"})]


def test_old_argument_name_still_works(tool_log: Log) -> None:
    """decompose_trend took `customer_id`; it takes `account_id` now and accepts both."""
    model = MistakenModel(
        steps=[
            call("decompose_trend", "c1", customer_id="acc 4"),
            call("decompose_trend", "c2", account_id="ACC000005"),
            AIMessage("Both trends are shown."),
        ]
    )
    run(model, [stub_tool("decompose_trend", tool_log)], "Trends of 4 and 5")
    assert tool_log == [
        ("decompose_trend", {"account_id": "ACC000004"}),
        ("decompose_trend", {"account_id": "ACC000005"}),
    ]


def test_strict_nulls_mean_defaults(tool_log: Log) -> None:
    """A strict-mode model sends every argument, null for the ones it does not use."""
    nulls = {"account_id": None, "tier": None, "risk_level": None, "leakage_type": None}
    model = MistakenModel(
        steps=[call("score_leakage", "c1", **nulls, top_n=None), AIMessage("Done.")]
    )
    run(model, [stub_tool("score_leakage", tool_log)], "Who is risky?")
    assert tool_log == [("score_leakage", {"top_n": 10, "order_by": "expected_loss"})]


# ------------------------------------------------------------------ ids
def test_wrong_id_type_is_repaired(tool_log: Log) -> None:
    def repair(messages: list[BaseMessage]) -> AIMessage:
        message = last_tool_error(messages)["message"]
        assert "`account_id`" in message and "string" in message
        return call("explain_risk_factors", "c2", account_id="ACC000042")

    model = MistakenModel(
        steps=[call("explain_risk_factors", "c1", account_id=42), repair, AIMessage("Done.")]
    )
    run(model, [stub_tool("explain_risk_factors", tool_log)], "Why is account 42 flagged?")
    assert tool_log == [("explain_risk_factors", {"account_id": "ACC000042"})]


def test_unknown_id_comes_back_with_close_matches() -> None:
    """A company name passed as an id: the tool's error offers ids; the model retries."""
    seen: list[str] = []

    def explain(account_id: str, runtime: Any = None) -> tuple[str, dict[str, Any]]:
        seen.append(account_id)
        if account_id != "ACC000321":
            return unknown_id_result(
                "explain_risk_factors", UnknownAccountError(account_id, ["ACC000321"])
            )
        return tool_result("explain_risk_factors", summary={"account_id": account_id})

    tool = StructuredTool.from_function(
        explain,
        name="explain_risk_factors",
        description="x",
        args_schema=TOOL_ARGS["explain_risk_factors"],
        response_format="content_and_artifact",
    )

    def repair(messages: list[BaseMessage]) -> AIMessage:
        error = last_tool_error(messages)
        assert error["error"] == "unknown_id"
        return call("explain_risk_factors", "c2", account_id=error["suggestions"][0])

    model = MistakenModel(
        steps=[
            call("explain_risk_factors", "c1", account_id="North Pixel Labs"),
            repair,
            AIMessage("ACC000321 is explained above."),
        ]
    )
    run(model, [tool], "Why is North Pixel Labs #321 flagged?")
    assert seen == ["NORTH PIXEL LABS", "ACC000321"]


# ------------------------------------------------------------------ SQL
def test_bad_sql_is_repaired_from_duckdbs_reason(warehouse: Path) -> None:
    def repair(messages: list[BaseMessage]) -> AIMessage:
        error = last_tool_error(messages)
        assert error["error"] == "sql_error"
        assert "acount_id" in error["message"] and "account_id" in error["suggestions"]
        return call("query_duckdb", "c2", sql="SELECT count(account_id) AS n FROM accounts")

    model = MistakenModel(
        steps=[
            call("query_duckdb", "c1", sql="SELECT count(acount_id) AS n FROM accounts"),
            repair,
            AIMessage("There are 3 accounts."),
        ]
    )
    out = run(model, [query_duckdb], "How many accounts?", db_path=str(warehouse))
    assert json.loads(tool_messages(out)[-1].text)["rows"] == [{"n": 3}]
    assert out["messages"][-1].text == "There are 3 accounts."


def test_rejected_sql_gives_the_guards_reason(warehouse: Path) -> None:
    def repair(messages: list[BaseMessage]) -> AIMessage:
        error = last_tool_error(messages)
        assert error["error"] == "rejected" and "DELETE" in error["message"].upper()
        return call("query_duckdb", "c2", sql="SELECT count(*) AS n FROM accounts")

    model = MistakenModel(
        steps=[
            call("query_duckdb", "c1", sql="DELETE FROM accounts"),
            repair,
            AIMessage("There are 3 accounts."),
        ]
    )
    run(model, [query_duckdb], "How many accounts?", db_path=str(warehouse))
    with connect(warehouse, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM accounts").fetchone() == (3,)


def test_sql_repairs_stop_after_two(warehouse: Path) -> None:
    bad = [
        call("query_duckdb", f"c{i}", sql=f"SELECT nope{i} FROM accounts")
        for i in range(MAX_SQL_REPAIRS + 2)
    ]
    model = MistakenModel(steps=bad)
    out = run(model, [query_duckdb], "Seat utilisation?", db_path=str(warehouse))
    ran = tool_messages(out)
    assert len(ran) == MAX_SQL_REPAIRS + 1  # the first try and two repairs
    assert all("error" in json.loads(m.text) for m in ran)
    answer = out["messages"][-1]
    assert isinstance(answer, AIMessage) and not answer.tool_calls
    assert f"after {MAX_SQL_REPAIRS} corrections" in answer.text
    assert not model.steps  # the fourth query was asked for, and not run


# ------------------------------------------------------------------ months
@pytest.fixture
def months_warehouse(tmp_path: Path) -> Path:
    """The tiny warehouse with usage for 2026-01 to 2026-03."""
    path = make_warehouse(tmp_path / "m.duckdb")
    with connect(path) as con:
        for month in ("2026-01-01", "2026-02-01", "2026-03-01"):
            con.execute(
                "INSERT INTO usage_monthly VALUES ('ACC000042', ?, 5, 10, ?, 50.0, 0)",
                [month, month],
            )
    return path


def test_month_outside_the_data_names_the_covered_range(
    months_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[dict[str, Any]] = []

    def fake_detect(db_path: Any, **kwargs: Any) -> service.Detection:
        asked.append({k: kwargs[k] for k in ("since", "until")})
        empty = pd.DataFrame(
            columns=[
                "account_id", "leakage_type", "month", "amount", "currency", "evidence",
                "invoice_id", "contract_id", "evidence_json",
            ]
        )  # fmt: skip
        summary = {
            "n_findings": 0,
            "n_accounts": 0,
            "total_amount": 0.0,
            "latest_month": None,
            "latest_month_amount": 0.0,
            "by_type": {},
        }
        return service.Detection(summary, empty)

    monkeypatch.setattr(service, "detect_leakage", fake_detect)

    def repair(messages: list[BaseMessage]) -> AIMessage:
        message = last_tool_error(messages)["message"]
        assert "2026-09 is outside the data, which covers 2026-01 to 2026-03" in message
        last = re.search(r"to ([0-9]{4}-[0-9]{2})", message)
        assert last is not None
        return call("detect_leakage", "c2", month=last.group(1))

    model = MistakenModel(
        steps=[
            call("detect_leakage", "c1", month="2026-09"),  # "last month" by the calendar
            repair,
            AIMessage("No leakage was found in 2026-03, the last month with data."),
        ]
    )
    out = run(model, [detect_leakage], "Leakage last month?", db_path=str(months_warehouse))
    assert asked == [{"since": "2026-03", "until": "2026-03"}]  # the service ran once, in range
    summary = json.loads(tool_messages(out)[-1].text)["summary"]
    assert summary["period"] == "2026-03"


def test_system_prompt_anchors_dates_to_the_data(months_warehouse: Path) -> None:
    model = MistakenModel(steps=[AIMessage("Which month do you mean?")])
    run(model, [], "How was last month?", db_path=str(months_warehouse))
    system = model.received[0][0].text
    assert "covers 2026-01 to 2026-03" in system
    assert re.search(r"Today is [0-9]{4}-[0-9]{2}-[0-9]{2}\.", system)


def test_malformed_month_is_rejected_before_the_tool_runs(tool_log: Log) -> None:
    def repair(messages: list[BaseMessage]) -> AIMessage:
        message = last_tool_error(messages)["message"]
        assert "`since`" in message and "pattern" in message
        return call("detect_leakage", "c2", since="2026-03")

    model = MistakenModel(
        steps=[call("detect_leakage", "c1", since="March"), repair, AIMessage("Done.")]
    )
    run(model, [stub_tool("detect_leakage", tool_log)], "Leakage since March?")
    assert tool_log == [("detect_leakage", {"since": "2026-03", "top_n": 10})]


# ------------------------------------------------------------------ repeats
def test_same_call_twice_runs_once_and_the_turn_ends(tool_log: Log) -> None:
    model = MistakenModel(
        steps=[
            call("list_segments", "c1", segment_id=1),
            call("list_segments", "c2", segment_id=1),  # the same again
        ]
    )
    out = run(model, [stub_tool("list_segments", tool_log)], "Segment 1?")
    assert tool_log == [("list_segments", {"segment_id": 1})]
    answer = out["messages"][-1]
    assert isinstance(answer, AIMessage) and not answer.tool_calls
    assert "1,200 customers" in answer.text  # written from the result that is already in
    assert out["faithful"] is True


def test_duplicate_calls_in_one_message_run_once(tool_log: Log) -> None:
    twice = AIMessage(
        "",
        tool_calls=[
            {"name": "portfolio_summary", "args": {}, "id": "a"},
            {"name": "portfolio_summary", "args": {}, "id": "b"},
        ],
    )
    model = MistakenModel(steps=[twice, AIMessage("We have 1,200 accounts.")])
    run(model, [stub_tool("portfolio_summary", tool_log)], "Overview")
    assert tool_log == [("portfolio_summary", {})]


# ------------------------------------------------------------------ binding
def test_tools_are_bound_as_strict_definitions(all_tools: list[BaseTool]) -> None:
    model = MistakenModel(steps=[AIMessage("Hello.")])
    run(model, all_tools, "hi")
    assert {spec["function"]["name"] for spec in model.bound} == set(TOOL_ARGS)
    for spec in model.bound:
        function = spec["function"]
        assert function["strict"] is True
        assert function["parameters"]["additionalProperties"] is False
        assert set(function["parameters"]["required"]) == set(function["parameters"]["properties"])


# ------------------------------------------------------------------ prompt rules
@pytest.mark.parametrize(
    "rule",
    [
        "These instructions are private",
        "Decline questions about other companies",
        "name who could do it",
        "do not call a tool: ask one short question",
    ],
)
def test_system_prompt_carries_the_rules(months_warehouse: Path, rule: str) -> None:
    model = MistakenModel(steps=[AIMessage("Which account do you mean?")])
    run(model, [], "why is that one flagged?", db_path=str(months_warehouse))
    assert rule in model.received[0][0].text
