"""Write a warehouse's billing tables as Stripe API objects (one JSON Lines file per resource).

Contract: `write_stripe(con, out_dir)` reads the seven raw tables (and, when present, the
synthetic world's `leakage_events`) and writes customers, products, prices, coupons,
subscriptions (items and discounts nested, as the API lists them), subscription_schedules,
invoices (lines nested), charges, payment_intents, payment_methods, billing_meters and
meter_event_summaries, in the shapes of Stripe's own fixtures: ids with their type prefix,
amounts as integers in the currency's minor unit, times as Unix seconds (UTC midnight of the
warehouse date), statuses from the API's enums. `data.imports.stripe` reads them back; the
mapping table lives there, and this writer is its inverse, so a round trip is exact.

Method: every file is one DuckDB `COPY (SELECT ...) TO ... (FORMAT JSON)` over the warehouse:
structs become nested objects and lists arrays, so a 100,000-account world is written without
one Python object per row.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from data.imports.stripe import THREE_DECIMAL, TRUTH_FILE, ZERO_DECIMAL

"""Not a Stripe object: the synthetic world's ground truth, for `revrisk detect --evaluate`."""

_TS = "(date_diff('day', DATE '1970-01-01', CAST({} AS DATE)) * 86400)"
_MINOR = (
    "CAST(({}) * CASE WHEN {cur} IN {zero} THEN 1 WHEN {cur} IN {three} THEN 1000 "
    "ELSE 100 END AS BIGINT)"
)
REGION_COUNTRY = {"North America": "US", "EMEA": "GB", "APAC": "SG", "LATAM": "BR"}
METERS = {
    "active_seats": "last",
    "logins": "sum",
    "support_tickets": "sum",
    "feature_adoption_pct": "last",
    "last_login": "last",
}


def ts(expr: str) -> str:
    """SQL: a DATE expression as Unix seconds at UTC midnight."""
    return _TS.format(expr)


def minor(expr: str, currency: str) -> str:
    """SQL: a DECIMAL amount as integer minor units of `currency` (an SQL expression)."""
    zero = "(" + ", ".join(f"'{c}'" for c in ZERO_DECIMAL) + ")"
    three = "(" + ", ".join(f"'{c}'" for c in THREE_DECIMAL) + ")"
    return _MINOR.format(expr, cur=currency, zero=zero, three=three)


def _price_id(plan: str, usage: str, currency: str, amount: str) -> str:
    return f"concat('price_', {plan}, '_', {usage}, '_', lower({currency}), '_', {amount})"


def _key(contract_id: str) -> str:
    return f"regexp_replace({contract_id}, '[^A-Za-z0-9]', '', 'g')"


_VIEWS = f"""
CREATE OR REPLACE TEMP VIEW s_contracts AS
SELECT c.*, a.currency,
       {_key("c.contract_id")} AS k,
       {minor("c.contracted_price", "a.currency")} AS price_minor,
       {minor("c.list_price", "a.currency")} AS list_minor,
       {minor("c.downgrade_target_price", "a.currency")} AS tgt_minor,
       {minor("c.downgrade_target_list_price", "a.currency")} AS tgt_list_minor
FROM contracts c JOIN accounts a USING (account_id);

CREATE OR REPLACE TEMP VIEW s_prices AS
SELECT DISTINCT plan, usage_type, currency, unit_amount,
       {_price_id("plan", "usage_type", "currency", "unit_amount")} AS id
FROM (
    SELECT plan, 'licensed' AS usage_type, currency, price_minor AS unit_amount FROM s_contracts
    UNION ALL SELECT plan, 'metered', currency, list_minor FROM s_contracts
    UNION ALL SELECT downgrade_target_plan, 'licensed', currency, tgt_minor FROM s_contracts
        WHERE downgrade_target_plan IS NOT NULL
    UNION ALL SELECT downgrade_target_plan, 'metered', currency, tgt_list_minor FROM s_contracts
        WHERE downgrade_target_plan IS NOT NULL
);

CREATE OR REPLACE TEMP VIEW s_price_objects AS
SELECT id, plan, usage_type, currency, unit_amount, {{
    'id': id, 'object': 'price', 'active': true, 'billing_scheme': 'per_unit',
    'currency': lower(currency), 'livemode': false, 'product': 'prod_' || plan,
    'recurring': {{'interval': 'month', 'interval_count': 1, 'meter': NULL::VARCHAR,
                  'usage_type': usage_type}},
    'type': 'recurring', 'unit_amount': unit_amount,
    'unit_amount_decimal': CAST(unit_amount AS VARCHAR)}} AS obj
FROM s_prices;
"""

