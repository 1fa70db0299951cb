"""Training and evaluating leakage models from a warehouse or a reference-format file.

Recipe (the same for `revrisk model train`, `revrisk model evaluate` and the cache refresh):
rows are (account, cutoff month T) with features at T and the detectors' findings of T + 1 as
labels; the last `test_months` cutoffs are held out; the model is fitted on the earlier ones
(calibration cross-validated by month) and the model card measures it on the held-out months.
The deployed model is exactly the one the card describes. On a synthetic warehouse the card is
measured against ground truth (and the Bayes ROC-AUC of `p_true` on the same rows); elsewhere
against the detectors' findings. A reference-format file has no time: it is split at random
(stratified) and its own `has_leakage` is the label.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analytics.leakage.evaluate import evaluate_split
from analytics.leakage.features import FEATURE_SETS
from analytics.leakage.model import LeakageModel, ModelConfig
from analytics.leakage.scoring import RiskThresholds
from data.warehouse import connect, get_meta, writer_lock
from services.leakage import pipeline
from services.leakage.store import StoredModel, frame_sha256, save_model

LABEL_SOURCE = (
    "reconciliation findings in the month after each cutoff (detectors, not ground truth)"
)


@dataclass(frozen=True)
class TrainingPlan:
    """Knobs of a training run (money and months as everywhere)."""

    test_months: int = 4
    max_accounts: int | None = 20_000
    max_train_cutoffs: int | None = None  # most recent training months kept (None: all)
    n_boot: int = 1000
    random_state: int = 0
    config: ModelConfig = field(default_factory=ModelConfig)
    thresholds: RiskThresholds = field(default_factory=RiskThresholds)
    feature_sets: tuple[str, ...] = ("full", "reference")  # one model fitted and carded per set
    with_truth: bool = False  # card on ground truth (synthetic worlds), else on the findings


@dataclass(frozen=True)
class FittedModel:
    """A fitted model, its card and the hash of the rows it was trained on."""

    model: LeakageModel
    card: dict[str, Any]
    training_sha256: str


def warehouse_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """Identity of the warehouse's data: build/import bookkeeping plus the data version."""
    keys = ("source", "seed", "n_accounts", "n_months", "built_at", "data_version")
    text = "|".join(f"{k}={get_meta(con, k)}" for k in keys)
    return hashlib.sha256(text.encode()).hexdigest()


def _training_hash(rows: pd.DataFrame, feature_set: str) -> str:
    columns = ["account_id", "cutoff", *FEATURE_SETS[feature_set], "mrr", "label", "amount"]
    return frame_sha256(rows[[c for c in columns if c in rows.columns]])


def fit_from_warehouse(
    con: duckdb.DuckDBPyConnection, findings: pd.DataFrame, plan: TrainingPlan
) -> dict[str, FittedModel]:
    """Fit and card one model per feature set of the plan (see module docstring)."""
    train_cutoffs, test_cutoffs = training_cutoffs(pipeline.usage_months(con), plan)
    train = pipeline.training_rows(
        con, findings, train_cutoffs, plan.max_accounts, plan.random_state
    )
    test = pipeline.training_rows(con, findings, test_cutoffs, plan.max_accounts, plan.random_state)
    if plan.with_truth:
        test = pipeline.attach_truth(con, test)
    return fit_from_rows(train, test, plan)


def training_cutoffs(months: Sequence[date], plan: TrainingPlan) -> tuple[list[date], list[date]]:
    """The plan's training and test cutoffs among the book's usage `months`."""
    train_cutoffs, test_cutoffs = pipeline.time_split(months, plan.test_months)
    if plan.max_train_cutoffs is not None:
        train_cutoffs = train_cutoffs[-plan.max_train_cutoffs :]
    return train_cutoffs, test_cutoffs


