"""Revenue leakage as a service: what the CLI and the agent's tools call.

Portfolio questions read the caches in the warehouse (`detected_leakage`, `leakage_scores`,
`leakage_factors`), refreshing them first when the billing data changed since they were built
(meta `data_version`; see `services.leakage.refresh`). Every function takes the warehouse path
first and returns a frozen dataclass with a `summary` dict (headline numbers) and full
DataFrames; the tool layer caps rows for the model. Money is in the account's currency per
month unless a name says annual.

Public: `portfolio_summary`, `score_leakage`, `explain_risk_factors`, `detect_leakage`,
`score_file`, `recommend_actions`, `evaluate_detectors`, `refresh_leakage_cache`,
`model_dir_for`. Unknown account ids raise `UnknownAccountError` (with close matches);
bad filter values raise ValueError naming the allowed values (matched case-insensitively): a
region is checked against the warehouse's own `accounts.region` values (`UnknownRegionError`,
services/lookup.py), and limits a question to those accounts through `population`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics.leakage.recommend import recommendations
from analytics.leakage.scoring import RISK_LEVELS, RiskThresholds
from domain import LEAKAGE_TYPES, TIERS
from services.leakage.batch import FileScore, export_scores, score_file
from services.leakage.common import (
    NoScoresError,
    UnknownAccountError,
    cache_warning,
    cached,
    canonical,
    check_account,
    model_dir_for,
    money,
    not_scored,
    population,
    scores_source,
)
from services.leakage.detect import Detection, detect_leakage, evaluate_detectors, run_detectors
from services.leakage.refresh import CacheReport, refresh_leakage_cache
from services.lookup import EVERY_ACCOUNT, Population


@dataclass(frozen=True)
class PortfolioSummary:
    """Headline numbers and one row per (dimension, value): risk level, tier, predicted type,
    detected type (latest month). Columns n_accounts, mrr, detected_leakage, expected_loss."""

    summary: dict[str, Any]
    table: pd.DataFrame
    warning: str | None = None


_BY_DIMENSION = """
SELECT '{dim}' AS dimension, {dim} AS value, count(*) AS n_accounts, sum(mrr) AS mrr,
       sum(detected_monthly_leakage) AS detected_leakage,
       sum(expected_monthly_loss) AS expected_loss
