"""Batch scoring: one output row per account from a fitted model and its feature rows.

Columns (`SCORE_COLUMNS`; money in the account's currency):
  leakage_probability    calibrated probability of any leakage next month
  risk_level             High / Medium / Low from `RiskThresholds` (or, without signal, from
                         detected leakage and billing-rule evidence: see `rule_risk_levels`)
  predicted_leakage_type most likely type if it leaks
  est_monthly_leakage    amount if it leaks, per month, in [0, MRR]
  est_annual_leakage     12 x est_monthly_leakage (the reference project's annualisation: the
                         yearly cost if the leak recurs every month)
  expected_monthly_loss  leakage_probability x est_monthly_leakage: the forecast to budget with
  top_factors            the three features raising the risk most, in plain language (without
                         signal: the billing-rule evidence behind the risk level instead)
  recommended_action     catalogue action for the detected (else predicted) type
plus `detected_monthly_leakage` (the detectors' findings in the latest month) when raw tables
were available.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.leakage.explain import Attribution, top_factors
from analytics.leakage.factors import PORTFOLIO, describe
from analytics.leakage.features import feature_matrix
from analytics.leakage.model import LeakageModel
from analytics.leakage.recommend import CATALOGUE
from domain import LEAKAGE_TYPES, RISK_LEVELS

SCORE_COLUMNS: tuple[str, ...] = (
    "account_id",
    "leakage_probability",
    "risk_level",
    "predicted_leakage_type",
    "est_monthly_leakage",
    "est_annual_leakage",
    "expected_monthly_loss",
    "top_factors",
    "recommended_action",
)
NO_SIGNAL_WARNING = (
    "NO SIGNAL: in evaluation this model's ROC-AUC interval included 0.5, so its probabilities "
    "rank accounts no better than chance. Risk levels below come from detected leakage and "
    "billing-rule evidence, not from the model."
)


@dataclass(frozen=True)
class RiskThresholds:
    """Probability cut-offs of the risk levels (next-month leakage probability).

    Defaults, on a portfolio whose monthly leak rate is ~6 %: High >= 0.30 (about five times
    the base rate; on the synthetic world ~6 % of accounts, roughly where F1 peaks, so it is
    also the operating threshold of the model card), Medium >= 0.10 (the next ~8 %, where a
    leak is about as likely as one in three to ten), Low below.
    """

    high: float = 0.30
    medium: float = 0.10

    def __post_init__(self) -> None:
        if not 0.0 < self.medium < self.high < 1.0:
            raise ValueError(
                f"need 0 < medium < high < 1, got medium={self.medium}, high={self.high}"
            )

    def level_codes(self, probability: np.ndarray) -> np.ndarray:
        """0 High, 1 Medium, 2 Low (index into `RISK_LEVELS`) per probability."""
        p = np.asarray(probability, dtype=float)
        return np.where(p >= self.high, 0, np.where(p >= self.medium, 1, 2))

    def level(self, probability: np.ndarray) -> np.ndarray:
        """'High' / 'Medium' / 'Low' per probability.

        Examples:
            >>> RiskThresholds().level(np.array([0.5, 0.2, 0.01])).tolist()
            ['High', 'Medium', 'Low']
        """
        return np.asarray(RISK_LEVELS, dtype=object)[self.level_codes(probability)]


_HARD_EVIDENCE = (
    "card_expired",
    "missing_invoice",
    "discount_billed_past_end",
    "downgrade_pending_months",
    "unpaid_invoices_90d",
)
_SOFT_EVIDENCE = ("payment_risk", "overutilization", "discount_ends_this_month")


@dataclass(frozen=True)
class ScoreResult:
    """The output table and what it was computed from (for explanations and caches)."""

    table: pd.DataFrame
    attribution: Attribution  # calibrated log-odds; medians of the scored rows (or the book's)
    warning: str | None


def feature_medians(matrix: np.ndarray) -> np.ndarray:
    """Column medians ignoring NaN (NaN for an all-NaN column, without a warning).

    Examples:
        >>> feature_medians(np.array([[1.0, np.nan], [3.0, np.nan]])).tolist()
        [2.0, nan]
    """
    out = np.full(matrix.shape[1], np.nan)
    for j in range(matrix.shape[1]):
        values = matrix[:, j][~np.isnan(matrix[:, j])]
        if values.size:
            out[j] = np.median(values)
    return out


def rule_risk_levels(frame: pd.DataFrame, detected: np.ndarray | None = None) -> np.ndarray:
    """Risk levels without a model: High for leakage detected now or hard billing evidence
    (expired card, missing invoice, discount past its end, pending downgrade, unpaid invoices),
    Medium for soft evidence (unreliable payment method, >110 % seats, a discount ending, a
    payment failure rate of 25 % or more), Low otherwise. Absent columns count as no evidence.

    Examples:
        >>> evidence = pd.DataFrame({"card_expired": [1, 0, 0], "payment_risk": [0, 1, 0]})
        >>> rule_risk_levels(evidence).tolist()
        ['High', 'Medium', 'Low']
    """
    n = len(frame)

    def any_of(names: tuple[str, ...]) -> np.ndarray:
        hit = np.zeros(n, dtype=bool)
        for name in names:
            if name in frame.columns:
                hit |= pd.to_numeric(frame[name], errors="coerce").fillna(0).to_numpy() > 0
        return hit

    high = any_of(_HARD_EVIDENCE)
    if detected is not None:
        high |= np.asarray(detected, dtype=float) > 0
    medium = any_of(_SOFT_EVIDENCE)
    if "payment_failure_rate" in frame.columns:
        medium |= frame["payment_failure_rate"].to_numpy(dtype=float) >= 0.25
    return np.where(high, "High", np.where(medium, "Medium", "Low")).astype(object)


def _labels(codes: np.ndarray, vocabulary: list[str]) -> pd.Series:
    """Text column from integer codes (Arrow take: no per-row Python objects)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    words = pa.array(vocabulary, type=pa.string())
    return pc.take(words, pa.array(np.asarray(codes, dtype=np.int32))).to_pandas()


