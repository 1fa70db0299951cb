"""Smallest-first lists the analysis tools rank only largest-first (rt13, outside test).

"Bottom 5 accounts by leakage probability", "which accounts are least likely to leak?" and "the
smallest single finding" were answered with the riskiest accounts or refused: score_leakage
and detect_leakage rank from the top. The planner answers them from the same cached results
the tools read (leakage_scores, detected_leakage) with one guarded query ordered ascending, so
the tools' signatures stay as they are. A filter the message names (a tier, region, risk
level or leakage type) is applied; everything else is the tools' own reading.
"""

from __future__ import annotations

import re

from agent.offline.entities import Entities

__all__ = ["smallest_first"]

_LEAST = re.compile(r"\b(?:bottom|least|lowest|smallest|safest|fewest|tiniest)\b")
"""Words that ask for the smallest first."""
_ROWS = 10
"""Rows of a list that names no number."""
_SCORE_TOOL, _FINDINGS_TOOL = "score_leakage", "detect_leakage"


def _filters(entities: Entities, columns: dict[str, str]) -> str:
    """The WHERE conditions for the filters the message names (values from the lexicon's own
    tables, so quoting them is safe)."""
    named = {
        "tier": entities.tier,
        "region": entities.region,
        "risk_level": entities.risk_level,
        "leakage_type": entities.leakage_type,
    }
    clauses = [
        f"{columns[kind]} = '{value}'"
        for kind, value in named.items()
        if value is not None and kind in columns
    ]
    return " AND ".join(clauses) if clauses else "TRUE"


def smallest_first(text: str, tool: str | None, entities: Entities) -> str | None:
    """The ascending query for a smallest-first question the planner routed to `tool`, else
    None.

    Examples:
        >>> sql = smallest_first("bottom 5 accounts by leakage probability", "score_leakage",
        ...                      Entities(top_n=5))
        >>> "ORDER BY s.leakage_probability ASC" in sql and sql.endswith("LIMIT 5")
        True
        >>> smallest_first("top 5 accounts by leakage probability", "score_leakage",
        ...                Entities(top_n=5)) is None
        True
    """
    if not _LEAST.search(text.lower()) or entities.account_id or entities.file_path:
        return None
    single = re.search(r"\bsingle\b|\bthe (?:smallest|lowest|tiniest) (?:finding|one)\b", text)
    rows = entities.top_n or (1 if single else _ROWS)
    if tool == _SCORE_TOOL:
        where = _filters(
            entities, {"tier": "s.tier", "region": "a.region", "risk_level": "s.risk_level"}
        )
        return (
            "SELECT s.account_id, a.name, s.tier, s.risk_level, a.currency AS currency, "
            "round(s.leakage_probability, 6) AS leakage_probability, "
            "round(s.expected_monthly_loss, 2) AS expected_loss_next_month, "
            "strftime(s.as_of_month, '%Y-%m') AS period_start, "
            "strftime(s.as_of_month, '%Y-%m') AS period_end "
            f"FROM leakage_scores s JOIN accounts a USING (account_id) WHERE {where} "
            f"ORDER BY s.leakage_probability ASC, s.expected_monthly_loss ASC, s.account_id "
            f"LIMIT {rows}"
        )
    if tool == _FINDINGS_TOOL:
        where = _filters(
            entities,
            {"tier": "a.tier", "region": "a.region", "leakage_type": "d.leakage_type"},
        )
        return (
            "SELECT d.account_id, a.name, d.leakage_type, strftime(d.month, '%Y-%m') AS month, "
            "d.currency AS currency, round(d.amount, 2) AS amount, d.evidence "
            f"FROM detected_leakage d LEFT JOIN accounts a USING (account_id) WHERE {where} "
            f"ORDER BY d.amount ASC, d.account_id, d.month LIMIT {rows}"
        )
    return None
