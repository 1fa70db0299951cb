"""rt9 N4: a currency named in a title row above the header ("ACME Corp — monthly recurring
revenue by customer (USD)") counts as a "Revenue (USD)" header does, in every way revenue
comes in: `revrisk import`, the chat's import (ui.revenue_upload; the workbook case is in
tests/unit/ui/test_revenue_upload.py) and `check_file` (trends --input, scoring). The chat
took GBP, the default, for such a file while the CLI took USD."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.imports import (
    ImportReport,
    ImportValidationError,
    check_file,
    import_file,
)
from data.imports.finance_formats import title_currencies
from data.warehouse import connect
from domain import DEFAULT_CURRENCY

MONTHS = ("2025-05", "2025-06", "2025-07")
TITLE = "ACME Corp — monthly recurring revenue by customer (USD)"


def _long_csv(path: Path, title: str | None, currency: str | None = None) -> Path:
    head = "customer_id,month,revenue" + (",currency" if currency else "")
    rows = [
        f"CUST-{c:03d},{m},{100 * c}" + (f",{currency}" if currency else "")
        for c in (1, 2)
        for m in MONTHS
    ]
    lines = ([f'"{title}"', ""] if title else []) + [head, *rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _currencies(db: Path) -> set[str]:
    with connect(db, read_only=True) as con:
        return {str(c) for (c,) in con.execute("SELECT currency FROM revenue_imports").fetchall()}


def _assumed(report: ImportReport) -> list[str]:
    return [w.message for w in report.warnings if w.code == "currency_assumed"]


@pytest.mark.parametrize(
    ("title", "currency"),
    [
        (TITLE, "USD"),
        ("Monthly revenue in EUR, FY 2025", "EUR"),
        ("Umsatz je Kunde [€]", "EUR"),
        ("All figures £, prepared by FINANCE (CFO office)", "GBP"),
    ],
)
def test_a_title_names_the_currency_of_a_csv(tmp_path: Path, title: str, currency: str) -> None:
    report = import_file(_long_csv(tmp_path / "rev.csv", title), tmp_path / "w.duckdb")
    assert _currencies(tmp_path / "w.duckdb") == {currency}
    assert not _assumed(report)  # as with a "Revenue (USD)" header: nothing assumed


def test_without_a_named_currency_the_default_is_still_said(tmp_path: Path) -> None:
    report = import_file(
        _long_csv(tmp_path / "rev.csv", "ACME Corp — revenue by customer"), tmp_path / "w.duckdb"
    )
    assert _currencies(tmp_path / "w.duckdb") == {DEFAULT_CURRENCY}  # rt12 T-M13: was GBP
    assert any(f"{DEFAULT_CURRENCY} is the default" in m for m in _assumed(report))


def test_a_title_against_the_currency_column_is_refused(tmp_path: Path) -> None:
    path = _long_csv(tmp_path / "rev.csv", TITLE, currency="EUR")
    with pytest.raises(ImportValidationError) as caught:
        import_file(path, tmp_path / "w.duckdb")
    messages = [p.message for p in caught.value.report.problems]
    assert any("written in USD (their signs, header or title)" in m for m in messages), messages
    assert not (tmp_path / "w.duckdb").exists()  # nothing stored
    with pytest.raises(ImportValidationError):  # trends --input, scoring: the same checks
        check_file(path, "monthly_revenue")


def test_words_that_look_like_codes_are_not_currencies() -> None:
    assert title_currencies(("ALL CUSTOMERS — MRR report (ARR view)", "Prepared by CEO")) == set()
