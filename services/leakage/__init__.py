"""Revenue leakage as a service: warehouse ↔ analytics glue for detection, the leakage model
(train, store, score) and batch file scoring, plus the caches the chat reads.

`service` is what the CLI and the tools call; the rest are its parts (pipeline, store,
refresh, training, detect, batch, files, common). May import analytics, data and domain.
"""

from __future__ import annotations

from services.leakage.files import read_reference_file, write_table
from services.leakage.refresh import ScoresUnavailableError
from services.leakage.service import cached, model_dir_for, refresh_leakage_cache, score_file
from services.leakage.store import ModelMismatchError, ModelMissingError, is_fresh, load_model
from services.leakage.training import (
    TrainingPlan,
    evaluate_file,
    evaluate_synthetic,
    evaluate_warehouse,
    train_file_model,
    train_warehouse_models,
)

__all__ = [
    "ModelMismatchError",
    "ModelMissingError",
    "ScoresUnavailableError",
    "TrainingPlan",
    "cached",
    "evaluate_file",
    "evaluate_synthetic",
    "evaluate_warehouse",
    "is_fresh",
    "load_model",
    "model_dir_for",
    "read_reference_file",
    "refresh_leakage_cache",
    "score_file",
    "train_file_model",
    "train_warehouse_models",
    "write_table",
]
