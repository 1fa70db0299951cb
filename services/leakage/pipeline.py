"""Warehouse glue of the leakage analytics: run the detectors, build model rows, evaluate.

Everything here reads through a DuckDB connection the caller opened (read-only is enough) and
hands DataFrames to the pure functions in `analytics.reconcile.detectors` and `analytics.leakage`.
Ground-truth tables are read only by the `*truth*` helpers, for evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from analytics.leakage.features import EXTRA_FEATURES_SQL, warehouse_features
from analytics.reconcile import (
    ACCOUNT_CHUNKS_SQL,
    LEDGER_COLUMNS,
    LEDGER_SQL,
    monthly_leakage,
    reconcile_ledger,
)
from data.progress import Progress


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> Any:
    """First value of a query's first row (None when no row). Fetches the whole result, which
    DuckDB 2 requires before the connection runs anything else."""
    rows = con.execute(sql, list(params)).fetchall()
    return rows[0][0] if rows else None


def find_leakage(
    con: duckdb.DuckDBPyConnection,
    progress: Progress | None = None,
    chunk_accounts: int = 50_000,
) -> pd.DataFrame:
    """All detector findings of the warehouse (every month), one account range at a time so
    that memory stays bounded on million-account warehouses."""
    chunks = con.execute(ACCOUNT_CHUNKS_SQL, {"size": chunk_accounts}).fetchall()
    parts: list[pd.DataFrame] = []
    for done, (first, last) in enumerate(chunks, start=1):
        ledger = con.sql(LEDGER_SQL, params={"first": first, "last": last}).to_arrow_table()
        found = reconcile_ledger(ledger.to_pandas(date_as_object=False))
        if len(found):
            parts.append(found)
        if progress is not None:
            progress(done, len(chunks))
    if not parts:
        return reconcile_ledger(pd.DataFrame(columns=list(LEDGER_COLUMNS)))
    return pd.concat(parts, ignore_index=True)


def months_without_usage(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(billed account-months without usage, accounts they belong to): where the detectors that
    need usage (`analytics.reconcile.USAGE_DETECTORS`) could not run."""
    row = con.execute(
        "SELECT count(*), count(DISTINCT i.account_id) "
        "FROM (SELECT DISTINCT account_id, period FROM invoices) i "
        "ANTI JOIN usage_monthly u ON u.account_id = i.account_id AND u.month = i.period"
    ).fetchall()[0]
    return int(row[0]), int(row[1])


