"""Run every benchmark module and print/write what it measured.

`python -m benchmarks [--quick] [--only NAME ...]`. Results go to stdout as JSON and to
artifacts/bench/bench_<name>.json. A benchmark reports numbers; it does not pass or fail, so one
that raises is reported with its error and the others still run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import benchmarks

OUT = Path("artifacts/bench")


def _modules(only: list[str]) -> list[str]:
    names = sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if not m.name.startswith("_")
    )
    if only:
        names = [n for n in names if n in only or n.split("_")[0] in only]
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Smaller sizes, for a smoke run.")
    parser.add_argument("--only", nargs="*", default=[], help="Benchmark names, e.g. synth trends.")
    parser.add_argument(
        "--results", default=None, help="Results folder of `revrisk run` (partitioned_ask)."
    )
    parser.add_argument(
        "--db", default=None, help="An existing warehouse for agent_turns (else one is built)."
    )
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    for name in _modules(args.only):
        print(f"== {name}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            result = module.run(args)
        except Exception as exc:  # a benchmark reports; one failure must not hide the others
            result = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()}
        result["bench_seconds"] = round(time.perf_counter() - started, 1)
        results[name] = result
        (OUT / f"bench_{name.split('_')[0]}.json").write_text(
            json.dumps(result, indent=2, default=str)
        )
        print(json.dumps({name: result}, indent=2, default=str), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
