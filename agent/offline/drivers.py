"""Why revenue moved in a month: the change and where it came from (rt12 N-M3).

"Why did revenue drop in October?" got October's total alone. Asked why a month's revenue
fell (or rose), the planner answers with three existing metric queries, each over the month
against the month before: the book's revenue and its change, the change by tier, and the
customers whose revenue fell (rose) most. Every figure is a query's; the answer's opening
sentence names only the months and what follows (`narrate_drivers`), never a cause the data
do not show.

The month is the one the question names, anchored on the data's last month
(`metrics.anchored_months`: "in October" is the latest October, "last month" the data's last
month); a question without one asks about the data's last month. Each query is asked in the
words the metric reader answers exactly ("revenue by tier in October 2026 compared with the
month before"), so the reading of periods stays in one place.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from typing import Any

import duckdb

from agent.offline import metrics
from agent.offline.lexicon import Lexicon
from agent.offline.narratives import narrate_all
from domain.markdown import literal

_WHY = re.compile(
    r"\b(?:why|how come|what (?:drove|caused|explains|is behind|was behind|happened to)"
    r"|what'?s behind|explain)\b"
)
_REVENUE = re.compile(r"\b(?:revenue|mrr|sales|income|billings|top line)\b")
_FELL = re.compile(
    r"\b(?:drop(?:ped|s)?|f[ae]ll(?:s|en)?|declin(?:e|ed|es)|dip(?:ped|s)?|down|decrease[ds]?"
    r"|shr[iau]nk|slump(?:ed)?|lower|tank(?:ed)?|slid(?:e)?)\b"
)
_ROSE = re.compile(
    r"\b(?:r[io]se|rising|grow|grew|growth|jump(?:ed)?|increase[ds]?|up|spike[ds]?|higher"
    r"|climb(?:ed)?)\b"
)


def asked_month(text: str, data_to: str | None) -> tuple[str, bool] | None:
    """(the month 'YYYY-MM', whether it fell) a question asks why revenue moved in; None when
    it asks no such thing or names a period longer than a month.

    Examples:
        >>> asked_month("why did revenue drop in October?", "2026-10")
        ('2026-10', True)
        >>> asked_month("why did our MRR jump last month?", "2026-10")
        ('2026-10', False)
        >>> asked_month("what was revenue in October?", "2026-10") is None
        True
    """
    lowered = text.lower()
    if data_to is None or not (_WHY.search(lowered) and _REVENUE.search(lowered)):
        return None
    fell, rose = _FELL.search(lowered), _ROSE.search(lowered)
    if not (fell or rose):
        return None
    try:
        months = metrics.anchored_months(text, data_to)
    except duckdb.Error:  # a period no reading places: not this question
        return None
    if set(months) - {"month"}:
        return None
    return months.get("month", data_to), bool(fell)


def _words(month: str) -> str:
    """ "2026-10" as the metric reader reads a month: "October 2026"."""
    year, number = month.split("-")
    return f"{calendar.month_name[int(number)]} {year}"


def driver_questions(month: str, fell: bool) -> tuple[str, ...]:
    """The three questions whose queries answer why revenue moved in `month`."""
    named = f"in {_words(month)} compared with the month before"
    movers = "lost the most" if fell else "grew the most"
    return (
        f"revenue {named}",
        f"revenue by tier {named}",
        f"which customers {movers} revenue {named}?",
    )


def driver_queries(month: str, fell: bool, lexicon: Lexicon) -> tuple[str, ...] | None:
    """The three queries (total, by tier, customers), or None if one cannot be written."""
    total, tiers, customers = driver_questions(month, fell)
    written = (
        metrics.write([total], lexicon),
        metrics.write([tiers], lexicon),
        metrics.movement_sql(customers, lexicon),
    )
    return None if any(sql is None for sql in written) else tuple(str(s) for s in written)


def narrate_drivers(results: Sequence[tuple[str, Any]], topic: str) -> str:
    """The answer: what it shows, then the three results in order (`topic`: "2026-10|fell")."""
    month, _, direction = topic.partition("|")
    movers = "fell" if direction == "fell" else "grew"
    opening = (
        f"**Why revenue moved in {literal(month)}**: the month against the month before, then "
        f"where the change came from, by tier and by the customers whose revenue {movers} "
        "most. The figures say where the change is, not its cause: open a customer's trend "
        "or its risk factors to see why it moved."
    )
    return f"{opening}\n\n{narrate_all(results)}"
