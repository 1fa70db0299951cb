"""Template narratives: answers written from tool results without a language model.

The offline planner answers with these, and the faithfulness guard falls back to them. Each
tool's content (tools/results.py) is rendered with `prompts/narrative_<tool>.md`, whose
variables are the tool's summary keys (tools/schemas.RESULT_SPECS) plus `rows`, `actions` and
`note`. Numbers are only ever reformatted from the content, never computed, so a narrative is
numerically faithful by construction. Every value from the data (an id, a name, a file name,
a SQL result's text) goes into the Markdown through `domain.markdown.literal`, so it shows as
its characters (no bold, link or extra table column comes from it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from domain import FRACTION_COLUMNS, SPAN_COLUMNS, currency_prefix, format_money
from domain.markdown import literal, table
from prompts import list_prompts, load_prompt
from tools.schemas import Kind, ResultSpec, spec_of

MAX_NARRATIVE_ROWS = 10


def format_value(value: Any, kind: Kind, currency: str | None = None) -> str:
    """A value as a reader expects it: `$1,234`, `$1.23M`, `83.4%`, `1,234`; text as Markdown
    that shows exactly its characters (`domain.markdown.literal`).

    Examples:
        >>> format_value(1234567.8, "money"), format_value(0.8342, "percent")
        ('$1.23M', '83.4%')
        >>> format_value(-1234.5, "money", "EUR"), format_value(None, "count")
        ('-€1,234', 'n/a')
        >>> format_value("**a|b**", "text")
        '\\\\*\\\\*a\\\\|b\\\\*\\\\*'
    """
    if value is None or value == "":
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float) or kind == "text":
        return literal(value)
    if kind == "money":
        return format_money(value, currency)
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "count":
        return f"{round(value):,}"
    return _number(value)


def _number(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return (
        f"{value:,.0f}"
        if abs(value) >= 100
        else f"{value:.2f}"
        if abs(value) >= 1
        else f"{value:.3f}"
    )


def _guess_kind(value: Any) -> Kind:
    return "number" if isinstance(value, int | float) and not isinstance(value, bool) else "text"


def _row_line(row: Mapping[str, Any], spec: ResultSpec, currency: str | None = None) -> str:
    """One row as a bullet; money in the row's currency, else `currency` (the result's)."""
    label = " ".join(literal(row[key]) for key in spec.row_label if row.get(key) is not None)
    currency = _currency_of(row) or currency
    parts = [
        f"{column.label} {format_value(row[column.key], column.kind, currency)}"
        for column in spec.rows
        if row.get(column.key) is not None
    ]
    return f"- **{label}**: {', '.join(parts)}" if label else f"- {', '.join(parts)}"


_MONEY_WORDS = ("revenue", "leakage", "amount", "invoiced", "loss", "total", "mrr", "arr", "cash")
_LABELS = {
    "n_churned_accounts": "churned accounts",
    "n_new_accounts": "new accounts",
    "n_accounts": "accounts",
    "net_revenue": "net revenue",
    "avg_monthly_revenue": "average monthly revenue (MRR)",
    "nrr": "net revenue retention",
    "grr": "gross revenue retention",
    "arr": "ARR",
    "opening_mrr": "MRR at the start",
    "closing_mrr": "MRR at the end",
    "new_mrr": "new MRR",
    "expansion_mrr": "expansion MRR",
    "contraction_mrr": "contraction MRR",
    "churned_mrr": "churned MRR",
    "net_change_mrr": "net change in MRR",
    "mrr": "MRR",
    "dso_days": "days sales outstanding",
    "seat_utilisation": "seat utilisation",
    "revenue_per_account": "average revenue per account",
    "net_revenue_change": "change on the previous",
    "detected_leakage_change": "change on the previous",
    "pct_change": "change in %",
    "contracted_mrr": "contracted MRR",
    "n_findings": "findings",
    "n_new_revenue_accounts": "accounts with new revenue",
    "n_expanded_accounts": "accounts that expanded",
    "n_contracted_accounts": "accounts that contracted",
    "n_stopped_accounts": "accounts that stopped paying",
    "share_of": "part",
    "total_revenue": "total revenue",
    "share_of_total": "share of total",
    "n_customers_billed": "customers billed",
    "revenue_change": "change",
    "pct_revenue_change": "change in %",
    "n_unpaid_invoices": "unpaid invoices",
    "unpaid_amount": "amount unpaid",
    "avg_invoice_total": "average invoice",
    "invoiced_total": "total invoiced",
    "leakage_share_of_revenue": "leakage as a share of revenue",
    "churn_rate": "churn rate over the period",
    "monthly_churn_rate": "churn rate per month",
    "n_accounts_billed_before": "accounts billed the month before",
    "billed_month": "billed in",
    # invoice lines and receivables by age (rt14 V-H2, V-H7)
    "overage_revenue": "overage billed",
    "n_overage_lines": "overage lines",
    "credit_total": "credits",
    "n_credit_lines": "credit lines",
    "gross_revenue": "gross revenue",
    "discount_total": "discounts",
    "n_overdue_invoices": "overdue invoices",
    "overdue_amount": "amount overdue",
    "days_past_due_over": "days past due, more than",
    "as_of_date": "as of",
    "leakage_in_period": "detected leakage",
    "leakage_compared": "detected leakage then",
    "leakage_change": "change",
    "pct_leakage_change": "change in %",
    "n_findings_in_period": "findings",
    "n_findings_compared": "findings then",
    "n_late_invoices": "late invoices",
    "n_unpaid_past_due": "unpaid past due",
    "past_due_amount": "amount past due",
    "card_valid_until": "card valid until",
    "n_expired_card_findings": "expired-card findings",
    "expired_card_leakage": "expired-card leakage detected",
}
_DEFINITIONS = {
    "n_churned_accounts": "Churned: no revenue in the last 3 months of data, counted in the "
    "month after the last revenue.",
    "nrr": "NRR: this month's revenue of the accounts billed 12 months earlier, over their "
    "revenue then.",
    "grr": "GRR: this month's revenue of the accounts billed 12 months earlier, each capped "
    "at what it was then, over their revenue then.",
    "arr": "ARR: 12 x the month's net revenue.",
    "net_change_mrr": "MRR movements: each account's revenue in the last month against the "
    "month before the period (new, expansion, contraction, churned).",
    "lost_monthly_revenue": "Lost monthly revenue: each churned account's revenue in its last "
    "month with revenue.",
    "dso_days": "DSO: mean days from invoice issue to the first successful payment.",
    "seat_utilisation": "Seat utilisation: active seats over licensed seats.",
    "avg_monthly_revenue": "MRR over several months: their average per month.",
    "churn_month": "Churned: no revenue in the last 3 months of data, churned in the month "
    "after the last revenue.",
    "revenue_per_account": "Average revenue per account: the period's net revenue over the "
    "accounts with revenue above zero in it (an account billed nothing is not counted).",
    "contracted_mrr": "Contracted MRR: licensed seats x contracted price of the contract in force.",
    "pct_change": "Change: each row against the row before it in the same currency.",
    "share_of_total": "Share: the part's net revenue over the total of the same period and "
    "currency.",
    "unpaid_amount": "Unpaid: invoices with a positive total and no successful payment so far "
    "(the latest month's, not yet due, included).",
    "avg_invoice_total": "Average invoice: the mean invoice total of the period.",
    "leakage_share_of_revenue": "Leakage share: detected leakage over net revenue of the same "
    "months and currency.",
    "churn_rate": "Churn rate: the accounts churned in the period over the accounts billed in "
    "the month before it; per month: that over the period's months.",
    "overage_revenue": "Overage billed: the overage lines of the period's invoices (seats above "
    "the licence, billed), not the overage leakage left unbilled.",
    "credit_total": "Credits: the credit lines of the period's invoices (negative, as billed).",
    "gross_revenue": "Gross revenue: subscription and overage lines, before discounts and "
    "credits; net revenue adds those.",
    "overdue_amount": "Overdue: invoices with a positive total, no successful payment and a due "
    "date more than the days shown before the as-of date, the last day of the data's latest "
    "month (no later payment is in the data).",
    "leakage_in_period": "Detected leakage: the reconciliation's findings of each period, like "
    "for like.",
    "cash_collected": "Cash collected: the successful payments made in the period, by the day "
    "they were made (an invoice of an earlier month paid in it counts).",
    "n_late_invoices": "Late: an invoice paid after its due date, or past its due date with no "
    "successful payment by the data's last day.",
    "n_failed_payments": "Failed payments: payment attempts declined (each retry counts).",
    "card_valid_until": "Expired card: the card on file expires before next month's charge (as "
    "of the latest month). Related: the Expired_Payment_Method leakage already detected on "
    "each account is shown beside it; ask for expired payment method leakage to see every "
    "finding, past cards included.",
}


_MEASURE_PREFIXES = (
    ("sum_", "total"),
    ("avg_", "average"),
    ("max_", "largest"),
    ("min_", "smallest"),
)
"""The measures a query's column names start with (agent/offline/sqlgen.py), in words."""


