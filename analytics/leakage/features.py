"""Model inputs: the two feature sets, the reference file format, and the numeric matrix.

Feature sets:

- `reference`: the reference project's 14 features, same names and formulas (data/schema.sql,
  `account_features_at`). Everything an uploaded file in the reference format carries.
- `full`: the 14 plus billing state a warehouse knows: legacy billing system, plan tier, card
  expiry, discount calendar, pending downgrade, missing invoice, unpaid invoices, overage seats
  (all columns of `account_features_at`), and four contract/invoice ratios from the raw tables
  (`EXTRA_FEATURES_SQL`): promotional discount %, downgrade price gap, last invoice / MRR, list /
  contracted price. They are what makes a leak likely *and* what sets its size (a discount
  billed past its end costs discount % of the subscription; a missing invoice costs the invoice).

A model records its feature set; scoring a file in the reference format uses a model trained on
`reference` features only, so no model ever sees NaN where it was trained on values.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from domain import BILLING_FEATURES, REFERENCE_FEATURES, TIERS

FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "reference": REFERENCE_FEATURES,
    "full": REFERENCE_FEATURES + BILLING_FEATURES,
}
NULLABLE_FEATURES = frozenset({"months_to_card_expiry"})
"""NaN means 'no card on file' (trained that way); every other feature must be present."""

MONOTONE: dict[str, int] = {
    "payment_failure_rate": 1,
    "payment_reliability_score": -1,
    "unpaid_invoices_90d": 1,
    "missing_invoice": 1,
    "downgrade_pending_months": 1,
    "discount_billed_past_end": 1,
}
"""Directions that are billing mechanics, not patterns: more failed payments, a less reliable
payment method, more unpaid invoices, a missing invoice, a downgrade waiting longer, a discount
still billed past its end can only raise the risk. Utilisation and health are left free: low
utilisation leads to downgrade requests (a leak) and high utilisation to unbilled overage."""

_RANGES: dict[str, tuple[float, float]] = {
    "payment_failure_rate": (0.0, 1.0),
    "payment_reliability_score": (0.0, 1.0),
    "customer_health_score": (0.0, 100.0),
    "user_utilization_ratio": (0.0, np.inf),
    "engagement_score": (0.0, 100.0),
    "last_login_days_ago": (0.0, np.inf),
    "support_tickets_90d": (0.0, np.inf),
    "feature_adoption_pct": (0.0, 100.0),
    "payment_risk": (0.0, 1.0),
    "health_risk": (0.0, 1.0),
    "engagement_risk": (0.0, 1.0),
    "overutilization": (0.0, 1.0),
    "days_since_contract_start": (0.0, np.inf),
    "revenue_per_user": (0.0, np.inf),
    "mrr": (0.0, np.inf),
}

EXTRA_FEATURES_SQL = """
WITH p AS (SELECT CAST(? AS DATE) AS m, last_day(CAST(? AS DATE)) AS d),
contract_now AS (
    SELECT c.* FROM contracts c, p
    WHERE c.start_date <= p.d AND (c.end_date IS NULL OR c.end_date >= p.m)
    QUALIFY row_number() OVER (
        PARTITION BY c.account_id ORDER BY c.start_date DESC, c.contract_id DESC) = 1
)
SELECT c.account_id,
       CAST(c.discount_pct AS DOUBLE) AS discount_pct,
       CASE WHEN c.downgrade_requested_date <= p.d
            THEN CAST(1 - c.downgrade_target_price / c.contracted_price AS DOUBLE)
            ELSE 0.0 END AS downgrade_price_gap_pct,
       coalesce(CAST(i.total AS DOUBLE), 0.0)
           / CAST(c.licensed_seats * c.contracted_price AS DOUBLE) AS invoice_to_mrr,
       CAST(c.list_price / c.contracted_price AS DOUBLE) AS list_to_price
