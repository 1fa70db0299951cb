"""The description `query_duckdb` shows the model, generated from the queryable schema.

Contract: `sql_tool_description()` lists every table and view the SQL guard admits (from
`data.schema_doc.queryable_schema`, which imports the guard's allow-list — no second table
list), each column with its DuckDB type and a few words, then DuckDB dialect notes, the
finance vocabulary that needs SQL (churn, ARR, NRR, DSO, expansion, contraction, signups,
seat utilisation) and three worked examples (a period-over-period, a per-tier breakdown, a
churn count). Words come from `TABLE_NOTES` / `COLUMN_NOTES` here, else from the `--` note
next to the column in data/schema.sql. A unit test runs the worked examples on a warehouse
and checks every queryable table is described. Reason: the hand-written description named
eight of the twenty queryable tables and no dialect, and models wrote Postgres against it.
"""

from __future__ import annotations

from functools import cache

from data.schema_doc import QueryableColumn, queryable_schema

TABLE_NOTES: dict[str, str] = {
    "accounts": "one row per customer account",
    "contracts": "contract terms per account (price per seat-month, seats, discount, downgrade)",
    "usage_monthly": "product usage per account and month",
    "invoices": "one invoice per account and billing month",
    "invoice_lines": "lines of each invoice",
    "payment_methods": "payment methods on file",
    "payments": "every payment attempt (dunning retries are attempt_no > 1)",
    "monthly_revenue": "VIEW: net invoiced (plus imported) revenue per account and month; "
    "sparse: no row for a month without revenue",
    "account_features": "VIEW: one row per active account, features as of the last month",
    "detected_leakage": "leakage found by the reconciliation, one row per account, month, type",
    "leakage_scores": "predicted leakage risk per account, as of the last month",
    "leakage_factors": "each scored account's largest risk factors",
    "trend_metrics": "revenue-trend metrics per account",
    "trend_series": "monthly revenue series with trend and anomaly flags",
    "segments": "customer segments (clusters)",
    "account_snapshots": "imported account snapshots (reference account format)",
    "revenue_imports": "imported net revenue per customer and month",
    "trend_reference": "imported reference trend metrics per customer",
}
"""A few words per table or view; a test checks every queryable one has them."""

COLUMN_NOTES: dict[tuple[str, str], str] = {
    ("accounts", "tier"): "Starter/Professional/Business/Enterprise",
    ("accounts", "region"): "North America/EMEA/APAC/LATAM",
    ("accounts", "currency"): "ISO code",
    ("accounts", "signup_date"): "first sign-up",
    ("accounts", "billing_system"): "'core' or 'legacy'",
    ("contracts", "plan"): "tier of the contract",
    ("contracts", "licensed_seats"): "seats paid for",
    ("contracts", "term_months"): "1, 12, 24 or 36",
    ("contracts", "start_date"): "contract start",
    ("contracts", "discount_pct"): "promotional discount, %",
    ("contracts", "discount_end_date"): "last month the discount applies",
    ("contracts", "downgrade_requested_date"): "NULL: no downgrade asked",
    ("usage_monthly", "month"): "1st of the month",
    ("usage_monthly", "logins"): "logins in the month",
    ("usage_monthly", "feature_adoption_pct"): "0-100",
    ("usage_monthly", "support_tickets"): "tickets opened in the month",
    ("invoices", "period"): "billing month (1st of the month)",
    ("invoices", "due_date"): "payment due (for DSO)",
    ("invoice_lines", "line_type"): "subscription/overage/discount/credit",
    ("invoice_lines", "amount"): "discounts and credits negative",
    ("payment_methods", "method_type"): "card/ach/wire",
    ("payments", "attempt_no"): "1 first charge, 2+ retries",
    ("payments", "attempted_date"): "date of the attempt (for DSO: paid date)",
    ("payments", "status"): "'succeeded' or 'failed'",
    ("payments", "decline_code"): "set when failed",
    ("monthly_revenue", "month"): "1st of the month",
    ("monthly_revenue", "net_revenue"): "sum of invoice lines (MRR actually billed)",
    ("account_features", "mrr"): "licensed seats x contracted price",
    ("account_features", "user_utilization_ratio"): "active / licensed seats",
    ("account_features", "payment_failure_rate"): "failed / attempts, last 12 months",
    ("account_features", "customer_health_score"): "0-100",
    ("detected_leakage", "month"): "1st of the month",
    ("detected_leakage", "leakage_type"): "Failed_Payment_Retry, Usage_Overage_Unbilled, …",
    ("leakage_scores", "leakage_probability"): "of leaking next month, 0-1",
    ("leakage_scores", "risk_level"): "High/Medium/Low",
    ("leakage_scores", "expected_monthly_loss"): "probability x estimated amount",
    ("leakage_scores", "as_of_month"): "last month with data",
    ("leakage_factors", "rank"): "1 = largest; 98 other, 99 base value",
    ("leakage_factors", "contribution"): "log-odds added to the risk",
    ("trend_metrics", "status"): "ok/new/churned/insufficient_history/no_revenue",
    ("trend_metrics", "mean_revenue"): "average monthly revenue",
    ("trend_series", "month"): "TEXT 'YYYY-MM'",
    ("trend_series", "is_anomaly"): "anomalous month",
    ("segments", "name"): "plain-language segment name",
    ("segments", "n_customers"): "customers in the segment",
    ("segments", "share"): "share of all customers",
    ("segments", "mean_revenue"): "average monthly revenue",
}
"""Words for columns whose schema line carries no `--` note (or a note too technical)."""

