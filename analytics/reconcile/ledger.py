"""The billing ledger the reconciliation detectors read: SQL text, executed by the glue layer.

One row per account and month with usage or an invoice: the contract in force (by date, as
the billing rule says), the invoice of that period with its lines summed by type, the payment
attempts on it and the payment method last charged. A billed month without usage (a Stripe
export without meter files, say) has `active_seats` NULL: the detectors that compare seats in
use with the invoice skip it, the ones that read only the invoice, its payments and the
contract still check it (rt14 V-H1: such an export reported 0 findings while 14 of its
invoices were never paid). Money comes back in integer cents so the detectors'
arithmetic is exact.

Why SQL text lives in `analytics/`: the query and `detectors.py` are two halves of one
contract (the column list `LEDGER_COLUMNS`); keeping them side by side lets a test run the real
query on a tiny in-memory warehouse, and it stays text (no connection, no I/O) until
`services.leakage.pipeline` executes it. On a 1,000,000-account warehouse the joins and
aggregations are DuckDB's job; the result is streamed to the detectors in record batches.
"""

from __future__ import annotations

_CENTS = "CAST(({}) * 100 AS BIGINT)"

LEDGER_SQL = f"""
WITH usage AS (
    SELECT account_id, month, active_seats FROM usage_monthly
    WHERE account_id >= $first AND account_id <= $last
),
invoices_in_range AS (
    SELECT * FROM invoices WHERE account_id >= $first AND account_id <= $last
),
months AS (
    SELECT account_id, month, active_seats FROM usage
    UNION ALL
    SELECT DISTINCT i.account_id, i.period AS month, CAST(NULL AS INTEGER) AS active_seats
    FROM invoices_in_range i
    ANTI JOIN usage u ON u.account_id = i.account_id AND u.month = i.period
),
contract_in_force AS (
    SELECT u.account_id, u.month, u.active_seats, c.contract_id, c.licensed_seats,
           {_CENTS.format("c.list_price")} AS list_cents,
           {_CENTS.format("c.contracted_price")} AS price_cents,
           CAST(round(c.discount_pct * 100) AS BIGINT) AS discount_bp,
           c.discount_end_date, c.downgrade_requested_date, c.downgrade_target_plan,
           {_CENTS.format("c.downgrade_target_price")} AS target_price_cents,
           {_CENTS.format("c.downgrade_target_list_price")} AS target_list_cents
    FROM months u
    JOIN contracts c
      ON c.account_id = u.account_id AND c.start_date <= last_day(u.month)
     AND c.account_id >= $first AND c.account_id <= $last
     AND (c.end_date IS NULL OR c.end_date >= u.month)
    QUALIFY row_number() OVER (
        PARTITION BY u.account_id, u.month ORDER BY c.start_date DESC, c.contract_id DESC) = 1
),
lines AS (
    SELECT invoice_id,
        CAST(coalesce(sum(quantity) FILTER (WHERE line_type = 'subscription'), 0) AS BIGINT)
            AS sub_qty,
        coalesce({_CENTS.format("sum(amount) FILTER (WHERE line_type = 'subscription')")}, 0)
            AS sub_cents,
        CAST(coalesce(sum(quantity) FILTER (WHERE line_type = 'overage'), 0) AS BIGINT)
            AS over_qty,
        coalesce({_CENTS.format("sum(amount) FILTER (WHERE line_type = 'overage')")}, 0)
            AS over_cents,
        coalesce({_CENTS.format("sum(amount) FILTER (WHERE line_type = 'discount')")}, 0)
            AS discount_cents,
        coalesce({_CENTS.format("sum(amount) FILTER (WHERE line_type = 'credit')")}, 0)
            AS credit_cents
    FROM invoice_lines
    WHERE invoice_id IN (SELECT invoice_id FROM invoices_in_range)
    GROUP BY invoice_id
),
pay AS (
    SELECT invoice_id, count(*) AS n_attempts,
        count(*) FILTER (WHERE status = 'failed') AS n_failed,
        coalesce({_CENTS.format("sum(amount) FILTER (WHERE status = 'succeeded')")}, 0)
            AS paid_cents,
        coalesce(bool_or(decline_code = 'expired_card'), false) AS expired_decline,
        arg_max(decline_code, attempt_no) AS last_decline_code,
        max(attempted_date) AS last_attempt_date,
        arg_max(method_id, attempt_no) AS method_id
    FROM payments WHERE account_id >= $first AND account_id <= $last
    GROUP BY invoice_id
)
SELECT cf.account_id, cf.month, a.currency, cf.active_seats, cf.contract_id, cf.licensed_seats,
       cf.list_cents, cf.price_cents, cf.discount_bp, cf.discount_end_date,
       cf.downgrade_requested_date, cf.downgrade_target_plan, cf.target_price_cents,
       cf.target_list_cents,
       i.invoice_id, {_CENTS.format("i.total")} AS total_cents,
       l.sub_qty, l.sub_cents, l.over_qty, l.over_cents, l.discount_cents, l.credit_cents,
       p.n_attempts, p.n_failed, p.paid_cents, p.expired_decline, p.last_decline_code,
       p.last_attempt_date, p.method_id, pm.method_type, pm.expiry_month
FROM contract_in_force cf
JOIN accounts a USING (account_id)
LEFT JOIN invoices_in_range i ON i.account_id = cf.account_id AND i.period = cf.month
LEFT JOIN lines l ON l.invoice_id = i.invoice_id
LEFT JOIN pay p ON p.invoice_id = i.invoice_id
LEFT JOIN payment_methods pm ON pm.method_id = p.method_id
"""
"""Ledger rows: usage or invoice months with a contract in force (months without one are not
billable; `active_seats` is NULL in a billed month without usage),
for the accounts with `$first <= account_id <= $last` (named parameters): the glue runs it one
account range at a time, so memory stays bounded on any warehouse size."""

ACCOUNT_CHUNKS_SQL = """
SELECT min(account_id) AS first, max(account_id) AS last
FROM (SELECT account_id, (row_number() OVER (ORDER BY account_id) - 1) // $size AS chunk
      FROM accounts)
GROUP BY chunk ORDER BY chunk
"""
"""Account-id ranges of at most `$size` accounts each, in order."""

LEDGER_COLUMNS: tuple[str, ...] = (
    "account_id",
    "month",
    "currency",
    "active_seats",
    "contract_id",
    "licensed_seats",
    "list_cents",
    "price_cents",
    "discount_bp",
    "discount_end_date",
    "downgrade_requested_date",
    "downgrade_target_plan",
    "target_price_cents",
    "target_list_cents",
    "invoice_id",
    "total_cents",
    "sub_qty",
    "sub_cents",
    "over_qty",
    "over_cents",
    "discount_cents",
    "credit_cents",
    "n_attempts",
    "n_failed",
    "paid_cents",
    "expired_decline",
    "last_decline_code",
    "last_attempt_date",
    "method_id",
    "method_type",
    "expiry_month",
)
"""Columns of `LEDGER_SQL`, the input contract of `detectors.reconcile_ledger`."""

__all__ = ["ACCOUNT_CHUNKS_SQL", "LEDGER_COLUMNS", "LEDGER_SQL"]
