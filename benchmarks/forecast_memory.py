"""Peak memory and CPU of `DeclineForecaster.fit` and `predict_at` on a synthetic book (issue 16).

Contract: `run(args)` fits the decline forecast on a random (customers x 24 months) revenue
matrix - 1M customers, 100k with `--quick` - in a child process of its own, so the peak RSS
(`ru_maxrss`) is the forecast's and not the other benchmarks'; it reports the peak after the
data is built, after `fit` and after `predict_at`, with CPU seconds of each step. Stand-alone:
`/usr/bin/time -v .venv/bin/python -m benchmarks.forecast_memory [N_CUSTOMERS]`.
Measured reason for the module: `revrisk run` on 1M accounts must stay under 3 GiB, and the
fit stacking every cut-off's features once peaked at 3.9 GB here (0.79 GB since).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from typing import Any


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure(n_customers: int, n_months: int = 24) -> dict[str, Any]:
    """Build the matrix, fit, score its last month; peak RSS (MB) and CPU seconds per step."""
    import numpy as np

    from analytics.trends.forecast.estimator import DeclineForecaster

    rng = np.random.default_rng(0)
    shape = (n_customers, n_months)
    values = np.round(rng.gamma(2.0, 50.0, size=shape) * (rng.random(shape) < 0.7), 2)
    out: dict[str, Any] = {"customers": n_customers, "months": n_months, "data_mb": _peak_mb()}
    cpu = time.process_time()
    model = DeclineForecaster().fit(values)
    out |= {"fit_cpu_s": round(time.process_time() - cpu, 1), "fit_peak_mb": _peak_mb()}
    out |= {"rows": model.n_rows_, "model": model.model_, "validation_auc": model.validation_auc_}
    cpu = time.process_time()
    model.predict_at(values, n_months - 1)
    out |= {"predict_cpu_s": round(time.process_time() - cpu, 1), "predict_peak_mb": _peak_mb()}
    return out


def run(args: Any) -> dict[str, Any]:
    n = 100_000 if getattr(args, "quick", False) else 1_000_000
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.forecast_memory", str(n)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)))
