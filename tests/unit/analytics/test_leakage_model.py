"""The two-stage model on rows drawn from the synthetic world's own causal hazards.

Features are sampled directly (no warehouse), labels from `data.synth.hazard`, so the true
probability of every row is known: calibration and closeness to the Bayes ROC-AUC are checked
against it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference_data import TRAINING_DATA

from analytics.leakage.evaluate import evaluate_split
from analytics.leakage.features import FEATURE_SETS, feature_matrix
from analytics.leakage.metrics import expected_calibration_error, roc_auc_score
from analytics.leakage.model import LeakageModel
from data.synth.hazard import leakage_hazards, p_any
from domain import LEAKAGE_TYPES

REFERENCE_FILE = TRAINING_DATA


def hazard_rows(n: int, seed: int) -> pd.DataFrame:
    """Plausible full-feature rows with labels, amounts and types drawn from the hazards."""
    rng = np.random.default_rng(seed)
    card = rng.random(n) < 0.7
    months = np.where(card, rng.integers(-2, 30, n), np.nan)
    discount = rng.random(n) < 0.25
    ends = discount & (rng.random(n) < 0.1)
    pending = np.where(rng.random(n) < 0.04, rng.integers(1, 4, n), 0)
    util = rng.lognormal(-0.1, 0.3, n)
    frame = pd.DataFrame(
        {
            "account_id": [f"ACC{i:06d}" for i in range(n)],
            "mrr": rng.lognormal(7, 1, n).round(2),
            "payment_failure_rate": rng.beta(0.4, 8, n),
            "payment_reliability_score": np.where(
                card, np.clip(np.nan_to_num(months) / 12, 0, 1), 1.0
            )
            * (1 - 0.5 * rng.beta(0.5, 6, n)),
            "customer_health_score": rng.uniform(20, 100, n),
            "user_utilization_ratio": util,
            "engagement_score": rng.uniform(10, 100, n),
            "last_login_days_ago": rng.integers(0, 60, n),
            "support_tickets_90d": rng.poisson(2, n),
            "feature_adoption_pct": rng.uniform(0, 100, n),
            "days_since_contract_start": rng.integers(30, 2000, n),
            "revenue_per_user": rng.uniform(10, 50, n),
            "legacy_billing": (rng.random(n) < 0.25).astype(float),
            "tier_index": rng.integers(0, 4, n),
            "card_expired": (card & (np.nan_to_num(months, nan=99) <= 0)).astype(float),
            "months_to_card_expiry": months,
            "discount_active_next": (discount & ~ends).astype(float),
            "discount_ends_this_month": ends.astype(float),
            "discount_billed_past_end": (rng.random(n) < 0.01).astype(float),
            "downgrade_pending_months": pending,
            "missing_invoice": (rng.random(n) < 0.02).astype(float),
            "unpaid_invoices_90d": rng.poisson(0.1, n),
            "overage_seats": np.maximum(0, (util - 1) * 20).round(),
            "discount_pct": np.where(discount, 15.0, 0.0),
            "downgrade_price_gap_pct": np.where(pending > 0, 0.35, 0.0),
            "invoice_to_mrr": np.minimum(util, 1.3),
            "list_to_price": rng.choice([1.0, 1.1, 1.25], n),
        }
    )
    frame["payment_risk"] = (frame["payment_reliability_score"] < 0.7).astype(int)
    frame["health_risk"] = (frame["customer_health_score"] < 60).astype(int)
    frame["engagement_risk"] = (frame["last_login_days_ago"] > 30).astype(int)
    frame["overutilization"] = (util > 1.1).astype(int)
    inputs = {str(k): v.to_numpy() for k, v in frame.items()}
    inputs["billing_system"] = np.where(frame["legacy_billing"] > 0, "legacy", "core")
    hazards = leakage_hazards(inputs)
    frame["p_true"] = p_any(hazards)
    frame["label"] = (rng.random(n) < frame["p_true"]).astype(int)
    weights = np.column_stack([hazards[k] for k in LEAKAGE_TYPES]) + 1e-12
    pick = (weights.cumsum(1) / weights.sum(1, keepdims=True) < rng.random((n, 1))).sum(1)
    names = np.asarray((*LEAKAGE_TYPES, None), dtype=object)
    frame["leakage_type"] = names[
        np.where(frame["label"].to_numpy() == 1, pick, len(LEAKAGE_TYPES))
    ]
    ratio = np.array([1.0, 0.15, 0.2, 1.0, 0.35, 1.0])[pick] * np.minimum(util, 1.0)
    frame["amount"] = frame["label"] * ratio * frame["mrr"]
    return frame


@pytest.fixture(scope="module")
def fitted() -> tuple[LeakageModel, pd.DataFrame]:
    train = hazard_rows(30_000, seed=1)
    model = LeakageModel("full", random_state=0).fit(
        train,
        train["label"].to_numpy(),
        train["amount"].to_numpy(),
        train["leakage_type"].to_numpy(),
    )
    return model, hazard_rows(20_000, seed=2)


def test_calibrated_and_close_to_bayes(fitted: tuple[LeakageModel, pd.DataFrame]) -> None:
    model, test = fitted
    p = model.predict(test, contributions=False).probability
    labels = test["label"].to_numpy()
    assert expected_calibration_error(labels, p) <= 0.03
    assert roc_auc_score(labels, p) >= 0.97 * roc_auc_score(labels, test["p_true"].to_numpy())
    assert abs(p.mean() - labels.mean()) < 0.01


def test_more_failed_payments_never_lower_the_risk(
    fitted: tuple[LeakageModel, pd.DataFrame],
) -> None:
    model, test = fitted
    grid = np.linspace(0.0, 0.9, 10)
    base = test.iloc[np.repeat(np.arange(50), grid.size)].reset_index(drop=True)
    base["payment_failure_rate"] = np.tile(grid, 50)
    p = model.predict(base, contributions=False).probability.reshape(50, grid.size)
    assert (np.diff(p, axis=1) >= -1e-12).all()
    assert (p[:, -1] > p[:, 0]).mean() > 0.9


def test_outputs_stay_in_bounds(fitted: tuple[LeakageModel, pd.DataFrame]) -> None:
    model, test = fitted
    rows = test.head(2000).copy()
    rows.loc[0, "mrr"] = 0.0
    out = model.predict(rows)
    mrr = rows["mrr"].to_numpy()
    assert ((out.probability >= 0) & (out.probability <= 1)).all()
    assert ((out.amount >= 0) & (out.amount <= mrr)).all() and out.amount[0] == 0.0
    assert (out.expected_loss <= out.amount + 1e-9).all()
    assert set(out.leakage_type) <= set(LEAKAGE_TYPES)
    assert np.allclose(out.type_probabilities.sum(axis=1), 1.0)


def test_contributions_are_exact_treeshap(fitted: tuple[LeakageModel, pd.DataFrame]) -> None:
    model, test = fitted
    rows = test.head(3000)
    out = model.predict(rows)
    assert out.contributions is not None
    logit = np.log(out.probability / (1 - out.probability))
    assert np.allclose(out.contributions.sum(axis=1), logit, atol=1e-9)
    lightgbm = np.asarray(
        model.booster("classifier").predict(feature_matrix(rows, "full"), pred_contrib=True)
    )
    scaled = lightgbm * model.calibration_.slope
    scaled[:, -1] += model.calibration_.intercept
    assert np.allclose(out.contributions, scaled, atol=1e-9)


def test_reproducible_from_seed_and_round_trip(fitted: tuple[LeakageModel, pd.DataFrame]) -> None:
    _, test = fitted
    train = hazard_rows(6_000, seed=5)
    args = (
        train,
        train["label"].to_numpy(),
        train["amount"].to_numpy(),
        train["leakage_type"].to_numpy(),
    )
    first = LeakageModel("reference", random_state=3).fit(*args)
    second = LeakageModel("reference", random_state=3).fit(*args)
    rows = test.head(500)
    assert np.array_equal(first.predict(rows).probability, second.predict(rows).probability)
    restored = LeakageModel.from_payload(first.to_payload())
    assert np.array_equal(restored.predict(rows).amount, first.predict(rows).amount)


def test_validation_errors(fitted: tuple[LeakageModel, pd.DataFrame]) -> None:
    model, test = fitted
    rows = test.head(20)
    unfitted = LeakageModel("everything")  # __init__ only stores parameters ...
    assert unfitted.feature_set == "everything" and unfitted.config is None
    with pytest.raises(ValueError, match="unknown feature set"):  # ... fit validates them
        unfitted.fit(rows, np.zeros(20), np.zeros(20), np.array([None] * 20))
    with pytest.raises(ValueError, match="payment_failure_rate"):
        model.predict(rows.drop(columns="payment_failure_rate"))
    with pytest.raises(ValueError, match=r"'payment_failure_rate' row 1: 1.5"):
        model.predict(rows.assign(payment_failure_rate=[1.5] + [0.0] * 19))
    with pytest.raises(ValueError, match="customer_health_score' row 3: empty"):
        model.predict(rows.assign(customer_health_score=[50.0, 50.0, np.nan] + [50.0] * 17))
    with pytest.raises(ValueError, match="mrr"):
        model.predict(rows.assign(mrr=-1.0))
    with pytest.raises(ValueError, match="both leaking and non-leaking"):
        LeakageModel().fit(rows, np.zeros(20), np.zeros(20), np.array([None] * 20))
    with pytest.raises(ValueError, match="unknown leakage_type"):
        LeakageModel().fit(
            rows, np.r_[1, np.zeros(19)], np.ones(20), np.array(["Typo"] + [None] * 19)
        )
    with pytest.raises(ValueError, match="not fitted"):
        LeakageModel().predict(rows)


def test_no_signal_on_random_labels() -> None:
    rows = hazard_rows(1_500, seed=9)
    rng = np.random.default_rng(0)
    rows["label"] = (rng.random(len(rows)) < 0.3).astype(int)
    rows["leakage_type"] = ["Failed_Payment_Retry" if leak else None for leak in rows["label"]]
    rows["amount"] = rows["label"] * 50.0
    rows = rows.assign(eval_label=rows["label"], eval_amount=rows["amount"])
    _, card = evaluate_split(rows.iloc[:1000], rows.iloc[1000:], "reference", n_boot=300)
    assert card["signal"] is False
    assert card["roc_auc_ci"][0] <= 0.5 <= card["roc_auc_ci"][1]


@pytest.mark.skipif(not REFERENCE_FILE.exists(), reason="reference data not mounted")
def test_reference_training_data_has_no_signal() -> None:
    from services.leakage.training import TrainingPlan, evaluate_file

    card = evaluate_file(REFERENCE_FILE, TrainingPlan(n_boot=300))
    assert card["signal"] is False


def test_feature_sets_are_consistent() -> None:
    assert FEATURE_SETS["full"][:14] == FEATURE_SETS["reference"]
    assert len(set(FEATURE_SETS["full"])) == len(FEATURE_SETS["full"])