def fit_from_rows(
    train: pd.DataFrame, test: pd.DataFrame, plan: TrainingPlan
) -> dict[str, FittedModel]:
    """Fit and card one model per feature set of the plan on training rows already built (one
    warehouse's, or a partitioned book's rows gathered in the same order)."""
    if not plan.with_truth:
        test = test.assign(
            eval_label=test["label"], eval_amount=test["amount"], eval_type=test["leakage_type"]
        )
    train_cutoffs = sorted(pd.to_datetime(train["cutoff"]).dt.date.unique())
    test_cutoffs = sorted(pd.to_datetime(test["cutoff"]).dt.date.unique())
    fitted = {}
    for feature_set in plan.feature_sets:
        model, card = evaluate_split(
            train, test, feature_set, plan.config, plan.thresholds, plan.n_boot, plan.random_state
        )
        card |= {
            "label_source": LABEL_SOURCE,
            "evaluated_against": "ground truth (leakage_risk_truth, leakage_events)"
            if plan.with_truth
            else "reconciliation findings of the held-out months",
            "train_cutoffs": [str(train_cutoffs[0]), str(train_cutoffs[-1])],
            "test_cutoffs": [str(test_cutoffs[0]), str(test_cutoffs[-1])],
        }
        fitted[feature_set] = FittedModel(model, card, _training_hash(train, feature_set))
    return fitted


def train_warehouse_models(
    db_path: Path,
    model_dir: Path,
    plan: TrainingPlan | None = None,
    findings: pd.DataFrame | None = None,
) -> dict[str, StoredModel]:
    """Train both feature sets on the warehouse and save them as the current models, under the
    warehouse's writer lock (a cache refresh may save models too)."""
    plan = plan or TrainingPlan()
    with writer_lock(db_path):
        return _train_warehouse_models(db_path, model_dir, plan, findings)


def _train_warehouse_models(
    db_path: Path, model_dir: Path, plan: TrainingPlan, findings: pd.DataFrame | None
) -> dict[str, StoredModel]:
    with connect(db_path, read_only=True) as con:
        if findings is None:
            findings = pipeline.find_leakage(con)
        fitted = fit_from_warehouse(con, findings, plan)
        source = {
            "kind": "warehouse",
            "path": str(db_path),
            "data": get_meta(con, "source"),  # "synthetic" for simulated worlds
            "data_version": get_meta(con, "data_version"),
            "fingerprint": warehouse_fingerprint(con),
        }
    return {
        fs: save_model(model_dir, f.model, f.training_sha256, f.card, source)
        for fs, f in fitted.items()
    }


def train_synthetic_models(
    model_dir: Path, n_accounts: int = 2_000, seed: int = 7, plan: TrainingPlan | None = None
) -> dict[str, StoredModel]:
    """Both feature sets trained on a simulated demo world (used when no model and no
    warehouse exist yet); `source` in the manifest says so."""
    from data.build import build_demo_warehouse
    from data.synth import WorldConfig

    with tempfile.TemporaryDirectory(prefix="revrisk-train-") as tmp:
        db = Path(tmp) / "synthetic.duckdb"
        build_demo_warehouse(db, WorldConfig(n_accounts=n_accounts, seed=seed))
        saved = train_warehouse_models(db, model_dir, plan)
    return saved


def evaluate_synthetic(
    n_accounts: int, plan: TrainingPlan | None = None, seed: int = 7, n_months: int = 24
) -> dict[str, Any]:
    """Model card on a freshly simulated world of `n_accounts` (built in a temp directory)."""
    from data.build import build_demo_warehouse
    from data.synth import WorldConfig

    plan = replace(plan or TrainingPlan(max_accounts=None), with_truth=True)
    with tempfile.TemporaryDirectory(prefix="revrisk-eval-") as tmp:
        db = Path(tmp) / "synthetic.duckdb"
        build_demo_warehouse(db, WorldConfig(n_accounts, n_months, seed))
        with connect(db, read_only=True) as con:
            fitted = fit_from_warehouse(con, pipeline.find_leakage(con), plan)
    card = dict(fitted["full"].card)
    reference = fitted["reference"].card
    card["by_feature_set"] = {
        "reference": {
            k: reference.get(k)
            for k in ("roc_auc", "roc_auc_ci", "pr_auc", "brier", "ece", "auc_to_bayes", "signal")
        }
    }
    card["data"] = {"synthetic_accounts": n_accounts, "seed": seed, "months": n_months}
    return card


