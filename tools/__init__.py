"""The agent's tools: thin LangChain tools over the analytics and the warehouse.

`TOOLS` is the list the graph binds to the model. Argument schemas for all ten tools live in
`tools.schemas`; the two-channel result helpers in `tools._format`.
"""

from __future__ import annotations

from langchain_core.tools import BaseTool

from tools.sql import query_duckdb

TOOLS: list[BaseTool] = [query_duckdb]
"""Tools the agent may call. The domain tools (leakage, trends, segments, reports) join here."""

__all__ = ["TOOLS", "query_duckdb"]
