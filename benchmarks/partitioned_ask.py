"""Agent turns over partitioned results: top-risk and declining-customers questions, p50/p95.

Setup: the results folder of a `revrisk run` (`--results OUT`), or, without one, a book of
20,000 accounts in 4 partitions built and run here (timed as `build_s`). The agent opens
`OUT/results.duckdb`, whose tables are views over the Parquet result folders, exactly as
`revrisk ask --results OUT` does.

Timed: each question `ROUNDS` times on fresh threads through `agent.run.Agent` with the offline
planner (no language model: what is measured is the agent's own overhead, planner + tools +
formatting + the faithfulness guard); round 0 is a warm-up (cold Parquet footers, model
loading) and is reported apart. Aim (issue 16): p95 <= 300 ms per turn on the 1M-account run.

Each of the two kinds (top risk, declining customers) is asked in two wordings, so the
`ROUNDS - 1` timed rounds give 20 timed asks of each kind. CPU: each turn's process CPU time
(all threads) beside its wall time, and the load average, since wall times on a loaded machine
mostly measure the wait for a core.

Run: `python -m benchmarks --only partitioned --results OUT`, or
`python -m benchmarks.partitioned_ask OUT` (prints the JSON only).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

QUESTIONS: tuple[tuple[str, str], ...] = (
    ("Which accounts are most likely to leak revenue next month?", "score_leakage"),
    ("Which customers are in sharp decline?", "find_declining_customers"),
    ("Top 10 riskiest accounts", "score_leakage"),
    ("Which customers are declining?", "find_declining_customers"),
)
ROUNDS = 11
AIM_P95_MS = 300.0
REVRISK = str(Path(sys.executable).with_name("revrisk"))


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))], 1)


def _build(folder: Path) -> Path:
    book, out = folder / "book", folder / "out"
    for command in (
        ["demo", "--accounts", "20000", "--partitions", "4", "--out", str(book), "--json"],
        ["run", "--input", str(book), "--out", str(out), "--json"],
    ):
        done = subprocess.run([REVRISK, *command], capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            raise RuntimeError(f"revrisk {command[0]} failed: {done.stderr[-2000:]}")
    return out


def measure(results: Path, rounds: int = ROUNDS) -> dict[str, Any]:
    """Ask every question `rounds` times; per-question and overall turn times (ms)."""
    from agent.run import Agent

    turns: list[dict[str, Any]] = []
    with Agent.open(db_path=results / "results.duckdb") as agent:
        for number in range(rounds):
            for index, (question, expected) in enumerate(QUESTIONS):
                cpu = time.process_time()
                result = agent.ask(question, f"bench-{number}-{index}")
                cpu_ms = (time.process_time() - cpu) * 1000
                tools = [call["name"] for call in result.tool_calls]
                turns.append(
                    {
                        "round": number,
                        "question": question,
                        "ms": result.ms,
                        "cpu_ms": cpu_ms,
                        "tools": tools,
                        "expected": expected,
                        "error": any("error" in r["content"] for r in result.tool_results),
                    }
                )
    timed = [t for t in turns if t["round"] > 0]
    times = [t["ms"] for t in timed]
    return {
        "results": str(results),
        "rounds": rounds,
        "warmup_ms": [round(t["ms"], 1) for t in turns if t["round"] == 0],
        "p50_ms": _percentile(times, 0.5),
        "p95_ms": _percentile(times, 0.95),
        "max_ms": round(max(times), 1) if times else None,
        "cpu_p50_ms": _percentile([t["cpu_ms"] for t in timed], 0.5),
        "cpu_p95_ms": _percentile([t["cpu_ms"] for t in timed], 0.95),
        "per_kind_p95_ms": {
            kind: _percentile([t["ms"] for t in timed if t["expected"] == kind], 0.95)
            for kind in sorted({expected for _, expected in QUESTIONS})
        },
        "asks_per_kind": {
            kind: sum(1 for t in timed if t["expected"] == kind)
            for kind in sorted({expected for _, expected in QUESTIONS})
        },
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "per_question_p95_ms": {
            q: _percentile([t["ms"] for t in timed if t["question"] == q], 0.95)
            for q, _ in QUESTIONS
        },
        "aim_p95_ms": AIM_P95_MS,
        "tool_mismatches": sorted(
            {t["question"] for t in turns if t["expected"] not in t["tools"]}
        ),
        "errors": sorted({t["question"] for t in turns if t["error"]}),
    }


def run(args: Any) -> dict[str, Any]:
    results = getattr(args, "results", None)
    if results:
        return measure(Path(results))
    with tempfile.TemporaryDirectory(prefix="revrisk-bench-") as tmp:
        started = time.perf_counter()
        out = _build(Path(tmp))
        build_s = round(time.perf_counter() - started, 1)
        return measure(out, 3 if getattr(args, "quick", False) else ROUNDS) | {"build_s": build_s}


if __name__ == "__main__":
    import json

    print(json.dumps(measure(Path(sys.argv[1])), indent=2))
