"""The pipeline over an account-partitioned book (`revrisk run`): per-partition tasks, the
engines that run them (a local process pool or Dask) and the driver that plans, trains and
merges. See `runner` for the order of work and `engines` for why Dask."""

from services.partitioned.engines import ENGINES, EngineError, make_engine
from services.partitioned.runner import RESULT_TABLES, ResumeError, RunReport, run_book

__all__ = [
    "ENGINES",
    "RESULT_TABLES",
    "EngineError",
    "ResumeError",
    "RunReport",
    "make_engine",
    "run_book",
]
