"""`ui.status.warehouse_facts`: what the report footer says about when the data was built."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from ui.status import warehouse_facts

COMPUTED = '{"built_at": "2026-12-05T10:44:24+00:00"}'


def copy_of(world: Path, folder: Path, name: str, *sql: str) -> Path:
    db = folder / f"{name}.duckdb"
    shutil.copy(world, db)
    with duckdb.connect(str(db)) as con:
        for statement in sql:
            con.execute(statement)
    return db


def test_imported_data_is_dated_by_its_figures_not_an_unknown_build(
    small_world: Path, tmp_path: Path
) -> None:
    """An imported warehouse has no build time (a red team's chat-imported Stripe report said
    "built unknown build time"): the footer dates it by when its figures were computed."""
    forget = "DELETE FROM meta WHERE key IN ('built_at', 'source') OR key LIKE '%cache_info'"
    bare = copy_of(small_world, tmp_path, "bare", forget)
    imported = copy_of(
        small_world,
        tmp_path,
        "imported",
        forget,
        f"INSERT INTO meta VALUES ('trends_cache_info', '{COMPUTED}')",
    )
    assert warehouse_facts(small_world).built_at.startswith("built 20")  # the generated demo
    assert warehouse_facts(bare).built_at == "build time unknown"
    assert warehouse_facts(imported).built_at == "figures computed 2026-12-05T10:44:24+00:00"


def test_the_data_line_names_files_imported_into_the_demo(
    small_world: Path, tmp_path: Path
) -> None:
    """rt8 D15: after `revrisk import` of the user's revenue the report still said "synthetic
    demo warehouse": the data line and the badge's status now say what else is in it."""
    from data.imports import import_file
    from ui.status import status_payload

    db = copy_of(small_world, tmp_path, "demo")
    revenue = tmp_path / "our_revenue.csv"
    revenue.write_text("customer_id,month,revenue\nCUST-1,2026-01,10\nCUST-1,2026-02,12\n")
    import_file(revenue, db)
    facts = warehouse_facts(db)
    assert facts.demo and facts.imported == ("our_revenue.csv",)
    assert (
        facts.described
        == "synthetic demo warehouse demo.duckdb plus your imported file our_revenue.csv"
    )
    status = status_payload(db)
    assert list(status["imported"]) == ["our_revenue.csv"] and "our_revenue.csv" in status["detail"]
    assert warehouse_facts(small_world).described == f"synthetic demo warehouse {small_world.name}"


def test_a_warehouse_holding_only_imports_is_called_imported(tmp_path: Path) -> None:
    from data.imports import import_file

    revenue = tmp_path / "our_revenue.csv"
    revenue.write_text("customer_id,month,revenue\nCUST-1,2026-01,10\n")
    import_file(revenue, tmp_path / "revenue.duckdb")
    facts = warehouse_facts(tmp_path / "revenue.duckdb")
    assert not facts.demo
    assert facts.described == "imported warehouse revenue.duckdb (files our_revenue.csv)"