FROM contract_now c CROSS JOIN p
LEFT JOIN invoices i ON i.account_id = c.account_id AND i.period = p.m
"""
"""Contract/invoice ratios at a month (bind the month twice); joined to account_features_at.
Only facts dated on or before the month's last day are read (a later downgrade request is
ignored), like the features macro. SQL text for the glue to execute (see reconcile_sql)."""


def _check_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks required column(s): {', '.join(missing)}")


def _numeric(frame: pd.DataFrame, name: str) -> pd.Series:
    values = pd.to_numeric(frame[name], errors="coerce")
    bad = values.isna() & frame[name].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(
            f"column {name!r} row {row + 1}: {frame[name].iloc[row]!r} is not a number"
        )
    return values.astype(float)


def _check_range(name: str, values: pd.Series) -> None:
    low, high = _RANGES.get(name, (-np.inf, np.inf))
    bad = values.isna() | (values < low) | (values > high)
    if name in NULLABLE_FEATURES:
        bad &= values.notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        value = float(values.iloc[row])
        raise ValueError(
            f"column {name!r} row {row + 1}: {value:g} outside [{low:g}, {high:g}]"
            if not np.isnan(value)
            else f"column {name!r} row {row + 1}: empty value"
        )


def reference_features(accounts: pd.DataFrame) -> pd.DataFrame:
    """Validated model input from a table in the reference project's account format.

    Requires `account_id`, `mrr` and the 14 features; a missing `payment_failure_rate`,
    `user_utilization_ratio` or `revenue_per_user` is derived from `failed_payment_count` /
    `total_invoices`, `actual_users` / `licensed_users`, `mrr` / `licensed_users`. Raises
    ValueError naming the column and row of the first bad value.

    Examples:
        >>> row = dict.fromkeys(REFERENCE_FEATURES, 0.5) | {"account_id": "ACC000001", "mrr": 99,
        ...        "last_login_days_ago": 3, "payment_risk": 1, "health_risk": 0,
        ...        "engagement_risk": 0, "overutilization": 0, "customer_health_score": 70}
        >>> reference_features(pd.DataFrame([row]))["mrr"].tolist()
        [99.0]
        >>> reference_features(pd.DataFrame([row | {"payment_failure_rate": 1.5}]))
        Traceback (most recent call last):
        ...
        ValueError: column 'payment_failure_rate' row 1: 1.5 outside [0, 1]
    """
    frame = accounts.copy()
    derived = {
        "payment_failure_rate": ("failed_payment_count", "total_invoices"),
        "user_utilization_ratio": ("actual_users", "licensed_users"),
        "revenue_per_user": ("mrr", "licensed_users"),
    }
    for name, (top, bottom) in derived.items():
        if name not in frame.columns and {top, bottom} <= set(frame.columns):
            frame[name] = _numeric(frame, top) / _numeric(frame, bottom).replace(0, np.nan)
            frame[name] = frame[name].fillna(0.0)
    _check_columns(frame, ("account_id", "mrr", *REFERENCE_FEATURES), "reference-format table")
    out = pd.DataFrame({"account_id": frame["account_id"].astype("str")})
    for name in ("mrr", *REFERENCE_FEATURES):
        out[name] = _numeric(frame, name)
        _check_range(name, out[name])
    if out["account_id"].duplicated().any():
        dup = out["account_id"][out["account_id"].duplicated()].iloc[0]
        raise ValueError(f"column 'account_id': {dup!r} appears more than once")
    if "tier" in frame.columns:
        out["tier"] = frame["tier"].astype("str")
    return out


def warehouse_features(features: pd.DataFrame, extras: pd.DataFrame) -> pd.DataFrame:
    """Model input from `account_features_at(month)` rows joined with `EXTRA_FEATURES_SQL`.

    Booleans become 0/1, `billing_system` the `legacy_billing` flag and `tier` its index
    (Starter 0 ... Enterprise 3).
    """
    _check_columns(features, ("account_id", "tier", "billing_system", "mrr"), "feature table")
    out = features.merge(extras, on="account_id", how="left", validate="one_to_one")
    out["legacy_billing"] = (out["billing_system"] == "legacy").astype(float)
    out["tier_index"] = out["tier"].map({t: float(i) for i, t in enumerate(TIERS)})
    for name in ("discount_pct", "downgrade_price_gap_pct", "invoice_to_mrr"):
        out[name] = out[name].fillna(0.0)
    out["list_to_price"] = out["list_to_price"].fillna(1.0)
    return out


def feature_matrix(frame: pd.DataFrame, feature_set: str) -> np.ndarray:
    """(n_rows, n_features) float64 in the feature set's order; validates ranges and NaNs.

    Examples:
        >>> row = dict.fromkeys(REFERENCE_FEATURES, 1.0)
        >>> feature_matrix(pd.DataFrame([row]), "reference").shape
        (1, 14)
    """
    if feature_set not in FEATURE_SETS:
        raise ValueError(f"unknown feature set {feature_set!r}; choose from {sorted(FEATURE_SETS)}")
    names = FEATURE_SETS[feature_set]
    _check_columns(frame, names, f"feature table for the {feature_set!r} feature set")
    columns = []
    for name in names:
        values = pd.to_numeric(frame[name].astype("float64"), errors="coerce")
        _check_range(name, values)
        columns.append(values.to_numpy(dtype=np.float64))
    return np.column_stack(columns) if columns else np.empty((len(frame), 0))


def monotone_constraints(feature_set: str) -> list[int]:
    """LightGBM `monotone_constraints` for a feature set (see `MONOTONE`)."""
    return [MONOTONE.get(name, 0) for name in FEATURE_SETS[feature_set]]


__all__ = [
    "BILLING_FEATURES",
    "EXTRA_FEATURES_SQL",
    "FEATURE_SETS",
    "MONOTONE",
    "NULLABLE_FEATURES",
    "REFERENCE_FEATURES",
    "feature_matrix",
    "monotone_constraints",
    "reference_features",
    "warehouse_features",
]
