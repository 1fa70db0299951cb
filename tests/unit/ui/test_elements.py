"""Buttons under an answer (`ui.elements.actions_for`)."""

from __future__ import annotations

import pytest

from ui.artifacts import ArtifactView
from ui.elements import GROUP_REPORT_ACTION, actions_for

CALL = {"name": "segment_report", "args": {"segment_id": 2}}


@pytest.mark.parametrize(
    ("view", "offered"),
    [
        (ArtifactView(tool="segment_report", title="Segment 1: declining"), True),
        (
            ArtifactView(
                tool="segment_report", title="", error="no segment 2; segments are [0, 1]"
            ),
            False,
        ),
    ],
    ids=["answered", "failed"],
)
def test_the_group_report_is_offered_only_after_a_segment_report_that_answered(
    view: ArtifactView, offered: bool
) -> None:
    names = [action.name for action in actions_for([CALL], [view], "answer")]
    assert (GROUP_REPORT_ACTION in names) is offered
    assert names[:2] == ["export_report", "score_file"]


@pytest.mark.asyncio
async def test_a_chart_the_same_as_one_above_it_is_drawn_once() -> None:
    """One account's score and its explanation both carry its gauge: one gauge is shown."""
    from chainlit.context import init_http_context

    from ui.elements import elements_for

    init_http_context()  # elements are built inside a chat's context

    gauge = {
        "kind": "risk_gauge",
        "data": {
            "account_id": "ACC000117",
            "probability": 0.0773,
            "risk_level": "Low",
            "thresholds": {"high": 0.3, "medium": 0.1},
        },
    }
    other = {**gauge, "data": {**gauge["data"], "account_id": "ACC000118"}}
    views = [
        ArtifactView(tool="score_leakage", title="Score", chart=gauge),
        ArtifactView(tool="explain_risk_factors", title="Why", chart=dict(gauge)),
        ArtifactView(tool="score_leakage", title="Another", chart=other),
    ]
    charts = [e.name for e in elements_for(views) if type(e).__name__ == "Plotly"]
    assert charts == ["Score (chart)", "Another (chart)"]


@pytest.mark.asyncio
async def test_an_offline_answers_query_rows_are_shown_once() -> None:
    """rt13 U-L2: every SQL answer showed its rows twice, in the text ("Query result") and as
    a "SQL result" table below it. The offline answer's text holds up to ten rows whole, so
    no second table is added; a longer result, or a model's answer, still gets its table."""
    from chainlit.context import init_http_context

    from agent.offline.narratives import MAX_NARRATIVE_ROWS
    from ui.elements import SHORT_TABLE_ROWS, elements_for

    init_http_context()
    assert SHORT_TABLE_ROWS == MAX_NARRATIVE_ROWS  # the rows an offline answer shows itself

    def query(n: int) -> ArtifactView:
        columns = ["month", "net_revenue", "net_revenue_change", "pct_change"]
        rows = [dict.fromkeys(columns, k) for k in range(n)]
        return ArtifactView(tool="query_duckdb", title="SQL result", columns=columns, rows=rows)

    def tables(view: ArtifactView, offline: bool) -> list[str]:
        return [e.name for e in elements_for([view], answer_holds_query_tables=offline)]

    assert tables(query(2), offline=True) == []
    assert tables(query(2), offline=False) == ["SQL result"]
    assert tables(query(SHORT_TABLE_ROWS + 1), offline=True) == ["SQL result"]
