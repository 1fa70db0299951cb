"""Imported revenue against the revenue the warehouse already holds (rt8 D17).

Contract: `monthly_revenue` is invoiced revenue UNION ALL imported revenue, so an imported
row for an account-month that already has an invoice would be counted twice, and a row in
another currency than its account's would be summed with it by every per-account reader.
`check_against_billing` refuses both (naming file row, customer and month; `--replace` only
overwrites earlier imports, never invoices). `resolve_currency` decides the currency of rows
without one: the caller's `--currency`; else the warehouse's only currency, stated in a
warning; else, in a warehouse without revenue, `DEFAULT_CURRENCY`, stated in a warning; a
warehouse holding several currencies refuses the file until `--currency` says which.
`align_ids` first writes a customer id the warehouse already holds in another case
("acc000042" for ACC000042) as the warehouse spells it, with a warning: every reader groups by
the exact id, so the two spellings were two customers and the invoiced month was counted
twice (rt9 N6).

Method: two SQL queries over the staged batch (data.imports.batch_checks.BATCH).
"""

from __future__ import annotations

import duckdb

from data.imports.batch_checks import BATCH, report_rows
from data.imports.report import ProblemLog
from domain import DEFAULT_CURRENCY

# Currency of revenue without one, in a warehouse that holds no money yet: the one default
# of every layer (domain.DEFAULT_CURRENCY), so the chat and the CLI agree (rt12 T-M13).

_CURRENCIES = (
    "SELECT DISTINCT currency FROM (SELECT currency FROM accounts UNION ALL "
    "SELECT currency FROM invoices UNION ALL SELECT currency FROM revenue_imports) ORDER BY 1"
)
_KNOWN = (
    "SELECT account_id AS id, currency FROM accounts UNION ALL "
    "SELECT customer_id, min(currency) FROM revenue_imports WHERE customer_id NOT IN "
    "(SELECT account_id FROM accounts) GROUP BY 1 HAVING count(DISTINCT currency) = 1"
)
_INVOICED = (
    f"SELECT b.__row, b.__col, b.customer_id, strftime(b.month, '%Y-%m') FROM {BATCH} b "
    "WHERE EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = b.customer_id "
    "AND i.period = b.month)"
)
_OTHER_CURRENCY = (
    f"SELECT b.__row, b.__col, b.customer_id, b.currency, a.currency FROM {BATCH} b "
    "JOIN accounts a ON a.account_id = b.customer_id WHERE a.currency <> b.currency"
)


_HELD_IDS = (
    "SELECT account_id AS id FROM accounts UNION SELECT DISTINCT customer_id FROM revenue_imports"
)


def align_ids(con: duckdb.DuckDBPyConnection, log: ProblemLog) -> None:
    """Staged customer ids equal to one id the warehouse holds except for case take its
    spelling (warned, with how many rows); an id two held ids match is left as written."""
    matches = (
        f"SELECT b.customer_id AS staged, any_value(h.id) AS held FROM {BATCH} b "
        f"JOIN ({_HELD_IDS}) h ON upper(h.id) = upper(b.customer_id) "
        "WHERE h.id <> b.customer_id AND NOT EXISTS "
        f"(SELECT 1 FROM ({_HELD_IDS}) e WHERE e.id = b.customer_id) "
        "GROUP BY 1 HAVING count(DISTINCT h.id) = 1"
    )
    found = con.execute(matches).fetchall()
    if not found:
        return
    for staged, held in found:
        con.execute(f"UPDATE {BATCH} SET customer_id = ? WHERE customer_id = ?", [held, staged])
    shown = ", ".join(f"{staged!r} as {held}" for staged, held in found[:5])
    more = f" and {len(found) - 5:,} more" if len(found) > 5 else ""
    log.add(
        "id_case",
        f"customer ids written in another case than the warehouse's were read as its ids: "
        f"{shown}{more}",
        warning=True,
    )


