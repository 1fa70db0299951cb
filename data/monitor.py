"""A background sampler: a daemon thread that calls `tick()` every `interval` seconds while
a `with` block runs, and is stopped and joined when the block ends.

Contract: `tick()` runs in the thread, first right after `on_start()` (called in the caller's
thread before the thread starts), then after every `interval`; it returns True to stop early
(a watchdog that has fired). Used by the SQL guard's watchdog (`data.sql_guard`) and the CLI's
peak-memory sampler over a process tree (`cli.partition_cmds.TreeMemory`).

Method: `threading.Event.wait(interval)` as the sleep, so leaving the block wakes the thread at
once instead of after a last interval. Hand-written: a dozen lines of the standard library; no
library of the project's dependencies offers a periodic sampler thread.
"""

from __future__ import annotations

import threading
from typing import Self


class Sampler:
    """Calls `tick()` every `interval` seconds in a daemon thread while used as a context."""

    def __init__(self, interval: float, name: str) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def on_start(self) -> None:
        """Called in the caller's thread just before sampling starts (a baseline, say)."""

    def tick(self) -> bool:
        """One sample; True stops the sampling."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.on_start()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.tick():
                return
            self._stop.wait(self.interval)


__all__ = ["Sampler"]
