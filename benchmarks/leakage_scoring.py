"""Batch leakage scoring at 1k / 100k / 1M accounts (issue 3): CSV in -> file out.

Setup (not timed): a synthetic world is simulated and RevRisk's models are trained on it
(`revrisk model train`'s code path); the reference project's model family, a
RandomForestClassifier(100 trees, max_depth 10) + GradientBoostingRegressor(100 trees), is
trained on the same training rows (reference-format features). Input files are reference-format
CSVs sampled from the world's account-months with new ids.

Timed, each in a fresh process (so peak memory is that run's own `ru_maxrss`):
- `revrisk score INPUT.csv -o OUT.csv --json`: read, validate, probability, type, amount,
  exact TreeSHAP contributions and the top-3 factor sentences, recommended action, write.
  `wall_seconds` includes interpreter start-up and imports; `seconds` is read -> written.
- the reference pipeline on the same file: read, RandomForest probability, GBR amount,
  risk level, write (no factors: that project had none).
For the largest size an in-process cProfile of the scoring call lists where the time goes.

Run: `make bench` or `python -m benchmarks --only leakage [--quick]`.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cli.leakage_cmds import peak_memory_mb

SIZES, QUICK_SIZES = (1_000, 100_000, 1_000_000), (1_000, 10_000, 100_000)
WORLD_ACCOUNTS, QUICK_WORLD_ACCOUNTS = 5_000, 1_500
REVRISK = str(Path(sys.executable).with_name("revrisk"))


def reference_csv(rows: pd.DataFrame, n: int, path: Path, seed: int = 0) -> Path:
    """`n` reference-format accounts sampled (with replacement) from feature rows."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from analytics.leakage.features import REFERENCE_FEATURES

    picked = rows.sample(n, replace=True, random_state=seed).reset_index(drop=True)
    table = pd.DataFrame(
        {
            "account_id": [f"ACC{i:07d}" for i in range(1, n + 1)],
            "tier": picked["tier"].to_numpy(),
            "mrr": picked["mrr"].round(2).to_numpy(),
        }
    )
    for name in REFERENCE_FEATURES:
        table[name] = picked[name].to_numpy()
    pacsv.write_csv(pa.Table.from_pandas(table, preserve_index=False), path)
    return path


def _setup(tmp: Path, n_world: int) -> tuple[Path, Path, pd.DataFrame]:
    """World, RevRisk models, reference-family models (pickled: bench-only, own file)."""
    from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier

    from analytics.leakage.features import feature_matrix
    from data.build import build_demo_warehouse
    from data.synth import WorldConfig
    from data.warehouse import connect
    from services.leakage import pipeline, train_warehouse_models

    db, model_dir = tmp / "world.duckdb", tmp / "models"
    build_demo_warehouse(db, WorldConfig(n_accounts=n_world))
    train_warehouse_models(db, model_dir)
    with connect(db, read_only=True) as con:
        cutoffs = pipeline.usage_months(con)[:-1]
        rows = pipeline.training_rows(con, pipeline.find_leakage(con), cutoffs)
    matrix, leaks = feature_matrix(rows, "reference"), rows["label"].to_numpy() == 1
    forest = RandomForestClassifier(n_estimators=100, max_depth=10, n_jobs=-1, random_state=0)
    forest.fit(matrix, rows["label"].to_numpy())
    booster = GradientBoostingRegressor(n_estimators=100, random_state=0)
    booster.fit(matrix[leaks], rows["amount"].to_numpy()[leaks])
    with open(tmp / "reference_models.pkl", "wb") as handle:
        pickle.dump((forest, booster), handle)
    return db, model_dir, rows


def _child(command: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    return {
        "wall_seconds": round(wall, 2),
        "seconds": report["seconds"],
        "peak_memory_mb": report["peak_memory_mb"],
    }


def reference_pipeline(input_csv: Path, output: Path, models: Path) -> dict[str, Any]:
    """The reference family on one file (run in a child process by `run`)."""
    import pyarrow.csv as pacsv

    from analytics.leakage.features import feature_matrix, reference_features

    started = time.perf_counter()
    with open(models, "rb") as handle:
        forest, booster = pickle.load(handle)
    frame = reference_features(pacsv.read_csv(input_csv).to_pandas())
    matrix = feature_matrix(frame, "reference")
    probability = forest.predict_proba(matrix)[:, 1]
    amount = np.clip(booster.predict(matrix), 0, frame["mrr"].to_numpy())
    level = np.where(probability >= 0.3, "High", np.where(probability >= 0.1, "Medium", "Low"))
    pd.DataFrame(
        {
            "account_id": frame["account_id"],
            "leakage_probability": probability,
            "risk_level": level,
            "est_monthly_leakage": amount,
            "expected_monthly_loss": probability * amount,
        }
    ).to_csv(output, index=False)
    return {"seconds": round(time.perf_counter() - started, 2), "peak_memory_mb": peak_memory_mb()}


def _profile(input_csv: Path, model_dir: Path, output: Path, top: int = 18) -> list[str]:
    import cProfile
    import io
    import pstats

    from services.leakage import score_file

    profiler = cProfile.Profile()
    profiler.runcall(score_file, None, input_csv, model_dir=model_dir, output_path=output)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(top)
    return [line for line in text.getvalue().splitlines() if line.strip()][-top - 1 :]


def run(args: Any) -> dict[str, Any]:
    """Benchmark entry point for `python -m benchmarks` (`args.quick` shrinks sizes)."""
    quick = bool(getattr(args, "quick", False))
    sizes = QUICK_SIZES if quick else SIZES
    with tempfile.TemporaryDirectory(prefix="revrisk-bench-leakage-") as name:
        tmp = Path(name)
        started = time.perf_counter()
        _, model_dir, rows = _setup(tmp, QUICK_WORLD_ACCOUNTS if quick else WORLD_ACCOUNTS)
        result: dict[str, Any] = {
            "setup_seconds": round(time.perf_counter() - started, 1),
            "sizes": {},
        }
        for n in sizes:
            source = reference_csv(rows, n, tmp / f"accounts_{n}.csv")
            ours = _child(
                [
                    REVRISK,
                    "score",
                    str(source),
                    "-o",
                    str(tmp / f"ours_{n}.csv"),
                    "--model-dir",
                    str(model_dir),
                    "--json",
                ]
            )
            theirs = _child(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.leakage_scoring",
                    str(source),
                    str(tmp / f"theirs_{n}.csv"),
                    str(tmp / "reference_models.pkl"),
                ]
            )
            result["sizes"][n] = {
                "input_mb": round(source.stat().st_size / 1e6, 1),
                "revrisk": ours,
                "reference_rf_gbr": theirs,
            }
        largest = sizes[-1]
        result["profile_largest"] = _profile(
            tmp / f"accounts_{largest}.csv", model_dir, tmp / "profiled.csv"
        )
    result["targets"] = {"accounts": 1_000_000, "seconds": 10, "peak_memory_mb": 2048}
    return result


if __name__ == "__main__":
    print(json.dumps(reference_pipeline(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))))
