"""The agent's tools: thin LangChain tools over the services and the warehouse.

`TOOLS` is the list the graph binds to the model, broad questions first: the portfolio, the
leakage tools, the trend and segment tools, file scoring, and ad-hoc SQL last (for what no
other tool answers). Argument schemas for all ten tools live in `tools.schemas`; the
two-channel result helpers in `tools.results`; chart specs and catalogue actions in
`tools.views`; the per-run knobs a tool reads (`Context`) in `tools.context`. May import
services, data and domain; never sklearn, statsmodels, LightGBM or DuckDB directly, never agent.
"""

from __future__ import annotations

from langchain_core.tools import BaseTool

from tools.leakage import detect_leakage, explain_risk_factors, portfolio_summary, score_leakage
from tools.segments import list_segments, segment_report
from tools.sql import query_duckdb
from tools.trends import decompose_trend, find_declining_customers
from tools.uploads import score_file

TOOLS: list[BaseTool] = [
    portfolio_summary,
    score_leakage,
    explain_risk_factors,
    detect_leakage,
    decompose_trend,
    find_declining_customers,
    list_segments,
    segment_report,
    score_file,
    query_duckdb,
]
"""Tools the agent may call (all ten of `tools.schemas.TOOL_ARGS`)."""

__all__ = [
    "TOOLS",
    "decompose_trend",
    "detect_leakage",
    "explain_risk_factors",
    "find_declining_customers",
    "list_segments",
    "portfolio_summary",
    "query_duckdb",
    "score_file",
    "score_leakage",
    "segment_report",
]
