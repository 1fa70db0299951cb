"""The tools' contract: argument schemas (what the model may pass) and result specs (what
comes back).

Argument models carry the exact argument names other code depends on (planner, evals, UI).
Their field descriptions are part of the JSON schema the model reads. Validators normalise
what a model or a person types (`acc42`, `enterprise`, `failed payment retry`) to the
canonical values, so tools receive clean arguments.

`RESULT_SPECS` (defined in tools/result_specs.py, re-exported here) says which `summary`
keys and row columns each tool puts in its content (see tools/results.py) and how to format
them; the offline planner's narrative templates (`prompts/narrative_<tool>.md`) use exactly
the narrative keys, which a unit test checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from langchain_core.tools import BaseTool, tool
from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain import (
    LEAKAGE_TYPES,
    RISK_LEVELS,
    TIERS,
    LeakageType,
    RankBy,
    RiskLevel,
    Tier,
    normalise_account_id,
)
from tools.result_specs import RESULT_SPECS, Column, Kind, ResultSpec
from tools.results import RuntimeArg

_TIER_ALIASES = {"pro": "Professional", "ent": "Enterprise", "biz": "Business"}


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _canonical(value: Any, choices: tuple[str, ...], aliases: dict[str, str] | None = None) -> Any:
    """Case/spacing-insensitive match onto `choices`; unknown values pass through to fail."""
    if not isinstance(value, str):
        return value
    lookup = {_key(choice): choice for choice in choices} | {
        _key(alias): target for alias, target in (aliases or {}).items()
    }
    return lookup.get(_key(value), value)


class _Args(BaseModel):
    # Unknown keys are ignored, not forbidden: ToolNode passes the injected `runtime` through
    # the same validation, and a forbidding schema would reject every call.
    model_config = ConfigDict(extra="ignore")

    @field_validator("account_id", "customer_id", mode="before", check_fields=False)
    @classmethod
    def _normalise_id(cls, value: Any) -> Any:
        return normalise_account_id(value) if isinstance(value, str) else value

    @field_validator("tier", mode="before", check_fields=False)
    @classmethod
    def _normalise_tier(cls, value: Any) -> Any:
        return _canonical(value, TIERS, _TIER_ALIASES)

    @field_validator("leakage_type", mode="before", check_fields=False)
    @classmethod
    def _normalise_leakage_type(cls, value: Any) -> Any:
        return _canonical(value, LEAKAGE_TYPES)

    @field_validator("risk_level", mode="before", check_fields=False)
    @classmethod
    def _normalise_risk_level(cls, value: Any) -> Any:
        return _canonical(value, RISK_LEVELS)


_ACCOUNT = "Account id such as ACC000042 (case and zero-padding are fixed automatically)."
_TOP_N = "How many rows to return, largest first (1-100)."
_DECLINE = "Decline level: 0 stable, 1 mild, 2 moderate, 3 sharply declining."
_SEGMENT = "Customer segment (cluster) number, as listed by list_segments."


class PortfolioSummaryArgs(_Args):
    """No arguments: the whole portfolio.

    The injected `runtime` is declared here (hidden from the model's schema) because
    LangChain calls a tool whose schema has no fields with no arguments at all, which would
    drop the run's context and silently read the default warehouse.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    runtime: RuntimeArg = None


class ScoreLeakageArgs(_Args):
    account_id: str | None = Field(default=None, description=_ACCOUNT)
    tier: Tier | None = Field(default=None, description="Only accounts on this plan tier.")
    risk_level: RiskLevel | None = Field(default=None, description="Only this predicted risk.")
    leakage_type: LeakageType | None = Field(
        default=None, description="Only accounts whose most likely leakage is this type."
    )
    top_n: int = Field(default=10, ge=1, le=100, description=_TOP_N)
    order_by: RankBy = Field(
        default="expected_loss",
        description="Rank by expected_loss next month (most at risk, riskiest: the default), "
        "probability (most likely to leak), detected_leakage (leaking now, biggest leaks) or "
        "at_stake (both: most money at stake).",
    )


class ExplainRiskFactorsArgs(_Args):
    account_id: str = Field(description=_ACCOUNT)


class DetectLeakageArgs(_Args):
    leakage_type: LeakageType | None = Field(default=None, description="Only this leakage type.")
    account_id: str | None = Field(default=None, description=_ACCOUNT)
    top_n: int = Field(default=10, ge=1, le=100, description=_TOP_N)


class DecomposeTrendArgs(_Args):
    customer_id: str = Field(description="Customer (account) id such as ACC000042.")


class FindDecliningCustomersArgs(_Args):
    decline_level: int | None = Field(default=None, ge=0, le=3, description=_DECLINE)
    segment_id: int | None = Field(default=None, ge=0, description=_SEGMENT)
    top_n: int = Field(default=10, ge=1, le=100, description=_TOP_N)


class ListSegmentsArgs(_Args):
    segment_id: int | None = Field(default=None, ge=0, description=_SEGMENT)


class SegmentReportArgs(_Args):
    segment_id: int = Field(ge=0, description=_SEGMENT)
    decline_level: int | None = Field(default=None, ge=0, le=3, description=_DECLINE)


class QueryDuckdbArgs(_Args):
    sql: str = Field(
        min_length=1,
        max_length=10_000,
        description="One read-only DuckDB SELECT (a WITH … SELECT is fine) over the warehouse.",
    )


class ScoreFileArgs(_Args):
    file_path: str = Field(min_length=1, description="Path of the uploaded CSV/Excel file.")
    risk_level: RiskLevel | None = Field(
        default=None, description="Only list accounts of this predicted risk (counts cover all)."
    )
    top_n: int = Field(default=10, ge=1, le=100, description=_TOP_N)
    account_id: str | None = Field(
        default=None,
        description="One account OF THE FILE, with all its risk factors: 'why is the third "
        "uploaded account risky?' (never explain_risk_factors, which reads the warehouse).",
    )


TOOL_ARGS: dict[str, type[_Args]] = {
    "portfolio_summary": PortfolioSummaryArgs,
    "score_leakage": ScoreLeakageArgs,
    "explain_risk_factors": ExplainRiskFactorsArgs,
    "detect_leakage": DetectLeakageArgs,
    "decompose_trend": DecomposeTrendArgs,
    "find_declining_customers": FindDecliningCustomersArgs,
    "list_segments": ListSegmentsArgs,
    "segment_report": SegmentReportArgs,
    "query_duckdb": QueryDuckdbArgs,
    "score_file": ScoreFileArgs,
}
"""Tool name → argument model, for all ten tools (the planner emits exactly these)."""


__all__ = ["RESULT_SPECS", "TOOL_ARGS", "Column", "Kind", "ResultSpec"]


def agent_tool(name: str) -> Callable[[Callable[..., Any]], BaseTool]:
    """The decorator every tool uses: its name, its `TOOL_ARGS` schema and two channels.

    `@agent_tool("score_leakage")` on a function returning `(content, artifact)` makes the
    LangChain tool the graph binds, so a tool's contract is declared once, in `TOOL_ARGS`.
    """
    return tool(name, args_schema=TOOL_ARGS[name], response_format="content_and_artifact")
