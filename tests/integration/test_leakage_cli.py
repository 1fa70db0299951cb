"""`revrisk detect`, `revrisk model train|evaluate` and `revrisk score` through the console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.integration
REVRISK = [str(Path(sys.executable).with_name("revrisk"))]
REFERENCE = Path("/work/shared/reference-data/leakage-seed")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(REVRISK + list(args), capture_output=True, text=True, timeout=300)


def _accounts(path: Path, n: int, random_labels: bool) -> Path:
    """A reference-format file (the shared seed data when mounted, else a generated one)."""
    source = REFERENCE / ("training_data.csv" if random_labels else "sample_accounts.csv")
    if source.exists():
        return source
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "account_id": [f"ACC{i:06d}" for i in range(n)],
            "tier": "Starter",
            "mrr": 99.0,
            "payment_failure_rate": rng.beta(0.5, 5, n),
            "payment_reliability_score": rng.random(n),
            "customer_health_score": rng.uniform(0, 100, n),
            "user_utilization_ratio": rng.uniform(0.2, 1.6, n),
            "engagement_score": rng.uniform(0, 100, n),
            "last_login_days_ago": rng.integers(0, 90, n),
            "support_tickets_90d": rng.poisson(2, n),
            "feature_adoption_pct": rng.uniform(0, 100, n),
            "payment_risk": 0,
            "health_risk": 0,
            "engagement_risk": 0,
            "overutilization": 0,
            "days_since_contract_start": 100,
            "revenue_per_user": 9.9,
            "has_leakage": rng.random(n) < 0.3,
        }
    )
    frame.to_csv(path, index=False)
    return path


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
    assert set(report["per_type"]) == {
        "Failed_Payment_Retry",
        "Usage_Overage_Unbilled",
        "Contract_Terms_Error",
        "Billing_System_Error",
        "Downgrade_Not_Processed",
        "Expired_Payment_Method",
    }
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
    source = _accounts(tmp_path / "sample.csv", 100, random_labels=False)
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
    card = _run(
        "model", "evaluate", "--data", str(_accounts(tmp_path / "noise.csv", 800, True)), "--json"
    )
    assert card.returncode == 0, card.stderr
    assert json.loads(card.stdout)["signal"] is False


def test_bad_type_is_a_clear_error(warehouse: Path) -> None:
    done = _run("detect", "--db", str(warehouse), "--type", "fraud")
    assert done.returncode == 1 and "allowed: Failed_Payment_Retry" in done.stderr
