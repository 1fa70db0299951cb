"""One `make run` server from the repository root, shared by the browser modules that use one.

Each module's chat is its own browser page, so its own socket session and thread; what the
modules share is only the process. Starting it once instead of four times saves about a minute
of `make test` (each start builds nothing but still takes ~20 s). A module that checks the
server's log reads the start-up part plus the part written since it began
(`support.make_run.SharedServer.log_since`), so another module's requests cannot fail or pass
its check.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.make_run import REPO, SharedServer, make_run_server


@pytest.fixture(scope="session")
def repo_server() -> Iterator[SharedServer]:
    """`make run`'s commands from the repository root, once for the whole test session."""
    with make_run_server(REPO) as running:
        yield SharedServer(running, running.log())
