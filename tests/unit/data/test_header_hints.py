"""A header that names a required column differently gets the closest header the file has
(rt12 T-M12): `Client,Mnth,Amt` is read as the long revenue layout its cells have and told
'month' and 'net_revenue' are missing ('did you mean ...?'), a pivot headed `Kunde` is told
'customer_id' is missing, did you mean 'Kunde'; file, row and column named, exit 2, nothing
stored — through `revrisk import` and the chat's upload alike."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from ui.revenue_upload import import_revenue

BAD_HEADER = (
    "Client,Mnth,Amt\nStark Industries,2026-01,1000\nStark Industries,2026-02,1100\n"
    "Wayne Enterprises,2026-01,500\n"
)
KUNDE = (
    "Kunde;2026-01;2026-02\nBrandt AG;10.000,00 €;9.500,50 €\nKlein GmbH;1.200,00 €;1.250,00 €\n"
)


def _import(path: Path, db: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["import", str(path), "--db", str(db)])
    return result.exit_code, result.output


def test_renamed_long_columns_are_named_with_the_header_meant(tmp_path: Path) -> None:
    path = tmp_path / "bad_header.csv"
    path.write_text(BAD_HEADER)
    code, output = _import(path, tmp_path / "w.duckdb")
    assert code == 2, output
    text = " ".join(output.split())
    assert (
        "bad_header.csv, row 1, column 'month': required column is missing; did you mean 'Mnth'?"
        in text
    )
    assert "column 'net_revenue': required column is missing; did you mean 'Amt'?" in text
    assert "no month columns" not in text and "duplicate customer_id" not in text
    assert not (tmp_path / "w.duckdb").exists()


def test_an_unknown_customer_header_is_the_one_suggested(tmp_path: Path) -> None:
    path = tmp_path / "eu_pivot.csv"
    path.write_text(KUNDE, encoding="utf-8")
    code, output = _import(path, tmp_path / "w.duckdb")
    assert code == 2, output
    text = " ".join(output.split())
    assert (
        "eu_pivot.csv, row 1, column 'customer_id': required column is missing; "
        "did you mean 'Kunde'?" in text
    )
    assert not (tmp_path / "w.duckdb").exists()


def test_the_chat_upload_gives_the_same_hints(tmp_path: Path) -> None:
    path = tmp_path / "bad_header.csv"
    path.write_text(BAD_HEADER)
    (tmp_path / "s").mkdir()
    outcome = import_revenue(path, tmp_path / "s", None)
    assert outcome.db_path is None
    assert "column 'month': required column is missing; did you mean 'Mnth'?" in outcome.text
    assert "did you mean 'Amt'?" in outcome.text
    assert not (tmp_path / "s" / "revenue.duckdb").exists()
