"""The background sampler shared by the SQL watchdog and the CLI's process-tree memory peak."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from cli.partition_cmds import TreeMemory, tree_rss_mb
from data.monitor import Sampler


class Counter(Sampler):
    def __init__(self, interval: float, stop_after: int | None = None) -> None:
        super().__init__(interval, "counter")
        self.started = False
        self.ticks = 0
        self.stop_after = stop_after

    def on_start(self) -> None:
        self.started = True

    def tick(self) -> bool:
        assert self.started  # on_start runs before the first tick
        self.ticks += 1
        return self.stop_after is not None and self.ticks >= self.stop_after


def test_ticks_until_the_block_ends_and_leaving_does_not_wait_an_interval() -> None:
    with Counter(60.0) as sampler:
        deadline = time.monotonic() + 5
        while sampler.ticks == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        began = time.monotonic()
    assert sampler.ticks == 1  # the first tick is immediate, the next one 60 s later
    assert time.monotonic() - began < 1.0  # the thread was woken, not waited for


def test_a_tick_that_returns_true_stops_the_sampling() -> None:
    with Counter(0.001, stop_after=3) as sampler:
        time.sleep(0.3)
    assert sampler.ticks == 3


def test_tree_memory_counts_child_processes() -> None:
    script = "import time; block = bytearray(300 * 2**20); time.sleep(1.5)"
    alone = tree_rss_mb(os.getpid())
    with TreeMemory(interval=0.05) as tree:
        subprocess.run([sys.executable, "-c", script], check=True)
    assert tree.peak_mb >= alone + 250  # the child's 300 MB block, summed with this process
    assert 0 < tree.peak_pss_mb <= tree.peak_mb