def rule_evidence(frame: pd.DataFrame, detected: np.ndarray | None = None) -> np.ndarray:
    """The billing-rule evidence behind `rule_risk_levels`, as text (what a no-signal score
    shows instead of model factors).

    Examples:
        >>> rule_evidence(pd.DataFrame({"card_expired": [1, 0], "payment_risk": [1, 0]})).tolist()
        ['card on file expired; payment method unreliable (score < 0.7)', 'no rule evidence']
    """
    n = len(frame)
    parts: list[np.ndarray] = []
    if detected is not None:
        found = np.asarray(detected, dtype=float)
        parts.append(np.where(found > 0, [f"leakage detected now: {v:,.2f}" for v in found], ""))
    for name in (*_HARD_EVIDENCE, *_SOFT_EVIDENCE):
        if name in frame.columns:
            values = pd.to_numeric(frame[name], errors="coerce").fillna(0).to_numpy(dtype=float)
            text = np.full(n, "", dtype=object)
            hit = values > 0
            text[hit] = describe(name, values[hit], float("nan"))
            parts.append(text)
    joined = np.full(n, "", dtype=object)
    for text in parts:
        joined = np.where(joined == "", text, np.where(text == "", joined, joined + "; " + text))
    return np.where(joined == "", "no rule evidence", joined).astype(object)