def usage_months(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Months with usage data, oldest first."""
    return [
        r[0] for r in con.execute("SELECT DISTINCT month FROM usage_monthly ORDER BY 1").fetchall()
    ]


def features_at(con: duckdb.DuckDBPyConnection, month: date) -> pd.DataFrame:
    """Model input of every account with a contract and usage in `month` (no look-ahead),
    sorted by account_id: the order DuckDB's joins return rows in varies with its threads,
    and training rows in a fixed order make the fitted model reproducible (and the same
    whether the book is one warehouse or many partitions)."""
    features = con.execute("SELECT * FROM account_features_at(?) ORDER BY account_id", [month]).df()
    extras = con.execute(EXTRA_FEATURES_SQL, [month, month]).df()
    return warehouse_features(features, extras)


def latest_features(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Model input as of the latest month with usage (what scoring calls "now")."""
    months = usage_months(con)
    if not months:
        raise ValueError("the warehouse has no usage data to score")
    return features_at(con, months[-1])


def training_rows(
    con: duckdb.DuckDBPyConnection,
    findings: pd.DataFrame,
    cutoffs: Sequence[date],
    max_accounts: int | None = None,
    random_state: int = 0,
    *,
    keep: pd.Series | None = None,
    months: Sequence[date] | None = None,
) -> pd.DataFrame:
    """(account, cutoff) rows: features at the cutoff, labels from the next month's findings.

    Only accounts with usage next month are kept (the label is observable). `max_accounts`
    samples accounts (the same ones at every cutoff) to bound training time on big warehouses.
    A partition of a book passes the book's sample as `keep` and the book's usage `months`
    instead (see `account_sample`).
    """
    months = list(months) if months is not None else usage_months(con)
    following = {m: months[i + 1] for i, m in enumerate(months[:-1])}
    labels = monthly_leakage(findings)
    if keep is None:
        keep = _account_sample(con, max_accounts, random_state)
    frames = []
    for cutoff in cutoffs:
        if cutoff not in following:
            raise ValueError(f"cutoff {cutoff} has no following month with usage")
        rows = features_at(con, cutoff)
        active_next = con.execute(
            "SELECT account_id FROM usage_monthly WHERE month = ?", [following[cutoff]]
        ).df()["account_id"]
        rows = rows[rows["account_id"].isin(active_next)]
        if keep is not None:
            rows = rows[rows["account_id"].isin(keep)]
        frames.append(
            rows.assign(cutoff=pd.Timestamp(cutoff), label_month=pd.Timestamp(following[cutoff]))
        )
    out = pd.concat(frames, ignore_index=True)
    out = out.merge(
        labels.rename(columns={"month": "label_month"}),
        on=["account_id", "label_month"],
        how="left",
    )
    out["label"] = out["amount"].notna().astype(int)
    out["amount"] = out["amount"].fillna(0.0)
    return out


def _account_sample(
    con: duckdb.DuckDBPyConnection, max_accounts: int | None, random_state: int
) -> pd.Series | None:
    if max_accounts is None:
        return None
    ids = con.execute("SELECT account_id FROM accounts ORDER BY account_id").df()["account_id"]
    return account_sample(ids, max_accounts, random_state)


def account_sample(
    sorted_ids: pd.Series, max_accounts: int | None, random_state: int
) -> pd.Series | None:
    """The training sample: `max_accounts` of the book's ids (sorted), None for all of them.

    Examples:
        >>> account_sample(pd.Series(["A", "B", "C"]), 2, 0).tolist()
        ['C', 'B']
        >>> account_sample(pd.Series(["A", "B"]), 5, 0) is None
        True
    """
    if max_accounts is None or len(sorted_ids) <= max_accounts:
        return None
    return sorted_ids.reset_index(drop=True).sample(max_accounts, random_state=random_state)


def attach_truth(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame) -> pd.DataFrame:
    """EVALUATION ONLY: ground truth of each row's label month (synthetic warehouses).

    Adds `p_true`, `eval_label`, `eval_amount` and `eval_type` from `leakage_risk_truth` and
    `leakage_events`; rows without a truth row are dropped.
    """
    risk = con.execute(
        "SELECT account_id, month AS label_month, p_true, has_leakage FROM leakage_risk_truth "
        "WHERE has_leakage IS NOT NULL"
    ).df()
    events = con.execute(
        "SELECT account_id, month AS label_month, CAST(sum(amount) AS DOUBLE) AS eval_amount, "
        "arg_max(leakage_type, amount) AS eval_type FROM leakage_events GROUP BY 1, 2"
    ).df()
    for frame in (risk, events):
        frame["label_month"] = pd.to_datetime(frame["label_month"])
    out = rows.merge(risk, on=["account_id", "label_month"], how="inner")
    out = out.merge(events, on=["account_id", "label_month"], how="left")
    out["eval_label"] = out.pop("has_leakage").astype(int)
    out["eval_amount"] = out["eval_amount"].fillna(0.0)
    out["eval_type"] = out["eval_type"].where(out["eval_label"] == 1, None)
    return out


def has_event_truth(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the warehouse holds injected leakage events (a synthetic world, or a Stripe
    export of one with its `revrisk_leakage_events` file): the detectors can be evaluated."""
    return bool(scalar(con, "SELECT count(*) FROM leakage_events"))


def has_truth(con: duckdb.DuckDBPyConnection) -> bool:
    """True for warehouses that carry the synthetic world's ground truth."""
    return bool(
        scalar(con, "SELECT count(*) FROM leakage_risk_truth WHERE has_leakage IS NOT NULL")
    )


def months_needed(test_months: int) -> int:
    """Months of usage a time split with `test_months` held out needs: two training cutoffs,
    the held-out ones, and the month that labels the last of them."""
    return test_months + 3


def time_split(months: Sequence[date], test_months: int) -> tuple[list[date], list[date]]:
    """Cutoffs for training and testing: every month with a following month, the last
    `test_months` of them held out (their labels are the latest months)."""
    cutoffs = list(months[:-1])
    if len(months) < months_needed(test_months):
        raise ValueError(
            f"need at least {months_needed(test_months)} months of usage for a time split, "
            f"have {len(months)}"
        )
    return cutoffs[:-test_months], cutoffs[-test_months:]


__all__ = [
    "account_sample",
    "attach_truth",
    "features_at",
    "find_leakage",
    "has_event_truth",
    "has_truth",
    "latest_features",
    "months_needed",
    "months_without_usage",
    "scalar",
    "time_split",
    "training_rows",
    "usage_months",
]
