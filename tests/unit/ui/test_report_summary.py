"""rt10 N-M5: the exported report's executive summary says what each answer found.

Real sessions of the offline agent, exported the way the chat exports them: the summary said
"What is our ARR right now? — Query result (rows returned: 1):" and, in an imported book,
gave every trend question the same THIN HISTORY boilerplate instead of the customer's
verdict. Each line now carries the answer's figures; a warning is said once.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from agent.run import Agent
from data.imports.loaders import import_file
from data.warehouse import READERS, connect
from services.trends.scan import refresh_trend_cache
from ui.report import render_html, render_markdown
from ui.transcript import ReportMeta, Transcript, build_transcript


def session(db: Path, questions: Sequence[str], tmp_path: Path) -> Transcript:
    """The questions asked in one thread, and the transcript its export is made of."""
    with Agent.open(db_path=db, checkpoint=tmp_path / "threads.sqlite", model="offline") as agent:
        for question in questions:
            agent.ask(question, "thread")
        messages = agent.graph.get_state({"configurable": {"thread_id": "thread"}}).values
    READERS.release(db)  # no connection to a test's file is kept open past it
    return build_transcript(messages["messages"], ReportMeta(model="offline-planner"))


def summary_of(transcript: Transcript) -> list[str]:
    head = render_markdown(transcript).split("## Conversation")[0]
    return [line for line in head.splitlines() if line.startswith("- ")]


def test_sql_answers_are_summarised_by_their_figures(small_world: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(small_world, db)
    with connect(db, read_only=True) as con:
        month, revenue = con.execute(
            "SELECT month, sum(net_revenue) FROM monthly_revenue GROUP BY month "
            "ORDER BY month DESC LIMIT 1"
        ).fetchone()
    transcript = session(
        db, ["What is our ARR right now?", "What was revenue in Q3 2026 vs Q3 2025?"], tmp_path
    )
    arr, quarters = summary_of(transcript)[:2]
    assert "Query result" not in arr + quarters
    assert f"ARR ${12 * revenue:,.0f}, Net revenue ${revenue:,.0f}" in arr, (arr, month)
    assert "2025-Q3\\: Net revenue $" in quarters and "2026-Q3\\: Net revenue $" in quarters
    assert "Change in %" in quarters, quarters
    page = render_html(transcript)
    assert f"ARR ${12 * revenue:,.0f}" in page.split("<h2>Conversation")[0]


FALL = [20_000.0] * 12 + [9_000, 8_000, 7_000, 6_000, 5_000, 4_000]


def test_an_imported_books_trend_answers_give_each_verdict_and_the_warning_once(
    tmp_path: Path,
) -> None:
    """Five customers over 18 months, imported into a new warehouse, as in a chat import:
    the decline forecast learns from few declines, so each answer opens with THIN HISTORY."""
    months = pd.period_range("2025-05", periods=18, freq="M").astype(str)
    shapes = {
        "CUST-001": [10_000 + 125 * (i % 3) for i in range(18)],
        "CUST-002": [5_000 * 1.04**i for i in range(18)],
        "CUST-003": FALL,
        "CUST-004": [3_000] * 10 + [0] * 8,
        "CUST-005": [2_000] * 18,
    }
    revenue = tmp_path / "revenue.csv"
    lines = [
        f"{customer},{month},{amount:.2f}"
        for customer, amounts in shapes.items()
        for month, amount in zip(months, amounts, strict=True)
    ]
    revenue.write_text("customer_id,month,revenue\n" + "\n".join(lines) + "\n")
    db = tmp_path / "imported.duckdb"
    import_file(revenue, db, currency="USD")
    refresh_trend_cache(db)

    transcript = session(
        db,
        [
            "Show the revenue trend of CUST-003",
            "is CUST-001 in trouble?",
            "which customers are declining?",
        ],
        tmp_path,
    )
    notices = {r.view.notice for t in transcript.turns for r in t.tools if r.view}
    assert len(notices) == 1 and None not in notices, "the book is thin: one warning"
    name = str(notices.pop()).split(":")[0]
    lines = summary_of(transcript)
    assert len(lines) <= 5, lines
    assert sum(name in line for line in lines) == 1, lines
    verdict = re.compile(r"— (CUST-00\d)\\: [^(]*decline[^(]* \(.*\d.*\)\.$")
    assert lines[0].startswith("- **Show the revenue trend of CUST-003**"), lines
    assert (found := verdict.search(lines[0])) and found.group(1) == "CUST-003", lines
    assert lines[1].startswith("- **is CUST-001 in trouble?**"), lines
    assert (found := verdict.search(lines[1])) and found.group(1) == "CUST-001", lines
    assert "Declining customers" in lines[2] and "customers, together $" in lines[2], lines
