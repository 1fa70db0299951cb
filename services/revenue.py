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
WITH kept AS MATERIALIZED (SELECT * FROM monthly_revenue WHERE {keep}),
latest AS (SELECT k.* FROM kept k WHERE k.month = (SELECT max(month) FROM kept))
SELECT strftime(month, '%Y-%m'), currency, sum(net_revenue)::DOUBLE,
       (SELECT count(DISTINCT account_id) FROM kept),
       (SELECT count(DISTINCT account_id) FROM latest WHERE net_revenue > 0),
       (SELECT count(*) > 0 FROM invoices)
FROM latest GROUP BY 1, 2 ORDER BY 3 DESC"""
"""One pass over `monthly_revenue` (a view that sums every invoice line): the latest month's
revenue per currency, the customers in the book and those billed in that month."""


def revenue_position(db_path: Path | str, region: str | None = None) -> RevenuePosition:
    """The revenue position of the whole book, or of `region`'s accounts (a value of
    `accounts.region`; `UnknownRegionError` lists the known ones)."""
    with connect(db_path, read_only=True) as con:
        keep, kept, region = population(con, region)
        rows = con.execute(_POSITION.format(keep=keep), kept).fetchall()
        if not rows:  # no revenue at all: nothing billed, no customers
            invoiced = con.execute("SELECT count(*) > 0 FROM invoices").fetchall()[0][0]
            return RevenuePosition(None, {}, 0, 0, bool(invoiced), region)
    month, _, _, n_customers, n_billed, has_invoices = rows[0]
    return RevenuePosition(
        month=month,
        by_currency={row[1]: round(row[2], 2) for row in rows},
        n_billed=int(n_billed),
        n_customers=int(n_customers),
        has_invoices=bool(has_invoices),
        region=region,
    )


__all__ = ["RevenuePosition", "revenue_position"]