def score_accounts(
    model: LeakageModel,
    frame: pd.DataFrame,
    thresholds: RiskThresholds | None = None,
    signal: bool = True,
    detected: pd.Series | None = None,
    n_factors: int = 3,
    medians: np.ndarray | None = None,
    against: str = PORTFOLIO,
) -> ScoreResult:
    """Score feature rows (`account_id`, `mrr` and the model's features).

    `detected` (indexed by account_id) is the latest month's detected leakage per account;
    when given, the table gets `detected_monthly_leakage`. An optional `detected_type` column
    in `frame` (the largest type detected now) decides the recommended action where present.
    `medians` are the portfolio medians the factor texts compare with; by default those of
    the scored rows (a partition of a book passes the whole book's, see `feature_medians`);
    `against` names them in the texts (a scored file's are "median of this file").
    """
    thresholds = thresholds or RiskThresholds()
    if "account_id" not in frame.columns:
        raise ValueError("scoring input lacks column 'account_id'")
    matrix = feature_matrix(frame, model.feature_set)
    mrr = frame["mrr"].to_numpy(dtype=float)
    prediction = model.predict_matrix(matrix, mrr)
    assert prediction.contributions is not None
    medians = feature_medians(matrix) if medians is None else np.asarray(medians, dtype=float)
    attribution = Attribution(
        prediction.contributions, matrix, model.feature_names, medians, against
    )
    amount = np.minimum(np.round(prediction.amount, 2), mrr)
    type_code = prediction.type_probabilities.argmax(axis=1)
    table = pd.DataFrame(
        {
            "account_id": frame["account_id"].astype("str").reset_index(drop=True),
            "leakage_probability": np.round(prediction.probability, 4),
            "risk_level": pd.Series(np.zeros(len(frame))),  # placed here, filled below
            "predicted_leakage_type": _labels(type_code, list(LEAKAGE_TYPES)),
            "est_monthly_leakage": amount,
            "est_annual_leakage": np.round(amount * 12, 2),
            "expected_monthly_loss": np.minimum(np.round(prediction.expected_loss, 2), amount),
            "top_factors": top_factors(attribution, n_factors),
        }
    )
    detected_amount = None
    if detected is not None:
        detected_amount = table["account_id"].map(detected).fillna(0.0).astype(float).to_numpy()
        table["detected_monthly_leakage"] = np.round(detected_amount, 2)
    if signal:
        table["risk_level"] = _labels(
            thresholds.level_codes(prediction.probability), list(RISK_LEVELS)
        )
    else:
        table["risk_level"] = pd.Series(rule_risk_levels(frame, detected_amount), dtype="str")
        table["top_factors"] = pd.Series(rule_evidence(frame, detected_amount), dtype="str")
    action_code = type_code
    if "detected_type" in frame.columns:
        found = pd.Categorical(frame["detected_type"], categories=LEAKAGE_TYPES).codes
        action_code = np.where(found >= 0, found, type_code)
    actions = [CATALOGUE[kind].action for kind in LEAKAGE_TYPES]
    table.insert(8, "recommended_action", _labels(action_code, actions))
    warning = None if signal else NO_SIGNAL_WARNING
    if warning:
        table["warning"] = warning
    return ScoreResult(table, attribution, warning)


def score_summary(table: pd.DataFrame, top_n: int = 10) -> dict[str, object]:
    """Counts per risk level, money totals (per month; annual = 12 x monthly expected loss)
    and the top accounts by expected monthly loss (plus detected leakage when present).

    Examples:
        >>> t = pd.DataFrame({"account_id": ["A"], "risk_level": ["High"],
        ...     "leakage_probability": [0.5], "predicted_leakage_type": ["Billing_System_Error"],
        ...     "est_monthly_leakage": [100.0], "expected_monthly_loss": [50.0]})
        >>> score_summary(t)["total_expected_monthly_loss"]
        50.0
    """
    counts = table["risk_level"].value_counts()
    at_stake = table["expected_monthly_loss"] + table.get("detected_monthly_leakage", 0.0)
    top = table.assign(_rank=at_stake).nlargest(top_n, "_rank").drop(columns="_rank")
    summary: dict[str, object] = {
        "n_accounts": len(table),
        "risk_levels": {level: int(counts.get(level, 0)) for level in ("High", "Medium", "Low")},
        "n_high_risk": int(counts.get("High", 0)),
        "total_expected_monthly_loss": round(float(table["expected_monthly_loss"].sum()), 2),
        "total_expected_annual_loss": round(float(table["expected_monthly_loss"].sum()) * 12, 2),
        "total_est_monthly_leakage": round(float(table["est_monthly_leakage"].sum()), 2),
        "by_predicted_type": table.groupby("predicted_leakage_type")["expected_monthly_loss"]
        .sum()
        .round(2)
        .sort_values(ascending=False)
        .to_dict(),
        "top_accounts": top.to_dict(orient="records"),
    }
    if "detected_monthly_leakage" in table.columns:
        summary["total_detected_monthly_leakage"] = round(
            float(table["detected_monthly_leakage"].sum()), 2
        )
    return summary


__all__ = [
    "NO_SIGNAL_WARNING",
    "RISK_LEVELS",
    "SCORE_COLUMNS",
    "RiskThresholds",
    "ScoreResult",
    "feature_medians",
    "rule_evidence",
    "rule_risk_levels",
    "score_accounts",
    "score_summary",
]
