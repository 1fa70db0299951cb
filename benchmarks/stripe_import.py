"""Stripe import at scale (issue 15): seconds, CPU seconds and peak memory per size.

`python -m benchmarks --only stripe` writes the synthetic world as Stripe objects
(`revrisk demo --format stripe`, seed 7) and imports the folder into a new warehouse
(`revrisk import --from stripe DIR --no-refresh --json`), each in its own process so the
peak memory (ru_maxrss) and CPU seconds (user + system, all threads) are the import's own.
Wall seconds depend on what else runs on the machine; the load average before and after is
reported with them, and CPU seconds are the figure comparable across runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

SIZES = (100_000,)
QUICK_SIZES = (2_000,)


_MEASURE = (
    "import json, resource, subprocess, sys, time; t = time.perf_counter(); "
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True); "
    "w = time.perf_counter() - t; u = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(json.dumps({'wall': w, 'cpu': u.ru_utime + u.ru_stime, 'user': u.ru_utime, "
    "'system': u.ru_stime, 'rss_kb': u.ru_maxrss, 'stdout': done.stdout}))"
)
"""Runs a command as its only child, so the CPU seconds and peak RSS are that command's."""


def _timed(command: list[str]) -> dict[str, Any]:
    """Run `command`; its wall and CPU seconds (user + system, all threads) and peak RSS."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True
    )
    measured = json.loads(done.stdout)
    return {
        "wall_seconds": round(measured["wall"], 1),
        "cpu_seconds": round(measured["cpu"], 1),
        "user_seconds": round(measured["user"], 1),
        "system_seconds": round(measured["system"], 1),
        "peak_rss_mb": round(measured["rss_kb"] / 1024),
        "stdout": measured["stdout"],
    }


def _size(n_accounts: int, folder: Path) -> dict[str, Any]:
    revrisk = str(Path(sys.executable).with_name("revrisk"))
    export, db = folder / f"stripe_{n_accounts}", folder / f"w_{n_accounts}.duckdb"
    size = ["--accounts", str(n_accounts), "--seed", "7"]
    demo = _timed([revrisk, "demo", "--format", "stripe", "--out", str(export), *size])
    export_mb = sum(p.stat().st_size for p in export.iterdir()) / 1e6
    load_before = os.getloadavg()
    options = ["--db", str(db), "--no-refresh", "--json"]
    imported = _timed([revrisk, "import", "--from", "stripe", str(export), *options])
    load_after = os.getloadavg()
    report = json.loads(imported.pop("stdout"))
    demo.pop("stdout")
    return {
        "accounts": n_accounts,
        "export_mb": round(export_mb),
        "objects": sum(report["files"].values()),
        "rows": sum(report["rows"].values()),
        "import": imported,
        "load_average_before_after": [round(load_before[0], 1), round(load_after[0], 1)],
        "demo": demo,
    }


def run(args: Any) -> dict[str, Any]:
    sizes = QUICK_SIZES if getattr(args, "quick", False) else SIZES
    with tempfile.TemporaryDirectory(prefix="revrisk-bench-stripe-") as tmp:
        return {"sizes": [_size(n, Path(tmp)) for n in sizes]}
