"""Plain-language text of model features: label, value and portfolio context.

"payment failure rate 22 %, 3.1x the portfolio median (7 %)", "card on file expired".
Each distinct rounded value is formatted once and looked up (`describe_codes`), so texts for a
million accounts cost a few thousand format calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from domain import TIERS


@dataclass(frozen=True)
class FactorStyle:
    """How a feature reads: its label, how to show a value, whether to compare with the median."""

    label: str
    show: Callable[[float], str]
    compare: bool = True
    flag_text: tuple[str, str] | None = None  # (text when 0, text when 1) for flags


def _shown(spec: str, unit: str = "", scale: float = 1.0) -> Callable[[float], str]:
    """How a value shows: `value * scale` in format `spec`, then `unit`.

    Examples:
        >>> _shown(".0f", " %", 100)(0.22), _shown(",.2f")(1234.5), _shown(".0f", "/100")(61.6)
        ('22 %', '1,234.50', '62/100')
    """
    return lambda v: f"{v * scale:{spec}}{unit}"


_pct = _shown(".0f", " %", 100)
_num = _shown(",.0f")
_ratio = _shown(".2f")
_money = _shown(",.2f")


STYLES: dict[str, FactorStyle] = {
    "payment_failure_rate": FactorStyle("payment failure rate", _pct),
    "payment_reliability_score": FactorStyle("payment reliability score", _ratio),
    "customer_health_score": FactorStyle("customer health", _shown(".0f", "/100")),
    "user_utilization_ratio": FactorStyle("seat utilisation", _pct),
    "engagement_score": FactorStyle("engagement", _shown(".0f", "/100")),
    "last_login_days_ago": FactorStyle("days since last login", _num),
    "support_tickets_90d": FactorStyle("support tickets in 90 days", _num),
    "feature_adoption_pct": FactorStyle("feature adoption", _shown(".0f", " %")),
    "payment_risk": FactorStyle(
        "", _num, False, ("payment method reliable", "payment method unreliable (score < 0.7)")
    ),
    "health_risk": FactorStyle("", _num, False, ("health 60 or above", "customer health below 60")),
    "engagement_risk": FactorStyle(
        "", _num, False, ("logged in within 30 days", "no login for over 30 days")
    ),
    "overutilization": FactorStyle(
        "", _num, False, ("seats within licence", "over 110 % of licensed seats in use")
    ),
    "days_since_contract_start": FactorStyle("days as a customer", _num),
    "revenue_per_user": FactorStyle("revenue per seat", _money),
    "legacy_billing": FactorStyle(
        "", _num, False, ("billed on the core system", "billed on the legacy billing system")
    ),
    "tier_index": FactorStyle(
        "plan", lambda v: f"{TIERS[int(v)] if 0 <= v < len(TIERS) else v}", False
    ),
    "card_expired": FactorStyle("", _num, False, ("card on file valid", "card on file expired")),
    "months_to_card_expiry": FactorStyle("months to card expiry", _num),
    "discount_active_next": FactorStyle(
        "",
        _num,
        False,
        ("no promotional discount next month", "promotional discount active next month"),
    ),
    "discount_ends_this_month": FactorStyle(
        "", _num, False, ("no discount ending", "promotional discount ends this month")
    ),
    "discount_billed_past_end": FactorStyle(
        "", _num, False, ("no discount past its end", "discount billed after its end date")
    ),
    "downgrade_pending_months": FactorStyle("months a downgrade request has waited", _num, False),
    "missing_invoice": FactorStyle(
        "", _num, False, ("invoice issued this month", "no invoice issued this month")
    ),
    "unpaid_invoices_90d": FactorStyle("unpaid invoices in 90 days", _num, False),
    "overage_seats": FactorStyle("seats above licence", _num),
    "discount_pct": FactorStyle("promotional discount", _shown(".0f", " %"), False),
    "downgrade_price_gap_pct": FactorStyle("price cut the requested downgrade brings", _pct, False),
    "invoice_to_mrr": FactorStyle("latest invoice vs MRR", _pct),
    "list_to_price": FactorStyle("list / contracted price", _ratio),
}


def _rounded(name: str, values: np.ndarray) -> np.ndarray:
    """Values at display precision (so that equal texts share one lookup entry)."""
    scale = {
        "payment_reliability_score": 100,
        "revenue_per_user": 100,
        "list_to_price": 100,
        "payment_failure_rate": 100,
        "user_utilization_ratio": 100,
        "invoice_to_mrr": 100,
        "downgrade_price_gap_pct": 100,
    }.get(name, 1)
    return np.round(values * scale) / scale


PORTFOLIO = "portfolio median"
"""What a factor's median is by default: the scored book's (a file's is named as such)."""


def describe(name: str, values: np.ndarray, median: float, against: str = PORTFOLIO) -> np.ndarray:
    """Plain-language text of one feature for many accounts (vectorised by lookup), read
    against `median`, named `against` in the text.

    Examples:
        >>> for text in describe("payment_failure_rate", np.array([0.22, 0.0]), 0.07):
        ...     print(text)
        payment failure rate 22 %, 3.1x the portfolio median (7 %)
        payment failure rate 0 % (portfolio median 7 %)
        >>> describe("card_expired", np.array([1.0]), 0.0).tolist()
        ['card on file expired']
        >>> describe("payment_failure_rate", np.array([0.0]), 0.07, "median of this file").tolist()
        ['payment failure rate 0 % (median of this file 7 %)']
    """
    texts, codes = describe_codes(name, values, median, against)
    return np.asarray(texts, dtype=object)[codes] if codes.size else np.array([], dtype=object)


def describe_codes(
    name: str, values: np.ndarray, median: float, against: str = PORTFOLIO
) -> tuple[list[str], np.ndarray]:
    """`describe` as (distinct texts, index of each value's text): each text formatted once."""
    style = STYLES.get(name, FactorStyle(name.replace("_", " "), _ratio))
    rounded = _rounded(name, np.asarray(values, dtype=float))
    unique, inverse = np.unique(rounded, return_inverse=True)
    return [_one(name, style, float(v), median, against) for v in unique], inverse.reshape(
        -1
    ).astype(np.int32)


def _one(name: str, style: FactorStyle, value: float, median: float, against: str) -> str:
    if np.isnan(value):
        return "no card on file" if name == "months_to_card_expiry" else f"{style.label} unknown"
    if style.flag_text is not None:
        return style.flag_text[int(value >= 0.5)]
    text = f"{style.label} {style.show(value)}"
    if not style.compare or np.isnan(median):
        return text
    if median > 0 and value > median * 1.5:
        return f"{text}, {value / median:.1f}x the {against} ({style.show(median)})"
    return f"{text} ({against} {style.show(median)})"


__all__ = ["PORTFOLIO", "STYLES", "FactorStyle", "describe", "describe_codes"]
