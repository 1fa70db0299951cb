"""Detected leakage as a service: findings with evidence, from the cache or afresh, and the
detectors' evaluation against the synthetic world's ground truth."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics.reconcile import USAGE_DETECTORS
from data.warehouse import connect
from domain import LEAKAGE_TYPES, plural
from services.leakage import pipeline, store
from services.leakage.common import cached, canonical, check_account, money, population
from services.lookup import EVERY_ACCOUNT, Population

NO_INVOICES = (
    "This warehouse holds monthly revenue but no invoices, so there is no leakage to detect: "
    "leakage is found by checking invoices against contracts, payments and usage. Import "
    "those records (CSV or Excel files, or a Stripe export) to check them."
)


def unchecked_note(gap: Sequence[int] | None, leakage_type: str | None = None) -> str | None:
    """What the detectors could not check for lack of usage data (None when nothing was left
    out, or `leakage_type` is one that needs no usage). rt14 V-H1: a Stripe export without its
    meter files read "$0.00 of leakage" while 14 of its invoices were never paid.

    Examples:
        >>> unchecked_note([645, 60]).split(":")[0]
        'Not checked for lack of usage data'
        >>> unchecked_note([645, 60], "Failed_Payment_Retry") is None
        True
        >>> unchecked_note([0, 0]) is None
        True
    """
    if not gap or not gap[0] or leakage_type not in (None, *USAGE_DETECTORS):
        return None
    months, accounts = int(gap[0]), int(gap[1])
    return (
        "Not checked for lack of usage data: unbilled usage (Usage_Overage_Unbilled) and "
        "missing invoices (Billing_System_Error) need the seats in use each month, and "
        f"{plural(months, 'billed month')} of {plural(accounts, 'account')} have none (a "
        "Stripe export brings usage in "
        "its meter files). The payment, contract-terms and downgrade checks ran on every "
        "invoice."
    )


@dataclass(frozen=True)
class Detection:
    """Reconciliation findings (largest first; `table` holds the first `top_n`), with totals
    over every match in `summary` (overall, latest month, per type)."""

    summary: dict[str, Any]
    table: pd.DataFrame


def detect_leakage(
    db_path: Path | str,
    leakage_type: str | None = None,
    account_id: str | None = None,
    top_n: int | None = 10,
    month: str | None = None,
    model_dir: Path | str | None = None,
    since: str | None = None,
    until: str | None = None,
    accounts: Population = EVERY_ACCOUNT,
) -> Detection:
    """Leakage found in the billing records (exact amounts, with evidence); `month`, or the
    inclusive `since` / `until` months (`YYYY-MM`), limit the findings to a period;
    `accounts` to the findings of accounts with its tier / region today (the `accounts`
    table; an unknown region raises `UnknownRegionError` listing the known ones)."""
    kind = canonical(leakage_type, LEAKAGE_TYPES, "leakage type")
    where, params = ["TRUE"], []
    for column, value in (("leakage_type", kind), ("account_id", account_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if month is not None:
        where.append("strftime(month, '%Y-%m') = ?")
        params.append(str(pd.Period(month, freq="M")))
    for operator, bound in ((">=", since), ("<=", until)):
        if bound is not None:
            where.append(f"strftime(month, '%Y-%m') {operator} ?")
            params.append(str(pd.Period(bound, freq="M")))
    with cached(db_path, model_dir, scores=False) as con:
        if not pipeline.scalar(con, "SELECT count(*) FROM invoices"):
            raise ValueError(NO_INVOICES)
        if account_id is not None:
            check_account(con, account_id)
        keep, kept, region = population(con, accounts.region, accounts.tier)
        condition = " AND ".join([*where, keep])
        params += kept
        head = con.execute(_SUMMARY.format(where=condition), params * 3).fetchall()[0]
        by_type = con.execute(
            f"SELECT leakage_type, sum(amount)::DOUBLE FROM detected_leakage WHERE {condition} "
            "GROUP BY 1 ORDER BY 2 DESC",
            params,
        ).fetchall()
        table = con.execute(
            "SELECT account_id, leakage_type, month, CAST(amount AS DOUBLE) AS amount, currency, "
            f"evidence, invoice_id, contract_id, evidence_json FROM detected_leakage WHERE "
            f"{condition} ORDER BY amount DESC, account_id, month"
            + (f" LIMIT {int(top_n)}" if top_n else ""),
            params,
        ).df()
        gap = store.cache_info(con).get(store.USAGE_GAP)
    summary = {
        "n_findings": int(head[0]),
        "n_accounts": int(head[1]),
        "total_amount": money(head[2]),
        "latest_month": str(head[3])[:10] if head[3] is not None else None,
        "latest_month_amount": money(head[4]),
        "by_type": {kind: money(amount) for kind, amount in by_type},
        "region": region,
        "not_checked": unchecked_note(gap, kind),
    }
    return Detection(summary, table)


_SUMMARY = """
SELECT count(*), count(DISTINCT account_id), sum(amount)::DOUBLE, max(month),
       (SELECT sum(amount)::DOUBLE FROM detected_leakage WHERE {where} AND month =
            (SELECT max(month) FROM detected_leakage WHERE {where}))
