"""Persistence of leakage models (files) and of the leakage caches (warehouse tables).

Models: `<model_dir>/<feature_set>/<version>/` holds one LightGBM text file per booster and
`manifest.json` (format, versions of Python / LightGBM / NumPy / pandas / scikit-learn, feature
list, sha256 of the training rows and of every booster file, where the training data came from,
the model card and whether it showed signal). `<model_dir>/<feature_set>/CURRENT` names the
version in use and is replaced atomically. Loading refuses a model whose format, features,
LightGBM or NumPy major version, or files do not match, and says to run `revrisk model train`;
no pickle is ever loaded.

Caches: tables `detected_leakage`, `leakage_scores`, `leakage_factors` (data/schema.sql, section
"Caches: leakage"), replaced together in one transaction with meta `leakage_data_version`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analytics.leakage.features import FEATURE_SETS
from analytics.leakage.model import BOOSTERS, LeakageModel
from data.warehouse import LEAKAGE_CACHE_TABLES, get_meta, get_meta_json, replace_rows, set_meta

MODEL_FORMAT = 1
KEEP_VERSIONS = 3
VERSION_KEY = "leakage_data_version"
INFO_KEY = "leakage_cache_info"
FAILED_KEY = "leakage_refresh_failed"
"""Why the last refresh could not build the caches (e.g. too few months to train); cleared by
the next complete refresh. Readers name it instead of "run `revrisk refresh`", which would fail
the same way."""
SCORES_UNAVAILABLE = "scores_unavailable"
"""Key of the cache info that holds why the last refresh wrote the detected leakage but no
risk scores (services.leakage.refresh)."""
USAGE_GAP = "months_without_usage"
"""Key of the cache info that holds `[billed account-months without usage, their accounts]`:
where the detectors that need usage could not run (services.leakage.detect.unchecked_note)."""
CACHE_TABLES = LEAKAGE_CACHE_TABLES
_RETRAIN = "Run `revrisk model train` to train a model for this installation."


class ModelMissingError(FileNotFoundError):
    """No trained model of the requested feature set."""


class ModelMismatchError(RuntimeError):
    """A stored model that this installation must not load (versions, features, files)."""


def library_versions() -> dict[str, str]:
    """Versions that decide whether a stored model reproduces its predictions."""
    return dict(_installed_versions())


@lru_cache(maxsize=1)
def _installed_versions() -> tuple[tuple[str, str], ...]:
    """What is installed does not change under a running process: read the metadata once."""
    versions = [("python", platform.python_version())]
    for name in ("lightgbm", "numpy", "pandas", "scikit-learn"):
        versions.append((name, metadata.version(name)))
    return tuple(versions)


def frame_sha256(frame: pd.DataFrame) -> str:
    """sha256 of a DataFrame's values (row order matters, index does not)."""
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    digest = hashlib.sha256(hashed.tobytes())
    digest.update(",".join(map(str, frame.columns)).encode())
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class StoredModel:
    """A loaded (or just saved) model with its manifest."""

    model: LeakageModel
    manifest: dict[str, Any]
    path: Path

    @property
    def version(self) -> str:
        """Version id: feature set, UTC timestamp and training-data hash prefix."""
        return str(self.manifest["version"])

    @property
    def signal(self) -> bool:
        """Whether the model's evaluation AUC interval excluded 0.5."""
        return bool(self.manifest["model_card"].get("signal", False))


def save_model(
    model_dir: Path,
    model: LeakageModel,
    training_sha256: str,
    model_card: dict[str, Any],
    source: dict[str, Any],
) -> StoredModel:
    """Write a new version and make it current; keeps the last `KEEP_VERSIONS` versions."""
    created = datetime.now(UTC)
    version = f"{model.feature_set}-{created:%Y%m%dT%H%M%S%f}-{training_sha256[:8]}"
    root = Path(model_dir) / model.feature_set
    folder = root / version
    folder.mkdir(parents=True, exist_ok=False)
    payload = model.to_payload()
    files: dict[str, dict[str, str]] = {}
    texts, dumps = payload.pop("boosters"), payload.pop("dumps")
    for name in BOOSTERS:
        model_file, dump_file = folder / f"{name}.txt", folder / f"{name}.dump.json"
        model_file.write_text(texts[name], encoding="utf-8")
        dump_file.write_text(json.dumps(dumps[name]), encoding="utf-8")
        files[name] = {
            "file": model_file.name,
            "sha256": _file_sha256(model_file),
            "dump": dump_file.name,
            "dump_sha256": _file_sha256(dump_file),
        }
    manifest = {
        "format": MODEL_FORMAT,
        "version": version,
        "created_at": created.isoformat(timespec="seconds"),
        "feature_set": model.feature_set,
        "features": list(model.feature_names),
        "libraries": library_versions(),
        "training_data_sha256": training_sha256,
        "source": source,
        "model_card": model_card,
        "boosters": files,
        "payload": payload,
    }
    (folder / "manifest.json").write_text(
        json.dumps(manifest, indent=2, default=str), encoding="utf-8"
    )
    pointer = root / "CURRENT.tmp"
    pointer.write_text(version, encoding="utf-8")
    os.replace(pointer, root / "CURRENT")
    _prune(root, keep=version)
    return StoredModel(model, manifest, folder)


