"""The shared vocabulary of RevRisk: tiers, leakage types, risk and decline levels, feature
names, account ids. Every layer may import this module; it imports nothing of the project.

Each vocabulary is defined once, as a `Literal` for type checkers and pydantic schemas, with
the tuple of its values derived by `typing.get_args` (never the list written twice).

Examples:
    >>> TIERS
    ('Starter', 'Professional', 'Business', 'Enterprise')
    >>> len(LEAKAGE_TYPES), RISK_LEVELS
    (6, ('High', 'Medium', 'Low'))
"""

from __future__ import annotations

import re
from typing import Literal, get_args

Tier = Literal["Starter", "Professional", "Business", "Enterprise"]
TIERS: tuple[str, ...] = get_args(Tier)
"""Plan tiers, smallest first (a tier's index is its rank)."""

LeakageType = Literal[
    "Failed_Payment_Retry",
    "Usage_Overage_Unbilled",
    "Contract_Terms_Error",
    "Billing_System_Error",
    "Downgrade_Not_Processed",
    "Expired_Payment_Method",
]
LEAKAGE_TYPES: tuple[str, ...] = get_args(LeakageType)
"""The six canonical leakage type names, used everywhere."""

RiskLevel = Literal["High", "Medium", "Low"]
RISK_LEVELS: tuple[str, ...] = get_args(RiskLevel)
"""Leakage risk levels, highest first."""

RankBy = Literal["expected_loss", "probability", "detected_leakage", "at_stake"]
RANK_ORDERS: tuple[str, ...] = get_args(RankBy)
"""What a ranking of accounts by leakage sorts on: expected loss next month (probability x
predicted amount: "most at risk", "riskiest"), the probability alone ("most likely"), the
leakage detected now in billing records ("leaking now", "biggest leaks"), or both together,
the dollars at stake ("most money at stake")."""
RANK_LABELS = {
    "expected_loss": "expected loss next month (predicted: probability x amount)",
    "probability": "probability of leaking next month (predicted)",
    "detected_leakage": "leakage detected now (exact, from billing records)",
    "at_stake": "dollars at stake (leaking now, detected + at risk next month, predicted)",
}

DeclineRankBy = Literal["probability", "revenue", "steepness"]
DECLINE_RANK_ORDERS: tuple[str, ...] = get_args(DeclineRankBy)
"""What a list of declining customers sorts on: the decline probability ("most likely to
decline", the default), the customer's average monthly revenue ("the biggest declining
customers by revenue") or the trend's change per month, steepest fall first ("which
customers are declining fastest?")."""
DECLINE_RANK_LABELS = {
    "probability": "decline probability, most likely first",
    "revenue": "average monthly revenue, largest first",
    "steepness": "trend change per month, steepest fall first",
}

SpanColumn = Literal[
    "period_start",
    "period_end",
    "currency",
    "data_from",
    "data_to",
    "n_months_with_data",
    "n_months_in_period",
    "n_left_out_customers",
    "unknown_accounts",
    "filtered_to",
    "compared_start",
    "compared_end",
]
SPAN_COLUMNS: tuple[str, ...] = get_args(SpanColumn)
"""Columns a metric query returns to say what its figures cover (the period, the data's span,
the currency, customers left out): the answer states them once above the table, so neither the
answer's table nor the chat's shows them as columns (a currency that differs between rows
stays: each row is in its own)."""

FractionColumn = Literal[
    "seat_utilisation",
    "nrr",
    "grr",
    "pct_change",
    "pct_revenue_change",
    "share_of_total",
    "leakage_share_of_revenue",
    "leakage_probability",
    "churn_rate",
    "monthly_churn_rate",
    "decline_probability",
    "pct_leakage_change",
]
FRACTION_COLUMNS: tuple[str, ...] = get_args(FractionColumn)
"""Columns the metric queries return as fractions (0.057 for +5.7 %, negative for a fall):
shown as percentages wherever they are shown, whatever their values."""

DEFAULT_CURRENCY = "USD"
"""The one default currency: money without a currency is written in it (the demo's), and an
imported revenue file that names none, into a warehouse that holds no money, is taken in it
(with a warning). One place, so the chat's import (a new session warehouse) and the CLI's into
the demo agree (rt12 T-M13: the chat took GBP where the CLI took USD)."""

CURRENCY_SYMBOLS: dict[str, str] = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
"""How money in each currency is written; a currency not listed is written by its code
("CHF 1,234.50"). Money without a currency is written in `DEFAULT_CURRENCY`."""


def currency_prefix(currency: str | None) -> str:
    """The prefix of an amount in `currency`.

    Examples:
        >>> currency_prefix("GBP"), currency_prefix(None), currency_prefix("CHF")
        ('£', '$', 'CHF ')
    """
    return CURRENCY_SYMBOLS.get(currency or DEFAULT_CURRENCY, f"{currency} ")


