"""Imported revenue never doubles invoiced revenue nor mixes currencies silently (rt8 D17)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from data.imports import ImportValidationError, import_file
from data.warehouse import connect
from domain import DEFAULT_CURRENCY


@pytest.fixture
def world(small_world: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "world.duckdb"
    shutil.copy(small_world, copy)
    return copy


def _invoiced(world: Path) -> tuple[str, str, str]:
    """An invoiced (account, month) of the world and the account's currency."""
    with connect(world, read_only=True) as con:
        account, month, currency = con.execute(
            "SELECT i.account_id, strftime(i.period, '%Y-%m'), a.currency FROM invoices i "
            "JOIN accounts a USING (account_id) ORDER BY i.period DESC, 1 LIMIT 1"
        ).fetchall()[0]
    return str(account), str(month), str(currency)


def _csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["customer_id,month,revenue", *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _revenue_rows(world: Path) -> list[tuple[object, ...]]:
    with connect(world, read_only=True) as con:
        return con.execute(
            "SELECT customer_id, strftime(month, '%Y-%m'), currency FROM revenue_imports "
            "ORDER BY 1, 2"
        ).fetchall()


@pytest.mark.parametrize("replace", [False, True])
def test_revenue_for_an_invoiced_account_month_is_refused(
    world: Path, tmp_path: Path, replace: bool
) -> None:
    account, month, _ = _invoiced(world)
    path = _csv(tmp_path / "overlap.csv", [(account, month, "999")])
    with pytest.raises(ImportValidationError) as caught:
        import_file(path, world, replace=replace)
    [problem] = caught.value.report.problems
    assert (problem.code, problem.row) == ("invoiced_month", 2)
    assert problem.value == f"customer_id={account}, month={month}"
    assert "count the month twice" in problem.message
    assert _revenue_rows(world) == []


def test_a_file_without_currency_takes_the_warehouse_currency_and_says_so(
    world: Path, tmp_path: Path
) -> None:
    account, month, currency = _invoiced(world)
    later = f"{int(month[:4]) + 1}{month[4:]}"
    path = _csv(tmp_path / "new.csv", [(account, later, "5"), ("CUST-9", month, "7")])
    report = import_file(path, world)
    assert _revenue_rows(world) == [(account, later, currency), ("CUST-9", month, currency)]
    assumed = [w.message for w in report.warnings if w.code == "currency_assumed"]
    assert len(assumed) == 2 and f"{currency} is the warehouse's only currency" in assumed[1]


def test_revenue_in_another_currency_than_the_account_is_refused(
    world: Path, tmp_path: Path
) -> None:
    account, month, currency = _invoiced(world)
    other = "GBP" if currency != "GBP" else "EUR"
    later = f"{int(month[:4]) + 1}{month[4:]}"
    path = _csv(tmp_path / "gbp.csv", [(account, later, "5")])
    with pytest.raises(ImportValidationError) as caught:
        import_file(path, world, currency=other)
    [problem] = caught.value.report.problems
    assert problem.code == "other_currency"
    assert problem.value == f"customer_id={account}, currency={other}, account currency={currency}"


def test_a_warehouse_of_several_currencies_asks_for_currency(world: Path, tmp_path: Path) -> None:
    import_file(_csv(tmp_path / "eur.csv", [("CUST-1", "2020-01", "5")]), world, currency="EUR")
    path = _csv(tmp_path / "new.csv", [("CUST-2", "2020-01", "5")])
    with pytest.raises(ImportValidationError) as caught:
        import_file(path, world)
    [problem] = caught.value.report.problems
    assert problem.code == "currency_unknown" and "--currency" in problem.message
    assert import_file(path, world, currency="EUR").ok


def test_an_empty_warehouse_states_the_default_currency(tmp_path: Path) -> None:
    report = import_file(_csv(tmp_path / "r.csv", [("C1", "2020-01", "5")]), tmp_path / "w.db")
    assert _revenue_rows(tmp_path / "w.db") == [("C1", "2020-01", DEFAULT_CURRENCY)]
    [warning] = report.warnings  # the one default of every layer (rt12 T-M13: was GBP)
    assert f"{DEFAULT_CURRENCY} is the default (the warehouse holds none)" in warning.message


def test_an_id_in_another_case_is_the_warehouses_customer(world: Path, tmp_path: Path) -> None:
    """rt9 N6: 'acc000042' for an invoiced month was stored beside ACC000042 and counted
    twice. An id equal to a held one but for case is read as it, with a warning, so the
    invoiced-month check applies and later months join the account's own series."""
    account, month, currency = _invoiced(world)
    path = _csv(tmp_path / "lower.csv", [(account.lower(), month, "999")])
    with pytest.raises(ImportValidationError) as caught:
        import_file(path, world)
    assert [p.code for p in caught.value.report.problems] == ["invoiced_month"]
    later = f"{int(month[:4]) + 1}{month[4:]}"
    report = import_file(_csv(tmp_path / "later.csv", [(account.lower(), later, "5")]), world)
    assert _revenue_rows(world) == [(account, later, currency)]
    [warning] = [w.message for w in report.warnings if w.code == "id_case"]
    assert f"{account.lower()!r} as {account}" in warning
