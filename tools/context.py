"""Per-run knobs of the agent, passed as LangGraph runtime context (`context_schema`).

`graph.invoke(inputs, config, context=Context(db_path=...))` — nodes read it as
`runtime.context`, tools as `runtime.context` of their injected `ToolRuntime`. Unset fields
default from `Settings`, so a bare `Context()` describes "this installation". Secrets never
travel here: the model factory reads keys from `Settings` itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from settings import get_settings


def _default_db_path() -> str:
    return str(get_settings().warehouse_path)


@dataclass(kw_only=True)
class Context:
    """Run-scoped settings; all optional."""

    db_path: str = field(default_factory=_default_db_path)
    """DuckDB warehouse the tools read (read-only)."""

    model: str = "auto"
    """`auto` (OpenAI-compatible when a key or base URL is configured, else offline),
    `offline`, or `openai:<model name>` (e.g. `openai:gpt-4o-mini`)."""

    stream_tokens: bool = True
    """Ask a remote model for a token stream (SSE) on every call; False sends plain requests
    (for endpoints without streaming). LangGraph's `stream_mode="messages"` streams either way."""

    sql_row_cap: int = 200
    """Most rows `query_duckdb` returns to the model."""

    sql_timeout_s: float = 10.0
    """Time limit of one `query_duckdb` query, seconds."""

    max_rows_to_model: int = 20
    """Most table rows the domain tools put in the model's copy (the UI artifact has all)."""

    check_faithfulness: bool = True
    """Run the numeric-faithfulness guard on final answers."""

    upload_dir: str | None = None
    """The chat session's upload folder: `score_file` reads files only inside it and writes the
    scored CSV/XLSX there. None (CLI, evals) allows any readable path; outputs then go to
    `<warehouse folder>/scored/`."""

    high_risk_threshold: float = 0.30
    """Leakage probability (next month) from which an account is High risk in file scoring."""

    medium_risk_threshold: float = 0.10
    """Leakage probability from which an account is Medium risk (below: Low)."""


def as_context(value: Any) -> Context:
    """The run's `Context`; a missing context (a tool called outside a graph) means defaults.

    LangGraph coerces dict contexts (e.g. from LangGraph Server) into `Context`; a plain dict
    reaching here is coerced the same way.
    """
    if isinstance(value, Context):
        return value
    if isinstance(value, dict):
        return Context(**value)
    return Context()
