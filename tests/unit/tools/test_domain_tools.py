"""The nine domain tools on a small synthetic world: both channels, charts, errors, caps.

Every call goes through LangChain's tool-call path with an injected `ToolRuntime`, as the
graph's ToolNode makes it. Contract checks: the summary has exactly the keys of
`RESULT_SPECS` (narrative keys plus `extra`), the model's rows are capped, the artifact has
the UI's keys and a chart the UI can draw, and the template narrative is numerically
faithful to the content.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pydantic import ValidationError

from agent.faithfulness import check_answer
from agent.offline.narratives import narrate
from analytics.leakage.recommend import CATALOGUE
from tools import TOOLS
from tools.context import Context
from tools.results import MAX_TABLE_ROWS, tool_result
from tools.schemas import RESULT_SPECS, TOOL_ARGS
from ui.artifacts import view_of
from ui.charts import figure_for

ToolCall = Callable[..., tuple[dict[str, Any], dict[str, Any]]]


BY_NAME = {tool.name: tool for tool in TOOLS}
ARTIFACT_KEYS = {
    "tool",
    "title",
    "table",
    "columns",
    "n_rows",
    "summary",
    "chart",
    "files",
    "notice",
}
CHART_KEYS = {
    "risk_gauge": {"account_id", "probability", "risk_level", "thresholds"},
    "risk_distribution": {"counts", "title", "probabilities"},
    "leakage_by_type": {"amounts", "counts", "currency"},
    "revenue_trend": {
        "customer_id",
        "months",
        "revenue",
        "trend",
        "line",
        "moving_avg",
        "seasonal",
        "anomaly_months",
        "decline_level",
        "status",
        "currency",  # the axis names the customer's currency (rt12 T-H6)
    },
    "segment_radar": {"metrics", "segments"},
}


@pytest.fixture(scope="module")
def ids(world: Path, call: ToolCall) -> dict[str, Any]:
    """Ids that exist in the world: the riskiest account, a declining customer, a segment."""
    context = Context(db_path=str(world))
    scored, _ = call("score_leakage", {"top_n": 1}, context)
    declining, _ = call("find_declining_customers", {"top_n": 1}, context)
    segments, _ = call("list_segments", {}, context)
    return {
        "account": scored["rows"][0]["account_id"],
        "customer": declining["rows"][0]["customer_id"],
        "segment": max(segments["rows"], key=lambda r: r["n_customers"])["segment_id"],
    }


def _cases(ids: dict[str, Any], sample: Path) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("portfolio_summary", {}),
        ("score_leakage", {"tier": "enterprise", "top_n": 5}),
        ("score_leakage", {"account_id": ids["account"]}),
        ("explain_risk_factors", {"account_id": ids["account"].lower()}),
        ("detect_leakage", {"leakage_type": "failed payment retry", "top_n": 3}),
        ("detect_leakage", {"account_id": ids["account"]}),
        ("decompose_trend", {"customer_id": ids["customer"]}),
        ("find_declining_customers", {"top_n": 50}),
        ("list_segments", {}),
        ("segment_report", {"segment_id": ids["segment"]}),
        ("score_file", {"file_path": str(sample), "top_n": 5}),
    ]


@pytest.fixture(scope="module")
def results(world: Path, ids: dict[str, Any], call: ToolCall, sample_file: Path) -> list:
    """(name, args, content, artifact) of one successful call of every tool."""
    context = Context(db_path=str(world), max_rows_to_model=20)
    return [(name, args, *call(name, args, context)) for name, args in _cases(ids, sample_file)]


def test_every_tool_is_registered_with_its_schema_and_two_channels() -> None:
    assert [tool.name for tool in TOOLS][-1] == "query_duckdb"
    assert {tool.name for tool in TOOLS} == set(TOOL_ARGS)
    for tool in TOOLS:
        assert tool.args_schema is TOOL_ARGS[tool.name], tool.name
        assert tool.response_format == "content_and_artifact"
        assert "runtime" not in tool.tool_call_schema.model_json_schema()["properties"]
        if tool.name not in ("list_segments", "query_duckdb"):
            words = " ".join((tool.description or "").split())
            assert "per month" in words, f"{tool.name}: state money units"


def test_summaries_have_exactly_the_spec_keys_and_narratives_are_faithful(results: list) -> None:
    for name, args, content, _ in results:
        assert "error" not in content, (name, args, content)
        spec = RESULT_SPECS[name]
        assert set(content["summary"]) == spec.summary_keys, name
        missing = [c.key for c in spec.summary if content["summary"][c.key] is None]
        assert not missing, (name, missing)
        text = narrate(name, json.dumps(content))
        assert "n/a" not in text, (name, text)
        report = check_answer(text, [json.dumps(content), args])
        assert report.faithful, (name, report.unsupported)


def test_artifacts_follow_the_ui_contract(results: list) -> None:
    for name, _, content, artifact in results:
        assert set(artifact) <= ARTIFACT_KEYS and artifact["tool"] == name, name
        assert isinstance(artifact["table"], list) and len(artifact["table"]) <= MAX_TABLE_ROWS
        assert all(set(row) <= set(artifact["columns"]) for row in artifact["table"]), name
        assert len(content.get("rows", [])) <= 20
        json.dumps(artifact, allow_nan=False)  # stored with the thread: plain JSON only
        view = view_of(artifact, name)
        assert view is not None and view.error is None and view.n_rows == len(artifact["table"])
        chart = artifact.get("chart")
        if chart is not None:
            assert set(chart) == {"kind", "data"} and chart["kind"] in CHART_KEYS, name
            assert set(chart["data"]) <= CHART_KEYS[chart["kind"]], (name, set(chart["data"]))
            assert figure_for(chart) is not None, f"the UI cannot draw {name}'s chart"


def test_charts_per_tool(results: list, ids: dict[str, Any]) -> None:
    charts = {(n, json.dumps(a)): art.get("chart") for n, a, _, art in results}
    kinds = {key[0]: (chart or {}).get("kind") for key, chart in charts.items() if chart}
    assert kinds == {
        "portfolio_summary": "risk_distribution",
        "score_leakage": "risk_gauge",
        "explain_risk_factors": "risk_gauge",
        "detect_leakage": "leakage_by_type",
        "decompose_trend": "revenue_trend",
        "list_segments": "segment_radar",
        "segment_report": "segment_radar",
        "score_file": "risk_distribution",
    }
    trend = next(art["chart"]["data"] for n, _, _, art in results if n == "decompose_trend")
    assert trend["customer_id"] == ids["customer"]
    assert len(trend["months"]) == len(trend["revenue"]) == len(trend["trend"])
    assert set(trend["anomaly_months"]) <= set(trend["months"])
    gauge = next(art["chart"]["data"] for n, _, _, art in results if n == "explain_risk_factors")
    assert (
        gauge["thresholds"] == {"high": 0.30, "medium": 0.10}
        and gauge["account_id"] == ids["account"]
    )


def test_recommendations_come_from_the_catalogue(results: list) -> None:
    actions = [entry.action for entry in CATALOGUE.values()]
    for name, _, content, _ in results:
        for text in content.get("recommendations", []):
            assert any(action in text for action in actions), (name, text)
    explained = next(c for n, _, c, _ in results if n == "explain_risk_factors")
    assert explained["recommendations"], "a top-risk account gets an action"


def test_explanation_lists_drivers_not_the_baseline(results: list) -> None:
    content, artifact = next((c, a) for n, _, c, a in results if n == "explain_risk_factors")
    assert content["rows"] and all(
        r["effect"] in ("raises risk", "lowers risk") for r in content["rows"]
    )
    assert {"base_value", "other_features"} <= {row["feature"] for row in artifact["table"]}


@pytest.mark.parametrize(
    ("name", "args", "kind"),
    [
        ("explain_risk_factors", {"account_id": "ACC000999"}, "account"),
        ("score_leakage", {"account_id": "acc 999"}, "account"),
        ("detect_leakage", {"account_id": "ACC000999"}, "account"),
        ("decompose_trend", {"customer_id": "ACC000999"}, "customer"),
    ],
)
def test_unknown_ids_come_back_with_close_matches(
    world: Path, name: str, args: dict, kind: str, call: ToolCall
) -> None:
    content, artifact = call(name, args, Context(db_path=str(world)))
    assert content["error"] == "unknown_id" and artifact["kind"] == "error"
    assert content["message"].startswith(f"No {kind} ACC000999 in the warehouse. Did you mean")
    assert content["suggestions"] and all(s.startswith("ACC000") for s in content["suggestions"])
    assert "ACC000999" in narrate(name, json.dumps(content))


def test_segment_report_counts_every_member_of_the_segment(results: list) -> None:
    """The members are a top-N read in SQL; the counts still name the whole segment."""
    content, artifact = next((c, a) for n, _, c, a in results if n == "segment_report")
    n_customers = content["summary"]["n_customers"]
    assert content["n_rows"] == artifact["n_rows"] == n_customers > len(content["rows"])
    assert len(artifact["table"]) == min(n_customers, 1_000)


def test_bad_values_are_tool_errors_not_crashes(world: Path, call: ToolCall) -> None:
    content, _ = call("segment_report", {"segment_id": 99}, Context(db_path=str(world)))
    assert content["error"] == "invalid_request" and "no segment 99" in content["message"]


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("score_leakage", {"top_n": 0}),
        ("score_leakage", {"tier": "Platinum"}),
        ("detect_leakage", {"leakage_type": "fraud"}),
        ("find_declining_customers", {"decline_level": 4}),
        ("segment_report", {}),
        ("explain_risk_factors", {}),
        ("score_file", {"file_path": "a.csv", "risk_level": "Severe"}),
    ],
)
def test_arguments_are_validated_by_the_schema(name: str, args: dict) -> None:
    with pytest.raises(ValidationError):
        BY_NAME[name].invoke(args)


def test_missing_warehouse_is_a_helpful_error(tmp_path: Path, call: ToolCall) -> None:
    context = Context(db_path=str(tmp_path / "none.duckdb"))
    for name, args in [
        ("portfolio_summary", {}),
        ("score_leakage", {}),
        ("explain_risk_factors", {"account_id": "ACC000001"}),
        ("detect_leakage", {}),
        ("decompose_trend", {"customer_id": "ACC000001"}),
        ("find_declining_customers", {}),
        ("list_segments", {}),
        ("segment_report", {"segment_id": 0}),
    ]:
        content, _ = call(name, args, context)
        assert content["error"] == "no_warehouse" and "revrisk demo" in content["message"], name


def test_rows_for_the_model_are_capped(world: Path, ids: dict[str, Any], call: ToolCall) -> None:
    content, artifact = call(
        "segment_report",
        {"segment_id": ids["segment"]},
        Context(db_path=str(world), max_rows_to_model=7),
    )
    assert len(content["rows"]) == 7 and content["truncated"] is True
    assert content["n_rows"] == len(artifact["table"]) == content["summary"]["n_customers"] > 7


def test_ui_table_is_capped_with_a_notice() -> None:
    rows = pd.DataFrame({"account_id": [f"ACC{i:06d}" for i in range(2500)], "x": range(2500)})
    content, artifact = tool_result(
        "score_file", summary={"n_accounts": 2500}, rows=rows, max_rows=3
    )
    assert len(json.loads(content)["rows"]) == 3
    assert len(artifact["table"]) == MAX_TABLE_ROWS and artifact["n_rows"] == 2500
    assert "first 1,000 of 2,500" in artifact["notice"]


def test_declining_counts_every_match_but_lists_top_n(world: Path, call: ToolCall) -> None:
    context = Context(db_path=str(world))
    few, _ = call("find_declining_customers", {"top_n": 3}, context)
    many, _ = call("find_declining_customers", {"top_n": 100}, context)
    assert len(few["rows"]) == 3 and few["summary"]["n_customers"] == many["summary"]["n_customers"]
    levels = [row["decline_level"] for row in many["rows"]]
    assert levels == sorted(levels, reverse=True) and min(levels) >= 1


@pytest.mark.parametrize("tool", ["portfolio_summary", "score_leakage"])
def test_a_model_caveat_comes_before_the_figures_it_qualifies(results: list, tool: str) -> None:
    """A red team read "the model expects $1,888 to leak" first and the NO SIGNAL warning
    last: a warning about the figures (no signal, stale caches) now opens the answer."""
    content = next(c for name, _, c, _ in results if name == tool)
    warning = "NO SIGNAL: in evaluation this model's ROC-AUC interval included 0.5."
    text = narrate(tool, json.dumps({**content, "message": warning}))
    assert text.startswith(warning) and text.count(warning) == 1
    assert not narrate(tool, json.dumps({**content, "message": ""})).startswith("\n")
