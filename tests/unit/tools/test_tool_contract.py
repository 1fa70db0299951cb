"""The tool contract: argument schemas, id normalisation, two-channel results, friendly errors."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any, get_type_hints

import pytest
from pydantic import ValidationError

from domain import LEAKAGE_TYPES, TIERS, normalise_account_id
from services.lookup import UnknownAccountError
from tools import TOOLS, query_duckdb, results
from tools.results import (
    close_matches,
    tool_error,
    tool_result,
    unknown_id_result,
)
from tools.schemas import (
    RESULT_SPECS,
    TOOL_ARGS,
    DecomposeTrendArgs,
    DetectLeakageArgs,
    ListSegmentsArgs,
    ScoreLeakageArgs,
    SegmentReportArgs,
    agent_tool,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("acc000042", "ACC000042"),
        (" Acc 42 ", "ACC000042"),
        ("ACC-42", "ACC000042"),
        ("#42", "ACC000042"),
        ("42", "ACC000042"),
        ("ACC1234567", "ACC1234567"),
        ("acc_000042", "ACC000042"),
        ("bob", "BOB"),
        ("ACC1234567890", "ACC1234567890"),
    ],
)
def test_account_ids_are_normalised(raw: str, expected: str) -> None:
    assert normalise_account_id(raw) == expected


def test_all_ten_tools_have_schemas_and_specs() -> None:
    names = {
        "portfolio_summary",
        "score_leakage",
        "explain_risk_factors",
        "detect_leakage",
        "decompose_trend",
        "find_declining_customers",
        "list_segments",
        "segment_report",
        "query_duckdb",
        "score_file",
    }
    assert set(TOOL_ARGS) == names == set(RESULT_SPECS)
    assert {tool.name for tool in TOOLS} <= names


def test_argument_names_match_the_issue() -> None:
    expected: dict[str, set[str]] = {
        "portfolio_summary": {"month", "region"},
        "score_leakage": {
            "account_id",
            "tier",
            "region",
            "risk_level",
            "leakage_type",
            "top_n",
            "order_by",
        },
        "explain_risk_factors": {"account_id"},
        "detect_leakage": {
            "leakage_type",
            "account_id",
            "month",
            "since",
            "until",
            "tier",
            "region",
            "top_n",
        },
        "decompose_trend": {"account_id"},
        "find_declining_customers": {
            "decline_level",
            "segment_id",
            "tier",
            "region",
            "top_n",
            "order_by",
        },
        "list_segments": {"segment_id"},
        "segment_report": {"segment_id", "decline_level"},
        "query_duckdb": {"sql"},
        "score_file": {"file_path", "risk_level", "top_n", "account_id", "order_by"},
    }
    # What the model is shown: the injected runtime never appears.
    shown = {t.name: set(t.tool_call_schema.model_json_schema()["properties"]) for t in TOOLS}
    assert shown == expected
    # portfolio_summary's schema declares the injected runtime (see PortfolioSummaryArgs);
    # no schema has any other field.
    assert {
        name: set(model.model_fields) - {"runtime"} for name, model in TOOL_ARGS.items()
    } == expected


def test_literal_choices_match_the_warehouse() -> None:
    schema = ScoreLeakageArgs.model_json_schema()
    tiers = schema["properties"]["tier"]["anyOf"][0]["enum"]
    types = schema["properties"]["leakage_type"]["anyOf"][0]["enum"]
    assert (tuple(tiers), tuple(types)) == (TIERS, LEAKAGE_TYPES)


def test_validators_canonicalise_what_people_type() -> None:
    args = ScoreLeakageArgs(
        account_id="acc42",
        tier="enterprise",
        risk_level="high",
        leakage_type="failed payment retry",
    )
    assert (args.account_id, args.tier, args.risk_level, args.leakage_type) == (
        "ACC000042",
        "Enterprise",
        "High",
        "Failed_Payment_Retry",
    )
    # account_id everywhere; the old name customer_id is still accepted (older plans/threads).
    assert DecomposeTrendArgs(account_id=" acc 7 ").account_id == "ACC000007"
    assert DecomposeTrendArgs(customer_id=" acc 7 ").account_id == "ACC000007"
    assert ScoreLeakageArgs(tier="pro").tier == "Professional"


@pytest.mark.parametrize(
    "bad", [{"tier": "Platinum"}, {"top_n": 0}, {"top_n": 101}, {"leakage_type": "fraud"}]
)
def test_invalid_arguments_are_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        DetectLeakageArgs(**bad) if "tier" not in bad else ScoreLeakageArgs(**bad)


def test_tool_result_two_channels() -> None:
    content, artifact = tool_result(
        "score_leakage",
        summary={"n_accounts": 2, "total": 1.23456789},
        rows=[{"a": 1}, {"a": 2}, {"a": 3}],
        max_rows=2,
        recommendations=["Fix it"],
        chart={"data": []},
    )
    data = json.loads(content)
    assert data == {
        "tool": "score_leakage",
        "summary": {"n_accounts": 2, "total": 1.234568},
        "rows": [{"a": 1}, {"a": 2}],
        "n_rows": 3,
        "truncated": True,
        "recommendations": ["Fix it"],
    }
    assert artifact["table"] == [{"a": 1}, {"a": 2}, {"a": 3}] and artifact["chart"] == {"data": []}


def test_unknown_id_becomes_a_helpful_message() -> None:
    known = ["ACC000041", "ACC000043", "ACC100042"]
    error = UnknownAccountError("ACC000042", close_matches("ACC000042", known))
    content, artifact = unknown_id_result("explain_risk_factors", error)
    data = json.loads(content)
    assert data["error"] == "unknown_id"
    assert data["message"].startswith("No account ACC000042 in the warehouse. Did you mean")
    assert "ACC000041" in data["suggestions"] and artifact["kind"] == "error"


def test_tool_error_with_details() -> None:
    content, _ = tool_error("query_duckdb", "bad", details={"schema": {"t": ["a"]}})
    assert json.loads(content)["schema"] == {"t": ["a"]}


def test_query_tool_reports_rejections_and_missing_warehouse(
    tiny_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from settings import get_settings

    monkeypatch.setenv("REVRISK_WAREHOUSE", str(tiny_warehouse))
    get_settings.cache_clear()
    rejected = json.loads(query_duckdb.invoke({"sql": "DROP TABLE accounts"}))
    assert rejected["error"] == "rejected" and "not DROP" in rejected["message"]
    bad_column = json.loads(query_duckdb.invoke({"sql": "SELECT tierr FROM accounts"}))
    assert bad_column["error"] == "sql_error" and "tier" in bad_column["suggestions"]
    monkeypatch.setenv("REVRISK_WAREHOUSE", str(tiny_warehouse.parent / "nope.duckdb"))
    get_settings.cache_clear()
    missing = json.loads(query_duckdb.invoke({"sql": "SELECT 1"}))
    assert missing["error"] == "no_warehouse" and "revrisk demo" in missing["message"]
    get_settings.cache_clear()


def test_a_top_n_read_in_sql_is_counted_and_noticed_as_the_whole_result() -> None:
    """`n_total`: rows and table are the first rows of a larger result (segment_report)."""
    rows = [{"id": i} for i in range(5)]
    content, artifact = tool_result("t", rows=rows, max_rows=2, max_table_rows=4, n_total=50)
    body = json.loads(content)
    assert body["n_rows"] == 50 and body["truncated"] and len(body["rows"]) == 2
    assert artifact["n_rows"] == 50 and len(artifact["table"]) == 4
    assert artifact["notice"] == "Showing the first 4 of 50 rows."
    whole_content, whole_artifact = tool_result("t", rows=rows, max_rows=2, max_table_rows=4)
    assert json.loads(whole_content)["n_rows"] == 5 and whole_artifact["n_rows"] == 5


def test_spec_file_refuses_unknown_keys_and_wrong_types(tmp_path: Path) -> None:
    from tools.result_specs import load_specs

    bad = tmp_path / "specs.toml"
    bad.write_text('[some_tool]\nrow_lable = ["id"]\n\n[some_tool.summary]\nn_rows = 3\n')
    with pytest.raises(ValueError) as raised:
        load_specs(bad)
    message = str(raised.value)
    assert message.startswith("specs.toml:")
    assert "some_tool.row_lable" in message and "some_tool.summary.n_rows" in message


def test_a_service_error_inside_refusals_is_the_tools_error_result() -> None:
    @agent_tool("list_segments")
    def fake(args: ListSegmentsArgs, runtime: results.RuntimeArg = None) -> Any:
        """A tool whose service refuses the segment."""
        with results.refusals():
            raise ValueError(f"segment {args.segment_id} does not exist")

    content, artifact = fake.func(segment_id=9)  # type: ignore[misc]
    assert json.loads(content)["message"] == "segment 9 does not exist"
    assert artifact["kind"] == "error" and artifact["tool"] == "list_segments"


def test_every_tool_takes_its_arguments_as_its_schema_model() -> None:
    """A tool's arguments are declared once, in `TOOL_ARGS`: the function takes that model
    (validated, also on a direct call), not a second parameter list of its own."""
    for tool in TOOLS:
        func = tool.func  # type: ignore[attr-defined]
        assert list(inspect.signature(func).parameters) == ["args", "runtime"], tool.name
        assert get_type_hints(func)["args"] is TOOL_ARGS[tool.name], tool.name
    list_segments = next(tool for tool in TOOLS if tool.name == "list_segments")
    with pytest.raises(ValidationError, match="segment_id"):
        list_segments.func(segment_id=-1)  # type: ignore[attr-defined]


def test_a_tool_declaring_another_tools_model_is_refused() -> None:
    with pytest.raises(TypeError, match="list_segments must take `args: ListSegmentsArgs`"):

        @agent_tool("list_segments")
        def fake(args: SegmentReportArgs, runtime: results.RuntimeArg = None) -> Any:
            """A tool whose arguments are another tool's."""


def test_an_error_outside_refusals_stays_a_bug() -> None:
    @agent_tool("list_segments")
    def fake(args: ListSegmentsArgs, runtime: results.RuntimeArg = None) -> Any:
        """A tool with a bug after its service call."""
        raise ValueError("a formatting bug")

    with pytest.raises(ValueError, match="formatting bug"):
        fake.func(segment_id=9)  # type: ignore[misc]


def test_the_models_copy_keeps_a_ratio_precise_enough_to_round_once() -> None:
    """A year-on-year change of 0.148527 is 14.9 % to one decimal; the model's copy had
    0.1485, which reads 14.8 %."""
    content, _ = tool_result("query_duckdb", summary={"pct_revenue_change": 0.148527})
    change = json.loads(content)["summary"]["pct_revenue_change"]
    assert f"{change * 100:.1f}" == "14.9"
