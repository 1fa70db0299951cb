"""What every kind of file `revrisk import` accepts looks like: one declarative spec per kind.

A kind is one target table and the columns a file must (or may) have for it. Validation
(data.imports.validation) reads these specs and nothing else, so a rule lives here once: name, type,
whether the column must be present (`required`) and whether its cells may be empty
(`nullable`), allowed values, range, pattern, and the other names a header may use
(`aliases`). Cross-column rules (contracted price <= list price, ...) are the schema's CHECK
constraints, which the importer evaluates on the staged rows before writing (data.imports.staging).

Money columns (`decimal`) are in the file's currency per month, as in the warehouse.
"""

from __future__ import annotations

from annotated_types import Interval

from data.imports.spec_types import NO_BOUNDS, ColumnSpec, Dtype, KindSpec, PivotSpec
from domain import LEAKAGE_TYPES, TIERS

ACCOUNT_ID = r"ACC[0-9]{6,9}"
CURRENCY = r"[A-Z]{3}"
REGIONS = ("North America", "EMEA", "APAC", "LATAM")

_col = ColumnSpec


def _opt(
    name: str, dtype: Dtype, allowed: tuple[str | int, ...] = (), bounds: Interval = NO_BOUNDS
) -> ColumnSpec:
    """An optional column whose cells may be empty."""
    return ColumnSpec(name, dtype, required=False, nullable=True, allowed=allowed, bounds=bounds)


_ACCOUNT = _col("account_id", "text", pattern=ACCOUNT_ID, aliases=("account", "acct_id"))
_CURRENCY = _col("currency", "text", pattern=CURRENCY)
_ROW_CURRENCY = _col("currency", "text", required=False, pattern=CURRENCY)
"""A revenue file's currency per row, in either layout (rt14 V-H6: a pivot ignored it and
stored EUR and GBP amounts as USD)."""
_FLAG: tuple[str | int, ...] = (0, 1)
_CUSTOMER = (
    "customer", "account_id", "account", "client_id",
    # names that billing and accounting exports give the customer column (rt11 R-M4:
    # "Cust. Name, Billing Period, Net Amount ($)" matched no kind)
    "customer_name", "cust_name", "cust", "cust_id", "customer_no", "customer_number",
    "client", "client_name", "company", "company_name", "account_name",
)  # fmt: skip
_MONTH_ALIASES = (
    "period", "billing_period", "billing_month", "invoice_month", "revenue_month",
    "period_start", "period_end", "month_start", "month_end", "date", "billing_date",
    "invoice_date",
)  # fmt: skip
_REVENUE_ALIASES = (
    "revenue", "amount", "net_amount", "revenue_amount", "total_revenue", "sales",
    "net_sales", "billed", "billed_amount", "amount_billed", "invoice_amount", "invoiced",
)  # fmt: skip