def column_label(name: str) -> str:
    """A column name as a header people read: `n_churned_accounts` → `Churned accounts`.

    Examples:
        >>> column_label("n_invoices"), column_label("billing_system")
        ('Invoices', 'Billing system')
        >>> column_label("sum_net_revenue"), column_label("avg_licensed_seats")
        ('Total net revenue', 'Average licensed seats')
    """
    text = _LABELS.get(name)
    if text is None:
        for prefix, word in _MEASURE_PREFIXES:  # `sum_net_revenue`: total net revenue
            if name.startswith(prefix):
                name = f"{word}_{name.removeprefix(prefix)}"
        text = name.removeprefix("n_").replace("_", " ")
    return text[:1].upper() + text[1:]


_ID_COLUMN = re.compile(r"^(?:id|ids)$|_ids?$", re.I)
"""An identifier column (invoice_id, account_ids): its values are names, never figures, so
784019 is not written "784,019" (rt12 T-L1)."""


def _column_kind(name: str, value: Any) -> Kind:
    if not isinstance(value, int | float) or isinstance(value, bool) or _ID_COLUMN.search(name):
        return "text"
    if name in FRACTION_COLUMNS:
        return "percent"
    if name.startswith("n_") or name.endswith("_seats"):
        return "count"
    if any(word in name for word in _MONEY_WORDS):
        return "money"
    return "number"


