"""Leakage tools: the portfolio overview, risk scores, one account's explanation, detections.

Each tool calls one function of `services.leakage.service` and formats its result into the two
channels of tools/results.py (summary keys as in `tools.schemas.RESULT_SPECS`). Risk levels
follow the chat's threshold settings (`Context.high_risk_threshold` / `medium_risk_threshold`,
by default the leakage defaults High >= 0.30, Medium >= 0.10): the service re-cuts the cached
probabilities when they differ from the cut-offs the cache was rated with.
"""

from __future__ import annotations

import pandas as pd

from analytics.leakage.scoring import RiskThresholds
from domain import DEFAULT_CURRENCY, RANK_LABELS
from services import periods, revenue
from services.leakage import service
from services.lookup import Population
from services.trends import service as trends
from tools import results, views
from tools.context import Context
from tools.schemas import (
    DetectLeakageArgs,
    ExplainRiskFactorsArgs,
    PortfolioSummaryArgs,
    ScoreLeakageArgs,
    agent_tool,
)


def _thresholds(context: Context) -> RiskThresholds:
    """The run's risk cut-offs (ValueError, a tool error, unless 0 < medium < high < 1)."""
    return RiskThresholds(context.high_risk_threshold, context.medium_risk_threshold)


_SCORE_COLUMNS = (
    "account_id",
    "tier",
    "risk_level",
    "leakage_probability",
    "expected_loss",
    "mrr",
    "top_factor",
    "predicted_leakage_type",
    "detected_monthly_leakage",
)
_FINDING_COLUMNS = ("account_id", "leakage_type", "month", "amount", "currency", "evidence")
_FACTOR_COLUMNS = ("factor", "value", "portfolio_median", "contribution", "effect")
_DIMENSIONS = ("risk_level", "detected_leakage_type", "tier", "predicted_leakage_type")
_PORTFOLIO_KEYS = (
    "n_accounts",
    "total_mrr",
    "detected_leakage",
    "expected_loss",
    "expected_annual_loss",
    "n_high_risk",
    "detected_leakage_all_months",
)


@agent_tool("portfolio_summary")
def portfolio_summary(
    args: PortfolioSummaryArgs, runtime: results.RuntimeArg = None
) -> results.ToolOutput:
    """The whole portfolio's revenue-leakage position in ONE set of totals: "how are we
    doing?", "how much are we leaking?", "what's our MRR?", or the first step of a vague
    question.

    Returns the number of accounts, total MRR, leakage detected in the billing records in one
    month (the latest, or `month`), the model's expected loss next month (and per year if it
    recurs), the count of High-risk accounts, customers with declining revenue (and per
    decline level), and a breakdown by risk level, detected leakage type, tier and predicted
    leakage type, plus catalogue actions. Money is per month in the accounts' currency
    unless a key says annual. region ("how much MRR is at risk in EMEA?") limits every figure
    to that region's accounts (scope says so).

    Use instead: detect_leakage for the individual findings, a leakage type, an account or a
    period (since/until); score_leakage for which accounts are at risk; query_duckdb for
    metrics it does not report (ARR, NRR, churn counts, DSO, signups). A book the leakage
    model cannot score (monthly revenue only, a short Stripe export) gets its revenue
    position instead: customers billed and revenue in the latest month, detected leakage and
    declines, with the reason.
    """
    context = results.context_of(runtime)
    month = args.month
    with results.refusals():
        if month is not None:
            periods.check_period(periods.data_period(context.db_path), month=month)
        try:
            result = service.portfolio_summary(
                context.db_path, thresholds=_thresholds(context), month=month, region=args.region
            )
        except service.NoScoresError as unscored:
            position = revenue.revenue_position(context.db_path, args.region)
            found = (
                service.detect_leakage(
                    context.db_path,
                    month=month or position.month,
                    top_n=1,
                    accounts=Population(region=args.region),
                )
                if position.has_invoices and (month or position.month)
                else None
            )
            declines = trends.decline_level_counts(context.db_path, position.region)
            return _revenue_position(position, found, declines, str(unscored), month)
        region = result.summary["region"]
        declines = trends.decline_level_counts(context.db_path, region)
    table = result.table
    summary = {key: result.summary[key] for key in _PORTFOLIO_KEYS} | {
        "scope": views.population_scope(region=region),
        "as_of_month": str(result.summary["as_of_month"])[:7],
        "detected_month": result.summary["detected_month"],
        "n_declining": declines.declining,
        "decline_level_counts": declines.by_label,
    }
    risk = table[table["dimension"] == "risk_level"]
    detected = table[table["dimension"] == "detected_leakage_type"]
    predicted = table[table["dimension"] == "predicted_leakage_type"]
    return results.tool_result(
        "portfolio_summary",
        summary=summary,
        rows=_breakdown(table),
        table=table,
        recommendations=views.catalogue_actions(
            [*detected["value"].tolist(), *predicted["value"].tolist()]
        ),
        message=result.warning,
        notice=result.warning,
        title=f"Portfolio leakage overview: {summary['scope']}",
        chart=views.risk_distribution(
            dict(zip(risk["value"], risk["n_accounts"], strict=True)),
            title="Accounts by predicted leakage risk (next month)",
        ),
        max_rows=context.max_rows_to_model,
    )


