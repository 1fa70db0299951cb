"""`revrisk detect`, `revrisk model train|evaluate` and `revrisk score` through the console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from reference_data import REFERENCE_DATA

from domain import LEAKAGE_TYPES

pytestmark = pytest.mark.integration
REVRISK = [str(Path(sys.executable).with_name("revrisk"))]
REFERENCE = REFERENCE_DATA / "leakage-seed"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(REVRISK + list(args), capture_output=True, text=True, timeout=300)


SAMPLE = REFERENCE / "sample_accounts.csv"
NOISE = REFERENCE / "training_data.csv"
"""The reference project's files: its 100-account sample, and its training set whose label is
random by construction."""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("leakage_cli") / "demo.duckdb"
    built = _run("demo", "--accounts", "400", "--seed", "5", "--db", str(db), "--json")
    assert built.returncode == 0, built.stderr
    return db


def test_detect_evaluate_is_exact(warehouse: Path) -> None:
    done = _run("detect", "--db", str(warehouse), "--evaluate", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report["per_type"]) == set(LEAKAGE_TYPES)
    for kind, score in report["per_type"].items():
        assert score["precision"] >= 0.99 and score["recall"] >= 0.95, kind
        assert score["amount_error"] < 0.005, kind


@pytest.fixture(scope="module")
def models(warehouse: Path) -> Path:
    folder = warehouse.parent / "models"
    trained = _run("model", "train", "--db", str(warehouse), "--model-dir", str(folder), "--json")
    assert trained.returncode == 0, trained.stderr
    assert set(json.loads(trained.stdout)) == {"full", "reference"}
    return folder


def test_train_then_score_a_reference_file(models: Path, tmp_path: Path) -> None:
    source = SAMPLE
    output = tmp_path / "out.xlsx"
    scored = _run("score", str(source), "-o", str(output), "--model-dir", str(models), "--json")
    assert scored.returncode == 0, scored.stderr
    summary = json.loads(scored.stdout)
    table = pd.read_excel(output, sheet_name="scores")
    mrr = pd.read_csv(source).set_index("account_id")["mrr"]
    assert summary["n_accounts"] == len(table) == len(mrr)
    assert table["leakage_probability"].between(0, 1).all()
    assert (table["est_monthly_leakage"].to_numpy() <= mrr[table["account_id"]].to_numpy()).all()
    assert (table["est_monthly_leakage"] >= 0).all() and len(summary["top_accounts"]) == 10


def test_score_the_warehouse_and_evaluate(warehouse: Path, models: Path, tmp_path: Path) -> None:
    scored = _run(
        "score",
        "--db",
        str(warehouse),
        "-o",
        str(tmp_path / "w.csv"),
        "--model-dir",
        str(models),
        "--json",
    )
    assert scored.returncode == 0, scored.stderr
    assert "detected_monthly_leakage" in pd.read_csv(tmp_path / "w.csv").columns
    card = _run("model", "evaluate", "--data", str(NOISE), "--json")
    assert card.returncode == 0, card.stderr
    assert json.loads(card.stdout)["signal"] is False


def test_bad_type_is_a_clear_error(warehouse: Path) -> None:
    done = _run("detect", "--db", str(warehouse), "--type", "fraud")
    assert done.returncode == 2 and "allowed: Failed_Payment_Retry" in done.stderr