def _table(rows: Sequence[Mapping[str, Any]]) -> str:
    """A markdown table for free-form rows (SQL results): readable headers, money, percent
    and counts formatted, and the period/currency columns left to the headline; the two
    revenues of a comparison are headed by their periods ("Revenue 2025-10")."""
    mixed = len(_currencies(rows)) > 1
    columns = [c for c in rows[0] if c not in SPAN_COLUMNS or (mixed and c == "currency")]
    held = [c for c in columns if any(row.get(c) is not None for row in rows)]
    columns = held or columns  # a column empty on every row says nothing (rt11 R-L3 "Name n/a")
    whole = {c for c in columns if _whole(rows, c)}
    body = (
        [
            _cell(row.get(c), _column_kind(c, row.get(c)), _currency_of(row), c in whole)
            for c in columns
        ]
        for row in rows
    )
    named = _compared_periods(rows[0])
    headers = [named.get(c) or literal(column_label(c)) for c in columns]
    return table(headers, body)


def _whole(rows: Sequence[Mapping[str, Any]], column: str) -> bool:
    """Whether a money column is written in whole units: when any of its amounts reaches
    1,000, every amount of it is, so one column never mixes "£2,200" and "£800.00" (rt12
    T-L2)."""
    return any(
        isinstance(v, int | float) and not isinstance(v, bool) and abs(v) >= 1000
        for v in (row.get(column) for row in rows)
    )


def _months(row: Mapping[str, Any], start: str, end: str) -> str:
    """ "2026-01 to 2026-10" (or "2026-10") of a row's period columns, as Markdown literals."""
    first, last = row.get(start), row.get(end)
    if not isinstance(first, str):
        return ""
    to = f" to {literal(last)}" if isinstance(last, str) and last != first else ""
    return f"{literal(first)}{to}"


def _compared_periods(row: Mapping[str, Any]) -> dict[str, str]:
    """The headers of a comparison's two amount columns (`revenue_in_period`,
    `revenue_compared`; `mrr_…` for an average month), each naming its period from the
    row's own period columns ("Revenue 2025-10"); {} for any other result."""
    if not isinstance(row.get("compared_start"), str):
        return {}
    periods = {
        "in_period": _months(row, "period_start", "period_end"),
        "compared": _months(row, "compared_start", "compared_end"),
    }
    measures = {"revenue": "Revenue", "mrr": "MRR (average month)", "leakage": "Detected leakage"}
    return {
        f"{measure}_{which}": f"{label} {months}"
        for measure, label in measures.items()
        for which, months in periods.items()
    }


def _currency_of(row: Mapping[str, Any]) -> str | None:
    currency = row.get("currency")
    return currency if isinstance(currency, str) and currency else None


