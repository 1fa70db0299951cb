"""Plain-language risk factors from exact TreeSHAP contributions.

A contribution is a feature's share of the account's calibrated log-odds of leaking next month;
contributions plus the base value sum exactly to logit(probability) (see `model.Prediction`).
The top factors are the features pushing the risk up the most, written with their value and the
portfolio context: "payment failure rate 22 %, 3.1x the portfolio median (7 %)".

Texts come from `factors` (each distinct rounded value formatted once and looked up) and are
joined by Arrow from per-slot dictionary codes, so a million accounts take about a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.leakage.factors import PORTFOLIO, describe, describe_codes

MIN_CONTRIBUTION = 0.02
"""Log-odds below which a feature is not reported as a risk factor (noise)."""
NO_FACTOR = "no risk factor above the portfolio baseline"


@dataclass(frozen=True)
class Attribution:
    """Exact contributions of scored rows and what their texts are read against.

    `contributions` is (n, n_features + 1): per feature, then the base value (log-odds);
    `matrix` the rows' feature values (n, n_features); `medians` each feature's portfolio median
    (or the scored file's, then `against` says so in the texts).
    """

    contributions: np.ndarray
    matrix: np.ndarray
    feature_names: tuple[str, ...]
    medians: np.ndarray
    against: str = PORTFOLIO

    def per_feature(self) -> np.ndarray:
        """The contributions without the base column, checked against the matrix's shape."""
        contrib = np.asarray(self.contributions)[:, : self.matrix.shape[1]]
        if contrib.shape != self.matrix.shape:
            raise ValueError(f"matrix {self.matrix.shape} and contributions {contrib.shape} differ")
        return contrib

    def describe(self, rows: np.ndarray, features: np.ndarray, vocabulary: list[str]) -> np.ndarray:
        """Codes into `vocabulary` (extended in place) of the text of each (row, feature) pair;
        each distinct value of a feature is described once (see `factors.describe_codes`)."""
        codes = np.empty(rows.size, dtype=np.int32)
        for f in np.unique(features):
            hit = features == f
            texts, local = describe_codes(
                self.feature_names[f],
                self.matrix[rows[hit], f],
                float(self.medians[f]),
                self.against,
            )
            codes[hit] = local + len(vocabulary)
            vocabulary.extend(texts)
        return codes


def top_factors(attribution: Attribution, k: int = 3) -> pd.Series:
    """'; '-joined text of each row's k features with the largest positive contributions.

    Rows without a contribution above `MIN_CONTRIBUTION` get `NO_FACTOR`. Strings are
    assembled by Arrow from per-slot dictionary codes (no per-row Python).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    contrib = attribution.per_feature()
    n, n_features = contrib.shape
    top = _ranked(contrib, min(k, n_features))
    vocabulary: list[str] = []
    slots = []
    for slot in range(top.shape[1]):
        feature = top[:, slot]
        strong = np.flatnonzero(contrib[np.arange(n), feature] >= MIN_CONTRIBUTION)
        codes = np.full(n, -1, dtype=np.int32)
        codes[strong] = attribution.describe(strong, feature[strong], vocabulary)
        slots.append(codes)
    words = pa.array(vocabulary, type=pa.string())
    decoded = [pc.take(words, pa.array(c, mask=c < 0)) for c in slots]
    # strengths fall from slot to slot, so an empty slot is only ever followed by empty ones
    joined = decoded[0]
    for more in decoded[1:]:
        joined = pc.coalesce(pc.binary_join_element_wise(joined, more, "; "), joined)
    return pc.coalesce(joined, pa.scalar(NO_FACTOR)).to_pandas()


def _ranked(contrib: np.ndarray, k: int) -> np.ndarray:
    """Column indices of each row's k largest values, largest first."""
    n_features = contrib.shape[1]
    if k < n_features:
        top = np.argpartition(-contrib, k - 1, axis=1)[:, :k]
    else:
        top = np.tile(np.arange(n_features), (contrib.shape[0], 1))
    order = np.argsort(-np.take_along_axis(contrib, top, axis=1), axis=1, kind="stable")
    return np.take_along_axis(top, order, axis=1)


def explanation_table(
    contributions: np.ndarray,
    values: np.ndarray,
    feature_names: tuple[str, ...],
    medians: np.ndarray,
) -> pd.DataFrame:
    """Every feature of one account: value, portfolio median, contribution, effect, text.

    Sorted by |contribution|; the last row is the base value (`feature` = "base_value"), so
    `contribution` sums to the account's logit(probability) exactly.
    """
    contributions = np.asarray(contributions, dtype=float).reshape(-1)
    values = np.asarray(values, dtype=float).reshape(-1)
    if contributions.size != len(feature_names) + 1 or values.size != len(feature_names):
        raise ValueError("need one contribution per feature plus the base value")
    rows = pd.DataFrame(
        {
            "feature": list(feature_names),
            "value": values,
            "portfolio_median": medians,
            "contribution": contributions[:-1],
            "description": [
                describe(n, values[i : i + 1], float(medians[i]))[0]
                for i, n in enumerate(feature_names)
            ],
        }
    )
    rows["effect"] = np.where(rows["contribution"] > 0, "raises risk", "lowers risk")
    rows = rows.reindex(rows["contribution"].abs().sort_values(ascending=False).index)
    base = pd.DataFrame(
        {
            "feature": ["base_value"],
            "value": [np.nan],
            "portfolio_median": [np.nan],
            "contribution": [contributions[-1]],
            "effect": ["portfolio baseline"],
            "description": ["average log-odds of the training portfolio"],
        }
    )
    return pd.concat([rows, base], ignore_index=True)


def factor_rows(account_ids: np.ndarray, attribution: Attribution, k: int = 8) -> pd.DataFrame:
    """Long table of each account's k largest |contributions| (ranks 1..k), the rest summed as
    rank 98 `other_features`, and rank 99 `base_value`: per account the rows sum exactly to
    logit(probability). Columns: account_id, rank, feature, value, portfolio_median,
    contribution, description (text columns built by Arrow from codes, as in `top_factors`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    contrib = attribution.per_feature()
    n, n_features = contrib.shape
    k = min(k, n_features)
    features = _ranked(np.abs(contrib), k).reshape(-1)
    rows = np.repeat(np.arange(n), k)
    values, chosen = attribution.matrix[rows, features], contrib[rows, features]
    vocabulary = ["all other features together", "portfolio baseline (log-odds)"]
    text = attribution.describe(rows, features, vocabulary)
    other = contrib.sum(axis=1) - chosen.reshape(n, k).sum(axis=1)
    every = np.arange(n)
    names = pa.array([*attribution.feature_names, "other_features", "base_value"], type=pa.string())
    ids = pa.array(np.asarray(account_ids, dtype=object), type=pa.string())
    missing = np.full(2 * n, np.nan)
    table = pa.table(
        {
            "account_id": pc.take(ids, np.concatenate([rows, every, every])),
            "rank": np.concatenate(
                [np.tile(np.arange(1, k + 1), n), np.full(n, 98), np.full(n, 99)]
            ),
            "feature": pc.take(
                names,
                np.concatenate([features, np.full(n, n_features), np.full(n, n_features + 1)]),
            ),
            "value": np.concatenate([values, missing]),
            "portfolio_median": np.concatenate([attribution.medians[features], missing]),
            "contribution": np.concatenate(
                [chosen, other, np.asarray(attribution.contributions)[:, -1]]
            ),
            "description": pc.take(
                pa.array(vocabulary, type=pa.string()),
                np.concatenate([text, np.zeros(n, np.int32), np.ones(n, np.int32)]),
            ),
        }
    )
    return table.to_pandas()


__all__ = [
    "MIN_CONTRIBUTION",
    "NO_FACTOR",
    "Attribution",
    "explanation_table",
    "factor_rows",
    "top_factors",
]
