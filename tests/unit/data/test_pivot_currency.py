"""A pivot (column-per-month) revenue file's currency column is used, row by row (rt14 V-H6).

The tester's workbook had a notes sheet, then "Rev" with `Customer, Currency, 2026-07 …
2026-10`: EUR, GBP and USD rows. The pivot layout had no currency column, so the importer
warned "column 'Currency' … ignored", then "no currency column; USD is the default", and
stored 21,200 EUR and 10,800 GBP as USD: "Net revenue, 2026-10: $18,000". Both doors (the
CLI's `revrisk import`, the chat's upload) go through the same checks; both are tested here.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from cli.main import app
from ui.revenue_upload import SESSION_DB, import_revenue

MONTHS = ["2026-07", "2026-08", "2026-09", "2026-10"]
ROWS = [
    ("Globex GmbH", "EUR", [5000, 5200, 5400, 5600]),
    ("Britco Ltd", "GBP", [3000, 2800, 2600, 2400]),
    ("Acme Inc", "USD", [10000, 10000, 10000, 10000]),
]
STORED = {(name, currency, float(sum(values))) for name, currency, values in ROWS}


def _workbook(path: Path, rows: list[tuple[str, str, list[int]]] = ROWS) -> Path:
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["Revenue by customer, in each customer's currency"])
    sheet = book.create_sheet("Rev")
    sheet.append(["Customer", "Currency", *MONTHS])
    for name, currency, values in rows:
        sheet.append([name, currency, *values])
    book.save(path)
    return path


def _csv(path: Path, header: str = "currency") -> Path:
    lines = [f"customer_id,{header},{','.join(MONTHS)}"]
    lines += [f"{name},{currency},{','.join(map(str, v))}" for name, currency, v in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stored(db: Path) -> set[tuple[str, str, float]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT customer_id, currency, sum(net_revenue)::DOUBLE FROM revenue_imports "
            "GROUP BY ALL"
        ).fetchall()
    return {(str(a), str(b), float(c)) for a, b, c in rows}


def _october(db: Path) -> dict[str, float]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT currency, sum(net_revenue)::DOUBLE FROM monthly_revenue "
            "WHERE month = DATE '2026-10-01' GROUP BY 1"
        ).fetchall()
    return {str(currency): float(total) for currency, total in rows}


@pytest.mark.parametrize("make", [_workbook, _csv, lambda p: _csv(p, "Currency")])
def test_the_cli_stores_each_pivot_row_in_its_currency(tmp_path: Path, make) -> None:
    source = make(tmp_path / ("rev.xlsx" if make is _workbook else "rev.csv"))
    db = tmp_path / "w.duckdb"
    result = CliRunner().invoke(app, ["import", str(source), "--db", str(db)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "(pivot)" in said
    assert "no currency column" not in said and "ignored" not in said
    assert _stored(db) == STORED
    assert _october(db) == {"EUR": 5600.0, "GBP": 2400.0, "USD": 10000.0}  # never added up


def test_the_chat_upload_stores_each_pivot_row_in_its_currency(tmp_path: Path) -> None:
    outcome = import_revenue(_workbook(tmp_path / "multi.xlsx"), tmp_path, None)
    assert outcome.db_path is not None, outcome.text
    assert "no currency column" not in outcome.text
    assert _stored(outcome.db_path) == STORED
    assert _october(outcome.db_path) == {"EUR": 5600.0, "GBP": 2400.0, "USD": 10000.0}


BAD = [ROWS[0], ("Britco Ltd", "Pound", ROWS[1][2]), ("Acme Inc", "usd", ROWS[2][2])]


def test_bad_currency_cells_are_refused_at_the_cli_naming_file_row_and_column(
    tmp_path: Path,
) -> None:
    source = _workbook(tmp_path / "bad.xlsx", BAD)
    db = tmp_path / "w.duckdb"
    result = CliRunner().invoke(app, ["import", str(source), "--db", str(db)])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "row 3, column 'Currency'" in said and "'Pound'" in said
    assert "row 4, column 'Currency'" in said and "'usd'" in said
    assert "bad.xlsx" in said and "nothing was written" in said
    assert not db.exists()


def test_bad_currency_cells_are_refused_in_the_chat_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    outcome = import_revenue(_workbook(tmp_path / "bad.xlsx", BAD), tmp_path, None)
    assert outcome.db_path is None
    said = " ".join(outcome.text.split())
    assert "row 3, column 'Currency'" in said and "'Pound'" in said
    assert not (tmp_path / SESSION_DB).exists()
