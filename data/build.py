"""Building and describing whole warehouses (used by the CLI, the chat's start-up and tests)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from data.synth import WorldConfig, WorldSummary, build_world
from data.synth.stripe import write_stripe
from data.warehouse import (
    bump_data_version,
    connect,
    get_meta,
    set_meta,
    table_counts,
)
from domain import LEAKAGE_TYPES

DEMO_WORLD = WorldConfig()
"""The demo's world (`revrisk demo` without options): 2,000 accounts, 24 months, seed 7."""


def build_demo_warehouse(
    path: Path,
    world: WorldConfig = DEMO_WORLD,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Write a synthetic world to `path` atomically (temp file, then rename); returns a report."""
    path = Path(path)
    tmp = path.with_name(path.name + ".building")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    try:
        with connect(tmp) as con:
            summary = build_world(con, world, progress=progress)
            set_meta(
                con,
                source="synthetic",
                seed=world.seed,
                n_accounts=world.n_accounts,
                n_months=world.n_months,
                end_month=world.end_month.isoformat(),
                built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            bump_data_version(con)
            coverage = leakage_coverage(con, world.n_accounts)
            con.execute("CHECKPOINT")
        os.replace(tmp, path)
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
    finally:
        tmp.unlink(missing_ok=True)
    return {"db": str(path), **_world_report(summary, coverage)}


def build_demo_stripe(
    out_dir: Path,
    world: WorldConfig = DEMO_WORLD,
    progress: Callable[[int, int], None] | None = None,
    engagement: bool = False,
) -> dict[str, Any]:
    """Simulate a world (in memory) and write it as Stripe objects into `out_dir`.

    The folder is what `revrisk import --from stripe` reads; it also holds the world's
    injected leakage events (`revrisk_leakage_events.jsonl`) for `revrisk detect --evaluate`.
    """
    with connect(":memory:") as con:
        summary = build_world(con, world, progress=progress)
        coverage = leakage_coverage(con, world.n_accounts)
        files = write_stripe(con, out_dir, engagement=engagement)
    report = _world_report(summary, coverage, objects=files)
    return {"out": str(out_dir), "format": "stripe", **report}


def _world_report(summary: WorldSummary, coverage: dict[str, float], **more: Any) -> dict[str, Any]:
    """What both entry points report of the world they built (`more` after its rows)."""
    world = summary.config
    return {
        "accounts": world.n_accounts,
        "months": world.n_months,
        "seed": world.seed,
        "rows": summary.rows,
        **more,
        "leakage_accounts_pct": coverage,
    }


def leakage_coverage(con: Any, n_accounts: int) -> dict[str, float]:
    """Share of accounts (%) with at least one injected event, per canonical type."""
    found = dict(
        con.execute(
            "SELECT leakage_type, count(DISTINCT account_id) FROM leakage_events GROUP BY 1"
        ).fetchall()
    )
    return {kind: round(100.0 * found.get(kind, 0) / n_accounts, 2) for kind in LEAKAGE_TYPES}


def describe_warehouse(path: Path) -> dict[str, Any]:
    """Row counts per table and what the data covers (months, source, data version)."""
    with connect(path, read_only=True) as con:
        months = con.execute("SELECT min(month), max(month) FROM usage_monthly").fetchone()
        return {
            "db": str(path),
            "tables": table_counts(con),
            "first_month": months[0] if months else None,
            "last_month": months[1] if months else None,
            "source": get_meta(con, "source"),
            "data_version": get_meta(con, "data_version"),
            "built_at": get_meta(con, "built_at"),
        }
