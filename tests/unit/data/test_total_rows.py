"""Total rows at the foot of finance exports are never imported as customers (rt8 D6)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import openpyxl
import pytest

from data.imports import ImportValidationError, check_file, import_file

MONTHS = ("2026-01", "2026-02", "2026-03")
CUSTOMERS = {
    "CUST-001": (100.0, 110.5, 120.0),
    "CUST-002": (2000.0, 1900.0, None),
    "CUST-003": (30.25, 30.25, 30.25),
}
BOOK_TOTAL = sum(v for values in CUSTOMERS.values() for v in values if v is not None)


def _sums() -> list[float]:
    return [sum(v[i] or 0.0 for v in CUSTOMERS.values()) for i in range(len(MONTHS))]


def _pivot_xlsx(path: Path, total_id: str | None, values: list[float] | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["customer_id", *MONTHS])
    for customer, row in CUSTOMERS.items():
        sheet.append([customer, *row])
    sheet.append([total_id, *(values or _sums())])
    book.save(path)
    return path


def _stored(db: Path) -> tuple[int, float, list[str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        query = "SELECT count(*), sum(net_revenue) FROM revenue_imports"
        n, total = con.execute(query).fetchall()[0]
        ids = [
            r[0] for r in con.execute("SELECT DISTINCT customer_id FROM revenue_imports").fetchall()
        ]
    return int(n), float(total), sorted(ids)


@pytest.mark.parametrize("label", ["Total", "Grand total", "TOTALS:", "Sum", "Subtotal"])
def test_a_labelled_total_row_of_a_pivot_is_skipped_with_a_warning(
    tmp_path: Path, label: str
) -> None:
    path = _pivot_xlsx(tmp_path / "pivot.xlsx", label)
    report = import_file(path, tmp_path / "w.duckdb", currency="USD")
    n, total, ids = _stored(tmp_path / "w.duckdb")
    assert (n, ids) == (8, sorted(CUSTOMERS))
    assert total == pytest.approx(BOOK_TOTAL)
    [warning] = [w for w in report.warnings if w.code == "total_row"]
    assert (warning.row, warning.column, warning.value) == (5, "customer_id", label)
    assert "equal the sums" in warning.text and "do not" not in warning.text


def test_a_blank_id_row_holding_the_sums_is_skipped(tmp_path: Path) -> None:
    path = _pivot_xlsx(tmp_path / "pivot.xlsx", None)
    report = import_file(path, tmp_path / "w.duckdb", currency="USD")
    assert _stored(tmp_path / "w.duckdb")[1] == pytest.approx(BOOK_TOTAL)
    assert [w.row for w in report.warnings if w.code == "total_row"] == [5]


def test_a_named_row_holding_the_sums_is_refused_naming_it(tmp_path: Path) -> None:
    path = _pivot_xlsx(tmp_path / "pivot.xlsx", "ACME group")
    with pytest.raises(ImportValidationError) as caught:
        import_file(path, tmp_path / "w.duckdb", currency="USD")
    [problem] = caught.value.report.problems
    assert (problem.code, problem.row, problem.value) == ("total_row", 5, "ACME group")
    assert "label it 'Total'" in problem.text
    assert not (tmp_path / "w.duckdb").exists()


def test_a_customer_whose_revenue_differs_from_the_sums_is_kept(tmp_path: Path) -> None:
    path = _pivot_xlsx(tmp_path / "pivot.xlsx", "CUST-004", [5.0, 6.0, 7.0])
    report = import_file(path, tmp_path / "w.duckdb", currency="USD")
    assert "CUST-004" in _stored(tmp_path / "w.duckdb")[2]
    assert not report.warnings


def test_a_total_row_of_a_long_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer", "month", "revenue"])
        for customer, row in CUSTOMERS.items():
            writer.writerows(
                [customer, m, v] for m, v in zip(MONTHS, row, strict=True) if v is not None
            )
        writer.writerow(["Total", "", f"{BOOK_TOTAL:.2f}"])
    report = import_file(path, tmp_path / "w.duckdb", currency="USD")
    n, total, ids = _stored(tmp_path / "w.duckdb")
    assert (n, total, ids) == (8, pytest.approx(BOOK_TOTAL), sorted(CUSTOMERS))
    assert [w.row for w in report.warnings if w.code == "total_row"] == [10]


def test_an_account_file_total_row_is_skipped_not_scored(tmp_path: Path) -> None:
    header = ["account_id", "tier", "mrr"]
    rows = [["A1", "Starter", "100"], ["A2", "Business", "250.5"], ["A3", "Starter", "49.5"]]
    path = tmp_path / "accounts.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([*rows, ["Total", "", "400"]])
    with pytest.raises(ImportValidationError) as caught:  # the file lacks model columns
        check_file(path, "leakage_accounts")
    report = caught.value.report
    assert not [p for p in report.problems if p.row == 5]
    assert [w.row for w in report.warnings if w.code == "total_row"] == [5]


US_TOTAL = "Customer,2026-01,2026-02\nOscorp,1000,1200\nTotal,1000,1200\n"
"""rt13's us_total.csv byte for byte: one customer, and a Total row equal to it."""


def test_a_total_over_one_customer_is_told_it_equals_the_sums(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli.main import app
    from ui.revenue_upload import import_revenue

    path = tmp_path / "us_total.csv"
    path.write_bytes(US_TOTAL.encode())
    result = CliRunner().invoke(app, ["import", str(path), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "row 3, column 'Customer': a total row, skipped" in text
    assert "its amounts equal the sums of the other rows" in text and "do not" not in text
    assert _stored(tmp_path / "w.duckdb")[1:] == (2200.0, ["Oscorp"])
    (tmp_path / "s").mkdir()
    chat = import_revenue(path, tmp_path / "s", None)
    assert "its amounts equal the sums" in chat.text and "do not equal" not in chat.text
