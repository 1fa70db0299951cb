"""Progress callbacks for long work (imports, cache refreshes, scans, evaluation runs).

A `Progress` is called as `progress(done, total)` after each step; the CLI draws a bar from
it and the chat streams it. `stepper` counts the steps for the caller.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None]


def stepper(progress: Progress | None, total: int) -> Callable[[], None]:
    """A function that reports one more finished step of `total` to `progress` (if any).

    Examples:
        >>> seen = []
        >>> step = stepper(lambda done, total: seen.append((done, total)), 2)
        >>> step(); step(); seen
        [(1, 2), (2, 2)]
    """
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    return step


__all__ = ["Progress", "stepper"]
