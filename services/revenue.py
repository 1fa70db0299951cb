"""The book's revenue position from `monthly_revenue` alone, which every warehouse can give:
a book of imported monthly revenue, a short Stripe export or one without engagement meters,
where the leakage model cannot score accounts (rt12 T-M6: "what is our MRR?" and "how many
customers do we have?" on an imported revenue book answered only with the model's error).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from data.warehouse import connect
from services.lookup import population


@dataclass(frozen=True)
class RevenuePosition:
    """The latest month with revenue, and in it: revenue per currency and the customers
    billed (net revenue above zero); `n_customers`, every customer with a revenue row."""

    month: str | None
    by_currency: dict[str, float]
    n_billed: int
    n_customers: int
    has_invoices: bool
    region: str | None = None


_POSITION = """
WITH kept AS (SELECT * FROM monthly_revenue WHERE {keep})
SELECT strftime(month, '%Y-%m'), currency, sum(net_revenue)::DOUBLE FROM kept
WHERE month = (SELECT max(month) FROM kept) GROUP BY 1, 2 ORDER BY 3 DESC"""


def revenue_position(db_path: Path | str, region: str | None = None) -> RevenuePosition:
    """The revenue position of the whole book, or of `region`'s accounts (a value of
    `accounts.region`; `UnknownRegionError` lists the known ones)."""
    with connect(db_path, read_only=True) as con:
        keep, kept, region = population(con, region)
        rows = con.execute(_POSITION.format(keep=keep), kept).fetchall()
        n_customers = con.execute(
            f"SELECT count(DISTINCT account_id) FROM monthly_revenue WHERE {keep}", kept
        ).fetchall()[0][0]
        has_invoices = bool(con.execute("SELECT count(*) FROM invoices").fetchall()[0][0])
        billed = con.execute(
            f"SELECT count(DISTINCT account_id) FROM monthly_revenue WHERE {keep} AND "
            f"net_revenue > 0 AND month = (SELECT max(month) FROM monthly_revenue WHERE {keep})",
            kept + kept,
        ).fetchall()[0][0]
    return RevenuePosition(
        month=rows[0][0] if rows else None,
        by_currency={currency: round(amount, 2) for _, currency, amount in rows},
        n_billed=int(billed),
        n_customers=int(n_customers),
        has_invoices=has_invoices,
        region=region,
    )


__all__ = ["RevenuePosition", "revenue_position"]
