"""`revrisk trends` and `revrisk segments` end to end on real DuckDB files and the retail data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from reference_data import RETAIL_PIVOT
from typer.testing import CliRunner

from cli.main import app

pytestmark = pytest.mark.integration
RETAIL = RETAIL_PIVOT
ISSUE_COLUMNS = [
    "customer_id", "status", "decline_probability", "decline_level", "decline_drivers", "slope",
    "slope_ci_low", "slope_ci_high", "relative_slope", "p_value", "decline_score", "resid_std",
    "n_anomalies", "anomaly_months", "segment_id",
]  # fmt: skip


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def world(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "world.duckdb"
    shutil.copy(small_world, path)
    return path


@pytest.mark.skipif(not RETAIL.exists(), reason="shared reference data not present")
def test_retail_until_covers_every_customer(tmp_path: Path) -> None:
    out = tmp_path / "flags.csv"
    code, stdout, stderr = run(
        "trends", "--input", str(RETAIL), "--until", "2011-08", "-o", str(out), "--json"
    )
    assert code == 0, stderr
    summary = json.loads(stdout)  # JSON only on stdout
    flags = pd.read_csv(out, dtype={"customer_id": str})
    assert len(flags) == summary["n_customers"] == 4372
    assert list(flags.columns[: len(ISSUE_COLUMNS)]) == ISSUE_COLUMNS
    assert summary["last_month"] == "2011-08" and summary["partial_month"] is None
    assert sum(summary["status_counts"].values()) == 4372


@pytest.mark.skipif(not RETAIL.exists(), reason="shared reference data not present")
def test_backtest_on_retail_ranks_against_baselines_with_intervals() -> None:
    """Issue 14's table: forecast and baselines per cut-off and pooled, cluster-bootstrap CIs."""
    code, stdout, stderr = run("trends", "--backtest", "--input", str(RETAIL), "--json")
    assert code == 0, stderr
    result = json.loads(stdout)
    assert result["partial_month_dropped"] == "2011-12"  # never judged on a partial month
    assert result["cutoffs"] == ["2011-06", "2011-07", "2011-08"]
    for summary in [*result["per_cutoff"].values(), result["overall"]]:
        forecast = summary["decline_probability"]
        low, high = forecast["auc_ci"]
        assert low <= forecast["auc"] <= high
        for name in ("active_months", "recent_ratio", "seed_stl"):
            low, high = summary[name]["auc_difference_ci"]
            assert low <= summary[name]["auc_difference"] <= high
    overall = result["overall"]["decline_probability"]
    assert overall["auc"] >= 0.60 and overall["auc_ci"][0] >= 0.55
    assert overall["top10_precision"] >= 0.38 and overall["ece"] <= 0.05
    assert not result["overall"]["active_months"]["forecast_significantly_worse"]
    assert result["warning"] == "" and not result["overall"]["too_small"]
    code, _, stderr = run("trends", "--backtest")
    assert code == 2 and "--input" in stderr


@pytest.mark.skipif(not RETAIL.exists(), reason="shared reference data not present")
def test_a_backtest_on_a_handful_of_customers_says_it_measures_nothing(tmp_path: Path) -> None:
    """rt8 D21: 5 customers gave AUC 1.0 [1.0, 1.0] with no caveat and 'meets targets'."""
    small = tmp_path / "five.csv"
    small.write_text("".join(RETAIL.read_text().splitlines(keepends=True)[:6]))
    code, stdout, stderr = run("trends", "--backtest", "--input", str(small), "--json")
    assert code == 0, stderr
    result = json.loads(stdout)
    overall = result["overall"]
    assert overall["too_small"] and overall["n_customers"] <= 5
    assert result["warning"].startswith(
        f"TOO SMALL TO MEASURE: {overall['n_rows']} customer-months with "
        f"{overall['n_declined']} declines"
    )
    assert not any(result["meets_targets"].values())
    code, stdout, _ = run("trends", "--backtest", "--input", str(small))
    assert (
        code == 0 and "TOO SMALL TO MEASURE" in stdout and "(too" in stdout
    )  # "n (too few)", wrapped by the table


def test_trends_on_the_warehouse_json_and_customer(world: Path) -> None:
    code, stdout, stderr = run("trends", "--db", str(world), "--json")
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert summary["n_customers"] == 300 and summary["cached"]
    customer = summary["top_declining"][0]["customer_id"]
    code, stdout, _ = run("trends", "--db", str(world), "--customer", customer, "--json")
    detail = json.loads(stdout)
    assert code == 0 and detail["customer"]["customer_id"] == customer
    assert len(detail["series"]) == detail["customer"]["months_observed"]


def test_unknown_customer_is_a_clean_error(world: Path) -> None:
    code, stdout, stderr = run("trends", "--db", str(world), "--customer", "ACC00001")
    assert code == 2 and stdout == ""
    assert "Did you mean" in stderr and "Traceback" not in stderr


def test_evaluate_json_shape(world: Path) -> None:
    code, stdout, stderr = run("trends", "--db", str(world), "--evaluate", "--json")
    assert code == 0, stderr
    scores = json.loads(stdout)
    for task in ("decline", "anomaly"):
        assert {"precision", "recall", "f1"} <= set(scores[task])


@pytest.fixture(scope="module")
def demo(demo_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli_demo") / "demo.duckdb"
    shutil.copy(demo_world, path)
    return path


def test_segments_json(demo: Path) -> None:
    """The issue's bar, on the default demo: named segments, stable across seeds."""
    world = demo
    code, stdout, stderr = run("segments", "--db", str(world), "--json")
    assert code == 0, stderr
    payload = json.loads(stdout)
    assert payload["k"] == len(payload["segments"]) >= 2
    assert payload["stability_ari"] >= 0.9
    names = [s["name"] for s in payload["segments"]]
    assert len(set(names)) == len(names) and all(" & " in n for n in names)
    code, stdout, _ = run("segments", "--db", str(world), "--k", "4", "--json")
    assert code == 0 and json.loads(stdout)["k"] == 4


def test_db_and_input_together_are_refused(world: Path) -> None:
    code, _, stderr = run("trends", "--db", str(world), "--input", "x.csv")
    assert code == 2 and "either --db or --input" in stderr
