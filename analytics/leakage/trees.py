"""Exact, fast evaluation of small LightGBM forests: scores and TreeSHAP contributions.

Why: on the 2-core target machine LightGBM's own `predict` needs ~2 s and
`predict(pred_contrib=True)` ~45-65 s for 1,000,000 rows of a 60-tree, 8-leaf model (measured;
see benchmarks/leakage_scoring.py), far over the 10-second budget for scoring a million accounts
with factors. The observation that removes the cost: a tree's output *and* its path-dependent
TreeSHAP vector depend on a row only through the row's decision (left/right) at each of the
tree's internal nodes. With at most 15 internal nodes a tree has at most 2^15 decision codes,
and real data reaches only a handful of them. So per tree we

1. compute each row's decision code with vectorised comparisons that replicate LightGBM's
   `NumericalDecision` exactly (missing types None / Zero / NaN, default direction);
2. look the leaf value up in a table indexed by code (scores);
3. precompute, once per model, the TreeSHAP vector of every code and gather it (contributions).
   Path-dependent TreeSHAP (the algorithm behind LightGBM's `pred_contrib`) returns the exact
   Shapley values of the game v(S) = E[f(x) | x_S], where the expectation follows x at nodes
   splitting on a feature in S and averages the children by training-data count elsewhere.
   For a tree with k <= 10 distinct features, v(S) for all 2^k subsets and all codes is a small
   array computation, and the Shapley sums are one weighted difference per feature.

The result equals LightGBM's `predict` / `pred_contrib` to floating-point rounding (tests check
1e-9) while costing a few vector operations per node. Categorical splits are not supported
(RevRisk encodes tier as an ordered number).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import lightgbm as lgb

MAX_NODES = 15
"""Internal nodes per tree the score tables support (num_leaves <= 16)."""
MAX_SHAP_NODES = 10
"""Internal nodes per tree the contribution tables support (num_leaves <= 11)."""
_MISSING = {"None": 0, "Zero": 1, "NaN": 2}
_ZERO = float(np.float32(1e-35))  # LightGBM's kZeroThreshold


@dataclass
class _Tree:
    splits: np.ndarray  # (n_nodes,) index into the forest's unique splits
    value_of_code: np.ndarray  # (2**n_nodes,) leaf value reached by each decision code
    features: np.ndarray  # distinct features the tree splits on
    output: int  # class column (multiclass) else 0
    shape: tuple[list[int], list[int], dict[int, float], list[float], dict[int, float]]
    shap: np.ndarray | None = None  # (2**n_nodes, len(features) + 1); last column: bias


@dataclass
class _Splits:
    keys: dict[tuple[int, float, bool, int], int] = field(default_factory=dict)

    def index(self, node: dict[str, Any]) -> int:
        if node.get("decision_type", "<=") != "<=":
            raise ValueError("categorical splits are not supported by CompiledForest")
        key = (
            int(node["split_feature"]),
            float(node["threshold"]),
            bool(node["default_left"]),
            _MISSING[node["missing_type"]],
        )
        return self.keys.setdefault(key, len(self.keys))


_Shape = tuple[list[int], list[int], dict[int, float], list[float], dict[int, float]]


def _flatten(root: dict[str, Any], splits: _Splits) -> tuple[list[int], _Shape]:
    """Depth-first internal nodes: split ids, and the tree's shape: left/right children
    (>= 0 node, < 0 ~leaf), leaf values, node and leaf training-data counts."""
    ids: list[int] = []
    left: list[int] = []
    right: list[int] = []
    counts: list[float] = []
    values: dict[int, float] = {}
    leaf_counts: dict[int, float] = {}

    def walk(node: dict[str, Any]) -> int:
        if "leaf_index" in node or "split_index" not in node:
            leaf = int(node.get("leaf_index", 0))
            values[leaf] = float(node["leaf_value"])
            leaf_counts[leaf] = float(node.get("leaf_count", 1))
            return ~leaf
        j = len(ids)
        ids.append(splits.index(node))
        left.append(0)
        right.append(0)
        counts.append(float(node["internal_count"]))
        left[j] = walk(node["left_child"])
        right[j] = walk(node["right_child"])
        return j

    walk(root)
    return ids, (left, right, values, counts, leaf_counts)


def _value_table(left: list[int], right: list[int], values: dict[int, float]) -> np.ndarray:
    """Leaf value for every decision code (bit j set = node j sends the row left)."""
    n_nodes = len(left)
    codes = np.arange(2**n_nodes, dtype=np.int64)
    current = np.zeros(codes.size, dtype=np.int64) if n_nodes else np.full(codes.size, ~0)
    lefts, rights = np.asarray(left, np.int64), np.asarray(right, np.int64)
    for _ in range(n_nodes):
        inner = current >= 0
        if not inner.any():
            break
        node = current[inner]
        go_left = (codes[inner] >> node) & 1
        current[inner] = np.where(go_left == 1, lefts[node], rights[node])
    leaf_values = np.array([values[k] for k in sorted(values)])
    return leaf_values[~current]


class CompiledForest:
    """A LightGBM model (its `dump_model()` JSON) compiled to decision-code tables.

    Needs no LightGBM at prediction time: scoring loads the stored dump, not the library.

    Examples:
        >>> import lightgbm as lgb
        >>> rng = np.random.default_rng(0)
        >>> matrix = rng.normal(size=(500, 3)); y = (matrix[:, 0] > 0).astype(int)
        >>> booster = lgb.train({"objective": "binary", "num_leaves": 4, "verbose": -1},
        ...                     lgb.Dataset(matrix, y), 5)
        >>> forest = CompiledForest.from_booster(booster)
        >>> bool(np.allclose(forest.raw_score(matrix), booster.predict(matrix, raw_score=True)))
        True
        >>> exact = booster.predict(matrix, pred_contrib=True)
        >>> bool(np.allclose(forest.contributions(matrix), exact))
        True
    """

    @classmethod
    def from_booster(cls, booster: lgb.Booster, chunk_rows: int = 131_072) -> CompiledForest:
        """Compile a LightGBM booster."""
        return cls(booster.dump_model(), chunk_rows)

    def __init__(self, dump: dict[str, Any], chunk_rows: int = 131_072) -> None:
        self.n_features = int(dump["max_feature_idx"]) + 1
        self.n_outputs = int(dump.get("num_tree_per_iteration", 1))
        self.chunk_rows = chunk_rows
        splits = _Splits()
        self.trees: list[_Tree] = []
        for index, info in enumerate(dump["tree_info"]):
            ids, shape = _flatten(info["tree_structure"], splits)
            if len(ids) > MAX_NODES:
                raise ValueError(f"tree {index} has {len(ids)} internal nodes; at most {MAX_NODES}")
            table = _value_table(shape[0], shape[1], shape[2])
            self.trees.append(
                _Tree(
                    np.asarray(ids, np.int64),
                    table,
                    np.zeros(0, np.int64),
                    index % self.n_outputs,
                    shape,
                )
            )
        keys = list(splits.keys)
        self._feature = np.array([k[0] for k in keys], np.int64)
        self._threshold = np.array([k[1] for k in keys], np.float64)
        self._default_left = np.array([k[2] for k in keys], bool)
        self._missing = np.array([k[3] for k in keys], np.int64)
        for tree in self.trees:
            tree.features = np.unique(self._feature[tree.splits])

    def _check(self, matrix: np.ndarray) -> np.ndarray:
        matrix = np.asarray(matrix, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != self.n_features:
            raise ValueError(f"matrix must have shape (n, {self.n_features}), got {matrix.shape}")
        return matrix

    def _decisions(self, matrix: np.ndarray) -> np.ndarray:
        """(n_rows, n_splits) bool, column-major: True where the split sends the row left."""
        matrix = np.asfortranarray(matrix)
        out = np.empty((matrix.shape[0], self._feature.size), dtype=bool, order="F")
        filled: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for s in range(self._feature.size):
            f = int(self._feature[s])
            if f not in filled:
                missing = np.isnan(matrix[:, f])
                filled[f] = (
                    missing,
                    np.where(missing, 0.0, matrix[:, f]) if missing.any() else matrix[:, f],
                )
            missing, values = filled[f]
            if self._missing[s] == 2:
                left = matrix[:, f] <= self._threshold[s]
                left[missing] = self._default_left[s]
            else:
                left = values <= self._threshold[s]
                if self._missing[s] == 1:
                    left[np.abs(values) <= _ZERO] = self._default_left[s]
            out[:, s] = left
        return out

    @staticmethod
    def _codes(decisions: np.ndarray, tree: _Tree) -> np.ndarray:
        dtype = np.uint8 if tree.splits.size <= 8 else np.uint16
        code = np.zeros(decisions.shape[0], dtype=dtype)
        for bit, split in enumerate(tree.splits):
            went_left = decisions[:, split].view(np.uint8).astype(dtype)
            np.bitwise_or(code, np.left_shift(went_left, bit), out=code)
        return code

    def raw_score(self, matrix: np.ndarray) -> np.ndarray:
        """Raw margin, as `booster.predict(matrix, raw_score=True)`: (n,) or (n, n_classes)."""
        matrix = self._check(matrix)
        out = np.zeros((matrix.shape[0], self.n_outputs))
        for start in range(0, matrix.shape[0], self.chunk_rows):
            rows = slice(start, start + self.chunk_rows)
            decisions = self._decisions(matrix[rows])
            for tree in self.trees:
                out[rows, tree.output] += tree.value_of_code[self._codes(decisions, tree)]
        return out[:, 0] if self.n_outputs == 1 else out

    def contributions(self, matrix: np.ndarray) -> np.ndarray:
        """TreeSHAP matrix (n, n_features + 1), last column the expected value, equal to
        `booster.predict(matrix, pred_contrib=True)`; each row sums to the raw margin."""
        if self.n_outputs != 1:
            raise ValueError("contributions are implemented for single-output models")
        matrix = self._check(matrix)
        for tree in self.trees:
            self._ensure_shap(tree)
        out = np.empty((matrix.shape[0], self.n_features + 1))
        bias = sum(float(t.shap[0, -1]) for t in self.trees if t.shap is not None)
        for start in range(0, matrix.shape[0], self.chunk_rows):
            rows = slice(start, start + self.chunk_rows)
            decisions = self._decisions(matrix[rows])
            chunk = np.zeros((decisions.shape[0], self.n_features + 1), order="F")
            for tree in self.trees:
                code = self._codes(decisions, tree)
                for k, feature in enumerate(tree.features):
                    chunk[:, feature] += tree.shap[code, k]  # type: ignore[index]
            chunk[:, -1] = bias
            out[rows] = chunk
        return out

    def _ensure_shap(self, tree: _Tree) -> None:
        if tree.shap is not None:
            return
        if tree.splits.size > MAX_SHAP_NODES:
            raise ValueError(
                f"contributions need trees with at most {MAX_SHAP_NODES} internal "
                f"nodes (num_leaves <= {MAX_SHAP_NODES + 1})"
            )
        position = np.searchsorted(tree.features, self._feature[tree.splits])
        tree.shap = shapley_table(tree.shape, position, tree.features.size)


def _game_values(shape: _Shape, position: np.ndarray, n_players: int) -> np.ndarray:
    """v(S)(code) for every subset S of the tree's features (rows) and decision code (cols)."""
    left, right, values, counts, leaf_counts = shape
    n_nodes = len(left)
    subsets = np.arange(2**n_players)[:, None]
    codes = np.arange(2**n_nodes)[None, :]

    def value(child: int) -> tuple[np.ndarray, float]:
        if child < 0:
            return np.full((1, 1), values[~child]), leaf_counts[~child]
        low, low_count = value(left[child])
        high, high_count = value(right[child])
        follow = ((subsets >> position[child]) & 1) == 1
        go_left = ((codes >> child) & 1) == 1
        averaged = (low * low_count + high * high_count) / counts[child]
        return np.where(follow, np.where(go_left, low, high), averaged), counts[child]

    table, _ = value(0 if n_nodes else ~0)
    return np.broadcast_to(table, (2**n_players, 2**n_nodes))


def shapley_table(shape: _Shape, position: np.ndarray, n_players: int) -> np.ndarray:
    """(2**n_nodes, n_players + 1): Shapley value of each of the tree's features for every
    decision code, then the expected value v(empty set) (the same for every code)."""
    from math import factorial

    game = _game_values(shape, position, n_players)
    subsets = np.arange(2**n_players)
    sizes = np.array([bin(s).count("1") for s in subsets])
    out = np.empty((game.shape[1], n_players + 1))
    for player in range(n_players):
        without = subsets[(subsets >> player) & 1 == 0]
        weights = np.array([factorial(k) * factorial(n_players - k - 1) for k in sizes[without]])
        weights = weights / factorial(n_players)
        out[:, player] = weights @ (game[without | (1 << player)] - game[without])
    out[:, -1] = game[0]
    return out


__all__ = ["MAX_NODES", "MAX_SHAP_NODES", "CompiledForest", "shapley_table"]
