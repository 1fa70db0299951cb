"""CompiledForest reproduces LightGBM's predict and pred_contrib exactly, without LightGBM."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest

from analytics.leakage.trees import CompiledForest, shapley_table


def _data(n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(n, 6))
    matrix[:, 3] = rng.integers(0, 4, n)  # small integers, as flags and counts
    matrix[rng.random((n, 6)) < 0.08] = np.nan  # missing values in every column
    matrix[:, 4] = np.where(rng.random(n) < 0.3, 0.0, matrix[:, 4])
    y = (
        np.nan_to_num(matrix[:, 0]) + np.nan_to_num(matrix[:, 1]) * np.nan_to_num(matrix[:, 2])
        > 0.5
    ).astype(int)
    return matrix, y


@pytest.mark.parametrize("extra", [{}, {"zero_as_missing": True}, {"use_missing": False}])
def test_binary_scores_and_contributions_match_lightgbm(extra: dict[str, object]) -> None:
    matrix, y = _data()
    params = {"objective": "binary", "num_leaves": 8, "verbose": -1, "seed": 1, **extra}
    booster = lgb.train(params, lgb.Dataset(matrix, y), 25)
    forest = CompiledForest.from_booster(booster, chunk_rows=1000)  # several chunks
    probe, _ = _data(3000, seed=1)
    assert np.allclose(forest.raw_score(probe), booster.predict(probe, raw_score=True), atol=1e-12)
    contributions = forest.contributions(probe)
    assert np.allclose(contributions, booster.predict(probe, pred_contrib=True), atol=1e-9)
    assert np.allclose(contributions.sum(axis=1), forest.raw_score(probe), atol=1e-9)


def test_multiclass_and_regression_scores_match_lightgbm() -> None:
    matrix, y = _data()
    classes = (np.nan_to_num(matrix[:, 0]) > 0).astype(int) + y
    multi = lgb.train(
        {"objective": "multiclass", "num_class": 3, "num_leaves": 8, "verbose": -1},
        lgb.Dataset(matrix, classes),
        10,
    )
    assert np.allclose(
        CompiledForest.from_booster(multi).raw_score(matrix), multi.predict(matrix, raw_score=True)
    )
    regression = lgb.train(
        {"objective": "regression", "num_leaves": 16, "verbose": -1},
        lgb.Dataset(matrix, np.nan_to_num(matrix[:, 0])),
        10,
    )
    assert np.allclose(
        CompiledForest.from_booster(regression).raw_score(matrix), regression.predict(matrix)
    )


def test_shapley_table_is_efficient() -> None:
    # stump on feature 0: left leaf 1.0 (30 rows), right leaf 3.0 (10 rows); expected value 1.5
    shape = ([~0], [~1], {0: 1.0, 1: 3.0}, [40.0], {0: 30.0, 1: 10.0})
    table = shapley_table(shape, np.array([0]), 1)
    assert table[:, -1].tolist() == [1.5, 1.5]
    assert table[:, 0].tolist() == [1.5, -0.5]  # code 0 = went right (3.0), code 1 = left (1.0)


def test_shape_is_checked() -> None:
    matrix, y = _data(500)
    booster = lgb.train(
        {"objective": "binary", "num_leaves": 4, "verbose": -1}, lgb.Dataset(matrix, y), 3
    )
    with pytest.raises(ValueError, match="shape"):
        CompiledForest.from_booster(booster).raw_score(matrix[:, :4])
