"""Stripe objects in and out: every fixture object parses, corrupted folders are refused with
their file, line and field, and the synthetic world round-trips to the cent."""

from __future__ import annotations

import copy
import json
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from reference_data import STRIPE_FIXTURES
from typer.testing import CliRunner

from cli.main import app
from data.build import build_demo_stripe, build_demo_warehouse
from data.imports import json_objects, stripe
from data.imports.report import ImportValidationError
from data.imports.stripe import (
    INVOICE_STATUS,
    RESOURCES,
    STRIPE_TABLES,
    StripeMapper,
    import_stripe,
    mapping_table,
)
from data.synth import WorldConfig
from data.warehouse import connect
from services.leakage.service import evaluate_detectors

FIXTURES: dict[str, dict[str, Any]] = json.loads(STRIPE_FIXTURES.read_text())["resources"]
CUSTOMER = FIXTURES["customer"]

runner = CliRunner()


def _write(folder: Path, files: dict[str, list[dict[str, Any]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, objects in files.items():
        (folder / name).write_text("".join(json.dumps(o) + "\n" for o in objects))
    return folder


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return copy.deepcopy(base) | changes


def _fixture_folders() -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Each fixture object in the file the API lists it in, with the minimum it references.

    Objects only ever nested (subscription items, invoice lines, discounts) travel inside
    their parent; objects of types the mapping does not use go to their own file.
    """
    f = FIXTURES
    open_invoice = _with(f["invoice"], status="open")
    open_invoice["lines"]["data"] = [copy.deepcopy(f["line_item"])]
    subscription_with_item = _with(f["subscription"])
    subscription_with_item["items"]["data"] = [
        _with(f["subscription_item"], subscription=f["subscription"]["id"])
    ]
    discounted = _with(f["subscription"], discounts=[copy.deepcopy(f["discount"])])
    discounted["discounts"][0]["source"] = {"coupon": f["coupon"]["id"], "type": "coupon"}
    credited = _with(f["invoice"], id=f["credit_note"]["invoice"], status="open")
    return {
        "customer": {"customers.jsonl": [CUSTOMER]},
        "subscription": {"customers.jsonl": [CUSTOMER], "subscriptions.jsonl": [f["subscription"]]},
        "subscription_item": {
            "customers.jsonl": [CUSTOMER],
            "subscriptions.jsonl": [subscription_with_item],
        },
        "subscription_schedule": {
            "customers.jsonl": [CUSTOMER],
            "prices.jsonl": [f["price"]],
            "subscription_schedules.jsonl": [f["subscription_schedule"]],
        },
        "invoice": {"customers.jsonl": [CUSTOMER], "invoices.jsonl": [f["invoice"]]},
        "line_item": {"customers.jsonl": [CUSTOMER], "invoices.jsonl": [open_invoice]},
        "invoiceitem": {"invoiceitems.jsonl": [f["invoiceitem"]]},
        "invoice_payment": {"invoice_payments.jsonl": [f["invoice_payment"]]},
        "charge": {"charges.jsonl": [f["charge"]]},
        "payment_intent": {"payment_intents.jsonl": [f["payment_intent"]]},
        "payment_method": {"payment_methods.jsonl": [f["payment_method"]]},
        "card": {"payment_methods.jsonl": [f["card"]]},
        "price": {"prices.jsonl": [f["price"]]},
        "plan": {"plans.jsonl": [f["plan"]]},
        "product": {"products.jsonl": [f["product"]]},
        "coupon": {"coupons.jsonl": [f["coupon"]]},
        "discount": {
            "customers.jsonl": [CUSTOMER],
            "coupons.jsonl": [f["coupon"]],
            "subscriptions.jsonl": [discounted],
        },
        "promotion_code": {"promotion_codes.jsonl": [f["promotion_code"]]},
        "credit_note": {
            "customers.jsonl": [CUSTOMER],
            "invoices.jsonl": [credited],
            "credit_notes.jsonl": [f["credit_note"]],
        },
        "credit_note_line_item": {"credit_note_line_items.jsonl": [f["credit_note_line_item"]]},
        "refund": {"refunds.jsonl": [f["refund"]]},
        "dispute": {"disputes.jsonl": [f["dispute"]]},
        "billing.meter": {"billing_meters.jsonl": [f["billing.meter"]]},
        "billing.meter_event": {"billing_meter_events.jsonl": [f["billing.meter_event"]]},
        # the API lists summaries per customer (GET .../event_summaries?customer=): the
        # listing's customer is the minimum a summary references
        "billing.meter_event_summary": {
            "customers.jsonl": [CUSTOMER],
            "billing_meters.jsonl": [f["billing.meter"]],
            "meter_event_summaries.jsonl": [
                _with(f["billing.meter_event_summary"], customer=CUSTOMER["id"])
            ],
        },
        "balance_transaction": {"balance_transactions.jsonl": [f["balance_transaction"]]},
        "customer_balance_transaction": {
            "customer_balance_transactions.jsonl": [f["customer_balance_transaction"]]
        },
        "event": {"events.jsonl": [f["event"]]},
    }


def test_every_fixture_resource_has_a_case() -> None:
    assert set(_fixture_folders()) == set(FIXTURES)


# what each fixture object becomes: the rows it yields, else the unused label it is counted in
EXPECTED = {
    "customer": {"accounts": 1},
    "subscription": {"accounts": 1, "contracts": 1},
    "subscription_item": {"contracts": 1},
    "subscription_schedule": {"accounts": 1},
    "invoice": "invoices in draft or void",
    "line_item": {"invoices": 1, "invoice_lines": 1},
    "invoiceitem": "invoiceitems.jsonl",
    "invoice_payment": "invoice payments linking no listed charge",
    "charge": "charges not for an invoice",
    "payment_intent": "payment intents linking no listed charge",
    "payment_method": "payment methods not attached to a known customer",
    "card": "payment methods not attached to a known customer",
    "price": None,
    "plan": "plan objects in the prices files",
    "product": None,
    "coupon": None,
    "discount": {"contracts": 1},
    "promotion_code": "promotion_codes.jsonl",
    "credit_note": {"invoices": 1, "invoice_lines": 2},
    "credit_note_line_item": "credit_note_line_items.jsonl",
    "refund": "refunds.jsonl",
    "dispute": "disputes.jsonl",
    "billing.meter": "billing meters not mapped to a usage column",
    "billing.meter_event": "billing_meter_events.jsonl",
    "billing.meter_event_summary": "meter event summaries of meters not listed or not mapped",
    "balance_transaction": "balance_transactions.jsonl",
    "customer_balance_transaction": "customer_balance_transactions.jsonl",
    "event": "events.jsonl",
}


@pytest.mark.parametrize("resource", sorted(FIXTURES))
def test_each_fixture_object_imports_or_is_reported_unused(resource: str, tmp_path: Path) -> None:
    folder = _write(tmp_path / resource, _fixture_folders()[resource])
    report = import_stripe(folder, tmp_path / "w.duckdb")
    expected = EXPECTED[resource]
    if isinstance(expected, dict):
        assert {t: n for t, n in report.rows.items() if n} == {
            t: n for t, n in {**dict.fromkeys(report.rows, 0), **expected}.items() if n
        } or all(report.rows[t] == n for t, n in expected.items())
        for table, count in expected.items():
            assert report.rows[table] == count, (table, report.rows)
    elif isinstance(expected, str):
        assert any(label.startswith(expected) for label in report.unused), report.unused
    else:  # read as a lookup table (prices, products, coupons): nothing stored by itself
        assert sum(report.rows.values()) == 0 and sum(report.files.values()) == 1


def test_the_fixture_discount_sets_the_contract_discount(tmp_path: Path) -> None:
    folder = _write(tmp_path / "d", _fixture_folders()["discount"])
    import_stripe(folder, tmp_path / "w.duckdb")
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        pct, end = con.execute("SELECT discount_pct, discount_end_date FROM contracts").fetchone()
    assert float(pct) == FIXTURES["coupon"]["percent_off"]
    # discount.end is the instant it stops: the last day it applies is the day before
    assert str(end) == str(pd.Timestamp(FIXTURES["discount"]["end"] - 1, unit="s").date())


# ------------------------------------------------------------------------------------------
# The synthetic world as Stripe objects, and back
# ------------------------------------------------------------------------------------------
SEED = 11


@pytest.fixture(scope="module")
def stripe_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 300-account world of `small_world` (seed 11) written as Stripe objects."""
    folder = tmp_path_factory.mktemp("stripe") / "export"
    build_demo_stripe(folder, WorldConfig(n_accounts=300, seed=SEED))
    return folder


@pytest.fixture(scope="module")
def imported(stripe_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("imported") / "w.duckdb"
    import_stripe(stripe_world, db)
    return db


def test_the_export_looks_like_the_api(stripe_world: Path) -> None:
    first = {
        p.stem: json.loads(p.read_text().splitlines()[0]) for p in stripe_world.glob("*.jsonl")
    }
    assert first["customers"]["id"].startswith("cus_")
    assert first["subscriptions"]["id"].startswith("sub_")
    assert first["invoices"]["id"].startswith("in_")
    assert first["charges"]["id"].startswith("ch_")
    assert first["payment_methods"]["id"].startswith("pm_")
    assert isinstance(first["invoices"]["total"], int)
    assert first["invoices"]["status"] in INVOICE_STATUS
    for name, obj in first.items():
        if name in RESOURCES:
            assert obj["object"] == RESOURCES[name].object
    # same field names and nesting as Stripe's own fixtures; charge.invoice is the older API
    # versions' link (the fixtures' version links through invoice_payments, also read)
    for name, fixture in (
        ("customers", "customer"),
        ("invoices", "invoice"),
        ("charges", "charge"),
    ):
        assert set(first[name]) - {"invoice"} <= set(FIXTURES[fixture]), name


def test_round_trip_gives_the_native_tables(small_world: Path, imported: Path) -> None:
    keys = {
        "accounts": "SELECT * FROM {}accounts",
        "contracts": "SELECT * FROM {}contracts",
        "usage": "SELECT account_id, month, active_seats FROM {}usage_monthly",
        "methods": "SELECT account_id, method_type, expiry_month, added_date FROM {}payment_methods",
        "invoices": "SELECT account_id, contract_id, period, issue_date, due_date, currency, total "
        "FROM {}invoices",
        "lines": "SELECT i.account_id, i.period, l.line_type, l.quantity, l.unit_price, l.amount "
        "FROM {0}invoice_lines l JOIN {0}invoices i USING (invoice_id)",
        "payments": "SELECT p.account_id, i.period, p.attempt_no, p.attempted_date, p.amount, "
        "p.status, p.decline_code, m.method_type, m.expiry_month FROM {0}payments p "
        "JOIN {0}invoices i USING (invoice_id) LEFT JOIN {0}payment_methods m USING (method_id)",
        "truth": "SELECT * FROM {}leakage_events",
    }
    with connect(imported, read_only=True) as con:
        con.execute(f"ATTACH '{small_world}' AS native (READ_ONLY)")
        for name, query in keys.items():
            ours, theirs = query.format(""), query.format("native.")
            counts = con.execute(
                f"SELECT (SELECT count(*) FROM ({ours})), (SELECT count(*) FROM ({theirs}))"
            ).fetchone()
            assert counts[0] == counts[1] > 0, name
            differ = con.execute(
                f"SELECT count(*) FROM (({ours}) EXCEPT ALL ({theirs}))"
            ).fetchone()[0]
            assert differ == 0, name


def test_round_trip_detections_are_exact(imported: Path) -> None:
    report = evaluate_detectors(imported)
    for kind, score in report["per_type"].items():
        assert score["n_true"] > 0, kind
        assert score["precision"] == 1.0 and score["recall"] == 1.0, (kind, score)
        assert score["max_amount_error"] == 0.0, (kind, score)


def test_bulk_reading_gives_the_per_line_reading_s_rows(stripe_world: Path) -> None:
    """JSON Lines read in bulk (pyarrow, a schema from the declared fields) map to exactly
    the rows, unused counts and labels of every object read by the per-line extraction."""
    bulk = StripeMapper(stripe_world)
    fast = bulk.run()
    assert {"x_invoices", "x_lines", "x_charges", "x_meter_event_summaries"} <= bulk.read_in_bulk
    slow_mapper = StripeMapper(stripe_world, bulk=False)
    slow = slow_mapper.run()
    assert not slow_mapper.read_in_bulk
    assert (fast.n_problems, fast.unused, fast.files, fast.labels, fast.unused_fields) == (
        slow.n_problems,
        slow.unused,
        slow.files,
        slow.labels,
        slow.unused_fields,
    )
    for table in STRIPE_TABLES:
        ours, theirs = fast.frames[table], slow.frames[table]
        columns = list(ours.columns)
        pd.testing.assert_frame_equal(
            ours.sort_values(columns, ignore_index=True).astype(str),
            theirs[columns].sort_values(columns, ignore_index=True).astype(str),
            obj=table,
        )


def test_a_file_the_bulk_schema_cannot_read_is_read_line_by_line(
    stripe_world: Path, tmp_path: Path
) -> None:
    """An expanded customer on one charge (valid Stripe) fails the bulk parse of charges.jsonl;
    that file is then read per line and maps to the same rows."""
    folder = tmp_path / "expanded"
    shutil.copytree(stripe_world, folder)
    customers = {
        o["id"]: o for o in map(json.loads, (folder / "customers.jsonl").read_text().splitlines())
    }
    _edit_line(folder / "charges.jsonl", 4, lambda o: o.update(customer=customers[o["customer"]]))
    mapper = StripeMapper(folder)
    rows = mapper.run()
    assert "x_charges" not in mapper.read_in_bulk and "x_invoices" in mapper.read_in_bulk
    assert rows.n_problems == 0, rows.problems[:3]
    expected = StripeMapper(stripe_world).run().frames["payments"]
    columns = list(expected.columns)
    pd.testing.assert_frame_equal(
        rows.frames["payments"].sort_values(columns, ignore_index=True),
        expected.sort_values(columns, ignore_index=True),
    )


def test_csv_json_list_and_zip_forms_map_to_the_same_rows(
    stripe_world: Path, tmp_path: Path
) -> None:
    """Warehouse-sync CSVs (flattened names, both spellings), a JSON list and a zip."""
    folder = tmp_path / "mixed"
    shutil.copytree(stripe_world, folder)
    customers = pd.json_normalize(
        [json.loads(line) for line in (folder / "customers.jsonl").read_text().splitlines()]
    )
    customers.columns = [c.replace("address.", "address_") for c in customers.columns]
    customers.to_csv(folder / "customers.csv", index=False)
    (folder / "customers.jsonl").unlink()
    charges = pd.json_normalize(
        [json.loads(line) for line in (folder / "charges.jsonl").read_text().splitlines()]
    )
    charges.to_csv(folder / "charges.csv", index=False)  # outcome.reason, outcome.type
    (folder / "charges.jsonl").unlink()
    methods = [json.loads(x) for x in (folder / "payment_methods.jsonl").read_text().splitlines()]
    (folder / "payment_methods.json").write_text(json.dumps({"object": "list", "data": methods}))
    (folder / "payment_methods.jsonl").unlink()
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in folder.iterdir():
            handle.write(path, f"stripe-export/{path.name}")

    reference = StripeMapper(stripe_world).run()
    for source in (folder, archive):
        db = tmp_path / f"{source.stem}.duckdb"
        import_stripe(source, db)
        with connect(db, read_only=True) as con:
            for table in STRIPE_TABLES:
                stored = con.execute(f"SELECT * FROM {table} ORDER BY ALL").df()
                expected = reference.frames[table][list(stored.columns)]
                expected = expected.sort_values(list(stored.columns), ignore_index=True)
                # the mapper's frames hold DuckDB's exact types (Arrow decimals, dates):
                # compared as the stored table's types, so 12.00000000 reads as 12.0
                expected = expected.astype(stored.dtypes.to_dict())
                pd.testing.assert_frame_equal(
                    stored.astype(str), expected.astype(str), check_dtype=False, obj=table
                )


# ------------------------------------------------------------------------------------------
# Corrupted folders: exit 2, file + line + field named, warehouse unchanged
# ------------------------------------------------------------------------------------------
def _edit_line(path: Path, number: int, change: Callable[[dict[str, Any]], Any]) -> None:
    lines = path.read_text().splitlines()
    obj = json.loads(lines[number - 1])
    change(obj)
    lines[number - 1] = json.dumps(obj)
    path.write_text("\n".join(lines) + "\n")


def _amount_as_string(folder: Path) -> None:
    _edit_line(folder / "charges.jsonl", 3, lambda o: o.update(amount=str(o["amount"])))


def _unknown_status(folder: Path) -> None:
    _edit_line(folder / "invoices.jsonl", 5, lambda o: o.update(status="settled"))


def _missing_customer(folder: Path) -> None:
    _edit_line(folder / "invoices.jsonl", 7, lambda o: o.update(customer="cus_NOSUCH"))


def _duplicate_id(folder: Path) -> None:
    path = folder / "subscriptions.jsonl"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n")


def _truncated_line(folder: Path) -> None:
    path = folder / "charges.jsonl"
    lines = path.read_text().splitlines()
    lines[9] = lines[9][: len(lines[9]) // 2]
    path.write_text("\n".join(lines) + "\n")


def _currency_mismatch(folder: Path) -> None:
    def change(o: dict[str, Any]) -> None:
        o["lines"]["data"][0]["currency"] = "eur"

    _edit_line(folder / "invoices.jsonl", 2, change)


CORRUPTIONS = {
    "amount as string": (_amount_as_string, "charges.jsonl", 3, "amount", "expected an integer"),
    "unknown status": (_unknown_status, "invoices.jsonl", 5, "status", "unknown value"),
    "missing customer": (_missing_customer, "invoices.jsonl", 7, "customer", "not found"),
    "duplicate id": (_duplicate_id, "subscriptions.jsonl", None, "id", "duplicate subscription"),
    "truncated line": (_truncated_line, "charges.jsonl", 10, None, "truncated"),
    "currency mismatch": (
        _currency_mismatch,
        "invoices.jsonl",
        2,
        "lines.data[0].currency",
        "currency mismatch",
    ),
}


@pytest.fixture(scope="module")
def warehouse_before(stripe_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An existing warehouse (a small demo) that refused imports must leave as it was."""
    db = tmp_path_factory.mktemp("before") / "w.duckdb"
    build_demo_warehouse(db, WorldConfig(n_accounts=50, seed=3))
    return db


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corrupted_folder_exits_2_naming_file_line_and_field(
    name: str, stripe_world: Path, warehouse_before: Path, tmp_path: Path
) -> None:
    corrupt, file, line, field, words = CORRUPTIONS[name]
    folder = tmp_path / "bad"
    shutil.copytree(stripe_world, folder)
    corrupt(folder)
    if line is None:  # the duplicate is the appended last line
        line = len((folder / file).read_text().splitlines())
    db = tmp_path / "w.duckdb"
    shutil.copy(warehouse_before, db)
    before = runner.invoke(app, ["info", "--json", "--db", str(db)])
    result = runner.invoke(
        app, ["import", "--from", "stripe", str(folder), "--db", str(db), "--json", "--no-refresh"]
    )
    assert result.exit_code == 2, result.output
    report = json.loads(result.stdout)
    assert not report["ok"]
    hits = [
        p
        for p in report["problems"]
        if p["file"] == file and p["row"] == line and p["column"] == field
    ]
    assert hits, report["problems"][:5]
    assert words in hits[0]["message"], hits[0]
    if name == "amount as string":  # the value the file holds (a JSON string), not its type
        held = json.loads((folder / file).read_text().splitlines()[line - 1])["amount"]
        assert isinstance(held, str) and hits[0]["value"] == json.dumps(held)
        assert hits[0]["message"].endswith("found a string"), hits[0]
    assert f"{file}, line {line}" in hits[0]["text"]
    after = runner.invoke(app, ["info", "--json", "--db", str(db)])
    assert after.stdout == before.stdout


# ------------------------------------------------------------------------------------------
# Hazardous zips: a typed refusal naming the zip (and the member), exit 2, nothing written
# ------------------------------------------------------------------------------------------
def _zip_with(folder: Path, archive: Path, extra: Callable[[zipfile.ZipFile], None]) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        for path in sorted(folder.iterdir()):
            handle.write(path, path.name)
        extra(handle)
    return archive


def _traversal(handle: zipfile.ZipFile) -> None:
    handle.writestr("../../../../tmp/revrisk_pwned.txt", "x")


def _absolute(handle: zipfile.ZipFile) -> None:
    handle.writestr("/tmp/revrisk_pwned.txt", "x")


def _symlink(handle: zipfile.ZipFile) -> None:
    link = zipfile.ZipInfo("customers_link.jsonl")
    link.external_attr = (0o120777 << 16) | 0x20
    handle.writestr(link, "/etc/passwd")


def _bomb(handle: zipfile.ZipFile) -> None:
    handle.writestr("padding.bin", b"\0" * 3_000_000)  # 3 MB packed into a few KB


def _not_a_zip(archive: Path) -> None:
    archive.write_bytes(bytes(range(256)) * 8)


def _bad_crc(archive: Path) -> None:
    """A member's packed bytes flipped: the central directory reads, unpacking fails."""
    with zipfile.ZipFile(archive) as handle:
        member = handle.getinfo("customers.jsonl")
    data = bytearray(archive.read_bytes())
    start = member.header_offset + 30 + len(member.filename) + len(member.extra)
    data[start + 10 : start + 20] = bytes(10)
    archive.write_bytes(bytes(data))


def _encrypted(archive: Path) -> None:
    """Every member flagged as encrypted in the central directory (zipfile cannot write one)."""
    data = bytearray(archive.read_bytes())
    start = data.find(b"PK\x01\x02")
    while start >= 0:
        data[start + 8] |= 0x1
        start = data.find(b"PK\x01\x02", start + 4)
    archive.write_bytes(bytes(data))


ZIP_HAZARDS: dict[str, tuple[Callable[..., None], bool, str]] = {
    "traversal": (_traversal, False, "unsafe path in the zip: '../../../../tmp/revrisk_pwned.txt'"),
    "absolute path": (_absolute, False, "unsafe path in the zip: '/tmp/revrisk_pwned.txt'"),
    "symlink": (_symlink, False, "symbolic link in the zip: 'customers_link.jsonl'"),
    "zip bomb": (_bomb, False, "MB, over the limit of"),
    "not a zip": (_not_a_zip, True, "not a readable zip file (not a zip archive"),
    "encrypted": (_encrypted, True, "encrypted member in the zip"),
    "damaged member": (_bad_crc, True, "member 'customers.jsonl' is damaged"),
}


@pytest.mark.parametrize("name", sorted(ZIP_HAZARDS))
def test_a_hazardous_zip_is_refused_naming_the_zip_with_exit_2(
    name: str, stripe_world: Path, warehouse_before: Path, tmp_path: Path, monkeypatch
) -> None:
    damage, whole_file, words = ZIP_HAZARDS[name]
    archive = tmp_path / "export.zip"
    if whole_file:
        _zip_with(stripe_world, archive, lambda handle: None)
        damage(archive)
    else:
        _zip_with(stripe_world, archive, damage)
    export_mb = sum(p.stat().st_size for p in stripe_world.iterdir()) / 1e6
    limits = stripe.ReadLimits(max_unpacked_mb=export_mb + 2)  # the export fits, the bomb not
    monkeypatch.setattr(stripe, "STRIPE_ZIP_LIMITS", limits)
    db = tmp_path / "w.duckdb"
    shutil.copy(warehouse_before, db)
    before = runner.invoke(app, ["info", "--json", "--db", str(db)])
    for as_json in (False, True):
        args = ["import", "--from", "stripe", str(archive), "--db", str(db), "--no-refresh"]
        result = runner.invoke(app, args + (["--json"] if as_json else []))
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output and "revrisk-stripe-" not in result.output
    report = json.loads(result.stdout)
    assert report["file"] == "export.zip" and not report["ok"]
    assert any(words in p["text"] for p in report["problems"]), report["problems"]
    assert all(p["text"].startswith("export.zip") for p in report["problems"])
    assert runner.invoke(app, ["info", "--json", "--db", str(db)]).stdout == before.stdout
    assert not Path("/tmp/revrisk_pwned.txt").exists()


def test_a_refused_zip_import_names_the_zip_not_its_scratch_folder(
    stripe_world: Path, tmp_path: Path
) -> None:
    """Rows clashing with stored keys are found after unpacking: still reported as the zip."""
    archive = _zip_with(stripe_world, tmp_path / "export.zip", lambda handle: None)
    db = tmp_path / "w.duckdb"
    import_stripe(archive, db)
    with pytest.raises(ImportValidationError) as error:
        import_stripe(archive, db)
    report = error.value.report
    assert report.file == "export.zip" and report.n_problems > 0
    assert "revrisk-stripe-" not in report.render()
    assert report.render().startswith("export.zip: ")
    assert "--replace" not in report.render()  # the Stripe import has no such option


def test_a_refused_import_into_a_new_path_creates_no_warehouse(
    stripe_world: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(stripe_world, folder)
    _unknown_status(folder)
    with pytest.raises(ImportValidationError):
        import_stripe(folder, tmp_path / "new.duckdb")
    assert not (tmp_path / "new.duckdb").exists()


def test_demo_format_stripe_then_import_from_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "export"
    made = runner.invoke(
        app, ["demo", "--format", "stripe", "--out", str(out), "--accounts", "40", "--json"]
    )
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["objects"]["customers"] == 40
    db = tmp_path / "w.duckdb"
    done = runner.invoke(
        app, ["import", "--from", "stripe", str(out), "--db", str(db), "--json", "--no-refresh"]
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["rows"]["accounts"] == 40


def test_the_readme_shows_the_mapping_module_s_table() -> None:
    readme = (Path(__file__).resolve().parents[3] / "data" / "README.md").read_text()
    block = readme.split("<!-- stripe-mapping:start -->\n")[1].split(
        "\n<!-- stripe-mapping:end -->"
    )[0]
    assert block == mapping_table()


def test_the_mapping_file_holds_every_field_the_mapping_sql_reads() -> None:
    """Each `_f("path")` / `_day("path")` in the mapper's SQL is a column only when the mapping
    file lists that field: dropping one from the file must fail here, not in DuckDB."""
    source = Path(stripe.__file__).read_text()
    read = set(re.findall(r"""_(?:f|day)\(\s*["']([^"']+)["']""", source))
    listed = {f.path for resource in RESOURCES.values() for f in resource.fields}
    assert len(read) > 40
    assert read - listed == set()
    for parent, lists in stripe.NESTED.items():
        kinds = {f.path: f.kind for f in RESOURCES[parent].fields}
        assert all(kinds[list_field] == "list" for list_field in lists), parent
    assert INVOICE_STATUS == ("draft", "open", "paid", "uncollectible", "void")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('kind = "time"', 'kind = "date"', 1), "[customers] field 2 (created): kind 'date'"),
        (("required = true", "required = 1", 1), "[customers] field 1 (id): `required` must"),
        (('path = "email", ', 'path = "email", colour = "x", ', 1), "unknown key `colour`"),
        (('path = "name"', 'path = "currency"', 1), "[customers]: fields read twice: currency"),
        (
            ('allowed = ["licensed", "metered"]', 'allowed = ["licensed", 2]', 1),
            "[prices] field 6 (recurring.usage_type): `allowed` must list strings",
        ),
        (('object = "customer"', "object = ", 1), "not valid TOML"),
        (('object = "customer"\n', "", 1), "[customers]: missing `object`"),
    ],
)
def test_a_broken_mapping_file_is_refused_naming_type_and_field(
    tmp_path: Path, edit: tuple[str, str, int], message: str
) -> None:
    text = stripe.MAPPING_FILE.read_text(encoding="utf-8")
    assert edit[0] in text
    broken = tmp_path / "stripe_mapping.toml"
    broken.write_text(text.replace(*edit), encoding="utf-8")
    with pytest.raises(stripe.MappingFileError, match=re.escape(message)):
        stripe.load_mapping(broken)
    assert stripe.load_mapping() == RESOURCES


@pytest.mark.parametrize(
    ("default", "expected"), [("1GB", "2048MB"), ("3GiB", "2048MB"), ("30GiB", "10240MB")]
)
def test_mapper_memory_is_a_third_of_duckdbs_with_a_2_gib_floor(default, expected):
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{default}'")
    assert json_objects.memory_limit(con) == expected