_RAW: tuple[KindSpec, ...] = (
    KindSpec(
        "accounts",
        "accounts",
        "billing accounts",
        (
            _ACCOUNT,
            _col("name", "text", aliases=("account_name", "company")),
            _col("tier", "text", allowed=TIERS),
            _col("region", "text", allowed=REGIONS),
            _CURRENCY,
            _col("signup_date", "date"),
            _col("billing_system", "text", required=False, allowed=("core", "legacy")),
        ),
        keys=(("account_id",),),
    ),
    KindSpec(
        "contracts",
        "contracts",
        "contracts (price per seat-month)",
        (
            _col("contract_id", "text"),
            _ACCOUNT,
            _col("plan", "text", allowed=TIERS),
            _col("list_price", "decimal", bounds=Interval(gt=0)),
            _col("contracted_price", "decimal", bounds=Interval(gt=0)),
            _col("licensed_seats", "int", bounds=Interval(gt=0)),
            _col("term_months", "int", allowed=(1, 12, 24, 36)),
            _col("start_date", "date"),
            _opt("end_date", "date"),
            _col("discount_pct", "decimal", required=False, bounds=Interval(ge=0, lt=100)),
            _opt("discount_end_date", "date"),
            _opt("downgrade_requested_date", "date"),
            _opt("downgrade_target_plan", "text", allowed=TIERS[:3]),
            _opt("downgrade_target_price", "decimal", bounds=Interval(gt=0)),
            _opt("downgrade_target_list_price", "decimal", bounds=Interval(gt=0)),
        ),
        keys=(("contract_id",),),
    ),
    KindSpec(
        "usage_monthly",
        "usage_monthly",
        "monthly product usage per account",
        (
            _ACCOUNT,
            _col("month", "month"),
            _col("active_seats", "int", bounds=Interval(ge=0)),
            _col("logins", "int", bounds=Interval(ge=0)),
            _opt("last_login_date", "date"),
            _col("feature_adoption_pct", "float", bounds=Interval(ge=0, le=100)),
            _col("support_tickets", "int", bounds=Interval(ge=0)),
        ),
        keys=(("account_id", "month"),),
    ),
    KindSpec(
        "invoices",
        "invoices",
        "invoice headers",
        (
            _col("invoice_id", "int"),
            _ACCOUNT,
            _opt("contract_id", "text"),
            _col("period", "month", aliases=("billing_period",)),
            _col("issue_date", "date"),
            _col("due_date", "date"),
            _CURRENCY,
            _col("total", "decimal"),
        ),
        keys=(("invoice_id",), ("account_id", "period")),
    ),
    KindSpec(
        "invoice_lines",
        "invoice_lines",
        "invoice lines",
        (
            _col("line_id", "int"),
            _col("invoice_id", "int"),
            _col("line_type", "text", allowed=("subscription", "overage", "discount", "credit")),
            _col("quantity", "int", bounds=Interval(ge=0)),
            _col("unit_price", "decimal"),
            _col("amount", "decimal"),
        ),
        keys=(("line_id",),),
    ),
    KindSpec(
        "payment_methods",
        "payment_methods",
        "payment methods on file",
        (
            _col("method_id", "int"),
            _ACCOUNT,
            _col("method_type", "text", allowed=("card", "ach", "wire")),
            _opt("expiry_month", "month"),
            _col("added_date", "date"),
            _col("last_updated", "date"),
        ),
        keys=(("method_id",),),
    ),
    KindSpec(
        "payments",
        "payments",
        "payment attempts",
        (
            _col("payment_id", "int"),
            _col("invoice_id", "int"),
            _ACCOUNT,
            _opt("method_id", "int"),
            _col("attempt_no", "int", bounds=Interval(ge=1)),
            _col("attempted_date", "date"),
            _col("amount", "decimal", bounds=Interval(gt=0)),
            _col("status", "text", allowed=("succeeded", "failed")),
            _opt("decline_code", "text"),
        ),
        keys=(("payment_id",), ("invoice_id", "attempt_no")),
    ),
)

