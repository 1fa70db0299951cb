"""Shared plumbing of the tools: id normalisation, capped two-channel results, friendly errors.

Every tool returns `(content, artifact)` (LangChain's `response_format="content_and_artifact"`):

- **content** — what the model reads: one compact JSON object, built by `tool_result` or
  `tool_error`, at most `max_rows` rows. Keys (empty ones are left out):
  `tool` (name), `summary` (scalars: the headline numbers), `rows` (the first rows of the table),
  `n_rows` (rows in the full table), `truncated` (true when rows were cut),
  `recommendations` (action texts from the analytics catalogue), `message` (a note), and for
  errors `error` (a short kind such as "unknown_id") plus `suggestions` (close matches).
  The offline planner's narratives and the numeric-faithfulness guard read this object.
- **artifact** — what the UI shows (ui/artifacts.py), never sent to the model:
  `{"tool", "title", "table": [row dicts, at most MAX_TABLE_ROWS], "columns", "n_rows",
  "summary", "chart": {"kind", "data"}, "files": [{"path", "name", "mime"}], "notice"}`
  (optional keys left out when empty). Chart kinds and their data are listed in ui/charts.py.
  Errors: `{"kind": "error", "tool", "error", "message", "problems"?}`. JSON types only,
  because artifacts are stored with the thread in the checkpointer.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any

from langchain_core.tools import InjectedToolArg
from langgraph.prebuilt import ToolRuntime

from data.warehouse import WarehouseBusyError, WarehouseMissingError
from services.lookup import UnknownIdError
from tools.context import Context, as_context

ToolOutput = tuple[str, dict[str, Any]]
"""What every tool function returns: (content for the model, artifact for the UI)."""

RuntimeArg = Annotated[ToolRuntime[Context, Any] | None, InjectedToolArg]
"""Declare `runtime: RuntimeArg = None` in a tool: the graph injects the run's ToolRuntime
(hidden from the model); a direct call gets None and `context_of` falls back to Settings.
The `InjectedToolArg` marker matters: LangChain does not recognise a bare
`ToolRuntime | None` as injected when the tool has an `args_schema`, and drops it.
The state parameter is `Any`: the graph's state is the `State` dataclass, and the default
(`dict`) made pydantic warn on every tool call (12 serializer warnings per chat session)."""


def context_of(runtime: ToolRuntime[Context] | None) -> Context:
    """The run's context inside a graph; defaults from Settings when called directly."""
    return as_context(runtime.context if runtime is not None else None)


def close_matches(value: str, candidates: Iterable[str], n: int = 5) -> list[str]:
    """Up to `n` candidates that look like `value` (difflib ratio ≥ 0.6), best first.

    Examples:
        >>> close_matches("ACC000042", ["ACC000041", "ACC999999"])
        ['ACC000041']
    """
    return difflib.get_close_matches(value, list(candidates), n=n, cutoff=0.6)


