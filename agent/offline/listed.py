"""Churn among the accounts the thread just listed ("how many of them churned?").

After a list of accounts (the decline forecast's, the riskiest, a query's), "how many of
them churned?" counted the whole book's churned customers. The churn metric's own listing
query (agent/offline/metrics.py: no revenue in the data's last 3 months, churned in the
month after the last revenue, over the period the question names or the last 12 months) is
counted over the listed accounts only, and the answer says so ("only the 10 accounts
listed"), beside the period. The listed accounts are those the thread's last result showed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from agent.offline import metrics
from agent.offline.lexicon import Lexicon

_WHICH = re.compile(r"\s*(?:which|who|list|show|name)\b")
"""A question that asks for the accounts, not how many ("which of them churned?")."""


def churn_sql(question: str, listed: Sequence[str], lexicon: Lexicon) -> str | None:
    """The count of the `listed` accounts that churned in the period `question` asks about;
    None when it is no churn question, names accounts of its own, or nothing is listed.

    Examples:
        >>> sql = churn_sql("how many of them churned?", ["ACC000042", "ACC000784"], lexicon)
        >>> "'ACC000784'" in sql and "n_churned_accounts" in sql and "LIMIT" not in sql
        True
        >>> churn_sql("how much revenue did they bring in?", ["ACC000042"], lexicon) is None
        True
    """
    spec = metrics.parse(question, lexicon)
    if spec.metric != "churn" or not listed or spec.customers or spec.group or spec.lost_revenue:
        return None
    listing = metrics.to_sql(replace(spec, lists=True, rank=None))
    if listing is None or " ORDER BY " not in listing:
        return None
    rows, _, order = listing.rpartition(" ORDER BY ")  # every churned account, not the first 200
    ids = ", ".join("'" + account.replace("'", "''") + "'" for account in dict.fromkeys(listed))
    n_listed = len(dict.fromkeys(listed))
    whose = f"the {n_listed} account{'s' if n_listed != 1 else ''} listed"
    if _WHICH.match(question.lower()):  # "which of them churned?": those accounts
        by = order.rpartition(" LIMIT ")[0].replace("c.", "churned.")
        return (
            f"SELECT *, '{whose}' AS filtered_to FROM ({rows}) AS churned "
            f"WHERE account_id IN ({ids}) ORDER BY {by}"
        )
    return (
        f"SELECT count(*) FILTER (WHERE account_id IN ({ids})) AS n_churned_accounts, "
        "any_value(period_start) AS period_start, any_value(period_end) AS period_end, "
        "any_value(data_from) AS data_from, any_value(data_to) AS data_to, "
        f"'{whose}' AS filtered_to FROM ({rows}) AS churned"
    )
