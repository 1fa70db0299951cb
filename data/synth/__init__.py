"""Synthetic billing world with recorded ground truth (see data/README.md for its design).

`build_world` fills a warehouse with accounts, contracts, usage, invoices and payments in which
the six leakage types are *caused* by billing facts (an expired card makes the charge fail, a
missing invoice, a discount billed after its end date, ...), every injected event is recorded in
`leakage_events`, each account's true next-month leakage probability in `leakage_risk_truth`,
and revenue archetypes and anomaly months in `trend_truth` / `anomaly_truth`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np

from data.synth.population import draw_population
from data.synth.simulate import ChunkSimulation
from data.synth.writer import write_frames

CHUNK_SIZE = 50_000
"""Accounts simulated together; fixed so a seed gives the same world at any machine size."""


@dataclass(frozen=True)
class WorldConfig:
    """Size and seed of a synthetic world. `end_month` is its last complete month."""

    n_accounts: int = 2_000
    n_months: int = 24
    seed: int = 7
    end_month: date = date(2026, 10, 1)

    def __post_init__(self) -> None:
        if self.n_accounts < 1:
            raise ValueError(f"n_accounts must be >= 1, got {self.n_accounts}")
        if not 3 <= self.n_months <= 120:
            raise ValueError(f"n_months must be between 3 and 120, got {self.n_months}")
        if self.end_month.day != 1:
            raise ValueError(f"end_month must be the first day of a month, got {self.end_month}")

    @property
    def window_start(self) -> np.datetime64:
        end = np.datetime64(self.end_month, "M")
        return (end - np.timedelta64(self.n_months - 1, "M")).astype("datetime64[D]")


@dataclass
class WorldSummary:
    """What `build_world` wrote."""

    config: WorldConfig
    rows: dict[str, int] = field(default_factory=dict)


def build_world(
    con: duckdb.DuckDBPyConnection,
    config: WorldConfig,
    progress: Callable[[int, int], None] | None = None,
) -> WorldSummary:
    """Simulate the world chunk by chunk and insert it into `con` (schema must exist).

    Deterministic: the same config gives identical tables. `progress(done, total)` is called
    with account counts after each chunk.
    """
    summary = WorldSummary(config)
    for first in range(1, config.n_accounts + 1, CHUNK_SIZE):
        size = min(CHUNK_SIZE, config.n_accounts - first + 1)
        rng = np.random.default_rng([config.seed, first // CHUNK_SIZE])
        pop = draw_population(rng, first, size, config.n_months, config.window_start)
        frames = ChunkSimulation(pop, rng, config.n_months, config.window_start).run().frames()
        for table, count in write_frames(con, frames).items():
            summary.rows[table] = summary.rows.get(table, 0) + count
        if progress is not None:
            progress(first + size - 1, config.n_accounts)
    return summary


__all__ = ["CHUNK_SIZE", "WorldConfig", "WorldSummary", "build_world"]
