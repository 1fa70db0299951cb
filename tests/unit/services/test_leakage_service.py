"""The leakage service on a small synthetic warehouse: caches, questions, files, model store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.leakage.scoring import RiskThresholds
from data.imports.loaders import ImportValidationError
from data.warehouse import RAW_TABLES, bump_data_version, connect
from services.leakage import service as leakage
from services.leakage.store import ModelMismatchError, ModelMissingError, load_model
from services.leakage.training import TrainingPlan, train_file_model
from services.lookup import Population

PLAN = TrainingPlan(n_boot=100)


@pytest.fixture(scope="module")
def world(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A writable copy of the session's small world with fresh leakage caches."""
    folder = tmp_path_factory.mktemp("leakage_service")
    db, models = folder / "w.duckdb", folder / "models"
    shutil.copy(small_world, db)
    report = leakage.refresh_leakage_cache(db, models, plan=PLAN)
    assert report.trained and report.n_accounts > 200
    return db, models


def _truth(db: Path, where: str = "TRUE") -> pd.Series:
    with connect(db, read_only=True) as con:
        return (
            con.execute(
                f"SELECT leakage_type, sum(amount)::DOUBLE AS amount FROM leakage_events "
                f"WHERE {where} GROUP BY 1"
            )
            .df()
            .set_index("leakage_type")["amount"]
        )


def test_second_refresh_reuses_the_model(world: tuple[Path, Path]) -> None:
    db, models = world
    again = leakage.refresh_leakage_cache(db, models, plan=PLAN)
    assert not again.trained and again.model_version == load_model(models, "full").version


def test_portfolio_summary_matches_truth_for_the_latest_month(world: tuple[Path, Path]) -> None:
    db, models = world
    result = leakage.portfolio_summary(db, models)
    summary = result.summary
    truth = _truth(db, f"month = DATE '{summary['as_of_month']}'")
    assert summary["detected_leakage"] == pytest.approx(truth.sum(), abs=0.005)
    assert summary["n_high_risk"] <= summary["n_accounts"]
    by_level = result.table[result.table["dimension"] == "risk_level"]
    assert by_level["n_accounts"].sum() == summary["n_accounts"]


def test_detect_leakage_is_exact_to_the_cent(world: tuple[Path, Path]) -> None:
    db, models = world
    found = leakage.detect_leakage(db, top_n=None, model_dir=models)
    truth = _truth(db)
    for kind, amount in found.summary["by_type"].items():
        assert amount == pytest.approx(truth[kind], abs=0.005)
    one = leakage.detect_leakage(db, "failed payment retry", top_n=3, model_dir=models)
    assert set(one.table["leakage_type"]) == {"Failed_Payment_Retry"} and len(one.table) == 3
    assert one.table["amount"].is_monotonic_decreasing


def test_score_filters_validate_case_insensitively(world: tuple[Path, Path]) -> None:
    db, models = world
    enterprise = leakage.score_leakage(
        db, accounts=Population(tier="enterprise"), top_n=None, model_dir=models
    )
    assert set(enterprise.table["tier"]) == {"Enterprise"}
    high = leakage.score_leakage(db, risk_level="HIGH", top_n=5, model_dir=models)
    assert set(high.table["risk_level"]) <= {"High"} and len(high.table) <= 5
    with pytest.raises(ValueError, match="allowed: Starter, Professional"):
        leakage.score_leakage(db, accounts=Population(tier="gold"), model_dir=models)
    with pytest.raises(ValueError, match="Failed_Payment_Retry"):
        leakage.score_leakage(db, leakage_type="fraud", model_dir=models)


def test_explanation_sums_to_the_probability(world: tuple[Path, Path]) -> None:
    db, models = world
    top = leakage.score_leakage(db, top_n=1, model_dir=models).table["account_id"].iloc[0]
    explained = leakage.explain_risk_factors(db, top, models)
    assert explained.summary["probability_from_factors"] == pytest.approx(
        explained.summary["leakage_probability"], abs=5e-5
    )
    assert {"feature", "value", "contribution", "effect", "factor"} <= set(
        explained.factors.columns
    )
    assert len(explained.recommendations) >= 1


def test_unknown_account_suggests_close_ids(world: tuple[Path, Path]) -> None:
    db, models = world
    with pytest.raises(leakage.UnknownAccountError) as caught:
        leakage.explain_risk_factors(db, "ACC00001", models)
    assert caught.value.suggestions and all(s.startswith("ACC") for s in caught.value.suggestions)


