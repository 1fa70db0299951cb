"""`revrisk import` on every reference-data file and on corrupted copies of them.

A corrupted file exits 2 with a report naming the row and column, and `revrisk info --json`
shows the same row counts before and after.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from reference_data import REFERENCE_DATA
from typer.testing import CliRunner

from cli.import_cmds import HELP_KINDS
from cli.main import app
from data.imports.column_specs import KINDS
from settings import get_settings

pytestmark = pytest.mark.integration
REFERENCE = REFERENCE_DATA
LEAKAGE = REFERENCE / "leakage-seed" / "training_data.csv"
PIVOT = REFERENCE / "online-retail" / "monthly_revenue_pivot.csv"
TREND = REFERENCE / "online-retail" / "revtrend_result.csv"


def _revrisk(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    get_settings.cache_clear()
    result = CliRunner().invoke(app, list(args), env=env)
    get_settings.cache_clear()
    return result.exit_code, result.stdout, result.stderr


def _tables(db: Path) -> dict[str, int]:
    code, out, err = _revrisk("info", "--db", str(db), "--json")
    assert code == 0, err
    tables: dict[str, int] = json.loads(out)["tables"]
    return tables


EXPECTED = {  # every reference file: kind detected, table written, rows stored
    REFERENCE / "leakage-seed" / "training_data.csv": (
        "leakage_accounts",
        "account_snapshots",
        1000,
    ),
    REFERENCE / "leakage-seed" / "sample_accounts.csv": (
        "leakage_accounts",
        "account_snapshots",
        100,
    ),
    PIVOT: ("monthly_revenue", "revenue_imports", 4372 * 13),
    TREND: ("trend_reference", "trend_reference", 607),
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, object]]]:
    """Every reference file imported with `revrisk import --json` into one fresh warehouse,
    once per module, with the JSON reports. Read-only."""
    db = tmp_path_factory.mktemp("loaded") / "w.duckdb"
    reports = []
    for path in EXPECTED:
        code, out, err = _revrisk("import", str(path), "--db", str(db), "--json")
        assert code == 0, err
        reports.append(json.loads(out))
    return db, reports


@pytest.fixture
def warehouse(loaded: tuple[Path, list[dict[str, object]]], tmp_path: Path) -> Path:
    """A writable copy of the loaded warehouse."""
    return Path(shutil.copy(loaded[0], tmp_path / "w.duckdb"))


def test_every_reference_file_imports_with_its_kind_detected(
    loaded: tuple[Path, list[dict[str, object]]],
) -> None:
    db, reports = loaded
    for (path, (kind, table, rows)), report in zip(EXPECTED.items(), reports, strict=True):
        assert report["file"] == path.name and report["ok"] is True
        assert (report["kind"], report["table"], report["n_rows"]) == (kind, table, rows)
    tables = _tables(db)
    assert (tables["account_snapshots"], tables["revenue_imports"]) == (1100, 4372 * 13)
    assert (tables["trend_reference"], tables["import_log"]) == (607, 4)


def _corrupt(tmp_path: Path, source: Path, name: str, line: int, old: str, new: str) -> Path:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _duplicate_row(tmp_path: Path) -> Path:
    lines = TREND.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "dup.csv"
    path.write_text("".join([*lines, lines[2]]), encoding="utf-8")
    return path


CORRUPTIONS = {
    "renamed column": (
        lambda t: _corrupt(t, LEAKAGE, "renamed.csv", 1, ",tier,", ",tier_name,"),
        ["row 1", "column 'tier'", "'tier_name'"],
    ),
    "text in a numeric column": (
        lambda t: _corrupt(t, LEAKAGE, "text.csv", 5, ",299,", ",two hundred,"),
        ["row 5", "column 'mrr'", "'two hundred'"],
    ),
    "duplicate id": (_duplicate_row, ["row 609", "column 'CustomerID'", "same as row 3"]),
    "formula cell": (
        lambda t: _corrupt(t, PIVOT, "formula.csv", 4, "12348,", "=1+1,"),
        ["row 4", "column 'CustomerID'", "formula"],
    ),
    "out-of-range value": (
        lambda t: _corrupt(t, LEAKAGE, "range.csv", 3, ",0.145,", ",1.45,"),
        ["row 3", "column 'payment_reliability_score'", "must be <= 1"],
    ),
}


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_corrupted_copies_exit_2_naming_row_and_column(
    warehouse: Path, tmp_path: Path, corruption: str
) -> None:
    make, expected = CORRUPTIONS[corruption]
    before = _tables(warehouse)
    code, out, err = _revrisk("import", str(make(tmp_path)), "--db", str(warehouse))
    assert code == 2, out + err
    assert "nothing was written" in err
    for fragment in expected:
        assert fragment in err, (fragment, err)
    assert _tables(warehouse) == before


def test_empty_and_header_only_files_exit_2(warehouse: Path, tmp_path: Path) -> None:
    before = _tables(warehouse)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "header.csv").write_text(TREND.read_text().splitlines()[0] + "\n")
    for name, message in (("empty.csv", "empty (0 bytes)"), ("header.csv", "row 1: no data rows")):
        code, _, err = _revrisk("import", str(tmp_path / name), "--db", str(warehouse))
        assert code == 2 and message in err, err
    assert _tables(warehouse) == before


def test_file_over_the_size_limit_and_wrong_extension_exit_2(
    warehouse: Path, tmp_path: Path
) -> None:
    before = _tables(warehouse)
    code, _, err = _revrisk(
        "import", str(LEAKAGE), "--db", str(warehouse), env={"REVRISK_MAX_IMPORT_MB": "0.05"}
    )
    assert code == 2 and "over the import limit of 0.05 MB" in err
    wrong = tmp_path / "trend.json"
    shutil.copy(TREND, wrong)
    code, _, err = _revrisk("import", str(wrong), "--db", str(warehouse))
    assert code == 2 and "unsupported file type '.json'" in err and ".parquet" in err
    assert _tables(warehouse) == before


def test_json_report_lists_problems_with_row_and_column(warehouse: Path, tmp_path: Path) -> None:
    path = _corrupt(tmp_path, LEAKAGE, "text.csv", 5, ",299,", ",two hundred,")
    code, out, _ = _revrisk("import", str(path), "--db", str(warehouse), "--json")
    report = json.loads(out)
    assert code == 2 and report["ok"] is False and report["n_problems"] == 1
    assert {k: report["problems"][0][k] for k in ("file", "row", "column", "value", "code")} == {
        "file": "text.csv",
        "row": 5,
        "column": "mrr",
        "value": "two hundred",
        "code": "bad_type",
    }


def test_same_file_twice_replaces_its_batch_and_kind_option_validates(warehouse: Path) -> None:
    before = _tables(warehouse)
    code, out, _ = _revrisk(
        "import", str(TREND), "--db", str(warehouse), "--kind", "trend_reference", "--json"
    )
    assert code == 0 and json.loads(out)["replaced_import_ids"] == [4]
    assert _tables(warehouse)["trend_reference"] == before["trend_reference"]
    code, _, err = _revrisk("import", str(TREND), "--db", str(warehouse), "--kind", "nope")
    assert code == 2 and "choose one of" in err


def test_help_lists_every_kind() -> None:
    assert HELP_KINDS.split(", ") == list(KINDS)
    code, out, _ = _revrisk("import", "--help")
    assert code == 0 and "trend_reference" in out


def test_console_script_exits_2_on_a_corrupted_file(warehouse: Path, tmp_path: Path) -> None:
    path = _corrupt(tmp_path, LEAKAGE, "text.csv", 5, ",299,", ",two hundred,")
    revrisk = str(Path(sys.executable).with_name("revrisk"))
    result = subprocess.run(
        [revrisk, "import", str(path), "--db", str(warehouse)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert (
        "text.csv, row 5, column 'mrr': expected an amount, such as 1234.56, 1,234.56, "
        "$1,234.56, 1.234,56 €, 1234,56, (1,234.56) for negatives (value 'two hundred')"
        in result.stderr
    )