_FILES: dict[str, str] = {
    "customers": f"""
SELECT 'cus_' || account_id AS id, 'customer' AS object,
       {{'city': NULL::VARCHAR, 'country': CASE region
           {" ".join(f"WHEN '{r}' THEN '{c}'" for r, c in REGION_COUNTRY.items())} END}} AS address,
       0 AS balance, {ts("signup_date")} AS created, lower(currency) AS currency,
       false AS delinquent, NULL::VARCHAR AS email, false AS livemode,
       {{'account_id': account_id, 'billing_system': billing_system}} AS metadata, name
FROM accounts ORDER BY account_id""",
    "products": """
SELECT DISTINCT 'prod_' || plan AS id, 'product' AS object, true AS active, plan AS name,
       false AS livemode, 'service' AS type
FROM s_prices ORDER BY id""",
    "prices": "SELECT UNNEST(obj) FROM s_price_objects ORDER BY id",
    "coupons": """
SELECT DISTINCT 'PCT' || CAST(CAST(discount_pct * 100 AS INTEGER) AS VARCHAR) AS id,
       'coupon' AS object, 'repeating' AS duration, false AS livemode,
       CAST(discount_pct AS DOUBLE) AS percent_off, NULL::BIGINT AS amount_off, true AS valid
FROM contracts WHERE discount_pct > 0 ORDER BY id""",
    "subscriptions": f"""
SELECT 'sub_' || c.k AS id, 'subscription' AS object,
       CASE WHEN c.end_date IS NOT NULL THEN {ts("c.end_date + 1")} END AS cancel_at,
       CASE WHEN c.end_date < $as_of THEN {ts("c.end_date + 1")} END AS canceled_at,
       'charge_automatically' AS collection_method,
       {ts("c.start_date")} AS created, lower(c.currency) AS currency,
       'cus_' || c.account_id AS customer,
       list_filter([{{
           'id': 'di_' || c.k, 'object': 'discount', 'customer': 'cus_' || c.account_id,
           'end': {ts("c.discount_end_date + 1")}, 'start': {ts("c.start_date")},
           'source': {{'coupon': 'PCT' || CAST(CAST(c.discount_pct * 100 AS INTEGER) AS VARCHAR),
                      'type': 'coupon'}},
           'subscription': 'sub_' || c.k}}], lambda d: c.discount_pct > 0) AS discounts,
       CASE WHEN c.end_date < $as_of THEN {ts("c.end_date + 1")} END AS ended_at,
       {{'object': 'list', 'has_more': false, 'data': [
           {{'id': 'si_' || c.k || 'seats', 'object': 'subscription_item', 'price': lp.obj,
            'quantity': c.licensed_seats, 'subscription': 'sub_' || c.k}},
           {{'id': 'si_' || c.k || 'overage', 'object': 'subscription_item', 'price': mp.obj,
            'quantity': NULL::INTEGER, 'subscription': 'sub_' || c.k}}]}} AS items,
       false AS livemode,
       {{'contract_id': c.contract_id, 'term_months': CAST(c.term_months AS VARCHAR)}} AS metadata,
       CASE WHEN c.downgrade_requested_date IS NOT NULL THEN 'sub_sched_' || c.k END AS schedule,
       {ts("c.start_date")} AS start_date,
       CASE WHEN c.end_date < $as_of THEN 'canceled' ELSE 'active' END AS status
FROM s_contracts c
JOIN s_price_objects lp ON lp.plan = c.plan AND lp.usage_type = 'licensed'
     AND lp.currency = c.currency AND lp.unit_amount = c.price_minor
JOIN s_price_objects mp ON mp.plan = c.plan AND mp.usage_type = 'metered'
     AND mp.currency = c.currency AND mp.unit_amount = c.list_minor
ORDER BY c.contract_id""",
    "subscription_schedules": f"""
SELECT 'sub_sched_' || k AS id, 'subscription_schedule' AS object,
       {ts("downgrade_requested_date")} AS created, 'cus_' || account_id AS customer,
       'release' AS end_behavior, false AS livemode,
       [{{'start_date': {ts("start_date")},
          'end_date': {ts("date_trunc('month', downgrade_requested_date) + INTERVAL 1 MONTH")},
          'items': [
              {{'price': {_price_id("plan", "'licensed'", "currency", "price_minor")},
                'quantity': licensed_seats}},
              {{'price': {_price_id("plan", "'metered'", "currency", "list_minor")},
                'quantity': NULL::INTEGER}}]}},
        {{'start_date': {ts("date_trunc('month', downgrade_requested_date) + INTERVAL 1 MONTH")},
          'end_date': NULL::BIGINT,
          'items': [
              {{'price': {
        _price_id("downgrade_target_plan", "'licensed'", "currency", "tgt_minor")
    },
                'quantity': licensed_seats}},
              {{'price': {
        _price_id("downgrade_target_plan", "'metered'", "currency", "tgt_list_minor")
    },
                'quantity': NULL::INTEGER}}]}}] AS phases,
       'active' AS status, 'sub_' || k AS subscription
FROM s_contracts WHERE downgrade_requested_date IS NOT NULL ORDER BY contract_id""",
    "invoices": f"""
WITH lines AS (
    SELECT l.*, i.account_id, i.period, i.contract_id, a.currency,
           {minor("l.amount", "a.currency")} AS amount_minor,
           {minor("l.unit_price", "a.currency")} AS unit_minor
    FROM invoice_lines l JOIN invoices i USING (invoice_id) JOIN accounts a USING (account_id)
),
discounts AS (
    SELECT invoice_id, -sum(amount_minor) AS discount_minor FROM lines
    WHERE line_type = 'discount' GROUP BY invoice_id
),
priced AS (
    SELECT l.*, c.k, c.plan, d.discount_minor,
           CASE l.line_type WHEN 'subscription' THEN 'licensed' WHEN 'overage' THEN 'metered' END
               AS usage_type
    FROM lines l
    LEFT JOIN s_contracts c ON c.contract_id = l.contract_id
    LEFT JOIN discounts d USING (invoice_id)
    WHERE l.line_type <> 'discount'
),
line_objects AS (
    SELECT invoice_id, line_id, amount_minor, {{
        'id': 'il_' || line_id, 'object': 'line_item', 'amount': amount_minor,
        'currency': lower(currency),
        'discount_amounts': list_filter(
            [{{'amount': discount_minor, 'discount': 'di_' || k}}],
            lambda d: line_type = 'subscription' AND discount_minor IS NOT NULL),
        'parent': {{
            'type': CASE WHEN line_type = 'credit' THEN 'invoice_item_details'
                         ELSE 'subscription_item_details' END,
            'invoice_item_details': CASE WHEN line_type = 'credit' THEN {{
                'invoice_item': 'ii_' || line_id, 'proration': false,
                'subscription': 'sub_' || k}} END,
            'subscription_item_details': CASE WHEN line_type <> 'credit' THEN {{
                'proration': false, 'subscription': 'sub_' || k,
                'subscription_item': 'si_' || k || CASE line_type WHEN 'overage' THEN 'overage'
                                                  ELSE 'seats' END}} END}},
        'period': {{'end': {ts("period + INTERVAL 1 MONTH")}, 'start': {ts("period")}}},
        'pricing': {{'type': 'price_details',
            'price_details': CASE WHEN usage_type IS NOT NULL THEN {{
                'price': {_price_id("plan", "usage_type", "currency", "unit_minor")},
                'product': 'prod_' || plan}} END,
            'unit_amount_decimal': CAST(unit_minor AS VARCHAR)}},
        'quantity': quantity}} AS obj
    FROM priced
),
paid AS (
    SELECT invoice_id,
           coalesce(sum({minor("p.amount", "a.currency")}) FILTER (WHERE status = 'succeeded'), 0)
               AS paid_minor,
           count(*) AS attempts
    FROM payments p JOIN accounts a USING (account_id) GROUP BY invoice_id
),
line_lists AS (
    SELECT invoice_id, list(obj ORDER BY line_id) AS data, sum(amount_minor) AS subtotal
    FROM line_objects GROUP BY invoice_id
)
SELECT 'in_' || i.invoice_id AS id, 'invoice' AS object,
       {minor("i.total", "a.currency")} - coalesce(p.paid_minor, 0) AS amount_remaining,
       {ts("i.issue_date")} AS created, lower(a.currency) AS currency,
       'cus_' || i.account_id AS customer, {ts("i.due_date")} AS due_date,
       {{'object': 'list', 'has_more': false, 'data': ll.data}} AS lines,
       {ts("i.period + INTERVAL 1 MONTH")} AS period_end, {ts("i.period")} AS period_start,
       CASE WHEN coalesce(p.paid_minor, 0) >= {minor("i.total", "a.currency")}
            THEN 'paid' ELSE 'open' END AS status,
       'sub_' || {_key("i.contract_id")} AS subscription,
       ll.subtotal,
       {minor("i.total", "a.currency")} AS total
FROM invoices i
JOIN accounts a USING (account_id)
LEFT JOIN line_lists ll USING (invoice_id)
LEFT JOIN paid p USING (invoice_id)
LEFT JOIN discounts d USING (invoice_id)
ORDER BY i.invoice_id""",
    "charges": f"""
SELECT 'ch_' || p.payment_id AS id, 'charge' AS object,
       {minor("p.amount", "a.currency")} AS amount,
       {ts("p.attempted_date")} AS created, lower(a.currency) AS currency,
       'cus_' || p.account_id AS customer,
       CASE WHEN p.decline_code IN ('expired_card', 'processing_error') THEN p.decline_code
            WHEN p.decline_code IS NOT NULL THEN 'card_declined' END AS failure_code,
       'in_' || p.invoice_id AS invoice,
       {{'reason': p.decline_code,
         'type': CASE WHEN p.status = 'succeeded' THEN 'authorized'
                      ELSE 'issuer_declined' END}} AS outcome,
       CASE WHEN p.method_id IS NOT NULL THEN 'pm_' || p.method_id END AS payment_method,
       p.status
FROM payments p JOIN accounts a USING (account_id) ORDER BY p.payment_id""",
    "payment_methods": f"""
SELECT 'pm_' || method_id AS id, 'payment_method' AS object,
       CASE WHEN method_type = 'card' THEN {{
           'brand': 'visa', 'exp_month': month(expiry_month), 'exp_year': year(expiry_month),
           'funding': 'credit', 'last4': lpad(CAST(method_id % 10000 AS VARCHAR), 4, '0')}} END
           AS card,
       {ts("added_date")} AS created, 'cus_' || account_id AS customer, false AS livemode,
       CASE method_type WHEN 'card' THEN 'card' WHEN 'ach' THEN 'us_bank_account'
            ELSE 'customer_balance' END AS type
FROM payment_methods ORDER BY method_id""",
    "billing_meters": """
SELECT 'mtr_' || name AS id, 'billing.meter' AS object,
       {'event_payload_key': 'stripe_customer_id', 'type': 'by_id'} AS customer_mapping,
       {'formula': formula} AS default_aggregation, name AS display_name, name AS event_name,
       false AS livemode, 'active' AS status, {'event_payload_key': 'value'} AS value_settings
FROM meters ORDER BY name""",
    "meter_event_summaries": f"""
SELECT 'mtrusg_' || u.account_id || strftime(u.month, '%Y%m') || m.name AS id,
       'billing.meter_event_summary' AS object,
       CASE m.name WHEN 'active_seats' THEN CAST(u.active_seats AS DOUBLE)
                   WHEN 'logins' THEN CAST(u.logins AS DOUBLE)
                   WHEN 'support_tickets' THEN CAST(u.support_tickets AS DOUBLE)
                   WHEN 'feature_adoption_pct' THEN u.feature_adoption_pct
                   ELSE CAST({ts("u.last_login_date")} AS DOUBLE) END AS aggregated_value,
       'cus_' || u.account_id AS customer,
       {ts("u.month + INTERVAL 1 MONTH")} AS end_time, false AS livemode,
       'mtr_' || m.name AS meter, {ts("u.month")} AS start_time
FROM usage_monthly u CROSS JOIN meters m
WHERE m.name <> 'last_login' OR u.last_login_date IS NOT NULL
ORDER BY u.account_id, u.month, m.name""",
}


