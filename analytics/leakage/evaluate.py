"""Model card: fit on training rows, measure on held-out rows, compare with baselines.

Rows are (account, cutoff) pairs with model features at the cutoff and what happened next
month. Training uses the columns `label`, `amount`, `leakage_type` (in production: the
detectors' findings of the next month); evaluation uses `eval_label`, `eval_amount`,
`eval_type` (on synthetic data: ground truth; on a reference file: its own targets) and, when
present, `p_true` for the Bayes-optimal ROC-AUC on exactly the same rows.

Baselines: `prior` predicts the training leak rate for everyone (what a model without signal
is worth), `logistic` is a standardised logistic regression on the same features. Both use the
training mean amount/MRR ratio for the amount.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analytics.leakage.features import feature_matrix
from analytics.leakage.metrics import (
    amount_report,
    classification_report,
    has_signal,
    roc_auc_score,
)
from analytics.leakage.model import LeakageModel, ModelConfig
from analytics.leakage.scoring import RiskThresholds

TRAIN_COLUMNS = ("label", "amount", "leakage_type", "mrr")
EVAL_COLUMNS = ("eval_label", "eval_amount", "mrr")


def _check_rows(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} rows lack column(s) {missing}")
    if frame.empty:
        raise ValueError(f"no {what} rows")


def _report(
    test: pd.DataFrame,
    probability: np.ndarray,
    amount: np.ndarray,
    thresholds: RiskThresholds,
    n_boot: int,
    random_state: int,
) -> dict[str, Any]:
    labels = test["eval_label"].to_numpy().astype(int)
    report = classification_report(labels, probability, thresholds.high, n_boot, random_state)
    report["amount"] = amount_report(
        test["eval_amount"].to_numpy(float),
        probability * amount,
        amount,
        probability >= thresholds.high,
        test["mrr"].to_numpy(float),
    )
    return report


def _baselines(
    train: pd.DataFrame,
    test: pd.DataFrame,
    feature_set: str,
    thresholds: RiskThresholds,
    n_boot: int,
    random_state: int,
) -> dict[str, Any]:
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    y = train["label"].to_numpy().astype(int)
    leaks = y == 1
    ratio = np.clip(
        train["amount"].to_numpy(float)[leaks]
        / np.maximum(train["mrr"].to_numpy(float)[leaks], 1e-9),
        0,
        1,
    )
    amount = ratio.mean() * test["mrr"].to_numpy(float)
    logistic = make_pipeline(
        SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=2000)
    )
    logistic.fit(feature_matrix(train, feature_set), y)
    p_logistic = logistic.predict_proba(feature_matrix(test, feature_set))[:, 1]
    return {
        "prior": _report(
            test, np.full(len(test), y.mean()), amount, thresholds, n_boot, random_state
        ),
        "logistic": _report(test, p_logistic, amount, thresholds, n_boot, random_state),
    }


def evaluate_split(
    train: pd.DataFrame,
    test: pd.DataFrame,
    feature_set: str = "full",
    config: ModelConfig | None = None,
    thresholds: RiskThresholds | None = None,
    n_boot: int = 1000,
    random_state: int = 0,
) -> tuple[LeakageModel, dict[str, Any]]:
    """Fit a `LeakageModel` on `train`, report it and the baselines on `test`.

    `train` may carry `cutoff` (calibration folds then keep months whole). The report's
    `signal` is False when the model's AUC interval includes 0.5.
    """
    thresholds = thresholds or RiskThresholds()
    _check_rows(train, TRAIN_COLUMNS, "training")
    _check_rows(test, EVAL_COLUMNS, "evaluation")
    groups = train["cutoff"].to_numpy() if "cutoff" in train.columns else None
    model = LeakageModel(feature_set, config, random_state).fit(
        train,
        train["label"].to_numpy(),
        train["amount"].to_numpy(float),
        train["leakage_type"].to_numpy(dtype=object),
        groups,
    )
    prediction = model.predict(test, contributions=False)
    report = _report(
        test, prediction.probability, prediction.amount, thresholds, n_boot, random_state
    )
    report["signal"] = has_signal(report["roc_auc_ci"])
    if "eval_type" in test.columns:
        leaked = test["eval_label"].to_numpy().astype(bool)
        hits = prediction.leakage_type[leaked] == test["eval_type"].to_numpy(dtype=object)[leaked]
        report["type_accuracy"] = float(hits.mean()) if hits.size else None
    if "p_true" in test.columns:
        bayes = roc_auc_score(
            test["eval_label"].to_numpy().astype(int), test["p_true"].to_numpy(float)
        )
        report["bayes_roc_auc"] = bayes
        report["auc_to_bayes"] = report["roc_auc"] / bayes
    report["baselines"] = _baselines(train, test, feature_set, thresholds, n_boot, random_state)
    report["feature_set"] = feature_set
    report["n_train"], report["n_test"] = len(train), len(test)
    report["risk_thresholds"] = {"high": thresholds.high, "medium": thresholds.medium}
    report["calibration"] = {
        "method": "platt, cross-validated by cutoff month",
        "slope": model.calibration_.slope,
        "intercept": model.calibration_.intercept,
    }
    return model, report


__all__ = ["EVAL_COLUMNS", "TRAIN_COLUMNS", "evaluate_split"]