# ------------------------------------------------------------------------------ files
def file_rows(accounts: pd.DataFrame) -> pd.DataFrame:
    """Reference-format rows with their targets as training/evaluation columns."""
    from analytics.leakage.features import reference_features

    if "has_leakage" not in accounts.columns:
        raise ValueError("the file lacks the 'has_leakage' column needed to train or evaluate")
    rows = reference_features(accounts)
    text = accounts["has_leakage"].astype("str").str.strip().str.lower()
    if not text.isin(["true", "false", "1", "0", "yes", "no"]).all():
        bad = accounts["has_leakage"][~text.isin(["true", "false", "1", "0", "yes", "no"])].iloc[0]
        raise ValueError(f"column 'has_leakage': {bad!r} is not true/false")
    rows["label"] = text.isin(["true", "1", "yes"]).astype(int).to_numpy()
    amount = accounts.get("monthly_leakage_amount", pd.Series(0.0, index=accounts.index))
    rows["amount"] = pd.to_numeric(amount, errors="coerce").fillna(0.0).to_numpy() * rows["label"]
    kind = accounts.get("leakage_type", pd.Series(None, index=accounts.index))
    rows["leakage_type"] = kind.where(rows["label"].to_numpy() == 1, None).to_numpy(dtype=object)
    return rows.assign(
        eval_label=rows["label"], eval_amount=rows["amount"], eval_type=rows["leakage_type"]
    )


def fit_from_file(
    accounts: pd.DataFrame, plan: TrainingPlan | None = None, test_size: float = 0.3
) -> FittedModel:
    """Reference feature set on a file's own targets, random stratified split (no time)."""
    from sklearn.model_selection import train_test_split

    plan = plan or TrainingPlan()
    rows = file_rows(accounts)
    train, test = train_test_split(
        rows, test_size=test_size, stratify=rows["label"], random_state=plan.random_state
    )
    model, card = evaluate_split(
        train, test, "reference", plan.config, plan.thresholds, plan.n_boot, plan.random_state
    )
    card |= {
        "label_source": "the file's has_leakage column",
        "evaluated_against": f"a random stratified {test_size:.0%} of the file's rows",
        "split": "random (the file has no time)",
    }
    return FittedModel(model, card, _training_hash(train, "reference"))


def evaluate_file(path: Path | str, plan: TrainingPlan | None = None) -> dict[str, Any]:
    """Model card of the reference feature set on a file's own labels (random split)."""
    from services.leakage.files import read_reference_file

    card = fit_from_file(read_reference_file(Path(path)), plan).card
    card["data"] = {"file": Path(path).name, "rows": card["n_train"] + card["n_test"]}
    return card


def evaluate_warehouse(db_path: Path | str, plan: TrainingPlan | None = None) -> dict[str, Any]:
    """Model card of the full feature set on a warehouse (ground truth when it has some)."""
    with connect(Path(db_path), read_only=True) as con:
        plan = replace(
            plan or TrainingPlan(), feature_sets=("full",), with_truth=pipeline.has_truth(con)
        )
        fitted = fit_from_warehouse(con, pipeline.find_leakage(con), plan)
    return fitted["full"].card


def train_file_model(
    path: Path | str, model_dir: Path | str, plan: TrainingPlan | None = None
) -> StoredModel:
    """Train the reference feature set on a file with has_leakage and make it current."""
    from data.imports import file_sha256
    from services.leakage.files import read_reference_file

    path = Path(path)
    fitted = fit_from_file(read_reference_file(path), plan)
    source = {"kind": "file", "path": str(path), "sha256": file_sha256(path)}
    return save_model(Path(model_dir), fitted.model, fitted.training_sha256, fitted.card, source)


__all__ = [
    "LABEL_SOURCE",
    "FittedModel",
    "TrainingPlan",
    "evaluate_file",
    "evaluate_synthetic",
    "evaluate_warehouse",
    "file_rows",
    "fit_from_file",
    "fit_from_rows",
    "fit_from_warehouse",
    "train_file_model",
    "train_synthetic_models",
    "train_warehouse_models",
    "training_cutoffs",
    "warehouse_fingerprint",
]