def plural(n: int, word: str) -> str:
    """`n` and `word`, with an s unless n is 1.

    Examples:
        >>> plural(1, "question"), plural(6, "question"), plural(1_200, "row")
        ('1 question', '6 questions', '1,200 rows')
    """
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def format_money(value: float, currency: str | None = None) -> str:
    """An amount as a reader expects it: `$1.23M` from a million, `$1,234` from a thousand,
    `$12.50` below (the chat's narratives and the tools' sentences alike).

    Examples:
        >>> format_money(1234567.8), format_money(-1234.5, "EUR"), format_money(12.5, "GBP")
        ('$1.23M', '-€1,234', '£12.50')
    """
    symbol = currency_prefix(currency)
    sign, amount = ("-" if value < 0 else ""), abs(value)
    if amount >= 1e6:
        return f"{sign}{symbol}{amount / 1e6:,.2f}M"
    return f"{sign}{symbol}{amount:,.0f}" if amount >= 1000 else f"{sign}{symbol}{amount:,.2f}"


DeclineLevel = Literal[0, 1, 2, 3]
DECLINE_LEVELS: tuple[int, ...] = get_args(DeclineLevel)
"""0 = stable … 3 = sharply declining (the reference trend project's scale)."""

REFERENCE_FEATURES: tuple[str, ...] = (
    "payment_failure_rate",
    "payment_reliability_score",
    "customer_health_score",
    "user_utilization_ratio",
    "engagement_score",
    "last_login_days_ago",
    "support_tickets_90d",
    "feature_adoption_pct",
    "payment_risk",
    "health_risk",
    "engagement_risk",
    "overutilization",
    "days_since_contract_start",
    "revenue_per_user",
)
"""The reference leakage project's 14 account features (`account_features` in data/schema.sql)."""

BILLING_STATES: tuple[str, ...] = (
    "discount_active_next",
    "discount_ends_this_month",
    "discount_billed_past_end",
    "downgrade_pending_months",
    "missing_invoice",
    "unpaid_invoices_90d",
)
"""Billing states as of a month that make some leaks likely: a discount running or ending, a
pending downgrade, a missing or unpaid invoice (the synthetic world's hazards read them too)."""

BILLING_FEATURES: tuple[str, ...] = (
    "legacy_billing",
    "tier_index",
    "card_expired",
    "months_to_card_expiry",
    *BILLING_STATES,
    "overage_seats",
    "discount_pct",
    "downgrade_price_gap_pct",
    "invoice_to_mrr",
    "list_to_price",
)
"""Billing facts as of a month that the leakage model adds to the reference features."""

ACCOUNT_ID_DIGITS = 6
"""Account ids are `ACC` + this many digits (at least), e.g. `ACC000042`."""

_ACCOUNT_ID = re.compile(r"^(?:acc)?[\s#_-]*(\d{1,9})$", re.IGNORECASE)


def normalise_account_id(raw: str) -> str:
    """Canonical account/customer id: upper case `ACC` + at least six digits.

    Accepts any case, an optional `ACC` prefix and separators, so `acc000042`, ` Acc 42 `,
    `ACC-42`, `#42` and `42` all mean `ACC000042`. Anything else is returned stripped and
    upper-cased so that the lookup fails with close-match suggestions instead of a trace.

    Examples:
        >>> normalise_account_id("acc000042"), normalise_account_id(" Acc 42 ")
        ('ACC000042', 'ACC000042')
        >>> normalise_account_id("ACC1234567"), normalise_account_id("bob")
        ('ACC1234567', 'BOB')
    """
    text = raw.strip()
    match = _ACCOUNT_ID.match(text)
    if not match:
        return text.upper()
    return "ACC" + match.group(1).zfill(ACCOUNT_ID_DIGITS)


__all__ = [
    "ACCOUNT_ID_DIGITS",
    "BILLING_FEATURES",
    "BILLING_STATES",
    "CURRENCY_SYMBOLS",
    "DECLINE_LEVELS",
    "DECLINE_RANK_LABELS",
    "DECLINE_RANK_ORDERS",
    "DEFAULT_CURRENCY",
    "FRACTION_COLUMNS",
    "LEAKAGE_TYPES",
    "RANK_LABELS",
    "RANK_ORDERS",
    "REFERENCE_FEATURES",
    "RISK_LEVELS",
    "SPAN_COLUMNS",
    "TIERS",
    "DeclineLevel",
    "DeclineRankBy",
    "LeakageType",
    "RankBy",
    "RiskLevel",
    "Tier",
    "currency_prefix",
    "format_money",
    "normalise_account_id",
    "plural",
]
