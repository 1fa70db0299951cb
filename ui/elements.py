"""Chainlit elements and actions for tool results: charts, tables, files, report buttons."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import chainlit as cl

from ui import copy
from ui.artifacts import ArtifactView, FileRef
from ui.charts import figure_for
from ui.tables import for_people

logger = logging.getLogger(__name__)

EXPORT_ACTION = "export_report"
GROUP_REPORT_ACTION = "group_report"
SCORE_FILE_ACTION = "score_file"
ASK_ACTION = "ask_question"
SHORT_TABLE_ROWS = 10
"""Rows the answer text shows itself (the narratives list at most ten)."""
WHOLE_TABLE_ROWS = 40
"""Up to this many rows a table is shown whole, as a Markdown table (a breakdown by tier,
risk level and leakage type is ~20 rows); longer ones page in a sortable grid. Chainlit's grid
pages by 10, so a 19-row breakdown showed one tier until the reader paged (issue 12)."""


def _dataframe(name: str, columns: list[str], rows: list[dict[str, Any]]) -> cl.Dataframe:
    """A table for people: labelled headers, money and shares formatted, no float noise
    (`ui.tables`); cells are text, so nothing in them renders as markup."""
    import pandas as pd  # cl.Dataframe takes a pandas frame; only this module builds one

    columns = columns or list(dict.fromkeys(k for row in rows for k in row))
    headers, body = for_people(columns, rows)
    frame = pd.DataFrame(body, columns=_unique(headers))
    return cl.Dataframe(name=name, data=frame, display="inline", size="large")


def _whole_table(name: str, view: ArtifactView) -> cl.Text:
    """A short table, every row visible, labelled and formatted like the reports."""
    from ui.report import people_table

    columns = view.columns or list(dict.fromkeys(k for row in view.rows for k in row))
    return cl.Text(name=name, content=people_table(columns, view.rows), display="inline")


def _unique(headers: list[str]) -> list[str]:
    """Headers made unique (two columns may get the same label)."""
    seen: dict[str, int] = {}
    out = []
    for header in headers:
        seen[header] = seen.get(header, 0) + 1
        out.append(header if seen[header] == 1 else f"{header} ({seen[header]})")
    return out


def _needs_table(view: ArtifactView) -> bool:
    """A sortable table when the answer's text can't hold the result (long or wide).

    Short, narrow results (a few rows, ≤ 3 columns) are already a table in the answer.
    """
    return view.n_rows > SHORT_TABLE_ROWS or (view.n_rows > 0 and len(view.columns) > 3)


def _in_answer(view: ArtifactView) -> bool:
    """A query's rows that an offline answer shows whole in its text."""
    return view.tool == "query_duckdb" and view.n_rows <= SHORT_TABLE_ROWS


def file_element(ref: FileRef) -> cl.File:
    """A downloadable file."""
    return cl.File(name=ref.name, path=ref.path, mime=ref.mime, display="inline")


def elements_for(
    views: Iterable[ArtifactView], answer_holds_query_tables: bool = False
) -> list[cl.Element]:
    """Chart, table, validation problems and files of each tool result, in that order; a chart
    the same as one above it is drawn once (one account's score and its explanation both
    carry its risk gauge).

    `answer_holds_query_tables`: the answer's text already shows a query's rows whole when
    they are at most `SHORT_TABLE_ROWS` (the offline planner's answers do), so no second
    table of them is added. Every SQL answer showed its rows twice, as "Query result" in the
    text and "SQL result" below it, with other headers and rounding (rt13 U-L2, rt14)."""
    elements: list[cl.Element] = []
    drawn: set[str] = set()
    for index, view in enumerate(views):
        label = view.title or view.tool or f"result {index + 1}"
        try:
            chart = json.dumps(view.chart, sort_keys=True, default=str)
            figure = None if chart in drawn else figure_for(view.chart)
            drawn.add(chart)
            if figure is not None:
                elements.append(
                    cl.Plotly(
                        name=f"{label} (chart)", figure=figure, display="inline", size="large"
                    )
                )
            if view.problems:
                elements.append(
                    _dataframe(f"{label}: problems", view.problem_columns, view.problems)
                )
            table = _needs_table(view) and not (answer_holds_query_tables and _in_answer(view))
            if table and view.n_rows <= WHOLE_TABLE_ROWS:
                elements.append(_whole_table(label, view))
            elif table:
                elements.append(_dataframe(label, view.columns, view.shown_rows()))
            elements.extend(file_element(ref) for ref in view.files if Path(ref.path).is_file())
        except Exception as exc:  # an element must never break the reply
            logger.warning("Could not render %s: %s: %s", label, type(exc).__name__, exc)
    return elements


def export_action() -> cl.Action:
    return cl.Action(name=EXPORT_ACTION, payload={}, label=copy.EXPORT_LABEL, icon="file-down")


def score_file_action() -> cl.Action:
    return cl.Action(name=SCORE_FILE_ACTION, payload={}, label=copy.SCORE_FILE_LABEL, icon="upload")


def actions_for(
    calls: Sequence[dict[str, Any]], views: Sequence[ArtifactView], answer: str = ""
) -> list[cl.Action]:
    """Buttons under an answer: the questions a tool-less answer suggests (a question it could
    not map), export and score-a-file always, and the group report after a segment report
    that answered (none after "no segment 2", whose button could only fail again)."""
    suggested = [] if calls else copy.suggested_questions(answer)
    actions = [
        cl.Action(name=ASK_ACTION, payload={"question": q}, label=q, icon="message-circle")
        for q in suggested
    ]
    actions += [export_action(), score_file_action()]
    reports = [v for v in views if v.tool == "segment_report"]
    answered = any(v.error is None and not v.files for v in reports)  # not for a failed call
    for call in calls:
        args = call.get("args") or {}
        if call.get("name") == "segment_report" and "segment_id" in args and answered:
            payload = {"segment_id": args["segment_id"], "decline_level": args.get("decline_level")}
            actions.append(
                cl.Action(
                    name=GROUP_REPORT_ACTION,
                    payload=payload,
                    label=copy.GROUP_REPORT_LABEL,
                    icon="file-text",
                )
            )
            break
    return actions
