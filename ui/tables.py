"""Tables for people: labelled headers and formatted numbers, for the chat and the reports.

Contract: `label(column)` turns a tool's column name into a header a finance lead reads
(`n_accounts` → "Accounts", `expected_loss` → "Expected loss next month"); `display(column,
value)` writes a cell: money as `$1,234.56`, shares as `31.7%`, counts with thousands
separators, other numbers without float noise (`2341584.3999999994` → `2,341,584.40`,
`0.3955012739` → `0.3955`). The kind of a column is read from its name — the tools' names
carry their units (STYLE.md: money is per month in the account's currency unless the name
says `annual`) — and a share is written as a percentage only when the values are in [0, 1].

Method and measured reason (issue 12): the chat showed raw names and floats
(`n_accounts`, `2341584.3999999994`, `0.3955012739`). One formatter for the chat tables and
both reports keeps them saying the same thing.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from domain import FRACTION_COLUMNS, currency_prefix

Kind = Literal["money", "share", "percent", "count", "number", "text"]

LABELS: dict[str, str] = {
    "account_id": "Account",
    "customer_id": "Customer",
    "n_accounts": "Accounts",
    "accounts": "Accounts",
    "n_findings": "Findings",
    "findings": "Findings",
    "mrr": "MRR",
    "arr": "ARR",
    "net_revenue": "Net revenue",
    "expected_loss": "Expected loss next month",
    "expected_loss_next_month": "Expected loss next month",
    "predicted_amount": "Predicted leak next month",
    "probability": "Probability of leaking next month",
    "leakage_probability": "Probability of leaking next month",
    "detected_amount": "Leaking now (detected)",
    "detected_leakage": "Leaking now (detected)",
    "risk_level": "Risk",
    "top_factor": "Main factor",
    "leakage_type": "Leakage type",
    "segment_id": "Segment",
    "row": "Row",
    "column": "Column",
    "value": "Value",
    "message": "Problem",
}
_ACRONYMS = {"mrr": "MRR", "arr": "ARR", "id": "ID", "sql": "SQL", "pct": "%", "usd": "USD"}
_MONEY = re.compile(
    r"(revenue|mrr|arr|amount|loss|leak|price|billed|paid|invoiced|usd|dollars|gap|value_at"
    r"|charge|refund|credit|discount_amount|spend|cost|balance)",
    re.I,
)
_SHARE = re.compile(r"(probability|share|rate|ratio|utili[sz]ation|fraction)", re.I)
_PERCENT = re.compile(r"(_pct|percent|pct_)", re.I)
_SCALE = re.compile(r"^(z|log|log10|ln|zscore)_|_(z|zscore)$", re.I)
"""A transform of a quantity (a z-score, a logarithm) has no unit: `log_mean_revenue` is
log10 of dollars and `z_log_mean_revenue` a z-score, so neither is money (the segments table
showed "$2.54" and "-$0.20", issue rt6-16)."""
_COUNT = re.compile(r"^(n_|count|num_)|(_count|_n|accounts|findings|customers|months)$", re.I)
_ID = re.compile(r"^(?:id|ids)$|_ids?$", re.I)
"""An identifier (invoice_id, account_ids) is a name, never a figure: invoice 784019 read
"784,019" (rt12 T-L1)."""
_COUNT_FIRST = re.compile(r"^(n_|num_|count_|months_)", re.I)
"""A name that starts as a count is one, whatever it counts: `months_since_last_revenue` is
months, not money ("$4.00" in the decline table, rt9 N5)."""


def label(column: str) -> str:
    """A header for `column`.

    Examples:
        >>> label("n_accounts"), label("expected_loss"), label("avg_mrr"), label("Region")
        ('Accounts', 'Expected loss next month', 'Avg MRR', 'Region')
    """
    if column in LABELS:
        return LABELS[column]
    if not re.fullmatch(r"[a-z0-9_]+", column):
        return column
    words = [_ACRONYMS.get(w, w) for w in column.split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def kind_of(column: str, values: Sequence[Any] = ()) -> Kind:
    """What a column holds, from its name (and, for shares, its values being in [0, 1]).

    Examples:
        >>> kind_of("net_revenue"), kind_of("probability", [0.2, 0.9]), kind_of("n_accounts")
        ('money', 'share', 'count')
        >>> kind_of("attrition_rate", [3.5, 12.0]), kind_of("month")
        ('percent', 'text')
        >>> kind_of("churn_rate", [0.029])  # the planner's churn query writes a fraction
        'share'
        >>> kind_of("log_mean_revenue", [2.54]), kind_of("z_log_mean_revenue", [-0.2])
        ('number', 'number')
        >>> kind_of("months_since_last_revenue", [4]), kind_of("pct_change", [0.057, -0.2])
        ('count', 'share')
        >>> kind_of("invoice_id", [784019]), display(kind_of("invoice_id", [784019]), 784019)
        ('text', '784019')
    """
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if _ID.search(column):
        return "text"
    if column in FRACTION_COLUMNS:
        return "share"
    if _SCALE.search(column):
        return "number" if numbers else "text"
    if _COUNT_FIRST.search(column):
        return "count"
    if _PERCENT.search(column):
        return "percent"
    if _SHARE.search(column):
        if numbers and all(0 <= v <= 1 for v in numbers if math.isfinite(v)):
            return "share"
        return "percent" if numbers else "share"
    if _MONEY.search(column):
        return "money"
    if _COUNT.search(column):
        return "count"
    if numbers:
        return "number"
    return "text"


def number(value: float) -> str:
    """A number without float noise.

    Examples:
        >>> number(2341584.3999999994), number(0.3955012739), number(12.0), number(-0.5)
        ('2,341,584.40', '0.3955', '12', '-0.5')
    """
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.2f}"
    return f"{value:.4g}"


def display(kind: Kind, value: Any, currency: str | None = None) -> str:
    """One cell as text; money in `currency` (dollars when none is given).

    Examples:
        >>> display("money", 2341584.3999999994), display("money", -12.5, "GBP")
        ('$2,341,584.40', '-£12.50')
        >>> display("share", 0.3955012739), display("percent", 12.345), display("count", 1234.0)
        ('39.6%', '12.3%', '1,234')
        >>> display("text", None), display("text", True), display("number", float("nan"))
        ('', 'yes', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return ""
        if kind == "text":  # an id: its digits as stored, no separators
            return str(int(value)) if float(value).is_integer() else str(value)
        if kind == "money":
            prefix = currency_prefix(currency)
            return f"-{prefix}{abs(value):,.2f}" if value < 0 else f"{prefix}{value:,.2f}"
        if kind == "share":
            return f"{100 * value:.1f}%"
        if kind == "percent":
            return f"{value:.1f}%"
        if kind == "count":
            return f"{value:,.0f}"
        return number(float(value))
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return str(value)


def for_people(
    columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[list[str]]]:
    """Labelled headers and formatted cells of a table; money in each row's `currency` (rt9
    N4: an imported GBP amount showed as "GBP $101,380.50").

    Examples:
        >>> for_people(["tier", "net_revenue"], [{"tier": "Pro", "net_revenue": 1e6 / 3}])
        (['Tier', 'Net revenue'], [['Pro', '$333,333.33']])
        >>> for_people(["net_revenue"], [{"net_revenue": 101380.5, "currency": "GBP"}])[1]
        [['£101,380.50']]
    """
    kinds = [kind_of(c, [row.get(c) for row in rows]) for c in columns]
    body = [
        [display(k, row.get(c), _currency(row)) for c, k in zip(columns, kinds, strict=True)]
        for row in rows
    ]
    return [label(c) for c in columns], body


def _currency(row: Mapping[str, Any]) -> str | None:
    value = row.get("currency")
    return value.upper() if isinstance(value, str) and value.strip() else None