FROM {source} WHERE {keep} GROUP BY 2"""
_DETECTED_BY_TYPE = """
SELECT 'detected_leakage_type', leakage_type, count(DISTINCT account_id), NULL, sum(amount), NULL
FROM detected_leakage WHERE {month} AND {keep} GROUP BY 2"""
_LATEST = "month = (SELECT max(as_of_month) FROM leakage_scores)"


def portfolio_summary(
    db_path: Path | str,
    model_dir: Path | str | None = None,
    thresholds: RiskThresholds | None = None,
    month: str | None = None,
    region: str | None = None,
) -> PortfolioSummary:
    """Accounts, MRR, detected leakage and predicted expected loss, by risk level/type/tier.

    With `thresholds`, accounts per risk level (and `n_high_risk`) count the levels re-cut
    from the cached probabilities (see `scores_source`). With `month` (`YYYY-MM`), the
    detected leakage (`detected_leakage`, and per detected type) is that month's instead of
    the latest month's; predictions stay as of the latest month. With `region` (a value of
    `accounts.region`, matched case-insensitively; `UnknownRegionError` lists the known
    ones), every figure counts that region's accounts only (`summary["region"]`).
    """
    with cached(db_path, model_dir) as con:
        keep, kept, region = population(con, region)
        source, params = scores_source(con, thresholds)
        head = con.execute(
            "SELECT count(*), sum(mrr), sum(detected_monthly_leakage), sum(expected_monthly_loss), "
            "count(*) FILTER (WHERE risk_level = 'High'), max(as_of_month), "
            f"any_value(model_version) FROM {source} WHERE {keep}",
            params + kept,
        ).fetchall()[0]
        total_detected = con.execute(
            f"SELECT coalesce(sum(amount), 0) FROM detected_leakage WHERE {keep}", kept
        ).fetchall()[0][0]
        in_month = _LATEST if month is None else "strftime(month, '%Y-%m') = ?"
        parts = [
            _BY_DIMENSION.format(dim="risk_level", source=source, keep=keep),
            _BY_DIMENSION.format(dim="tier", source="leakage_scores", keep=keep),
            _BY_DIMENSION.format(dim="predicted_leakage_type", source="leakage_scores", keep=keep),
            _DETECTED_BY_TYPE.format(month=in_month, keep=keep),
        ]
        month_params = [] if month is None else [month]
        table = con.execute(
            " UNION ALL ".join(parts) + " ORDER BY 1, 6 DESC NULLS LAST, 5 DESC",
            params + kept + kept + kept + month_params + kept,
        ).df()
        if month is not None:
            month_detected = con.execute(
                "SELECT coalesce(sum(amount), 0) FROM detected_leakage "
                f"WHERE {in_month} AND {keep}",
                month_params + kept,
            ).fetchall()[0][0]
        warning = cache_warning(con)
    summary = {
        "n_accounts": int(head[0]),
        "total_mrr": money(head[1]),
        "detected_leakage": money(head[2] if month is None else month_detected),
        "expected_loss": money(head[3]),
        "expected_annual_loss": money((head[3] or 0) * 12),
        "n_high_risk": int(head[4]),
        "as_of_month": str(head[5]),
        "model_version": head[6],
        "detected_leakage_all_months": money(total_detected),
        "detected_month": month or str(head[5])[:7],
        "region": region,
    }
    table["detected_leakage"] = table["detected_leakage"].astype(float)
    return PortfolioSummary(summary, table, warning)


# ------------------------------------------------------------------------------ scores
@dataclass(frozen=True)
class LeakageScores:
    """Scored accounts matching the filters, largest expected loss (plus detected) first;
    `summary` counts and totals cover every match, `table` the first `top_n`."""

    summary: dict[str, Any]
    table: pd.DataFrame
    warning: str | None = None


def score_leakage(
    db_path: Path | str,
    account_id: str | None = None,
    accounts: Population = EVERY_ACCOUNT,
    risk_level: str | None = None,
    leakage_type: str | None = None,
    top_n: int | None = 10,
    model_dir: Path | str | None = None,
    thresholds: RiskThresholds | None = None,
    order_by: str = "expected_loss",
) -> LeakageScores:
    """Risk scores of the portfolio (or one account), filtered by tier / region (`accounts`)
    / risk level / the predicted leakage type, ranked by `order_by` (domain.RANK_ORDERS:
    expected loss next month, probability, or leakage detected now; ties by account id). The
    region is a value of `accounts.region` (matched case-insensitively; `UnknownRegionError`
    lists the known ones). With `thresholds`, risk levels (the filter, the High count and the
    table's column) are re-cut from the cached probabilities (see `scores_source`)."""
    rank = _RANKS.get(order_by)
    if rank is None:
        raise ValueError(f"order_by must be one of {', '.join(_RANKS)}, got {order_by!r}")
    filters = {
        "tier": canonical(accounts.tier, TIERS, "tier"),
        "risk_level": canonical(risk_level, RISK_LEVELS, "risk level"),
        "predicted_leakage_type": canonical(leakage_type, LEAKAGE_TYPES, "leakage type"),
    }
    if top_n is not None and top_n < 1:
        raise ValueError(f"top_n must be >= 1, got {top_n}")
    where, params = ["TRUE"], []
    for column, value in (("account_id", account_id), *filters.items()):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    with cached(db_path, model_dir) as con:
        if account_id is not None:
            check_account(con, account_id)
        keep, kept, region = population(con, accounts.region)
        condition = " AND ".join([*where, keep])
        params += kept
        source, cut = scores_source(con, thresholds)
        if (
            account_id is not None
            and not con.execute(
                f"SELECT 1 FROM {source} WHERE account_id = ?", [*cut, account_id]
            ).fetchall()
        ):
            raise not_scored(account_id)
        head = con.execute(
            "SELECT count(*), sum(expected_monthly_loss), sum(detected_monthly_leakage), "
            f"count(*) FILTER (WHERE risk_level = 'High') FROM {source} WHERE {condition}",
            cut + params,
        ).fetchall()[0]
        table = con.execute(
            _SCORE_ROWS.format(source=source, where=condition, rank=rank)
            + (f" LIMIT {int(top_n)}" if top_n else ""),
            cut + params,
        ).df()
        warning = cache_warning(con)
        as_of = con.execute("SELECT max(as_of_month) FROM leakage_scores").fetchone()
    summary = {
        "as_of_month": str(as_of[0])[:7] if as_of and as_of[0] is not None else None,
        "n_accounts": int(head[0]),
        "total_expected_loss": money(head[1]),
        "total_detected_leakage": money(head[2]),
        "n_high_risk": int(head[3]),
        "filters": {
            k: v for k, v in {"account_id": account_id, **filters, "region": region}.items() if v
        },
        "order_by": order_by,
    }
    return LeakageScores(summary, table, warning)


_SCORE_ROWS = """
SELECT account_id, tier, risk_level, leakage_probability, expected_monthly_loss AS expected_loss,
       mrr, split_part(top_factors, '; ', 1) AS top_factor, predicted_leakage_type,
       est_monthly_leakage, est_annual_leakage, detected_monthly_leakage, detected_leakage_type,
       top_factors, recommended_action
FROM {source} WHERE {where}
ORDER BY {rank} DESC, account_id"""
_RANKS = {
    "expected_loss": "expected_monthly_loss",
    "probability": "leakage_probability",
    "detected_leakage": "detected_monthly_leakage",
    "at_stake": "expected_monthly_loss + detected_monthly_leakage",
}
"""domain.RANK_ORDERS -> the cached column each ranks by."""


# ------------------------------------------------------------------------------ explain
@dataclass(frozen=True)
class RiskExplanation:
    """Why one account scores as it does.

    `factors`: its largest contributions (calibrated log-odds of leaking next month) with value,
    portfolio median, effect and a plain sentence, then 'other_features' and 'base_value' rows:
    `contribution` sums exactly to logit(leakage_probability). `evidence`: the detectors'
    findings for the account (every month, newest first). `recommendations`: ranked actions.
    """

    summary: dict[str, Any]
    factors: pd.DataFrame
    evidence: pd.DataFrame
    recommendations: pd.DataFrame
    warning: str | None = None


def explain_risk_factors(
    db_path: Path | str,
    account_id: str,
    model_dir: Path | str | None = None,
    thresholds: RiskThresholds | None = None,
) -> RiskExplanation:
    """Exact attribution of one account's risk, in plain language, with its evidence. With
    `thresholds`, its risk level (and the urgency of predicted actions) is re-cut from the
    cached probability (see `scores_source`)."""
    with cached(db_path, model_dir) as con:
        check_account(con, account_id)
        source, cut = scores_source(con, thresholds)
        score = con.execute(f"SELECT * FROM {source} WHERE account_id = ?", [*cut, account_id]).df()
        if score.empty:
            raise not_scored(account_id)
        factors = con.execute(
            "SELECT * FROM leakage_factors WHERE account_id = ? ORDER BY rank", [account_id]
        ).df()
        evidence = con.execute(
            "SELECT * FROM detected_leakage WHERE account_id = ? ORDER BY month DESC, amount DESC",
            [account_id],
        ).df()
        warning = cache_warning(con)
    row = score.iloc[0]
    logit = float(factors["contribution"].sum())
    factors["factor"] = factors["description"]
    factors["effect"] = np.where(
        factors["rank"] >= 98,
        "baseline / rest",
        np.where(factors["contribution"] > 0, "raises risk", "lowers risk"),
    )
    latest = evidence[pd.to_datetime(evidence["month"]) == pd.Timestamp(row["as_of_month"])]
    summary = {
        "account_id": account_id,
        "tier": row["tier"],
        "risk_level": row["risk_level"],
        "leakage_probability": float(row["leakage_probability"]),
        "expected_loss": float(row["expected_monthly_loss"]),
        "mrr": float(row["mrr"]),
        "predicted_leakage_type": row["predicted_leakage_type"],
        "est_monthly_leakage": float(row["est_monthly_leakage"]),
        "detected_monthly_leakage": float(row["detected_monthly_leakage"]),
        "top_factors": row["top_factors"],
        "logit": logit,
        "probability_from_factors": float(1 / (1 + np.exp(-logit))),
        "n_findings": len(evidence),
        "as_of_month": str(row["as_of_month"])[:10],
    }
    actions = recommendations(score, latest)
    return RiskExplanation(summary, factors, evidence, actions, warning)


# ------------------------------------------------------------------------------ detect
def recommend_actions(
    db_path: Path | str, top_n: int | None = 10, model_dir: Path | str | None = None
) -> pd.DataFrame:
    """Ranked actions over the portfolio (see analytics.leakage.recommend). The SQL picks the
    `top_n` accounts by the same dollars-at-stake rule; the catalogue writes their actions."""
    limit = f" LIMIT {int(top_n)}" if top_n else ""
    with cached(db_path, model_dir) as con:
        scores = con.execute(
            "SELECT * FROM leakage_scores ORDER BY CASE WHEN detected_monthly_leakage > 0 "
            "THEN detected_monthly_leakage ELSE expected_monthly_loss END DESC, account_id" + limit
        ).df()
    detected = scores.loc[
        scores["detected_monthly_leakage"] > 0,
        ["account_id", "detected_leakage_type", "detected_monthly_leakage"],
    ].set_axis(["account_id", "leakage_type", "amount"], axis=1)
    return recommendations(scores, detected)


__all__ = [
    "RISK_LEVELS",
    "CacheReport",
    "Detection",
    "FileScore",
    "LeakageScores",
    "NoScoresError",
    "PortfolioSummary",
    "RiskExplanation",
    "UnknownAccountError",
    "cached",
    "detect_leakage",
    "evaluate_detectors",
    "explain_risk_factors",
    "export_scores",
    "model_dir_for",
    "portfolio_summary",
    "recommend_actions",
    "refresh_leakage_cache",
    "run_detectors",
    "score_file",
    "score_leakage",
]
