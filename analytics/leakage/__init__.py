"""Leakage prediction: features, the two-stage model, metrics, explanations, recommendations.

Reconciliation (what already leaked) lives in `analytics.reconcile`; this package predicts who
leaks next month, how much and why. See each module's docstring for the method.
"""

from analytics.leakage.evaluate import evaluate_split
from analytics.leakage.explain import Attribution, explanation_table, factor_rows, top_factors
from analytics.leakage.features import (
    FEATURE_SETS,
    REFERENCE_FEATURES,
    feature_matrix,
    reference_features,
)
from analytics.leakage.model import LeakageModel, ModelConfig, Prediction
from analytics.leakage.recommend import CATALOGUE, recommendations
from analytics.leakage.scoring import (
    SCORE_COLUMNS,
    RiskThresholds,
    ScoreResult,
    score_accounts,
    score_summary,
)
from analytics.leakage.trees import CompiledForest

__all__ = [
    "CATALOGUE",
    "FEATURE_SETS",
    "REFERENCE_FEATURES",
    "SCORE_COLUMNS",
    "Attribution",
    "CompiledForest",
    "LeakageModel",
    "ModelConfig",
    "Prediction",
    "RiskThresholds",
    "ScoreResult",
    "evaluate_split",
    "explanation_table",
    "factor_rows",
    "feature_matrix",
    "recommendations",
    "reference_features",
    "score_accounts",
    "score_summary",
    "top_factors",
]