def _currencies(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The distinct currencies of a query's rows, in order of appearance."""
    return list(dict.fromkeys(c for row in rows if (c := _currency_of(row)) is not None))


def _cell(value: Any, kind: Kind, currency: str | None, whole: bool = False) -> str:
    """A table cell: money in full units (`$4,424,878`: a query's total is read exactly, not
    as `$4.42M`), and in whole units throughout a column (`whole`) that holds an amount from
    1,000; everything else as `format_value` writes it.

    Examples:
        >>> _cell(800.0, "money", "GBP"), _cell(800.0, "money", "GBP", whole=True)
        ('£800.00', '£800')
    """
    if kind != "money" or not isinstance(value, int | float) or (abs(value) < 1000 and not whole):
        return format_value(value, kind, currency)
    symbol = currency_prefix(currency)
    return f"{'-' if value < 0 else ''}{symbol}{abs(value):,.0f}"


def _span(rows: Sequence[Mapping[str, Any]]) -> str:
    """ "Period: 2026-07 to 2026-09. Amounts in USD." from a metric query's own columns."""
    if not rows:
        return ""
    first = rows[0]
    parts = []
    start, end = first.get("period_start"), first.get("period_end")
    if start:
        to = f" to {literal(end)}" if end and end != start else ""
        parts.append(f"Period: {literal(start)}{to}.")
    currencies = _currencies(rows)
    if len(currencies) > 1:
        named = ", ".join(literal(c) for c in currencies)
        parts.append(
            f"**Several currencies ({named}):** each row is in its own currency; amounts are "
            "not converted, so rows in different currencies are not added up."
        )
    elif currencies:
        parts.append(f"Amounts in {literal(currencies[0])}.")
    parts.extend(_partial(rows))
    if isinstance(then := first.get("compared_start"), str):
        whose = "each customer's" if "customer" in first else "the"
        parts.append(
            f"Compared with {_months(first, 'compared_start', 'compared_end')}: "
            f"{whose} change on it."
        )
        if isinstance(low := first.get("data_from"), str) and then < low:
            parts.append(
                f"**Partial period:** the data start in {literal(low)}, so the compared "
                "period is not complete."
            )
    if isinstance(filtered := first.get("filtered_to"), str) and filtered:
        parts.append(f"**Only {literal(filtered)}** (a filter of this question).")
    left_out = first.get("n_left_out_customers")
    if isinstance(left_out, int) and left_out > 0:
        parts.append(
            f"**Left out:** {left_out:,} revenue customer{'s' if left_out != 1 else ''} of "
            "imported revenue files ha" + ("ve" if left_out != 1 else "s") + " no account row "
            "(no tier, region or billing system), so "
            + ("they are" if left_out != 1 else "it is")
            + " not in these figures."
        )
    notes = [text for column, text in _DEFINITIONS.items() if column in first]
    return " ".join([*parts, *notes])


def _partial(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """ "**Partial period:** 2024-Q4 covers 2 of its 3 months." for each row whose period
    the data cover only in part (the query's `n_months_with_data` / `n_months_in_period`)."""
    found = []
    for row in rows:
        have, span = row.get("n_months_with_data"), row.get("n_months_in_period")
        if not (isinstance(have, int) and isinstance(span, int)) or have >= span:
            continue
        label = next(
            (v for c, v in row.items() if c not in SPAN_COLUMNS and isinstance(v, str)), None
        )
        named = literal(label) if label and label[:1].isdigit() else "The period asked"
        found.append(f"{named} covers {max(have, 0)} of its {span} months")
    found = list(dict.fromkeys(found))
    if not found:
        return []
    return [
        f"**Partial period:** {'; '.join(found)} (data {literal(rows[0].get('data_from'))} "
        f"to {literal(rows[0].get('data_to'))}), so it is not comparable with a full one."
    ]


def _outside_data(rows: Sequence[Any]) -> str:
    """The refusal for a metric query whose period lies outside the months the warehouse
    covers (its own `data_from`/`data_to` columns): "revenue in March 2027" is no "n/a"."""
    if not rows or not isinstance(rows[0], Mapping):
        return ""
    first = rows[0]
    start, end = first.get("period_start"), first.get("period_end")
    low, high = first.get("data_from"), first.get("data_to")
    if not (isinstance(start, str) and isinstance(end, str)):
        return ""
    if not (isinstance(low, str) and isinstance(high, str)):
        return ""
    if start <= end and start <= high and end >= low:
        return ""
    return load_prompt("narrative_outside_data", asked=start, covered=f"{low} to {high}")


def _unknown(rows: Sequence[Any]) -> str:
    """The note for accounts a query names that the warehouse does not hold (its own
    `unknown_accounts` column, agent/offline/sqlgen.py), with how to find the ids there are."""
    first = rows[0] if rows and isinstance(rows[0], Mapping) else {}
    unknown = first.get("unknown_accounts")
    if not (isinstance(unknown, str) and unknown):
        return ""
    several = "," in unknown
    if not re.search(r"\d", unknown):  # a name ("Wayne Enterprises"), not an id (rt13 U-M5)
        return (
            f"**No customer named {literal(unknown)}** in the warehouse: no account's name (or "
            "its beginning) and no imported customer matches it, so there is no revenue to "
            'show. Check the spelling, or ask "top 10 customers by revenue" to see the names '
            "there are."
        )
    return (
        f"**No account {literal(unknown)}** in the warehouse: no billing account or imported "
        f"revenue has {'these ids' if several else 'this id'}, so there is nothing to count "
        'for it. Check the spelling, or ask "top 10 customers by revenue" or "which accounts '
        'are in EMEA?" to see the ids there are.'
    )


def _covered(row: Mapping[str, Any]) -> str:
    """The months a one-number answer counts, from its row: the period asked, else every
    month of the data (a query over a dated table with no period), else "" (a count of what
    the warehouse holds now: accounts, contracts)."""
    if period := _months(row, "period_start", "period_end"):
        return period
    if data := _months(row, "data_from", "data_to"):
        return f"all months of data, {data}"
    return ""


def data_span(rows: Sequence[Any]) -> str:
    """The answer to "what's the latest month of data?" from the data-span query's row
    (lexicon `[[recipes]]`: first_month, latest_month, n_months), in words (rt12 N-L8).

    Examples:
        >>> data_span([{"first_month": "2024-11", "latest_month": "2026-10", "n_months": 24}])
        '**The data cover 2024-11 to 2026-10** (24 months); the latest month is 2026-10.'
    """
    if len(rows) != 1 or not isinstance(rows[0], Mapping):
        return ""
    first, last, months = (rows[0].get(k) for k in ("first_month", "latest_month", "n_months"))
    if not (isinstance(first, str) and isinstance(last, str)):
        return ""
    count = f" ({months:,} months)" if isinstance(months, int) else ""
    return (
        f"**The data cover {literal(first)} to {literal(last)}**{count}; the latest month is "
        f"{literal(last)}."
    )


def one_number(rows: Sequence[Any]) -> str:
    """The headline of a query whose answer is one number ("how many customers churned last
    quarter?", "total revenue in 2025"): what it counts and for which months, in words, so
    the number never stands alone under a bare header (rt12 R-L1): "**Churned accounts**,
    2026-07 to 2026-09: **12**". "" for any other result.

    Examples:
        >>> one_number([{"n_invoices": 1839, "period_start": "2026-03", "period_end": "2026-03"}])
        '**Invoices**, 2026-03: **1,839**'
        >>> one_number([{"sum_net_revenue": 45504.0}])
        '**Total net revenue**: **$45,504**'
        >>> one_number([{"region": "EMEA", "n_accounts": 4}])
        ''
    """
    if len(rows) != 1 or not isinstance(rows[0], Mapping):
        return ""
    row = rows[0]
    values = [c for c in row if c not in SPAN_COLUMNS]
    if len(values) != 1 or isinstance(row[values[0]], str):
        return ""
    name = values[0]
    value = _cell(row[name], _column_kind(name, row[name]), _currency_of(row))
    said = [_covered(row)]
    if isinstance(filtered := row.get("filtered_to"), str) and filtered:
        said.insert(0, f"only {literal(filtered)}")  # "only the 10 accounts listed"
    where = "".join(f", {part}" for part in said if part)
    label = f"**{literal(column_label(name))}**{where}"
    if row[name] is None and len(said) > 1:  # "revenue in euros" with no EUR account (rt13
        return f"{label}: **none** (nothing in the data matches the filter)"  # U-L5)
    return f"{label}: **{value}**"


def _rows_block(content: Mapping[str, Any], spec: ResultSpec) -> str:
    rows = content.get("rows") or []
    if not rows:
        return "- none"
    shown = rows[:MAX_NARRATIVE_ROWS]
    currency = (content.get("summary") or {}).get("currency")
    block = (
        _table(shown) if not spec.rows else "\n".join(_row_line(r, spec, currency) for r in shown)
    )
    total = int(content.get("n_rows", len(rows)))
    if total > len(shown):
        block += f"\n\n_Showing {len(shown)} of {total:,}; the full table is attached._"
    return block


def _actions(content: Mapping[str, Any]) -> str:
    items = content.get("recommendations") or []
    if not items:
        return ""
    return load_prompt("narrative_actions", items="\n".join(f"- {item}" for item in items))


def _variables(content: Mapping[str, Any], spec: ResultSpec) -> dict[str, str]:
    summary = content.get("summary") or {}
    currency = summary.get("currency")
    values = {c.key: format_value(summary.get(c.key), c.kind, currency) for c in spec.summary}
    return {
        **values,
        "rows": _rows_block(content, spec),
        "actions": _actions(content),
        "note": str(content.get("message") or ""),
    }


def _facts(content: Mapping[str, Any]) -> str:
    summary = content.get("summary") or {}
    return "\n".join(
        f"- {literal(key.replace('_', ' '))}: {format_value(v, _guess_kind(v))}"
        for key, v in summary.items()
    )


def _error(content: Mapping[str, Any]) -> str:
    suggestions = content.get("suggestions") or []
    hint = load_prompt("narrative_suggestions", items=", ".join(suggestions)) if suggestions else ""
    message = plain_error(str(content.get("message", "")))
    return load_prompt("narrative_error", message=message, suggestions=hint)


_DATABASE_ERRORS = {
    "Conversion Error": "a value in the query could not be converted to the type asked",
    "Binder Error": "the query names a column or function the warehouse does not have",
    "Catalog Error": "the query names a table or function that does not exist here",
    "Parser Error": "the query is not valid SQL",
    "Out of Range Error": "a value in the query is out of range (a division by zero, say)",
    "Invalid Input Error": "the query gives a function a value it cannot take",
}
"""DuckDB's error classes, in words: the database's reason follows (rt12 T-L12)."""


def plain_error(message: str) -> str:
    """A query's error as a reader takes it: DuckDB's error class said in words, then its own
    reason.

    Examples:
        >>> plain_error("Parser Error: syntax error at end of input")
        'the query failed because the query is not valid SQL (syntax error at end of input)'
        >>> plain_error("Query rejected: Function getenv() is not allowed here.")
        'Query rejected: Function getenv() is not allowed here.'
    """
    kind, _, reason = message.partition(": ")
    said = _DATABASE_ERRORS.get(kind.strip())
    if said is None or not reason:
        return message
    return f"the query failed because {said} ({reason.strip()})"


def parse_content(content: Any) -> dict[str, Any]:
    """A tool message's content as the dict of tools/results.py (raw text becomes a message)."""
    if isinstance(content, list):  # content blocks
        content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    try:
        parsed = json.loads(content)
    except (TypeError, ValueError):
        return {"error": "raw", "message": str(content)}
    return parsed if isinstance(parsed, dict) else {"rows": parsed}


def narrate(tool: str, content: Any) -> str:
    """The narrative for one tool result."""
    data = parse_content(content)
    if "error" in data:
        return _error(data)
    spec = spec_of(tool, data)
    name = f"narrative_{tool}" + (f"_{data['variant']}" if data.get("variant") else "")
    if spec is None or name not in list_prompts():
        generic = ResultSpec(rows=())
        variables = _variables(data, generic) | {"facts": _facts(data)}
        return load_prompt("narrative_generic", **variables)
    rows = data.get("rows") or []
    if tool == "query_duckdb" and (outside := _outside_data(rows)):
        return outside
    variables = _variables(data, spec)
    if tool == "query_duckdb" and (unknown := _unknown(rows)):
        variables["note"] = "\n\n".join(part for part in (unknown, variables["note"]) if part)
    if tool == "query_duckdb" and rows and isinstance(rows[0], Mapping) and _span(rows):
        variables["rows"] = f"{_span(rows)}\n\n{variables['rows']}"  # period and currency first
    if tool == "query_duckdb" and (covered := data_span(rows)):  # "latest month of data?"
        variables["rows"] = f"{covered}\n\n{variables['rows']}"
    if tool == "query_duckdb" and (headline := one_number(rows)):  # the number, said in words
        variables["rows"] = f"{headline}\n\n{variables['rows']}"
    return load_prompt(name, **variables).lstrip()  # a leading caveat may be empty


def narrate_all(results: Sequence[tuple[str, Any]]) -> str:
    """One answer from several `(tool name, content)` results, in call order."""
    text = "\n\n".join(narrate(tool, content) for tool, content in results)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def narrate_plan(results: Sequence[tuple[str, Any]], bullets: int | None = None) -> str:
    """A plan from a score_leakage result's `actions_by_stake` (tools/views.py): actions
    ranked by dollars at stake, each with owner, accounts and amounts; or exactly `bullets`
    board bullets (the headline, then the largest actions). Every figure is the tool's."""
    content = next((parse_content(c) for t, c in results if t == "score_leakage"), None)
    if content is None or "error" in content:
        return narrate_all(results)
    summary = content.get("summary") or {}
    groups = summary.get("actions_by_stake") or []
    scope = summary.get("scope") or "the listed accounts"
    money = lambda value: format_value(value, "money", summary.get("currency"))  # noqa: E731
    lines = []
    for group in groups:
        shown = ", ".join(map(literal, group["accounts"][:4]))
        shown += " …" if group["n_accounts"] > 4 else ""
        lines.append(
            f"**{group['action']}** (owner: {group['owner']}): {group['n_accounts']} "
            f"account{'s' if group['n_accounts'] != 1 else ''} ({shown}); "
            f"{money(group['at_stake'])} at stake: {money(group['leaking_now'])} leaking now "
            f"(detected), {money(group['at_risk_next_month'])} at risk next month (predicted)."
        )
    as_of = summary.get("as_of_month")
    source = f"warehouse data as of {as_of}" if as_of else "warehouse data"
    if bullets:
        headline = (
            f"{scope.capitalize()}: {money(summary.get('total_expected_loss'))} at risk next "
            f"month (predicted) and {money(summary.get('total_detected_leakage'))} leaking now "
            f"(detected, exact) across {summary.get('n_accounts', 0):,} accounts "
            f"({summary.get('n_high_risk', 0):,} high risk)."
        )
        items = [headline, *lines][:bullets]
        while len(items) < bullets:
            items.append("No further action with money at stake on this list.")
        body = "\n".join(f"- {item}" for item in items)
        return f"**Board bullets** ({source}):\n\n{body}"
    if not lines:
        return f"Nothing on this list has money at stake ({source})."
    body = "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))
    return (
        f"**Action plan for {scope}** ({source}), ranked by dollars at stake (leaking now + "
        f"at risk next month), largest first:\n\n{body}"
    )


def narrate_file_total(results: Sequence[tuple[str, Any]], topic: str) -> str:
    """The answer to a total of a scored file's own column ("what is the total MRR of the
    uploaded accounts?"; `topic` "sum:mrr", "mean:mrr" or "median:mrr", planner
    `_file_total`), from score_file's `column_sums` / `column_means`; said to be the file's
    column sum, over the accounts scored. A column the file does not have is said plainly,
    with the columns it has."""
    content = next((parse_content(c) for t, c in results if t == "score_file"), None)
    if content is None or "error" in content:
        return narrate_all(results)
    summary = content.get("summary") or {}
    stat, _, column = topic.partition(":")
    sums, means = summary.get("column_sums") or {}, summary.get("column_means") or {}
    file, n_accounts = literal(summary.get("file") or "the file"), summary.get("n_accounts")
    have = ", ".join(f"`{literal(name)}`" for name in sums)
    if column not in sums:
        listing = f"Its numeric columns: {have}." if have else "It has no numeric columns."
        return f"**{file}** has no `{literal(column)}` column, so I cannot total it. {listing}"
    money = any(word in column for word in _MONEY_WORDS)
    prefix = currency_prefix(summary.get("currency")) if money else ""
    total, mean = f"{prefix}{sums[column]:,.2f}", f"{prefix}{means.get(column, 0.0):,.2f}"
    where = f"The `{literal(column)}` column of **{file}**"
    basis = (
        f"over its {n_accounts:,} scored accounts (the file's own column as uploaded, summed; "
        "a skipped total row is not counted)"
    )
    if stat == "sum":
        return f"{where} sums to **{total}** {basis}."
    averaged = f"{where} averages **{mean}** per account and sums to **{total}** {basis}."
    if stat == "mean":
        return averaged
    return f"I have the sum and the average of the file's columns, not the median. {averaged}"