def test_a_reader_never_rebuilds_a_stale_cache(world: tuple[Path, Path]) -> None:
    """Readers answer from the last complete caches, say they are stale, and write nothing;
    the writer's refresh makes them fresh again (issue 11: readers that rebuilt caches
    failed with DuckDB's lock error during imports)."""
    from services.leakage.common import STALE
    from services.leakage.store import is_fresh

    db, models = world
    with connect(db) as con:
        version = bump_data_version(con)
        built_from = con.execute(
            "SELECT value FROM meta WHERE key = 'leakage_data_version'"
        ).fetchall()
    before = db.stat().st_mtime_ns
    summary = leakage.portfolio_summary(db, models)
    assert summary.summary["n_accounts"] > 0
    assert summary.warning is not None and STALE in summary.warning
    assert db.stat().st_mtime_ns == before
    with connect(db, read_only=True) as con:
        assert not is_fresh(con)
        assert (
            con.execute("SELECT value FROM meta WHERE key = 'leakage_data_version'").fetchall()
            == built_from
        )
    leakage.refresh_leakage_cache(db, models, plan=PLAN)
    with connect(db, read_only=True) as con:
        assert is_fresh(con) and con.execute(
            "SELECT value FROM meta WHERE key = 'leakage_data_version'"
        ).fetchall()[0][0] == str(version)
    assert STALE not in (leakage.portfolio_summary(db, models).warning or "")


def _reference_csv(
    path: Path, n: int, seed: int, random_labels: bool = False, formula_cell: bool = False
) -> Path:
    rng = np.random.default_rng(seed)
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
            "days_since_contract_start": rng.integers(0, 900, n),
            "revenue_per_user": 9.9,
        }
    )
    frame["payment_risk"] = (frame["payment_reliability_score"] < 0.7).astype(int)
    frame["health_risk"] = (frame["customer_health_score"] < 60).astype(int)
    frame["engagement_risk"] = (frame["last_login_days_ago"] > 30).astype(int)
    frame["overutilization"] = (frame["user_utilization_ratio"] > 1.1).astype(int)
    if random_labels:
        frame["has_leakage"] = rng.random(n) < 0.3
        frame["leakage_type"] = np.where(frame["has_leakage"], "Failed_Payment_Retry", "None")
        frame["monthly_leakage_amount"] = frame["has_leakage"] * 40.0
    if formula_cell:
        frame.loc[0, "account_id"] = '=HYPERLINK("http://x")'
    frame.to_csv(path, index=False)
    return path


def test_score_file_bounds_and_neutralised_export(world: tuple[Path, Path], tmp_path: Path) -> None:
    db, models = world
    source = _reference_csv(tmp_path / "accounts.csv", 60, seed=1)
    result = leakage.score_file(db, source, model_dir=models, output_dir=tmp_path / "out")
    assert [p.suffix for p in result.outputs] == [".csv", ".xlsx"]
    table = result.table
    assert table["leakage_probability"].between(0, 1).all()
    assert table["est_monthly_leakage"].between(0, 99.0).all()
    assert result.summary["feature_set"] == "reference" and result.summary["n_accounts"] == 60


