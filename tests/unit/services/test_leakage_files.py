"""Files in and out of scoring: bad reference-format files list every problem; exported
spreadsheets keep formula-like text as text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from reference_data import SAMPLE_ACCOUNTS

from data.imports.loaders import ImportValidationError
from services.leakage import files as leakage_files
from services.leakage.files import read_reference_file, write_table

SAMPLE = SAMPLE_ACCOUNTS
needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason="shared reference data not present")


def _copy(tmp_path: Path, change: dict[tuple[int, str], object], drop: str | None = None) -> Path:
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    for (row, column), value in change.items():
        frame.loc[row, column] = value
    if drop:
        frame = frame.drop(columns=[drop])
    path = tmp_path / "accounts.csv"
    frame.to_csv(path, index=False)
    return path


@needs_sample
def test_clean_file_reads_every_account() -> None:
    assert len(read_reference_file(SAMPLE)) == 100


@needs_sample
def test_every_problem_is_reported_with_row_and_column(tmp_path: Path) -> None:
    path = _copy(tmp_path, {(2, "payment_reliability_score"): "high"}, drop="mrr")
    with pytest.raises(ImportValidationError) as caught:
        read_reference_file(path)
    text = caught.value.report.render()
    assert "'mrr'" in text and "required column is missing" in text
    assert "row 4" in text and "payment_reliability_score" in text and "'high'" in text


@needs_sample
def test_formula_in_a_text_cell_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path, {(0, "tier"): '=HYPERLINK("http://x")'})
    with pytest.raises(ImportValidationError) as caught:
        read_reference_file(path)
    assert "formula" in caught.value.report.render()


# ------------------------------------------------------------------------------ writing
def _scored() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": ['=HYPERLINK("http://x")', "ACC2", "-1+2", None],
            "leakage_probability": [0.9, float("nan"), 0.1, 0.5],
            "flagged": [True, False, True, False],
            "note": ["@SUM(A1)", 3, "ok", None],
        }
    )


def test_excel_cells_keep_their_type_and_formula_like_text_stays_text(tmp_path: Path) -> None:
    book = load_workbook(write_table(_scored(), tmp_path / "s.xlsx", {"input": "=cmd"}))
    sheet = book["scores"]
    rows = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
    assert [value for value, _ in rows[0]] == [
        "account_id",
        "leakage_probability",
        "flagged",
        "note",
    ]
    assert rows[1] == [
        ('\'=HYPERLINK("http://x")', "s"),
        (0.9, "n"),
        (True, "b"),
        ("'@SUM(A1)", "s"),
    ]
    assert rows[2] == [("ACC2", "s"), (None, "n"), (False, "b"), (3, "n")]
    assert rows[3][0] == ("'-1+2", "s") and rows[4][0][0] is None and rows[4][3][0] is None
    assert [[c.value for c in row] for row in book["about"].iter_rows()] == [
        ["item", "value"],
        ["input", "'=cmd"],
    ]


def test_csv_and_excel_hold_the_same_rows(tmp_path: Path) -> None:
    frame = _scored()
    from_csv = pd.read_csv(write_table(frame, tmp_path / "s.csv"), dtype=str)
    from_excel = pd.read_excel(write_table(frame, tmp_path / "s.xlsx"), dtype=str)
    assert from_csv["account_id"].tolist() == from_excel["account_id"].tolist()
    assert from_excel["account_id"].tolist()[:3] == ['\'=HYPERLINK("http://x")', "ACC2", "'-1+2"]


def test_too_many_rows_for_excel_is_refused_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(leakage_files, "EXCEL_MAX_ROWS", 3)
    with pytest.raises(ValueError, match="do not fit an Excel sheet"):
        write_table(_scored(), tmp_path / "s.xlsx")
    assert not (tmp_path / "s.xlsx").exists()


def test_a_failed_excel_write_leaves_no_file(tmp_path: Path) -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("cannot print")

    frame = pd.DataFrame({"a": ["ok", Unprintable()]})
    with pytest.raises(RuntimeError, match="cannot print"):
        write_table(frame, tmp_path / "s.xlsx")
    assert not (tmp_path / "s.xlsx").exists()