def _revenue_position(
    position: revenue.RevenuePosition,
    detected: service.Detection | None,
    declines: trends.DeclineCounts,
    reason: str,
    month: str | None,
) -> results.ToolOutput:
    """portfolio_summary's "unscored" result: what a book without risk scores can say."""
    currency, amount = views.money_in_currencies(
        position.by_currency, sum(position.by_currency.values())
    )
    by_type = detected.summary["by_type"] if detected is not None else {}
    summary = {
        "scope": views.population_scope(region=position.region),
        "as_of_month": month or position.month or "none",
        "n_billed": position.n_billed,
        "n_customers": position.n_customers,
        "revenue": amount,
        "detected_leakage": (
            detected.summary["total_amount"]
            if detected is not None
            else "none checked (this warehouse holds no invoices)"
        ),
        "n_declining": declines.declining,
        "currency": currency,
    }
    rows = pd.DataFrame(
        {
            "dimension": "detected leakage type",
            "value": [views.type_label(kind) for kind in by_type],
            "detected_leakage": list(by_type.values()),
        }
    )
    return results.tool_result(
        "portfolio_summary",
        variant="unscored",
        summary=summary,
        rows=rows,
        recommendations=views.catalogue_actions(list(by_type)),
        message=reason,
        notice=reason,
        title=f"Revenue position: {summary['scope']}",
    )


def _period_words(since: str | None, until: str | None) -> str:
    """'all months', '2026-03', '2026-03 onwards', 'up to 2026-03', '2026-01 to 2026-03'."""
    if since is None and until is None:
        return "all months"
    if since == until:
        return str(since)
    if until is None:
        return f"{since} onwards"
    return f"up to {until}" if since is None else f"{since} to {until}"


def _breakdown(table: pd.DataFrame) -> pd.DataFrame:
    """The portfolio table for the model: risk levels (High first), detected types, tiers,
    predicted types; dimension names in words."""
    levels = table["value"].map({"High": 0, "Medium": 1, "Low": 2}).fillna(0)
    order = table["dimension"].map({name: rank for rank, name in enumerate(_DIMENSIONS)})
    rows = table.iloc[(order * 10 + levels).argsort(kind="stable")]
    return rows.assign(dimension=rows["dimension"].str.replace("_", " ", regex=False))


