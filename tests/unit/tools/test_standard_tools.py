"""langchain-tests `ToolsUnitTests` for the nine domain tools (query_duckdb's suite lives with
the agent's standard suites). The suite checks names, schemas and that the example
parameters match the schema; it does not run the tools."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool
from langchain_tests.unit_tests import ToolsUnitTests

from tools import (
    decompose_trend,
    detect_leakage,
    explain_risk_factors,
    find_declining_customers,
    list_segments,
    portfolio_summary,
    score_file,
    score_leakage,
    segment_report,
)


class _DomainToolSuite(ToolsUnitTests):
    the_tool: BaseTool
    example: dict[str, Any]

    @property
    def tool_constructor(self) -> BaseTool:
        return self.the_tool

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return self.example


class TestPortfolioSummary(_DomainToolSuite):
    the_tool, example = portfolio_summary, {}


class TestScoreLeakage(_DomainToolSuite):
    the_tool, example = score_leakage, {"tier": "Enterprise", "risk_level": "High", "top_n": 5}


class TestExplainRiskFactors(_DomainToolSuite):
    the_tool, example = explain_risk_factors, {"account_id": "ACC000042"}


class TestDetectLeakage(_DomainToolSuite):
    the_tool, example = detect_leakage, {"leakage_type": "Usage_Overage_Unbilled", "top_n": 10}


class TestDecomposeTrend(_DomainToolSuite):
    the_tool, example = decompose_trend, {"customer_id": "ACC000042"}


class TestFindDecliningCustomers(_DomainToolSuite):
    the_tool, example = find_declining_customers, {"decline_level": 3, "segment_id": 1, "top_n": 10}


class TestListSegments(_DomainToolSuite):
    the_tool, example = list_segments, {"segment_id": 1}


class TestSegmentReport(_DomainToolSuite):
    the_tool, example = segment_report, {"segment_id": 1, "decline_level": 2}


class TestScoreFile(_DomainToolSuite):
    the_tool, example = score_file, {"file_path": "accounts.csv", "risk_level": "High", "top_n": 5}