_LEAKAGE = KindSpec(
    "leakage_accounts",
    "account_snapshots",
    "account snapshots in the reference leakage project's format (features and targets)",
    (
        _col("account_id", "text"),
        _col("tier", "text", allowed=TIERS),
        _col("mrr", "decimal", bounds=Interval(ge=0)),
        _opt("contract_start_date", "date"),
        _opt("contract_term_months", "int", bounds=Interval(gt=0)),
        _opt("payment_method_age_days", "int", bounds=Interval(ge=0)),
        _col("payment_reliability_score", "float", bounds=Interval(ge=0, le=1)),
        _col("customer_health_score", "float", bounds=Interval(ge=0, le=100)),
        _opt("licensed_users", "int", bounds=Interval(ge=0)),
        _opt("actual_users", "int", bounds=Interval(ge=0)),
        _opt("total_invoices", "int", bounds=Interval(ge=0)),
        _opt("failed_payment_count", "int", bounds=Interval(ge=0)),
        _col("last_login_days_ago", "int", bounds=Interval(ge=0)),
        _col("support_tickets_90d", "int", bounds=Interval(ge=0)),
        _col("feature_adoption_pct", "float", bounds=Interval(ge=0, le=100)),
        _opt("has_leakage", "bool"),
        # "None" (no leakage) and "N/A" are the reference project's own values, kept as text.
        _opt("leakage_type", "text", allowed=(*LEAKAGE_TYPES, "None")),
        _opt("monthly_leakage_amount", "decimal", bounds=Interval(ge=0)),
        _opt("estimated_annual_leakage", "decimal", bounds=Interval(ge=0)),
        _opt("detection_difficulty", "text", allowed=("Easy", "Medium", "Hard", "N/A")),
        _col("payment_failure_rate", "float", bounds=Interval(ge=0, le=1)),
        _col("user_utilization_ratio", "float", bounds=Interval(ge=0)),
        _col("days_since_contract_start", "int", bounds=Interval(ge=0)),
        _col("revenue_per_user", "float", bounds=Interval(ge=0)),
        _col("engagement_score", "float", bounds=Interval(ge=0, le=100)),
        _col("payment_risk", "int", allowed=_FLAG),
        _col("health_risk", "int", allowed=_FLAG),
        _col("engagement_risk", "int", allowed=_FLAG),
        _col("overutilization", "int", allowed=_FLAG),
    ),
    keys=(("account_id",),),
    per_import=True,
    keys_span_imports=False,
)

_REVENUE_LONG = KindSpec(
    "monthly_revenue",
    "revenue_imports",
    "net revenue per customer and month (long layout)",
    (
        _col("customer_id", "text", aliases=_CUSTOMER),
        _col("month", "month", aliases=_MONTH_ALIASES),
        _col("net_revenue", "decimal", aliases=_REVENUE_ALIASES),
        _ROW_CURRENCY,
    ),
    keys=(("customer_id", "month"),),
    sub_format="long",
    per_import=True,
)

_REVENUE_PIVOT = KindSpec(
    "monthly_revenue",
    "revenue_imports",
    "net revenue per customer (rows) and month (one column per month, YYYY-MM)",
    (_col("customer_id", "text", aliases=_CUSTOMER), _ROW_CURRENCY),
    keys=(("customer_id",),),
    sub_format="pivot",
    per_import=True,
    cell_keys=(("customer_id", "month"),),
    pivot=PivotSpec(value=_opt("net_revenue", "decimal")),
)

_TREND = KindSpec(
    "trend_reference",
    "trend_reference",
    "the trend reference project's per-customer metrics (revtrend_result.csv)",
    (
        _col("customer_id", "text", aliases=_CUSTOMER),
        _col("slope", "float"),
        _col("resid_std", "float", bounds=Interval(ge=0)),
        _col("decline_level", "int", bounds=Interval(ge=0)),
        _col("revenue_mean", "float"),
        _col("revenue_std", "float", bounds=Interval(ge=0)),
        _opt("cv", "float"),
        _col("active_months", "int", bounds=Interval(ge=0)),
        _opt("cluster", "int", bounds=Interval(ge=0)),
    ),
    keys=(("customer_id",),),
    per_import=True,
    keys_span_imports=False,
)

SPECS: tuple[KindSpec, ...] = (*_RAW, _LEAKAGE, _REVENUE_PIVOT, _REVENUE_LONG, _TREND)
"""Every (kind, sub-format) the importer knows, in detection tie-break order."""

KINDS: tuple[str, ...] = tuple(dict.fromkeys(spec.kind for spec in SPECS))
"""Names accepted by `--kind`."""


def specs_for(kind: str) -> tuple[KindSpec, ...]:
    """The specs (one per sub-format) of `kind`.

    Examples:
        >>> [spec.sub_format for spec in specs_for("monthly_revenue")]
        ['pivot', 'long']
        >>> specs_for("accounts")[0].table
        'accounts'
    """
    found = tuple(spec for spec in SPECS if spec.kind == kind)
    if not found:
        raise KeyError(f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}")
    return found


__all__ = ["KINDS", "SPECS", "ColumnSpec", "Dtype", "KindSpec", "PivotSpec", "specs_for"]
