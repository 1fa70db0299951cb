"""Warehouses the cases run against: one synthetic demo per `db` spec, built once and reused.

`prepare_warehouse(spec, var_dir)` returns `<var_dir>/evals/demo-a<accounts>-s<seed>.duckdb`
with its leakage and trend caches fresh. A file is reused when its sidecar
(`<file>.json`) records the same spec and the same generator fingerprint (a hash of
`data/synth/*.py` and `data/schema.sql`); otherwise it is rebuilt, so expected values
derived from the data never drift silently when the generator changes.

After a build, the caches the chat reads are refreshed up front (as a writer, and only when
stale), so the first evaluated turn does
not pay for scoring and model training and latency measures answering only. Each world's
leakage model lives beside it (`<var_dir>/evals/models/<warehouse stem>/`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from evals.schema import DbSpec

_DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def generator_fingerprint() -> str:
    """Hash of the synthetic-world code and the schema: a change means a different world."""
    digest = hashlib.sha256()
    for path in [*sorted((_DATA_DIR / "synth").glob("*.py")), _DATA_DIR / "schema.sql"]:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def warehouse_path(spec: DbSpec, var_dir: Path) -> Path:
    """Where the warehouse of `spec` lives."""
    return Path(var_dir) / "evals" / f"demo-a{spec.accounts}-s{spec.seed}.duckdb"


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _expected_meta(spec: DbSpec) -> dict[str, object]:
    return {"accounts": spec.accounts, "seed": spec.seed, "generator": generator_fingerprint()}


def is_reusable(path: Path, spec: DbSpec) -> bool:
    """True when `path` exists and was built from `spec` by the current generator."""
    sidecar = _sidecar(path)
    if not path.exists() or not sidecar.exists():
        return False
    try:
        return bool(json.loads(sidecar.read_text()) == _expected_meta(spec))
    except ValueError:
        return False


def model_dir(path: Path) -> Path:
    """The leakage model of one evaluation warehouse (one per world: no retraining ping-pong)."""
    from services.leakage import model_dir_for

    return model_dir_for(path)


def refresh_caches(path: Path) -> None:
    """Bring the leakage and trend caches up to date (no-op when already fresh).

    An evaluation owns its warehouse, so it refreshes as a writer: questions never build
    caches (readers never write), and a warehouse built by an older version is refreshed here.
    """
    from data.warehouse import connect
    from services.leakage import is_fresh, refresh_leakage_cache
    from services.trends import refresh_trend_cache

    with connect(path, read_only=True) as con:
        leakage_fresh = is_fresh(con)
    if not leakage_fresh:
        refresh_leakage_cache(path, model_dir(path))
    refresh_trend_cache(path)  # itself a no-op when the trend caches are fresh


def prepare_warehouse(spec: DbSpec, var_dir: Path) -> Path:
    """The demo warehouse of `spec` with fresh caches, built when missing or outdated."""
    from data.build import build_demo_warehouse
    from data.synth import WorldConfig

    path = warehouse_path(spec, var_dir)
    if not is_reusable(path, spec):
        path.parent.mkdir(parents=True, exist_ok=True)
        _sidecar(path).unlink(missing_ok=True)
        build_demo_warehouse(path, WorldConfig(n_accounts=spec.accounts, seed=spec.seed))
        refresh_caches(path)
        _sidecar(path).write_text(json.dumps(_expected_meta(spec)))
    else:
        refresh_caches(path)
    return path


__all__ = [
    "generator_fingerprint",
    "is_reusable",
    "model_dir",
    "prepare_warehouse",
    "warehouse_path",
]