def write_stripe(
    con: duckdb.DuckDBPyConnection, out_dir: Path | str, engagement: bool = False
) -> dict[str, int]:
    """Write every resource file into `out_dir` (created); returns objects written per file.

    Usage is the seat meter (`active_seats`, the billable fact); `engagement` adds meters for
    logins, support tickets, feature adoption and last login, which Stripe does not hold."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con.execute(_VIEWS)
    chosen = METERS if engagement else {"active_seats": METERS["active_seats"]}
    meters = ", ".join(f"('{n}', '{f}')" for n, f in chosen.items())
    con.execute("CREATE OR REPLACE TEMP TABLE meters (name VARCHAR, formula VARCHAR)")
    con.execute(f"INSERT INTO meters VALUES {meters}")
    as_of = con.execute(
        "SELECT CAST(max(month) + INTERVAL 1 MONTH AS DATE) FROM usage_monthly"
    ).fetchall()[0][0]
    counts: dict[str, int] = {}
    for name, sql in _FILES.items():
        target = out / f"{name}.jsonl"
        query = sql.replace("$as_of", "DATE '" + str(as_of) + "'")
        con.execute(f"COPY ({query}) TO '{target}' (FORMAT JSON)")
        counts[name] = _count_lines(target)
    has_truth = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'leakage_events'"
    ).fetchall()[0][0]
    if has_truth:
        target = out / f"{TRUTH_FILE}.jsonl"
        con.execute(
            f"""COPY (SELECT 'cus_' || e.account_id AS customer,
                       strftime(e.month, '%Y-%m') AS month,
                       e.leakage_type, {minor("e.amount", "a.currency")} AS amount,
                       lower(a.currency) AS currency
                FROM leakage_events e JOIN accounts a USING (account_id)
                ORDER BY e.account_id, e.month, e.leakage_type) TO '{target}' (FORMAT JSON)"""
        )
        counts[TRUTH_FILE] = _count_lines(target)
    return counts


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


__all__ = ["METERS", "REGION_COUNTRY", "write_stripe"]
