"""Every tool's contract as the model sees it: OpenAI strict-mode schemas, strict validation,
descriptions with boundaries, and the SQL tool's description generated from the schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from data.schema_doc import queryable_schema
from data.sql_guard import AGENT_RELATIONS, SqlRejected, run_query
from data.warehouse import TRUTH_TABLES
from tools import TOOLS, query_duckdb
from tools.schemas import (
    TOOL_ARGS,
    invalid_arguments_message,
    model_arguments,
    openai_tool_spec,
    strict_parameters,
)
from tools.sql_description import EXAMPLES, TABLE_NOTES

# What OpenAI's strict mode accepts in a parameter schema (structured-outputs subset).
STRICT_KEYWORDS = {
    "type", "properties", "required", "additionalProperties", "description", "enum", "anyOf",
    "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "items", "minItems", "maxItems", "const", "format",
}  # fmt: skip


def _walk(node: Any, path: str = "$") -> list[tuple[str, dict[str, Any]]]:
    """Every schema object under `node`, with its path."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        found.append((path, node))
        for key, value in node.get("properties", {}).items():
            found += _walk(value, f"{path}.{key}")
        for index, branch in enumerate(node.get("anyOf", [])):
            found += _walk(branch, f"{path}|{index}")
        if "items" in node:
            found += _walk(node["items"], f"{path}[]")
    return found


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_every_tool_schema_is_strict_mode_compatible(tool: Any) -> None:
    spec = openai_tool_spec(tool)
    function = spec["function"]
    assert spec["type"] == "function" and function["strict"] is True
    assert function["name"] == tool.name and function["description"] == tool.description
    schema = function["parameters"]
    assert schema["type"] == "object"
    assert list(schema["properties"]) == model_arguments(tool.name)
    for path, node in _walk(schema):
        assert set(node) <= STRICT_KEYWORDS, f"{tool.name} {path}: {set(node) - STRICT_KEYWORDS}"
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, f"{tool.name} {path}"
            assert set(node.get("required", [])) == set(node["properties"]), f"{tool.name} {path}"
    model = TOOL_ARGS[tool.name]
    for name, prop in schema["properties"].items():
        optional = not model.model_fields[name].is_required()
        nullable = any(branch.get("type") == "null" for branch in prop.get("anyOf", []))
        assert nullable == optional, f"{tool.name}.{name}: optional iff nullable"
        assert prop.get("description"), f"{tool.name}.{name} has no description"
    json.dumps(spec)  # plain JSON, no pydantic objects left


@pytest.mark.parametrize("name", list(TOOL_ARGS))
def test_null_for_every_optional_argument_means_its_default(name: str) -> None:
    model = TOOL_ARGS[name]
    required = {"file_path": "x.csv", "account_id": "ACC000042", "segment_id": 1, "sql": "SELECT 1"}
    base = {k: v for k, v in required.items() if k in model.model_fields and
            model.model_fields[k].is_required()}  # fmt: skip
    nulls = {
        field: None
        for field in model_arguments(name)
        if not model.model_fields[field].is_required()
    }
    assert model.model_validate(base | nulls) == model.model_validate(base)


@pytest.mark.parametrize("name", list(TOOL_ARGS))
def test_unknown_arguments_are_errors(name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TOOL_ARGS[name].model_validate({"billing_system": "legacy"})
    assert any(error["type"] == "extra_forbidden" for error in caught.value.errors())


def test_invalid_arguments_message_lists_the_valid_ones() -> None:
    message = invalid_arguments_message(
        "detect_leakage",
        [{"loc": ("billing_system",), "msg": "Extra inputs", "type": "extra_forbidden"}],
    )
    assert "`billing_system` is not an argument of detect_leakage" in message
    assert "leakage_type, account_id, month, since, until, tier, region, top_n" in message
    assert "runtime" not in message


def test_strict_parameters_have_no_defaults_or_titles() -> None:
    text = json.dumps([strict_parameters(name) for name in TOOL_ARGS])
    assert '"default"' not in text and '"title"' not in text and "$ref" not in text


@pytest.mark.parametrize(
    ("tool", "other"),
    [
        ("portfolio_summary", "detect_leakage"),
        ("detect_leakage", "portfolio_summary"),
        ("explain_risk_factors", "decompose_trend"),
        ("decompose_trend", "explain_risk_factors"),
        ("list_segments", "segment_report"),
        ("score_leakage", "explain_risk_factors"),
        ("find_declining_customers", "query_duckdb"),
        ("query_duckdb", "portfolio_summary"),
    ],
)
def test_overlapping_tools_say_which_to_use_instead(tool: str, other: str) -> None:
    description = next(t.description for t in TOOLS if t.name == tool)
    assert "Use instead" in description and other in description


@pytest.mark.parametrize(
    "word", ["churn", "dunning", "ARR", "MRR", "NRR", "DSO", "expansion", "contraction"]
)
def test_finance_vocabulary_is_mapped(word: str) -> None:
    assert word in query_duckdb.description


# ------------------------------------------------------------------ the SQL description
def test_sql_description_lists_every_queryable_table_with_types() -> None:
    schema = queryable_schema()
    assert not set(schema.tables) & set(TRUTH_TABLES)
    for table in ("detected_leakage", "leakage_scores", "leakage_factors", "trend_metrics",
                  "trend_series", "segments", "monthly_revenue", "account_features"):  # fmt: skip
        assert table in schema.tables
    for table, columns in schema.tables.items():
        assert TABLE_NOTES.get(table), f"{table} has no words in TABLE_NOTES"
        line = next(
            ln for ln in query_duckdb.description.splitlines() if ln.startswith(f"- {table} ")
        )
        for column in columns:
            assert f"{column.name} {column.type}" in line, f"{table}.{column.name}"


def test_sql_description_follows_the_guards_allow_list(small_world: Path) -> None:
    """Every described relation can be queried; relations the guard hides are not described."""
    described = set(queryable_schema().tables)
    assert described <= set(AGENT_RELATIONS)
    for table in described:
        assert run_query(small_world, f"SELECT count(*) FROM {table}").rows
    for hidden in ("meta", "import_log", *TRUTH_TABLES):
        assert hidden not in described
        with pytest.raises(SqlRejected):
            run_query(small_world, f"SELECT count(*) FROM {hidden}")


@pytest.mark.parametrize(("question", "sql"), EXAMPLES, ids=[q[:30] for q, _ in EXAMPLES])
def test_worked_examples_run_on_a_warehouse(small_world: Path, question: str, sql: str) -> None:
    result = run_query(small_world, sql)
    assert result.rows, question
    assert sql in query_duckdb.description