def jsonable(value: Any) -> Any:
    """Plain JSON types for DuckDB/pandas/numpy values (Decimal, dates, numpy, NaN/NaT/NA).

    Midnight timestamps (months, dates) become dates: `2026-10-01`, not `2026-10-01T00:00:00`.

    Examples:
        >>> jsonable({"m": dt.datetime(2026, 10, 1), "x": float("nan"), "d": Decimal("1.5")})
        {'m': '2026-10-01', 'x': None, 'd': 1.5}
    """
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Decimal):
        return jsonable(float(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        if value != value:  # NaT
            return None
        if isinstance(value, dt.datetime) and value.time() == dt.time() and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    if hasattr(value, "tolist"):  # numpy scalar or array
        return jsonable(value.tolist())
    if str(value) in ("<NA>", "NaT"):  # pandas missing markers
        return None
    return str(value)


def records(data: Any, limit: int | None = None) -> list[dict[str, Any]]:
    """The first `limit` rows of a DataFrame or a sequence of mappings, as JSON-ready dicts.

    Only the rows kept are converted, so capping a 100,000-row table costs nothing.

    Examples:
        >>> records([{"a": 1}, {"a": 2}], limit=1)
        [{'a': 1}]
    """
    if data is None:
        return []
    if hasattr(data, "to_dict") and hasattr(data, "head"):  # a DataFrame
        frame = data if limit is None else data.head(limit)
        return [jsonable(row) for row in frame.to_dict(orient="records")]
    rows = list(data) if limit is None else list(data)[:limit]
    return [jsonable(dict(row)) for row in rows]


def _round_floats(value: Any, digits: int = 6) -> Any:
    """Round floats for the model's copy: fewer tokens, and nothing a reader would cite.

    Six decimals, so a ratio shown in % with one decimal is rounded once: a year-on-year
    change of 0.148527 reads 14.9 %, where four decimals (0.1485) read 14.8 %."""
    if isinstance(value, float):
        return round(value, digits) if abs(value) < 1e6 else round(value, 2)
    if isinstance(value, dict):
        return {key: _round_floats(item, digits) for key, item in value.items()}
    if isinstance(value, list):
        return [_round_floats(item, digits) for item in value]
    return value


MAX_TABLE_ROWS = 1_000
"""Most rows of the UI artifact's table; bigger results travel whole in a downloadable file."""


def file_ref(path: Any) -> dict[str, str]:
    """A `files` entry of an artifact: path, name and MIME type of a file a tool wrote."""
    name = str(path).replace("\\", "/").rsplit("/", 1)[-1]
    return {"path": str(path), "name": name, "mime": mime_for(name)}


def mime_for(name: str) -> str:
    """The MIME type of a file the tools or the UI offer for download, from its name's suffix.

    One table for the tools' outputs and the chat's exports and reports: the standard library's
    `mimetypes` knows XLSX and Markdown only from the system's mime.types file, Parquet not at all.

    Examples:
        >>> mime_for("scored.CSV"), mime_for("README"), mime_for("report.md")
        ('text/csv', 'application/octet-stream', 'text/markdown')
    """
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return _MIMES.get(suffix, "application/octet-stream")


_MIMES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "md": "text/markdown",
    "txt": "text/plain",
    "html": "text/html",
    "json": "application/json",
    "pdf": "application/pdf",
}


def tool_result(
    tool: str,
    *,
    summary: Mapping[str, Any] | None = None,
    rows: Any = (),
    table: Any = None,
    recommendations: Sequence[str] = (),
    message: str | None = None,
    title: str | None = None,
    chart: Mapping[str, Any] | None = None,
    files: Sequence[Mapping[str, str]] = (),
    notice: str | None = None,
    max_rows: int = 20,
    max_table_rows: int = MAX_TABLE_ROWS,
    n_total: int | None = None,
    variant: str | None = None,
) -> ToolOutput:
    """Build the two channels of a successful tool call (see the module docstring).

    `rows` (mappings or a DataFrame) is what the model sees, cut to `max_rows`; `table` is the
    UI's full table (default: `rows`), cut to `max_table_rows` with a notice saying so.
    `n_total` is the row count when `rows` and `table` are already the first rows of a larger
    result (a top-N read in SQL): counts and notices then name the whole result. `variant`
    names another shape of the tool's content (`ResultSpec.variants`).
    """
    n_rows = len(rows) if n_total is None else max(n_total, len(rows))
    content: dict[str, Any] = {"tool": tool}
    if variant:
        content["variant"] = variant
    if summary:
        content["summary"] = jsonable(dict(summary))
    if n_rows:
        content["rows"] = records(rows, max_rows)
        content["n_rows"] = n_rows
        if n_rows > max_rows:
            content["truncated"] = True
    if recommendations:
        content["recommendations"] = list(recommendations)
    if message:
        content["message"] = message
    full = rows if table is None else table
    shown = records(full, max_table_rows)
    n_full = len(full) if n_total is None else max(n_total, len(full))
    notices = [notice] if notice else []
    if n_full > len(shown):
        notices.append(f"Showing the first {len(shown):,} of {n_full:,} rows.")
    artifact: dict[str, Any] = {
        "tool": tool,
        "title": title or tool,
        "table": shown,
        "columns": _columns(full, shown),
        "n_rows": n_full,
    }
    if summary:
        artifact["summary"] = content["summary"]
    if chart:
        artifact["chart"] = jsonable(dict(chart))
    if files:
        artifact["files"] = [dict(item) for item in files]
    if notices:
        artifact["notice"] = " ".join(notices)
    return _dumps(_round_floats(content)), artifact


def _columns(full: Any, shown: list[dict[str, Any]]) -> list[str]:
    if hasattr(full, "columns"):
        return [str(column) for column in full.columns]
    return list(shown[0]) if shown else []


def tool_error(
    tool: str,
    message: str,
    *,
    error: str = "invalid_request",
    suggestions: Sequence[str] = (),
    details: Mapping[str, Any] | None = None,
    problems: Sequence[Mapping[str, Any]] = (),
) -> ToolOutput:
    """A failed call the model can recover from: what went wrong and what to try instead.

    `details` (for example the schema after a bad column name) goes to the model as well;
    `problems` (validation findings: row, column, value, message, sheet) go to the UI.
    """
    content: dict[str, Any] = {"tool": tool, "error": error, "message": message}
    if suggestions:
        content["suggestions"] = list(suggestions)
    if details:
        content.update(jsonable(dict(details)))
    artifact: dict[str, Any] = {"kind": "error", "tool": tool, "error": error, "message": message}
    if problems:
        artifact["problems"] = [jsonable(dict(problem)) for problem in problems]
    return _dumps(content), artifact


def unknown_id_result(tool: str, exc: UnknownIdError) -> ToolOutput:
    """Turn an unknown-id exception into a tool error with its close matches."""
    value, kind = exc.value, exc.kind
    suggestions = [str(item) for item in exc.suggestions]
    hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
    message = f"No {kind} {value} in the warehouse.{hint}".replace("  ", " ")
    return tool_error(tool, message, error="unknown_id", suggestions=suggestions)


SERVICE_ERRORS: tuple[type[Exception], ...] = (
    UnknownIdError,
    ValueError,
    WarehouseMissingError,
    WarehouseBusyError,
)
"""What services raise for a request the model can fix: unknown ids, bad filters, no warehouse,
or an update in progress (ask again in a moment).
A tool calls its services inside `refusals()`; anything else is a bug and reaches ToolNode."""


class RefusalError(Exception):
    """One of `SERVICE_ERRORS` raised inside `refusals()`, on its way to `agent_tool`, which
    returns `service_error(tool, refusal.error)` as the tool's result."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


@contextmanager
def refusals() -> Iterator[None]:
    """The block where a tool calls its services: a request the model can fix
    (`SERVICE_ERRORS`) ends the tool with `service_error`, in one place (`agent_tool`) instead
    of a `try` in every tool. Only this block is covered, so an error in the tool's own
    formatting stays a bug."""
    try:
        yield
    except SERVICE_ERRORS as exc:
        raise RefusalError(exc) from exc


def service_error(tool: str, exc: Exception) -> ToolOutput:
    """The tool result for one of `SERVICE_ERRORS`: close matches for unknown ids, the command
    that builds a warehouse when there is none, the service's own words otherwise."""
    if isinstance(exc, WarehouseMissingError):
        return tool_error(tool, str(exc), error="no_warehouse")
    if isinstance(exc, WarehouseBusyError):
        return tool_error(tool, exc.message, error="busy")
    if isinstance(exc, UnknownIdError):
        return unknown_id_result(tool, exc)
    return tool_error(tool, str(exc).strip("'\""))


def _dumps(content: Mapping[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str)
