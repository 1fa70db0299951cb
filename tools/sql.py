"""`query_duckdb`: ad-hoc read-only SQL for questions the other tools do not cover."""

from __future__ import annotations

from data.sql_guard import SqlExecutionError, SqlRejected, run_query
from data.warehouse import WarehouseBusyError, WarehouseMissingError
from tools.results import RuntimeArg, ToolOutput, context_of, tool_error, tool_result
from tools.schemas import agent_tool
from tools.views import sql_chart

NAME = "query_duckdb"


@agent_tool(NAME)
def query_duckdb(sql: str, runtime: RuntimeArg = None) -> ToolOutput:
    """Run ONE read-only DuckDB SELECT over the billing warehouse and return the rows.

    Use it only when no other tool answers the question (counts, sums, lists by custom
    filters). Tables: accounts (account_id, name, tier, region, currency, signup_date,
    billing_system), contracts (plan, list_price, contracted_price, licensed_seats,
    discount_pct, downgrade_requested_date, …), usage_monthly (account_id, month,
    active_seats, logins, feature_adoption_pct, support_tickets), invoices (invoice_id,
    account_id, period, total, currency), invoice_lines (invoice_id, line_type, amount),
    payment_methods, payments (status, decline_code, amount). Views: monthly_revenue
    (account_id, month, net_revenue), account_features (one row per account, current month).
    Money is in the account's currency per month. Months are DATEs on the 1st.
    Write a single SELECT or WITH … SELECT; no writes, no files. At most 200 rows come back,
    so aggregate or use LIMIT. On an error you get the schema and the closest names.
    """
    context = context_of(runtime)
    try:
        result = run_query(
            context.db_path, sql, row_cap=context.sql_row_cap, timeout_s=context.sql_timeout_s
        )
    except SqlRejected as exc:
        return tool_error(
            NAME, f"Query rejected: {exc.reason}", error="rejected", suggestions=exc.suggestions
        )
    except SqlExecutionError as exc:
        return tool_error(
            NAME,
            exc.message,
            error="sql_error",
            suggestions=exc.suggestions,
            details={"schema": exc.schema},
        )
    except WarehouseMissingError as exc:
        return tool_error(NAME, str(exc), error="no_warehouse")
    except WarehouseBusyError as exc:
        return tool_error(NAME, exc.message, error="busy")
    rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
    note = f"Only the first {len(rows)} rows were returned." if result.truncated else None
    return tool_result(
        NAME,
        summary={"n_rows": len(rows)},
        rows=rows,
        message=note,
        title="SQL result",
        chart=sql_chart(rows),
        max_rows=context.sql_row_cap,
    )