def _prune(root: Path, keep: str) -> None:
    versions = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.name.split("-")[1])
    for old in versions[:-KEEP_VERSIONS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)


def _major_minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def check_manifest(manifest: dict[str, Any], feature_set: str) -> None:
    """Raise `ModelMismatchError` unless this installation can load the model as trained."""
    problems = []
    if manifest.get("format") != MODEL_FORMAT:
        problems.append(
            f"model format {manifest.get('format')} (this version reads {MODEL_FORMAT})"
        )
    if manifest.get("features") != list(FEATURE_SETS[feature_set]):
        problems.append("its feature list differs from this version's")
    trained = manifest.get("libraries", {})
    here = library_versions()
    if _major_minor(trained.get("lightgbm", "?")) != _major_minor(here["lightgbm"]):
        problems.append(
            f"trained with LightGBM {trained.get('lightgbm')}, installed {here['lightgbm']}"
        )
    if trained.get("numpy", "?").split(".")[0] != here["numpy"].split(".")[0]:
        problems.append(f"trained with NumPy {trained.get('numpy')}, installed {here['numpy']}")
    if problems:
        raise ModelMismatchError(
            f"Refusing to load leakage model {manifest.get('version')}: "
            f"{'; '.join(problems)}. {_RETRAIN}"
        )


def _verified(path: Path, sha256: str) -> str:
    if not path.exists() or _file_sha256(path) != sha256:
        raise ModelMismatchError(
            f"Model file {path} is missing or was modified since training. {_RETRAIN}"
        )
    return path.read_text(encoding="utf-8")


def load_model(model_dir: Path, feature_set: str) -> StoredModel:
    """The current model of `feature_set`, verified (see module docstring)."""
    if feature_set not in FEATURE_SETS:
        raise ValueError(f"unknown feature set {feature_set!r}; choose from {sorted(FEATURE_SETS)}")
    root = Path(model_dir) / feature_set
    pointer = root / "CURRENT"
    if not pointer.exists():
        raise ModelMissingError(
            f"No trained leakage model ({feature_set} features) in {Path(model_dir)}. {_RETRAIN}"
        )
    folder = root / pointer.read_text(encoding="utf-8").strip()
    try:
        raw = (folder / "manifest.json").read_text(encoding="utf-8")
        manifest = json.loads(raw)
    except (OSError, json.JSONDecodeError) as error:
        raise ModelMismatchError(
            f"Unreadable model manifest in {folder}: {error}. {_RETRAIN}"
        ) from None
    check_manifest(manifest, feature_set)
    texts = {}
    for name in BOOSTERS:
        entry = manifest["boosters"][name]
        texts[name] = (
            _verified(folder / entry["file"], entry["sha256"]),
            _verified(folder / entry["dump"], entry["dump_sha256"]),
        )
    key = hashlib.sha256(raw.encode()).hexdigest()
    return StoredModel(_parsed_model(key, manifest, texts), manifest, folder)


_MODELS: dict[str, LeakageModel] = {}
_MODELS_KEPT = 8


def _parsed_model(
    key: str, manifest: dict[str, Any], texts: dict[str, tuple[str, str]]
) -> LeakageModel:
    """The model a verified manifest describes, parsed once per process.

    Every load still reads the model's files and checks them against the manifest (~2 ms);
    what is remembered, under the manifest's sha256 `key` (the manifest pins every file's
    sha256), is the parsed model, whose compiled trees and TreeSHAP tables, built on first
    use, cost ~60 ms per scoring to rebuild. Predicting never changes a model otherwise.
    """
    model = _MODELS.get(key)
    if model is None:
        boosters = {name: text for name, (text, _) in texts.items()}
        dumps = {name: json.loads(dump) for name, (_, dump) in texts.items()}
        model = LeakageModel.from_payload(
            {**manifest["payload"], "boosters": boosters, "dumps": dumps}
        )
        if len(_MODELS) >= _MODELS_KEPT:
            _MODELS.pop(next(iter(_MODELS)))
        _MODELS[key] = model
    return model


# ------------------------------------------------------------------------------ caches
def current_version(con: duckdb.DuckDBPyConnection) -> str:
    """The warehouse's data version ("0" before any import)."""
    return get_meta(con, "data_version", "0") or "0"


def is_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the leakage caches were built from the current data version."""
    return get_meta(con, VERSION_KEY) == current_version(con)


def cache_info(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the last refresh recorded (empty before the first one)."""
    return get_meta_json(con, INFO_KEY)


def write_caches(
    con: duckdb.DuckDBPyConnection,
    frames: dict[str, pd.DataFrame],
    info: dict[str, Any],
    data_version: str,
) -> None:
    """Replace the three cache tables (call inside a transaction), sorted by account_id."""
    for table in CACHE_TABLES:
        replace_rows(con, table, frames[table], order_by="account_id")
    set_meta(
        con,
        **{VERSION_KEY: data_version, INFO_KEY: json.dumps(info, default=str), FAILED_KEY: ""},
    )


__all__ = [
    "CACHE_TABLES",
    "MODEL_FORMAT",
    "SCORES_UNAVAILABLE",
    "USAGE_GAP",
    "ModelMismatchError",
    "ModelMissingError",
    "StoredModel",
    "cache_info",
    "check_manifest",
    "current_version",
    "frame_sha256",
    "is_fresh",
    "library_versions",
    "load_model",
    "save_model",
    "write_caches",
]
