"""Write a chunk's column buffers into the warehouse, turning numeric keys into warehouse ids.

Ids are derived, not counted, so chunks can be written independently:
account `ACC%06d`, contract `CTR%06d-<seq>`, invoice = account x 1000 + month index,
line / payment = invoice x 10 + line / attempt number, payment method = account x 100 + seq.
"""

from __future__ import annotations

import duckdb
import pandas as pd

_ACC = "printf('ACC%06d', acc)"
_INVOICE = "(acc * 1000 + t)"
_MONEY = "CAST({} / 100 AS DECIMAL(14, 2))"
_PLAN = "['Starter', 'Professional', 'Business', 'Enterprise'][{} + 1]"

_INSERTS: dict[str, str] = {
    "accounts": f"""
        SELECT {_ACC}, name, tier, region, 'USD', signup_date, billing_system FROM frame""",
    "contracts": f"""
        SELECT printf('CTR%06d-%d', acc, seq), {_ACC}, {_PLAN.format("plan")},
               {_MONEY.format("list_price")}, {_MONEY.format("price")}, licensed, term, start,
               "end", discount_pct, CASE WHEN discount_pct > 0 THEN discount_end END, request_date,
               CASE WHEN request_date IS NOT NULL THEN {_PLAN.format("tgt_plan")} END,
               CASE WHEN request_date IS NOT NULL THEN {_MONEY.format("tgt_price")} END,
               CASE WHEN request_date IS NOT NULL THEN {_MONEY.format("tgt_list")} END
        FROM frame""",
    "payment_methods": f"""
        SELECT acc * 100 + seq, {_ACC}, ['card', 'ach', 'wire'][method_type + 1],
               CASE WHEN method_type = 0 THEN expiry END, added, added FROM frame""",
    "usage_monthly": f"""
        SELECT {_ACC}, month, seats, logins, last_login, adoption, tickets FROM frame""",
    "invoices": f"""
        SELECT {_INVOICE}, {_ACC}, printf('CTR%06d-%d', acc, contract_seq), period, period,
               CAST(period + INTERVAL 14 DAY AS DATE), 'USD', {_MONEY.format("total")}
        FROM frame""",
    "invoice_lines": f"""
        SELECT {_INVOICE} * 10 + line_no, {_INVOICE}, line_type, qty, {_MONEY.format("unit")},
               {_MONEY.format("amount")} FROM frame""",
    "payments": f"""
        SELECT {_INVOICE} * 10 + attempt_no, {_INVOICE}, {_ACC}, acc * 100 + method_seq,
               attempt_no, date, {_MONEY.format("amount")},
               CASE WHEN failed THEN 'failed' ELSE 'succeeded' END, decline_code FROM frame""",
    "leakage_events": f"""
        SELECT {_ACC}, month, leakage_type, {_MONEY.format("amount")} FROM frame""",
    "leakage_risk_truth": f"""
        SELECT {_ACC}, month, p_true, has_leakage FROM frame""",
    "trend_truth": f"""
        SELECT {_ACC}, archetype, is_declining, monthly_growth, noise_cv, change_month
        FROM frame""",
    "decline_truth": f"""
        SELECT {_ACC}, cutoff, horizon, p_true, declined, onset, p_halved, halved FROM frame""",
    "anomaly_truth": f"SELECT {_ACC}, month, direction, cause FROM frame",
}

WRITE_ORDER: tuple[str, ...] = tuple(_INSERTS)


def write_frames(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Insert every buffered table (parents first); returns rows written per table."""
    written: dict[str, int] = {}
    for table in WRITE_ORDER:
        frame = frames.get(table)
        if frame is None or frame.empty:
            continue
        con.register("frame", frame)
        try:
            con.execute(f"INSERT INTO {table} {_INSERTS[table]}")
        finally:
            con.unregister("frame")
        written[table] = len(frame)
    return written