DIALECT_NOTES = """\
DuckDB dialect: months are DATEs on the 1st (trend_series.month is TEXT 'YYYY-MM'); \
date_trunc('month', d), d - INTERVAL 1 MONTH, strftime(d, '%Y-%m'), DATE '2026-03-01'; \
count(*) FILTER (WHERE …); QUALIFY row_number() OVER (…) = 1; GROUP BY ALL; ILIKE; \
money columns are DECIMAL: round(x, 2). No INSERT/UPDATE/DELETE, no files, no PRAGMA. \
The last month with data is max(month) FROM usage_monthly; anchor "last month", "Q3" or \
"this year" to it, not to the calendar."""

VOCABULARY = """\
Finance words without their own tool (answer with SQL): MRR = sum(net_revenue) of a month in \
monthly_revenue (portfolio_summary gives current contracted MRR); ARR = 12 x MRR; churned = \
revenue in an earlier month and none in the last 3 months of data, churned in the month after \
its last revenue (the rule the chat's lists and counts use); NRR = this month's revenue of the \
accounts that paid 12 months ago / their revenue then; expansion / contraction = per-account \
month-over-month increase / decrease of net_revenue; DSO = average days from invoices.issue_date \
to the succeeded payment's attempted_date; dunning = failed payments (payments.status = \
'failed', attempt_no > 1 retries; detect_leakage(leakage_type='Failed_Payment_Retry') for the \
money lost); signups = accounts.signup_date; seat utilisation = active_seats / licensed_seats; \
legacy billing system = accounts.billing_system = 'legacy'."""

EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "Revenue last month vs the month before (period over period)",
        "WITH m AS (SELECT max(month) AS last FROM monthly_revenue) "
        "SELECT strftime(month, '%Y-%m') AS month, round(sum(net_revenue), 2) AS revenue "
        "FROM monthly_revenue, m WHERE month >= m.last - INTERVAL 1 MONTH "
        "GROUP BY ALL ORDER BY month",
    ),
    (
        "Revenue and paying accounts per tier in the last month",
        "SELECT a.tier, count(DISTINCT r.account_id) AS accounts, "
        "round(sum(r.net_revenue), 2) AS revenue FROM monthly_revenue r "
        "JOIN accounts a USING (account_id) "
        "WHERE r.month = (SELECT max(month) FROM monthly_revenue) "
        "GROUP BY ALL ORDER BY revenue DESC",
    ),
    (
        "Customers churned since 2026-03 (none in the last 3 months; churn month from March)",
        "WITH last AS (SELECT max(month) AS m FROM monthly_revenue), "
        "paid AS (SELECT account_id, max(month) AS last_revenue FROM monthly_revenue "
        "WHERE net_revenue > 0 GROUP BY account_id) "
        "SELECT count(*) AS churned FROM paid, last "
        "WHERE paid.last_revenue <= last.m - INTERVAL 3 MONTH "
        "AND paid.last_revenue + INTERVAL 1 MONTH >= DATE '2026-03-01'",
    ),
)
"""(question, SQL) pairs shown to the model; a unit test runs each on a warehouse."""

_INTRO = """\
Run ONE read-only DuckDB SELECT (or WITH … SELECT) over the billing warehouse; only the \
first rows come back (the cap is in your instructions), so aggregate or LIMIT. Use it \
only when no other tool answers: counts, sums, custom filters, periods, and the finance \
metrics listed below. Use instead: \
portfolio_summary for the headline totals, detect_leakage for leakage findings, \
score_leakage / explain_risk_factors for predicted risk, find_declining_customers for \
revenue decline. A rejected or failed query comes back with the reason and close names: \
fix it and run it again (at most twice), then tell the user it could not be answered. \
Money is in the account's currency, per month."""


def _column(table: str, column: QueryableColumn) -> str:
    words = COLUMN_NOTES.get((table, column.name)) or column.note
    return f"{column.name} {column.type}" + (f" ({words})" if words else "")


@cache
def sql_tool_description() -> str:
    """The full description of `query_duckdb` (cached: the schema is read once per process)."""
    schema = queryable_schema()
    lines = [_INTRO, "", "Tables and views:"]
    order = {name: rank for rank, name in enumerate(TABLE_NOTES)}
    for table in sorted(schema.tables, key=lambda name: (order.get(name, len(order)), name)):
        columns = schema.tables[table]
        note = TABLE_NOTES.get(table, "")
        listed = ", ".join(_column(table, column) for column in columns)
        lines.append(f"- {table}" + (f" — {note}" if note else "") + f": {listed}")
    for macro in sorted(schema.table_macros):
        lines.append(f"- {macro}(month) — table macro: account_features as of any month")
    lines += ["", DIALECT_NOTES, "", VOCABULARY, "", "Worked examples:"]
    lines += [f"- {question}:\n  {sql}" for question, sql in EXAMPLES]
    return "\n".join(lines)


__all__ = ["COLUMN_NOTES", "EXAMPLES", "TABLE_NOTES", "sql_tool_description"]
