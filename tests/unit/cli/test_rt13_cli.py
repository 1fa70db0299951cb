"""rt13's CLI findings: a mistyped `--db` for `import` (U-M1), the model `score` uses (U-M2),
a no-currency file in a multi-currency warehouse (U-M6) and `score`'s refusal wording (U-L8)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from data.imports import import_file

REVENUE = "customer_id,month,revenue\nCUST-001,2026-01,5000\nCUST-001,2026-02,4700\n"
ACCOUNTS = Path(__file__).parents[2] / "fixtures" / "reference-data"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_import_into_a_db_in_a_missing_folder_refuses_and_creates_nothing(tmp_path: Path) -> None:
    """U-M1: `--db /nonexistent/x.duckdb` created the folder and a warehouse, and exited 0."""
    book = tmp_path / "rev.csv"
    book.write_text(REVENUE)
    typo = tmp_path / "no_such_folder" / "x.duckdb"
    for extra in ((), ("--json",), ("--from", "stripe")):
        code, output = _run("import", str(book), "--db", str(typo), *extra)
        said = "".join(output.split())  # rich wraps long paths
        assert code == 2, output
        assert f"Nowarehouseat{typo}" in said and "doesnotexist" in said, output
        assert "Traceback" not in output
        assert not typo.parent.exists()


def test_import_into_a_new_db_says_a_warehouse_was_created(tmp_path: Path) -> None:
    """U-M1: a new file in an existing folder is a new warehouse, and the output says so."""
    book = tmp_path / "rev.csv"
    book.write_text(REVENUE)
    code, output = _run("import", str(book), "--db", str(tmp_path / "new.duckdb"), "--no-refresh")
    assert code == 0, output
    assert "created a new one" in output
    code, output = _run("import", str(book), "--db", str(tmp_path / "new.duckdb"), "--no-refresh")
    assert code == 0 and "created a new one" not in output, output
    code, output = _run(
        "import", str(book), "--db", str(tmp_path / "j.duckdb"), "--no-refresh", "--json"
    )
    assert code == 0 and json.loads(output)["new_warehouse"] is True, output


def test_score_says_which_model_it_used(tmp_path: Path) -> None:
    """U-M2: nothing said that a new model was trained; the output now names the model."""
    accounts = next(ACCOUNTS.rglob("*.csv"))
    folder = tmp_path / "models"
    args = ("score", str(accounts), "-o", str(tmp_path / "s.csv"), "--model-dir", str(folder))
    code, output = _run(*args, "--db", str(tmp_path / "none.duckdb"))
    said = "".join(output.split())  # rich wraps long paths
    assert code == 0, output
    assert f"Nomodelwasin{folder}:trainedonenow" in said, output
    code, output = _run(*args, "--db", str(tmp_path / "none.duckdb"))
    said = "".join(output.split())
    assert code == 0 and "Scoredwiththemodel" in said and str(folder) in said, output


def test_a_no_currency_file_in_a_multi_currency_warehouse_gets_one_problem(
    tmp_path: Path,
) -> None:
    """U-M6: besides "pass --currency", every cell was reported as "empty; the warehouse needs
    a value" although it held an amount."""
    db = tmp_path / "w.duckdb"
    held = tmp_path / "held.csv"
    held.write_text("customer_id,month,revenue,currency\nA,2025-01,10,USD\nB,2025-01,10,EUR\n")
    import_file(held, db)
    pivot = tmp_path / "pivot.csv"
    pivot.write_text("Customer,2026-01,2026-02\nOscorp,5000,4700\nInitech,300,200\n")
    code, output = _run("import", str(pivot), "--db", str(db), "--no-refresh")
    assert code == 2, output
    assert "pass --currency" in output
    assert "empty" not in output and "1 problem(s)" in output, output


def test_score_refusal_speaks_of_scoring(tmp_path: Path) -> None:
    """U-L8: `revrisk score` on a bad file said "import refused … Read as leakage_accounts"."""
    accounts = next(ACCOUNTS.rglob("*.csv"))
    lines = accounts.read_text().splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("mrr")] = "-5"
    bad = tmp_path / "accounts_bad.csv"
    bad.write_text("\n".join([lines[0], ",".join(row), *lines[2:5]]) + "\n")
    shutil.rmtree(tmp_path / "models", ignore_errors=True)
    code, output = _run("score", str(bad), "-o", str(tmp_path / "s.csv"))
    said = " ".join(output.split())
    assert code == 2, output
    assert "not scored" in said and "import refused" not in said, output
    assert "Read as leakage_accounts" not in said and "'mrr'" in said, output
    assert not (tmp_path / "s.csv").exists()
