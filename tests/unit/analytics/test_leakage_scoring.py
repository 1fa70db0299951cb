"""Factors in plain language, recommendations, risk levels and the scoring table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.leakage.explain import (
    NO_FACTOR,
    Attribution,
    describe,
    explanation_table,
    factor_rows,
    top_factors,
)
from analytics.leakage.features import reference_features
from analytics.leakage.model import LeakageModel, ModelConfig
from analytics.leakage.recommend import CATALOGUE, recommendations
from analytics.leakage.scoring import (
    NO_SIGNAL_WARNING,
    SCORE_COLUMNS,
    RiskThresholds,
    rule_evidence,
    rule_risk_levels,
    score_accounts,
    score_summary,
)
from domain import LEAKAGE_TYPES

NAMES = ("payment_failure_rate", "customer_health_score", "card_expired")


def test_top_factors_pick_largest_positive_with_context() -> None:
    matrix = np.array([[0.30, 40.0, 1.0], [0.0, 90.0, 0.0]])
    contributions = np.array([[0.9, 0.5, 1.2, -3.0], [-0.2, -0.1, -0.3, -3.0]])
    medians = np.array([0.1, 70.0, 0.0])
    texts = top_factors(Attribution(contributions, matrix, NAMES, medians)).tolist()
    assert texts[0] == (
        "card on file expired; payment failure rate 30 %, 3.0x the portfolio median "
        "(10 %); customer health 40/100 (portfolio median 70/100)"
    )
    assert texts[1] == NO_FACTOR


def test_describe_handles_missing_and_zero_median() -> None:
    assert describe("months_to_card_expiry", np.array([np.nan, 1.0]), 10.0).tolist() == [
        "no card on file",
        "months to card expiry 1 (portfolio median 10)",
    ]
    assert describe("payment_failure_rate", np.array([0.5]), 0.0).tolist() == [
        "payment failure rate 50 % (portfolio median 0 %)"
    ]


def test_factor_rows_and_table_sum_to_the_logit() -> None:
    rng = np.random.default_rng(0)
    matrix = rng.random((4, 3))
    contributions = rng.normal(size=(4, 4))
    attribution = Attribution(contributions, matrix, NAMES, np.zeros(3))
    rows = factor_rows(np.array(["A", "B", "C", "D"]), attribution, k=2)
    sums = rows.groupby("account_id")["contribution"].sum()
    assert np.allclose(sums.to_numpy(), contributions.sum(axis=1))
    assert rows.groupby("account_id")["rank"].apply(list).iloc[0] == [1, 2, 98, 99]
    table = explanation_table(contributions[0], matrix[0], NAMES, np.zeros(3))
    assert table["contribution"].sum() == pytest.approx(contributions[0].sum())
    assert table["feature"].iloc[-1] == "base_value"


def test_catalogue_covers_every_type_and_ranks_by_dollars() -> None:
    assert set(CATALOGUE) == set(LEAKAGE_TYPES)
    assert {entry.owner for entry in CATALOGUE.values()} <= {
        "Billing ops",
        "Customer success",
        "RevOps",
    }
    scores = pd.DataFrame(
        {
            "account_id": ["A", "B", "C"],
            "risk_level": ["Low", "High", "Medium"],
            "predicted_leakage_type": [
                "Failed_Payment_Retry",
                "Expired_Payment_Method",
                "Usage_Overage_Unbilled",
            ],
            "expected_monthly_loss": [5.0, 80.0, 20.0],
        }
    )
    detected = pd.DataFrame(
        {"account_id": ["A"], "leakage_type": ["Billing_System_Error"], "amount": [500.0]}
    )
    ranked = recommendations(scores, detected)
    assert ranked["account_id"].tolist() == ["A", "B", "C"]
    assert ranked.iloc[0][["source", "urgency", "owner"]].tolist() == [
        "detected",
        "High",
        "Billing ops",
    ]
    assert ranked["annual_at_stake"].iloc[1] == 960.0


def test_rule_levels_and_thresholds() -> None:
    frame = pd.DataFrame(
        {"missing_invoice": [0, 0, 0, 1], "payment_failure_rate": [0.0, 0.3, 0.0, 0.0]}
    )
    assert rule_risk_levels(frame, np.array([10.0, 0, 0, 0])).tolist() == [
        "High",
        "Medium",
        "Low",
        "High",
    ]
    with pytest.raises(ValueError, match="medium < high"):
        RiskThresholds(high=0.1, medium=0.2)


def _reference_rows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "account_id": [f"ACC{i:06d}" for i in range(n)],
            "mrr": rng.choice([99.0, 299.0, 999.0], n),
            "payment_failure_rate": rng.beta(0.5, 5, n),
            "payment_reliability_score": rng.random(n),
            "customer_health_score": rng.uniform(0, 100, n),
            "user_utilization_ratio": rng.uniform(0.2, 1.6, n),
            "engagement_score": rng.uniform(0, 100, n),
            "last_login_days_ago": rng.integers(0, 90, n),
            "support_tickets_90d": rng.poisson(2, n),
            "feature_adoption_pct": rng.uniform(0, 100, n),
            "days_since_contract_start": rng.integers(0, 900, n),
            "revenue_per_user": rng.uniform(5, 50, n),
        }
    )
    frame["payment_risk"] = (frame["payment_reliability_score"] < 0.7).astype(int)
    frame["health_risk"] = (frame["customer_health_score"] < 60).astype(int)
    frame["engagement_risk"] = (frame["last_login_days_ago"] > 30).astype(int)
    frame["overutilization"] = (frame["user_utilization_ratio"] > 1.1).astype(int)
    return reference_features(frame)


@pytest.fixture(scope="module")
def reference_model() -> LeakageModel:
    rows = _reference_rows(3000, seed=0)
    y = (np.random.default_rng(1).random(3000) < 0.05 + 0.5 * rows["payment_failure_rate"]).astype(
        int
    )
    types = np.array(["Failed_Payment_Retry" if leak else None for leak in y], dtype=object)
    config = ModelConfig(n_estimators=20, type_estimators=4, amount_estimators=10)
    return LeakageModel("reference", config).fit(rows, y, y * rows["mrr"].to_numpy() * 0.5, types)


def test_score_table_columns_bounds_and_summary(reference_model: LeakageModel) -> None:
    rows = _reference_rows(400, seed=3)
    result = score_accounts(reference_model, rows)
    table = result.table
    assert tuple(table.columns) == SCORE_COLUMNS
    assert table["leakage_probability"].between(0, 1).all()
    assert (table["est_monthly_leakage"] <= rows["mrr"].to_numpy()).all()
    assert (table["expected_monthly_loss"] <= table["est_monthly_leakage"]).all()
    assert table["est_annual_leakage"].equals((table["est_monthly_leakage"] * 12).round(2))
    assert result.warning is None and set(table["risk_level"]) <= {"High", "Medium", "Low"}
    summary = score_summary(table)
    levels, top = summary["risk_levels"], summary["top_accounts"]
    assert isinstance(levels, dict) and isinstance(top, list)
    assert sum(levels.values()) == 400 and len(top) == 10


def test_no_signal_warns_and_falls_back_to_rules(reference_model: LeakageModel) -> None:
    rows = _reference_rows(50, seed=4)
    result = score_accounts(reference_model, rows, signal=False)
    assert result.warning == NO_SIGNAL_WARNING
    assert (result.table["warning"] == NO_SIGNAL_WARNING).all()
    assert result.table["risk_level"].tolist() == rule_risk_levels(rows).tolist()
    assert result.table["top_factors"].tolist() == rule_evidence(rows).tolist()
