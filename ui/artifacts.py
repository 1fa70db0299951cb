"""Tool artifacts as the UI reads them: one tolerant normaliser for every tool's second channel.

The contract (agreed with the tool authors) is a dict with optional keys
`tool, title, table | rows, columns, chart, files, notice`; errors come as
`{"kind": "error", "message", ...}` and may carry `problems` (validation findings with
row/column/value). `view_of` accepts all of these, drops what it cannot use, and never raises:
a malformed artifact must not break a reply. A file's MIME type is read off its name with the
tools' own table (`tools.results.mime_for`), so a tool's output and the chat's exports agree.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain import SPAN_COLUMNS
from tools.results import mime_for

logger = logging.getLogger(__name__)

MAX_TABLE_ROWS_SHOWN = 1_000
"""Rows sent to the browser per table; the full table travels as a downloadable file."""


@dataclass(frozen=True)
class FileRef:
    """A file a tool (or the chat) produced for download."""

    path: str
    name: str

    @property
    def mime(self) -> str:
        """Its MIME type, from the name (`tools.results.mime_for`, the table the tools use)."""
        return mime_for(self.name)


@dataclass(frozen=True)
class ArtifactView:
    """What the UI renders for one tool result."""

    tool: str
    title: str
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    chart: dict[str, Any] | None = None
    files: list[FileRef] = field(default_factory=list)
    notice: str | None = None
    error: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    n_findings: int | None = None
    """How many findings the rows are the largest of, when a tool listed only its top ones
    (detect_leakage's `top_n` of thousands: rt12 T-L7 read "(10 rows)" for 2,538 findings)."""

    @property
    def problem_columns(self) -> list[str]:
        """Columns of the problems table: where (row, column), what (value), why (message)."""
        keys = list(dict.fromkeys(k for p in self.problems for k in p))
        preferred: list[str] = [k for k in ("row", "column", "value", "message") if k in keys]
        if any(p.get("sheet") for p in self.problems):
            preferred.insert(0, "sheet")
        return preferred or keys

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    def shown_rows(self, limit: int = MAX_TABLE_ROWS_SHOWN) -> list[dict[str, Any]]:
        """The first `limit` rows, for display."""
        return self.rows[:limit]


def _rows(artifact: Mapping[str, Any]) -> list[dict[str, Any]]:
    table = artifact.get("table", artifact.get("rows"))
    if not isinstance(table, list):
        return []
    return [dict(row) for row in table if isinstance(row, Mapping)]


def _filled(value: Any) -> bool:
    """False for a cell that shows nothing: None, NaN or blank text."""
    if value is None:
        return False
    if isinstance(value, float):
        return not math.isnan(value)
    return not (isinstance(value, str) and not value.strip())


def _columns(artifact: Mapping[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """The table's columns, without those empty in every row (rt8 D29: an empty "Stl trend"
    column showed under every trend; a table without rows keeps its headers) and without the
    span columns the answer states above it (`domain.SPAN_COLUMNS`) when they hold one value."""
    columns = artifact.get("columns")
    if isinstance(columns, list) and columns:
        named = [str(column) for column in columns]
    else:
        seen: dict[str, None] = {}
        for row in rows[:50]:
            seen.update(dict.fromkeys(map(str, row)))
        named = list(seen)
    if not rows:
        return named
    filled = [c for c in named if any(_filled(row.get(c)) for row in rows)]
    return [c for c in filled if c not in SPAN_COLUMNS or _varies(rows, c)]


def _varies(rows: list[dict[str, Any]], column: str) -> bool:
    """Whether `column` holds more than one value (a span column that does is a real column:
    rows in different currencies)."""
    return len({repr(row.get(column)) for row in rows}) > 1


def _files(artifact: Mapping[str, Any]) -> list[FileRef]:
    found = []
    for item in artifact.get("files") or []:
        if isinstance(item, Mapping) and item.get("path"):
            path = str(item["path"])
            name = str(item.get("name") or Path(path).name)
            found.append(FileRef(path, name))
    return found


def view_of(artifact: Any, tool: str = "") -> ArtifactView | None:
    """Normalise one tool artifact; None when there is nothing to show."""
    if not isinstance(artifact, Mapping):
        return None
    try:
        rows = _rows(artifact)
        chart = artifact.get("chart")
        is_error = artifact.get("kind") == "error" or "error" in artifact
        problems = artifact.get("problems")
        summary = artifact.get("summary")
        found = summary.get("n_findings") if isinstance(summary, Mapping) else None
        return ArtifactView(
            tool=str(artifact.get("tool") or tool),
            title=str(artifact.get("title") or artifact.get("tool") or tool),
            columns=_columns(artifact, rows),
            rows=rows,
            chart=dict(chart) if isinstance(chart, Mapping) else None,
            files=_files(artifact),
            notice=str(artifact["notice"]) if artifact.get("notice") else None,
            error=str(artifact.get("message") or artifact.get("error")) if is_error else None,
            problems=[dict(p) for p in problems if isinstance(p, Mapping)]
            if isinstance(problems, list)
            else [],
            n_findings=int(found) if isinstance(found, int | float) else None,
        )
    except Exception as exc:  # never let a malformed artifact break the reply
        logger.warning("Unreadable artifact from %s: %s: %s", tool, type(exc).__name__, exc)
        return None