def fill_currency(con: duckdb.DuckDBPyConnection, given: str | None, log: ProblemLog) -> bool:
    """Set the currency of staged rows without one (see the module docstring); logs the
    assumption as a warning, or a problem when the warehouse cannot tell. True when that
    problem was logged: the rows' empty currency is then reported once, not again per cell
    as an empty value (rt13 U-M6). Amounts written in several currencies are refused as
    such (`mixed_currency`), so none is assumed for them (rt13 U-L7: '$', '€' and '£' cells
    were told "no currency column; … taken as USD")."""
    if any(problem.code == "mixed_currency" for problem in log.problems):
        return False
    if _has_hint(con):
        _use_hint(con, given, log)
    if given is not None:
        con.execute(f"UPDATE {BATCH} SET currency = ? WHERE currency IS NULL", [given])
        return False
    before = _n_missing(con)
    if not before:
        return False
    con.execute(
        f"UPDATE {BATCH} b SET currency = k.currency FROM ({_KNOWN}) k "
        "WHERE b.currency IS NULL AND b.customer_id = k.id"
    )
    after = _n_missing(con)
    if after < before:
        log.add(
            "currency_assumed",
            f"no currency column: {before - after:,} row(s) taken in their customer's currency "
            "as the warehouse holds it (its account, or its earlier imports)",
            warning=True,
        )
    if not after:
        return False
    held = [str(row[0]) for row in con.execute(_CURRENCIES).fetchall()]
    if len(held) > 1:
        log.add(
            "currency_unknown",
            f"no currency for these amounts, and the warehouse holds {', '.join(held)}: "
            "pass --currency (or add a currency column)",
        )
        return True
    currency = held[0] if held else DEFAULT_CURRENCY
    why = "the warehouse's only currency" if held else "the default (the warehouse holds none)"
    _assume(con, currency, f"no currency column; {currency} is {why}", log)
    return False


def _assume(con: duckdb.DuckDBPyConnection, currency: str, why: str, log: ProblemLog) -> None:
    """Give rows without a currency `currency`, saying so in a warning."""
    n = _n_missing(con)
    if n:
        con.execute(f"UPDATE {BATCH} SET currency = ? WHERE currency IS NULL", [currency])
        log.add(
            "currency_assumed",
            f"{why}: {n:,} row(s) taken as {currency}; pass --currency if they are in another",
            warning=True,
        )


def _has_hint(con: duckdb.DuckDBPyConnection) -> bool:
    query = "SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = ?"
    return bool(con.execute(query, [BATCH, "__currency_hint"]).fetchall()[0][0])


def _use_hint(con: duckdb.DuckDBPyConnection, given: str | None, log: ProblemLog) -> None:
    """The currency the amounts' signs, headers or title name: refused where the currency
    column or --currency says another; fills rows without one ('$' as USD unless --currency
    names the dollar)."""
    hint = str(con.execute(f"SELECT any_value(__currency_hint) FROM {BATCH}").fetchall()[0][0])
    stated = f"SELECT __row, __col, currency FROM {BATCH} WHERE currency IS NOT NULL"
    if hint != "$":
        clash = f"{stated} AND currency <> '{hint}'"
        message = f"the amounts are written in {hint} (their signs, header or title), this row says"
        report_rows(con, log, "currency_conflict", message, clash, ("currency",), {})
        if given is not None and given != hint:
            log.add("currency_conflict", f"--currency {given}, but the amounts are in {hint}")
        con.execute(f"UPDATE {BATCH} SET currency = ? WHERE currency IS NULL", [hint])
    elif given is None:
        _assume(con, "USD", "amounts written with '$'", log)


def _n_missing(con: duckdb.DuckDBPyConnection) -> int:
    query = f"SELECT count(*) FROM {BATCH} WHERE currency IS NULL"
    return int(con.execute(query).fetchall()[0][0])


def check_against_billing(
    con: duckdb.DuckDBPyConnection, headers: dict[str, str], log: ProblemLog
) -> None:
    """Refuse staged revenue for invoiced account-months or in another currency than the
    account's."""
    report_rows(
        con,
        log,
        "invoiced_month",
        "this account already has invoiced revenue for this month in the warehouse; "
        "importing it would count the month twice (leave the row out: --replace overwrites "
        "earlier imports only, never invoices)",
        _INVOICED,
        ("customer_id", "month"),
        headers,
    )
    report_rows(
        con,
        log,
        "other_currency",
        "the account bills in another currency (accounts.currency); pass --currency or fix "
        "the currency column",
        _OTHER_CURRENCY,
        ("customer_id", "currency", "account currency"),
        headers,
    )