FROM detected_leakage WHERE {where}"""


def _detection(table: pd.DataFrame, top_n: int | None) -> Detection:
    table = table.sort_values(
        ["amount", "account_id", "month"], ascending=[False, True, True], ignore_index=True
    )
    latest = table["month"].max() if len(table) else None
    recent = table[table["month"] == latest] if latest is not None else table
    summary = {
        "n_findings": len(table),
        "n_accounts": int(table["account_id"].nunique()),
        "total_amount": money(table["amount"].sum()),
        "latest_month": str(latest)[:10] if latest is not None else None,
        "latest_month_amount": money(recent["amount"].sum()),
        "by_type": {
            k: money(v)
            for k, v in table.groupby("leakage_type")["amount"]
            .sum()
            .sort_values(ascending=False)
            .items()
        },
    }
    return Detection(summary, table.head(top_n) if top_n else table)


def run_detectors(
    db_path: Path | str,
    leakage_type: str | None = None,
    account_id: str | None = None,
    month: str | None = None,
    top_n: int | None = 10,
) -> Detection:
    """`detect_leakage` computed afresh from the raw tables (no cache, no model)."""
    from analytics.reconcile import FINDING_COLUMNS

    kind = canonical(leakage_type, LEAKAGE_TYPES, "leakage type")
    with connect(db_path, read_only=True) as con:
        if account_id is not None:
            check_account(con, account_id)
        findings = pipeline.find_leakage(con)
        gap = pipeline.months_without_usage(con)
    keep = np.ones(len(findings), dtype=bool)
    if kind is not None:
        keep &= (findings["leakage_type"] == kind).to_numpy()
    if account_id is not None:
        keep &= (findings["account_id"] == account_id).to_numpy()
    if month is not None:
        keep &= (
            pd.to_datetime(findings["month"]).dt.to_period("M") == pd.Period(month, freq="M")
        ).to_numpy()
    found = _detection(findings.loc[keep, list(FINDING_COLUMNS)], top_n)
    found.summary["not_checked"] = unchecked_note(gap, kind)
    return found


def evaluate_detectors(db_path: Path | str, leakage_type: str | None = None) -> dict[str, Any]:
    """EVALUATION: detectors vs the synthetic world's `leakage_events` (fresh run, not cache)."""
    from analytics.reconcile import evaluate_findings

    kind = canonical(leakage_type, LEAKAGE_TYPES, "leakage type")
    started = time.perf_counter()
    with connect(db_path, read_only=True) as con:
        if not pipeline.has_event_truth(con):
            raise ValueError(
                "this warehouse has no ground truth (leakage_events); --evaluate "
                "needs a synthetic warehouse built with `revrisk demo` (or a Stripe export "
                "of one, `revrisk demo --format stripe`, imported)"
            )
        findings = pipeline.find_leakage(con)
        truth = con.execute(
            "SELECT account_id, month, leakage_type, CAST(amount AS DOUBLE) AS amount "
            "FROM leakage_events"
        ).df()
    scores = evaluate_findings(findings, truth)
    per_type = {k: v.__dict__ for k, v in scores.items() if kind in (None, k)}
    return {
        "per_type": per_type,
        "min_precision": min(v["precision"] for v in per_type.values()),
        "min_recall": min(v["recall"] for v in per_type.values()),
        "max_amount_error": max(v["max_amount_error"] for v in per_type.values()),
        "n_findings": len(findings),
        "seconds": round(time.perf_counter() - started, 2),
    }


__all__ = [
    "Detection",
    "detect_leakage",
    "evaluate_detectors",
    "run_detectors",
    "unchecked_note",
]
