"""Synthetic world build: wall seconds, peak memory and file size per size (issue 2)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

SIZES = (2_000, 100_000, 1_000_000)
QUICK_SIZES = (2_000, 20_000)


def _build(n_accounts: int, folder: Path) -> dict[str, Any]:
    """Run `revrisk demo` in its own process so its peak memory is its own."""
    revrisk = str(Path(sys.executable).with_name("revrisk"))
    db = folder / f"world_{n_accounts}.duckdb"
    done = subprocess.run(
        [revrisk, "demo", "--accounts", str(n_accounts), "--seed", "7", "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(done.stdout)
    db.unlink(missing_ok=True)
    return {
        "accounts": n_accounts,
        "seconds": report["seconds"],
        "peak_memory_mb": report["peak_memory_mb"],
        "file_size_mb": report["file_size_mb"],
        "rows_total": sum(report["rows"].values()),
        "min_leakage_accounts_pct": min(report["leakage_accounts_pct"].values()),
    }


def run(args: Any) -> dict[str, Any]:
    sizes = QUICK_SIZES if getattr(args, "quick", False) else SIZES
    with tempfile.TemporaryDirectory(prefix="revrisk-bench-") as tmp:
        return {"builds": [_build(n, Path(tmp)) for n in sizes]}