@agent_tool("score_leakage")
def score_leakage(args: ScoreLeakageArgs, runtime: results.RuntimeArg = None) -> results.ToolOutput:
    """PREDICTED leakage risk (next month) of warehouse accounts, ranked: "which accounts are
    most likely to leak next month?", "top 5 riskiest Enterprise accounts in APAC", "high-risk
    accounts with failed payments", or one account's score and rank (account_id).

    Filters combine: tier, region (the accounts' region, e.g. EMEA), risk_level
    (High/Medium/Low), leakage_type (the most likely type if the account leaks). Returns how
    many accounts match, how many are High risk, their combined expected loss next month, and
    the top_n accounts by money at stake with probability, expected loss, MRR and main risk
    factor. Money is per month in the account's currency.

    Use instead: explain_risk_factors for WHY one account is risky (its drivers and actions;
    score_leakage(account_id) only gives its score and rank); detect_leakage for leakage
    already FOUND in the billing records; portfolio_summary for portfolio totals; score_file
    for an uploaded file. Payment failures ("dunning") as a risk: leakage_type
    Failed_Payment_Retry.
    """
    context = results.context_of(runtime)
    with results.refusals():
        thresholds = _thresholds(context)
        result = service.score_leakage(
            context.db_path,
            account_id=args.account_id,
            accounts=Population(args.tier, args.region),
            risk_level=args.risk_level,
            leakage_type=args.leakage_type,
            top_n=args.top_n,
            thresholds=thresholds,
            order_by=args.order_by,
        )
    table = result.table
    summary = {
        "n_accounts": result.summary["n_accounts"],
        "n_high_risk": result.summary["n_high_risk"],
        "total_expected_loss": result.summary["total_expected_loss"],
        "total_detected_leakage": result.summary["total_detected_leakage"],
        "scope": views.score_scope(
            args.account_id,
            args.tier,
            args.risk_level,
            args.leakage_type,
            result.summary["filters"].get("region"),
        ),
        "order_by": args.order_by,
        "ranked_by": RANK_LABELS.get(args.order_by, args.order_by),
        "as_of_month": result.summary.get("as_of_month"),
        "actions_by_stake": views.actions_by_stake(table),
    }
    chart = None
    if args.account_id is not None and len(table):
        row = table.iloc[0]
        chart = views.risk_gauge(
            args.account_id,
            float(row["leakage_probability"]),
            str(row["risk_level"]),
            thresholds.high,
            thresholds.medium,
        )
    return results.tool_result(
        "score_leakage",
        summary=summary,
        rows=table[list(_SCORE_COLUMNS)],
        table=table,
        recommendations=views.catalogue_actions(
            table["detected_leakage_type"].fillna(table["predicted_leakage_type"])
        ),
        message=result.warning,
        notice=result.warning,
        title=f"Leakage risk: {summary['scope']}, ranked by {summary['ranked_by']}",
        chart=chart,
        max_rows=context.max_rows_to_model,
    )


@agent_tool("explain_risk_factors")
def explain_risk_factors(
    args: ExplainRiskFactorsArgs, runtime: results.RuntimeArg = None
) -> results.ToolOutput:
    """Why ONE account is flagged: "why is ACC000042 flagged / risky?", "what drives its
    score?", "explain this account".

    Returns the account's tier, risk level, probability of leaking next month, the likely
    leakage type and amount, expected loss and MRR; its largest risk factors in plain words
    (value vs the portfolio median, raising or lowering risk); leakage the detectors found in
    its billing records; and ranked actions from the catalogue with owner and urgency. Money
    is per month in the account's currency.

    Use instead: decompose_trend for how the account's REVENUE has moved over time (trend,
    seasonality, anomalies) rather than its leakage risk; score_leakage for a ranking of
    accounts. Needs an account id: when the user says "that one" and no earlier message names
    an account, ask which account.
    """
    context = results.context_of(runtime)
    account_id = args.account_id
    with results.refusals():
        thresholds = _thresholds(context)
        result = service.explain_risk_factors(context.db_path, account_id, thresholds=thresholds)
    keys = ("account_id", "tier", "risk_level", "leakage_probability", "expected_loss", "mrr")
    summary = {key: result.summary[key] for key in keys} | {
        "predicted_leakage_type": views.type_label(result.summary["predicted_leakage_type"]),
        "est_monthly_leakage": result.summary["est_monthly_leakage"],
        "detected_monthly_leakage": result.summary["detected_monthly_leakage"],
        "n_findings": result.summary["n_findings"],
        "as_of_month": result.summary["as_of_month"][:7],
    }
    factors = result.factors
    drivers = factors.loc[factors["rank"] < 98, list(_FACTOR_COLUMNS)]
    return results.tool_result(
        "explain_risk_factors",
        summary=summary,
        rows=drivers,
        table=factors,
        recommendations=views.ranked_actions(result.recommendations),
        message=views.evidence_note(result.evidence, result.warning),
        notice=result.warning,
        title=f"Why {account_id} is rated {summary['risk_level']} risk",
        chart=views.risk_gauge(
            account_id,
            summary["leakage_probability"],
            summary["risk_level"],
            thresholds.high,
            thresholds.medium,
        ),
        max_rows=context.max_rows_to_model,
    )


