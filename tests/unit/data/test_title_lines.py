"""A revenue CSV with a title line above an unfamiliar header (rt11 R-M4): every door reads
the same header row. `revrisk import` imports it, `revrisk score` refuses it for what it is
(no account columns, named at the real header row), and the chat offers the revenue import
instead of scoring it; a file whose header names no kind but whose cells are months and
amounts is offered the import too, whose report names every missing column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from data.imports import ImportValidationError, import_file, read_table
from data.imports.finance_formats import parse_months
from data.warehouse import connect
from ui.revenue_upload import import_revenue, upload_kind

TITLE = "Monthly revenue export - Globo Holdings (all amounts USD)"
CUSTOMERS = {"Wayne Enterprises": 12_000.0, "Umbrella Corp": 8_000.0, "Tyrell Corp.": 3_500.5}
MONTHS = ["Jan-2025", "Feb-2025", "Mar-2025", "Apr-2025"]


def _rows() -> list[str]:
    return [
        f'{name},{month},"${amount + 10 * index:,.2f}"'
        for name, amount in CUSTOMERS.items()
        for index, month in enumerate(MONTHS)
    ]


def _titled(path: Path, header: str = " Cust. Name ,Billing Period,Net Amount ($)") -> Path:
    path.write_text("\n".join([TITLE, header, *_rows()]) + "\n")
    return path


def _total() -> float:
    return sum(amount + 10 * index for amount in CUSTOMERS.values() for index in range(4))


def test_the_title_line_is_skipped_and_the_header_read(tmp_path: Path) -> None:
    table = read_table(_titled(tmp_path / "messy_rev.csv"))
    assert table.headers == ("Cust. Name", "Billing Period", "Net Amount ($)")
    assert table.source.header_row == 2 and table.title == (TITLE,)
    assert len(table.cells) == 12 and table.cells.index[0] == 3  # rows as the user numbers them


def test_revrisk_import_takes_the_titled_file_with_the_right_total(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    result = CliRunner().invoke(app, ["import", str(_titled(tmp_path / "r.csv")), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "the header is row 2" in result.output
    with connect(db, read_only=True) as con:
        count, total, first = con.execute(
            "SELECT count(*), sum(net_revenue), min(month) FROM revenue_imports"
        ).fetchone()
    assert (count, float(total), str(first)) == (12, _total(), "2025-01-01")


def test_revrisk_score_refuses_it_at_the_real_header_not_the_title(tmp_path: Path) -> None:
    path = _titled(tmp_path / "r.csv")
    result = CliRunner().invoke(
        app,
        ["score", str(path), "-o", str(tmp_path / "o.csv"), "--db", str(tmp_path / "w.duckdb")],
    )
    assert result.exit_code == 2
    assert "header has 1" not in result.output
    assert "r.csv, row 2, column 'account_id': required column is missing" in result.output


def test_the_chat_routes_the_titled_file_to_the_revenue_import(tmp_path: Path) -> None:
    kind = upload_kind(_titled(tmp_path / "r.csv"))
    assert kind is not None and (kind.kind, kind.sub_format) == ("monthly_revenue", "long")
    (tmp_path / "session").mkdir()
    outcome = import_revenue(tmp_path / "r.csv", tmp_path / "session", None)
    assert outcome.db_path is not None, outcome.text
    assert "imported 12 rows as monthly_revenue (long)" in outcome.text


def test_an_unknown_revenue_header_is_offered_the_import_which_names_what_is_missing(
    tmp_path: Path,
) -> None:
    path = _titled(tmp_path / "odd.csv", header="Client Ref,Invoice Period,Gross")
    kind = upload_kind(path)
    assert kind is not None and (kind.kind, kind.sub_format) == ("monthly_revenue", "long")
    (tmp_path / "session").mkdir()
    outcome = import_revenue(path, tmp_path / "session", None)
    assert outcome.db_path is None
    for missing in ("customer_id", "month", "net_revenue"):
        assert f"odd.csv, row 2, column '{missing}': required column is missing" in outcome.text
    with pytest.raises(ImportValidationError) as cli:  # the CLI's words, the same file
        import_file(path, tmp_path / "cli.duckdb", "monthly_revenue")
    assert cli.value.report.render() == outcome.text


def test_an_account_list_or_a_table_of_words_is_not_taken_for_revenue(tmp_path: Path) -> None:
    (tmp_path / "odd.csv").write_text("colour,shape,size\nred,round,3\nblue,square,4\n")
    assert upload_kind(tmp_path / "odd.csv") is None
    usage = tmp_path / "usage.csv"  # months and numbers, but too wide for a revenue file
    usage.write_text(
        "acct,period,seats,logins,tickets,adoption\nA1,2025-01,3,40,1,0.5\nA1,2025-02,3,41,0,0.5\n"
    )
    assert upload_kind(usage) is None


def test_named_months_are_read() -> None:
    months, _ = parse_months(pd.Series(["Jan-2025", "February 2025", "Sept 2025", "dec 2024"]))
    assert [m.strftime("%Y-%m") for m in months] == ["2025-01", "2025-02", "2025-09", "2024-12"]
    unread, _ = parse_months(pd.Series(["Jam-2025", "Jan-25", "2025-13"]))
    assert unread.isna().all()
