"""What the page and the reports say about the data: source, as-of month, demo or not.

Contract: `warehouse_facts(db_path)` reads the warehouse's metadata read-only and never
raises (a missing or busy warehouse gives `source="unknown"`); `install(app, db_path)` adds
`GET /revrisk/status` → `{"demo", "source", "as_of", "detail"}` in front of Chainlit's
catch-all page route, for the "synthetic demo data" badge (`public/revrisk.js`). No path
leaves the server: the warehouse is named by its file name only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MAX_FILES_NAMED = 3
"""Imported files named in the data line; more are counted."""


@dataclass(frozen=True)
class WarehouseFacts:
    source: str
    as_of: str
    built_at: str
    name: str
    imported: tuple[str, ...] = ()
    """Files imported into it (`revrisk import`, a chat upload) whose rows it still holds."""

    @property
    def demo(self) -> bool:
        """True when the warehouse is the generated demo (`revrisk demo`)."""
        return self.source == "synthetic"

    @property
    def described(self) -> str:
        """What the data is: the demo, the demo plus the user's imported files, or imported.

        Examples:
            >>> WarehouseFacts("synthetic", "2026-10", "", "revrisk.duckdb").described
            'synthetic demo warehouse revrisk.duckdb'
            >>> WarehouseFacts("synthetic", "", "", "revrisk.duckdb", ("rev.xlsx",)).described
            'synthetic demo warehouse revrisk.duckdb plus your imported file rev.xlsx'
            >>> WarehouseFacts("imported", "", "", "revenue.duckdb", ("a.csv", "b.csv")).described
            'imported warehouse revenue.duckdb (files a.csv, b.csv)'
        """
        files = ", ".join(self.imported[:MAX_FILES_NAMED])
        if len(self.imported) > MAX_FILES_NAMED:
            files += f" and {len(self.imported) - MAX_FILES_NAMED:,} more"
        if self.demo:
            if not self.imported:
                return f"synthetic demo warehouse {self.name}"
            noun = "file" if len(self.imported) == 1 else "files"
            return f"synthetic demo warehouse {self.name} plus your imported {noun} {files}"
        kind = "imported" if self.source in ("imported", "unknown") else self.source
        return f"{kind} warehouse {self.name}" + (f" (files {files})" if files else "")


def warehouse_facts(db_path: str | Path) -> WarehouseFacts:
    """`built_at`: "built <time>" (a generated demo), "figures computed <time>" (imported
    data has no build time: when its figures were last computed), or "build time unknown"."""
    from data.warehouse import connect, get_meta, get_meta_json, latest_month
    from services.leakage.store import INFO_KEY as LEAKAGE_INFO
    from services.trends.store import INFO_KEY as TRENDS_INFO

    name = Path(db_path).name
    try:
        with connect(str(db_path), read_only=True) as con:
            computed = [
                get_meta_json(con, key).get("built_at") for key in (LEAKAGE_INFO, TRENDS_INFO)
            ]
            latest = max((str(at) for at in computed if at), default=None)
            built = get_meta(con, "built_at")
            built = f"built {built}" if built else latest and f"figures computed {latest}"
            return WarehouseFacts(
                source=str(get_meta(con, "source") or "imported"),
                as_of=str(latest_month(con)),
                built_at=str(built or "build time unknown"),
                name=name,
                imported=_imported_files(con),
            )
    except Exception as exc:  # the badge and footer say "unknown" rather than fail
        return WarehouseFacts("unknown", f"unknown ({type(exc).__name__})", "unknown", name)


def _imported_files(con: Any) -> tuple[str, ...]:
    """Names of the imported files whose batches are still stored (a replaced batch is not),
    oldest first; () for a warehouse without an import log."""
    try:
        rows = con.execute(
            "SELECT file_name FROM import_log WHERE replaced_by IS NULL "
            "GROUP BY file_name ORDER BY min(import_id)"
        ).fetchall()
    except Exception:  # an older warehouse without import_log: nothing imported to name
        return ()
    return tuple(str(row[0]) for row in rows)


def status_payload(db_path: str | Path) -> dict[str, Any]:
    facts = warehouse_facts(db_path)
    if facts.demo and facts.imported:
        detail = (
            f"Numbers come from a generated demo warehouse (as of {facts.as_of}) with your "
            f"imported files in it ({', '.join(facts.imported[:MAX_FILES_NAMED])}): totals mix "
            "demo and imported rows."
        )
    elif facts.demo:
        detail = (
            f"Numbers come from a generated demo warehouse (as of {facts.as_of}), not from "
            "your billing data. Import your own with `revrisk import`."
        )
    else:
        detail = f"{facts.described}, as of {facts.as_of}."
    return {**asdict(facts), "demo": facts.demo, "detail": detail}


def install(app: Any, db_path: str | Path) -> None:
    """`GET /revrisk/status`, placed before Chainlit's `/{full_path:path}` page route."""
    import asyncio

    from fastapi.routing import APIRoute

    async def status() -> dict[str, Any]:
        return await asyncio.to_thread(status_payload, db_path)

    app.router.routes.insert(0, APIRoute("/revrisk/status", status, methods=["GET"]))