@agent_tool("detect_leakage")
def detect_leakage(
    args: DetectLeakageArgs, runtime: results.RuntimeArg = None
) -> results.ToolOutput:
    """Leakage already FOUND in the billing records (exact amounts with evidence), not a
    prediction: "show me the unbilled overages", "what leakage did we find on ACC000321?",
    "failed payment retries in March", "where have we lost money since June?".

    Filter by leakage_type (Failed_Payment_Retry — failed card charges / dunning,
    Usage_Overage_Unbilled, Contract_Terms_Error, Billing_System_Error,
    Downgrade_Not_Processed, Expired_Payment_Method), account_id, and a period: month, or
    since and/or until (YYYY-MM, inclusive). Returns the number of findings and accounts, the
    total amount in the period (all months when none), the amount in its latest month,
    amounts per type, the top_n largest findings with their evidence (invoice, contract,
    payment facts), and catalogue actions. Amounts are per month in the account's currency.

    Use instead: portfolio_summary for the overall position (accounts, MRR, risk mix);
    score_leakage for accounts likely to leak NEXT month; query_duckdb for breakdowns it does
    not offer (a split by region, billing system or tier over time).
    """
    context = results.context_of(runtime)
    with results.refusals():
        since, until = periods.check_period(
            periods.data_period(context.db_path), args.month, args.since, args.until
        )
        result = service.detect_leakage(
            context.db_path,
            leakage_type=args.leakage_type,
            account_id=args.account_id,
            top_n=args.top_n,
            since=since,
            until=until,
            accounts=Population(args.tier, args.region),
        )
    table = result.table
    head = result.summary
    summary = {key: head[key] for key in ("n_findings", "n_accounts", "total_amount")} | {
        "latest_month": str(head["latest_month"] or "none")[:7],
        "latest_month_amount": head["latest_month_amount"],
        "by_type": head["by_type"],
        "scope": views.detect_scope(
            args.leakage_type, args.account_id, args.tier, head.get("region", args.region)
        ),
    }
    summary["period"] = _period_words(since, until)
    currencies = views.distinct(table["currency"]) if len(table) else []
    return results.tool_result(
        "detect_leakage",
        summary=summary,
        rows=table[list(_FINDING_COLUMNS)].assign(month=table["month"].astype(str).str[:7]),
        table=table.drop(columns=["evidence_json"]),
        recommendations=views.catalogue_actions(head["by_type"]),
        message=head.get("not_checked"),
        title=f"Detected leakage: {summary['scope']}",
        chart=views.leakage_by_type(
            head["by_type"], currency=currencies[0] if len(currencies) == 1 else DEFAULT_CURRENCY
        )
        if head["by_type"]
        else None,
        max_rows=context.max_rows_to_model,
    )
