"""Reading reference-format account files for scoring: bad files list every problem."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data.loaders import ImportValidationError
from services.leakage_files import read_reference_file

SAMPLE = Path(__file__).parents[4] / "shared/reference-data/leakage-seed/sample_accounts.csv"
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="shared reference data not present")


def _copy(tmp_path: Path, change: dict[tuple[int, str], object], drop: str | None = None) -> Path:
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    for (row, column), value in change.items():
        frame.loc[row, column] = value
    if drop:
        frame = frame.drop(columns=[drop])
    path = tmp_path / "accounts.csv"
    frame.to_csv(path, index=False)
    return path


def test_clean_file_reads_every_account() -> None:
    assert len(read_reference_file(SAMPLE)) == 100


def test_every_problem_is_reported_with_row_and_column(tmp_path: Path) -> None:
    path = _copy(tmp_path, {(2, "payment_reliability_score"): "high"}, drop="mrr")
    with pytest.raises(ImportValidationError) as caught:
        read_reference_file(path)
    text = caught.value.report.render()
    assert "'mrr'" in text and "required column is missing" in text
    assert "row 4" in text and "payment_reliability_score" in text and "'high'" in text


def test_formula_in_a_text_cell_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path, {(0, "tier"): "=HYPERLINK(\"http://x\")"})
    with pytest.raises(ImportValidationError) as caught:
        read_reference_file(path)
    assert "formula" in caught.value.report.render()