def test_a_follow_up_on_the_same_file_reuses_its_scoring(
    world: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same file, model and thresholds: read and validated once; an edited file, deleted
    outputs or other thresholds score anew, with the figures a fresh scoring gives."""
    from services.leakage import files

    db, models = world
    reads: list[Path] = []
    real_read = files.read_reference_file

    def counting_read(path: Path, *args: object, **kwargs: object) -> pd.DataFrame:
        reads.append(path)
        return real_read(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "read_reference_file", counting_read)
    source = _reference_csv(tmp_path / "accounts.csv", 40, seed=3)
    out = tmp_path / "out"
    first = leakage.score_file(db, source, model_dir=models, output_dir=out)
    again = leakage.score_file(db, source, model_dir=models, output_dir=out)
    assert len(reads) == 1
    pd.testing.assert_frame_equal(again.table, first.table)
    assert again.outputs == first.outputs
    assert {k: v for k, v in again.summary.items() if k != "seconds"} == {
        k: v for k, v in first.summary.items() if k != "seconds"
    }
    again.table.loc[:, "risk_level"] = "changed by a caller"  # a copy: the memory is untouched
    reused = leakage.score_file(db, source, model_dir=models, output_dir=out)
    assert (reused.table["risk_level"] != "changed by a caller").all()
    first.outputs[0].unlink()
    rewritten = leakage.score_file(db, source, model_dir=models, output_dir=out)
    assert len(reads) == 2 and rewritten.outputs[0].exists()
    strict = RiskThresholds(high=0.05, medium=0.01)
    leakage.score_file(db, source, model_dir=models, output_dir=out, thresholds=strict)
    assert len(reads) == 3
    _reference_csv(source, 40, seed=4)  # same name, other accounts' figures
    edited = leakage.score_file(db, source, model_dir=models, output_dir=out)
    assert len(reads) == 4
    assert not edited.table["leakage_probability"].equals(first.table["leakage_probability"])


def test_export_neutralises_formula_like_cells(tmp_path: Path) -> None:
    """Whatever reaches an export (names, factor text), = + - @ cells are written as text."""
    from openpyxl import load_workbook

    from services.leakage.files import write_table

    frame = pd.DataFrame({"account_id": ['=HYPERLINK("http://x")', "ACC000002"], "p": [0.1, 0.2]})
    written = pd.read_csv(write_table(frame, tmp_path / "s.csv"))
    assert written["account_id"].iloc[0].startswith("'=")
    sheet = load_workbook(write_table(frame, tmp_path / "s.xlsx")).worksheets[0]
    assert str(sheet["A2"].value).startswith("'=") and sheet["A2"].data_type == "s"


def test_formula_cell_in_an_input_is_refused_with_row_and_column(
    world: tuple[Path, Path], tmp_path: Path
) -> None:
    db, models = world
    source = _reference_csv(tmp_path / "f.csv", 5, seed=1, formula_cell=True)
    with pytest.raises(ImportValidationError, match=r"row 2, column 'account_id'.*formula"):
        leakage.score_file(db, source, model_dir=models)


def test_bad_input_names_column_and_row(world: tuple[Path, Path], tmp_path: Path) -> None:
    db, models = world
    source = _reference_csv(tmp_path / "bad.csv", 10, seed=2)
    frame = pd.read_csv(source)
    frame.loc[4, "customer_health_score"] = 140
    frame.to_csv(source, index=False)
    with pytest.raises(
        ImportValidationError, match=r"bad.csv, row 6, column 'customer_health_score'"
    ):
        leakage.score_file(db, source, model_dir=models)


def test_raw_tables_directory_is_scored_with_detections(
    world: tuple[Path, Path], tmp_path: Path
) -> None:
    db, models = world
    folder = tmp_path / "raw"
    folder.mkdir()
    with connect(db, read_only=True) as con:
        for table in RAW_TABLES:
            con.execute(f"COPY {table} TO '{folder / (table + '.csv')}' (HEADER)")
        latest = con.execute("SELECT max(month) FROM usage_monthly").fetchall()[0][0]
    result = leakage.score_file(
        None, folder, model_dir=models, output_path=tmp_path / "raw.parquet"
    )
    assert result.summary["input_kind"] == "raw_tables" and result.summary["feature_set"] == "full"
    assert result.table["detected_monthly_leakage"].sum() == pytest.approx(
        _truth(db, f"month = DATE '{latest}'").sum(), abs=0.01
    )


def test_no_signal_model_warns(tmp_path: Path) -> None:
    models = tmp_path / "models"
    noise = _reference_csv(tmp_path / "noise.csv", 800, seed=5, random_labels=True)
    stored = train_file_model(noise, models, TrainingPlan(n_boot=200))
    assert stored.signal is False
    result = leakage.score_file(None, noise, model_dir=models)
    assert result.warning and "NO SIGNAL" in result.summary["warning"]
    assert (result.table["warning"] == result.warning).all()


def test_model_store_refuses_mismatches(world: tuple[Path, Path], tmp_path: Path) -> None:
    _, models = world
    with pytest.raises(ModelMissingError, match="revrisk model train"):
        load_model(tmp_path / "nothing", "full")
    copy = tmp_path / "models"
    shutil.copytree(models, copy)
    folder = load_model(copy, "full").path
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["libraries"]["lightgbm"] = "3.0.0"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelMismatchError, match=r"LightGBM 3\.0\.0.*revrisk model train"):
        load_model(copy, "full")
    reference = load_model(copy, "reference").path
    (reference / "classifier.txt").write_text("tampered")
    with pytest.raises(ModelMismatchError, match="modified"):
        load_model(copy, "reference")


def test_an_account_that_exists_but_has_no_score_says_so(world: tuple[Path, Path]) -> None:
    """rt6 defect 13: not "matching accounts: 0" but that it exists and why it is unscored."""
    db, models = world
    with connect(db, read_only=True) as con:
        unscored = con.execute(
            "SELECT account_id FROM accounts ANTI JOIN leakage_scores USING (account_id) "
            "ORDER BY 1 LIMIT 1"
        ).fetchone()
    assert unscored is not None
    for read in (leakage.score_leakage, leakage.explain_risk_factors):
        with pytest.raises(ValueError, match=f"{unscored[0]} exists but .* not scored"):
            read(db, unscored[0], model_dir=models)


def test_a_population_limits_the_findings_to_its_accounts(world: tuple[Path, Path]) -> None:
    """`accounts=Population(tier, region)`: the findings of the accounts with that tier and
    region (matched case-insensitively), checked against SQL written here."""
    db, models = world
    busiest = (
        "SELECT a.region, a.tier, count(*), list(DISTINCT account_id) FROM detected_leakage "
        "JOIN accounts a USING (account_id) GROUP BY ALL ORDER BY 3 DESC, 1, 2 LIMIT 1"
    )
    with connect(db, read_only=True) as con:
        region, tier, n_findings, ids = con.execute(busiest).fetchall()[0]
    limit = Population(tier=tier.lower(), region=region.lower())
    found = leakage.detect_leakage(db, top_n=None, model_dir=models, accounts=limit)
    assert found.summary["n_findings"] == n_findings and found.summary["region"] == region
    assert set(found.table["account_id"]) == set(ids)
