"""Model-card metrics: AUC and its bootstrap interval, ECE, amounts, the signal rule."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score as sklearn_auc

from analytics.leakage.metrics import (
    amount_errors,
    bootstrap_auc_interval,
    classification_report,
    expected_calibration_error,
    has_signal,
    roc_auc_score,
)


def test_auc_matches_sklearn_with_ties() -> None:
    rng = np.random.default_rng(0)
    labels = rng.random(5000) < 0.1
    scores = np.round(rng.normal(size=5000) + labels, 1)  # many ties
    assert roc_auc_score(labels, scores) == pytest.approx(sklearn_auc(labels, scores), abs=1e-12)


def test_bootstrap_interval_is_seeded_and_covers_the_estimate() -> None:
    rng = np.random.default_rng(1)
    labels = rng.random(3000) < 0.2
    scores = rng.normal(size=3000) + labels
    first = bootstrap_auc_interval(labels, scores, n_boot=200, random_state=4)
    assert first == bootstrap_auc_interval(labels, scores, n_boot=200, random_state=4)
    assert first[0] < roc_auc_score(labels, scores) < first[1]
    assert has_signal(first)


def test_ece_uses_equal_mass_bins() -> None:
    p = np.r_[np.full(50, 0.1), np.full(50, 0.9)]
    y = np.r_[np.zeros(45), np.ones(5), np.ones(45), np.zeros(5)]
    assert expected_calibration_error(y, p, bins=2) == pytest.approx(0.0)
    assert expected_calibration_error(y, np.full(100, 0.5), bins=2) == pytest.approx(0.4)


def test_report_and_amount_errors() -> None:
    labels = np.array([0, 0, 1, 1])
    report = classification_report(labels, np.array([0.1, 0.6, 0.7, 0.2]), 0.5, n_boot=50)
    assert (report["precision"], report["recall"]) == (0.5, 0.5)
    errors = amount_errors(np.array([0.0, 10.0, 20.0]), np.array([0.0, 10.0, 14.0]))
    assert (errors.mae, errors.n) == (2.0, 3) and errors.r2 == pytest.approx(1 - 36 / 200)


def test_invalid_inputs_raise() -> None:
    with pytest.raises(ValueError, match="0/1"):
        roc_auc_score(np.array([0, 2]), np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="NaN"):
        roc_auc_score(np.array([0, 1]), np.array([0.1, np.nan]))
