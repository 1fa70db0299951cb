"""The chat server as `make run` starts it, for the browser and socket tests.

Issue 12: the tests used to start the server with an absolute `REVRISK_VAR_DIR` and a copied
warehouse, a setup no user has, so a relative-path bug in uploads went unseen. Here the
commands are read from `make -n run` itself (whatever the Makefile runs, the test runs) and
started from the repository root, or from another working directory, with the inherited
environment minus Chainlit's flag variables (`CI` …) and minus the test isolation's own
RevRisk/OpenAI/Chainlit variables, plus one override: the port. A developer's `.env` in the
working directory is read, as `make run` would read it.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ui.server import CHAINLIT_FLAG_VARS, ISOLATE_PREFIXES, RunningServer, free_port

REPO = Path(__file__).resolve().parents[2]


def make_run_commands() -> list[str]:
    """The shell lines `make run` executes (its `setup` prerequisite excluded)."""
    dry = subprocess.run(
        ["make", "-n", "-s", "run"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    lines = [line.strip() for line in dry.splitlines() if re.search(r"/revrisk\b", line)]
    if not lines:
        raise RuntimeError(f"`make -n run` shows no revrisk command:\n{dry}")
    return lines


def shell_line(cwd: Path) -> str:
    """`make run`'s commands joined with `&&`; from another directory, with the venv's path
    made absolute (the only way to call the same programs from elsewhere)."""
    commands = make_run_commands()
    if cwd.resolve() != REPO:
        commands = [
            re.sub(r"^\.venv/", shlex.quote(str(REPO / ".venv")) + "/", c) for c in commands
        ]
    return " && ".join(commands)


def make_run_env(port: int) -> dict[str, str]:
    """The inherited environment, cleaned as described above, with the port set."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in CHAINLIT_FLAG_VARS and not k.startswith(ISOLATE_PREFIXES)
    }
    env["REVRISK_PORT"] = str(port)
    return env


@dataclass(frozen=True)
class SharedServer:
    """A `make run` server several test modules use (tests/integration/conftest.py)."""

    server: RunningServer
    startup_log: str
    """The log up to the moment the server answered: start-up warnings belong to every user."""

    def mark(self) -> int:
        return len(self.server.log())

    def log_since(self, mark: int) -> str:
        return self.startup_log + self.server.log()[max(mark, len(self.startup_log)) :]


@contextmanager
def make_run_server(
    cwd: Path = REPO, log_path: Path | None = None, timeout_s: float = 240.0
) -> Iterator[RunningServer]:
    """`make run`'s commands from `cwd` until the block ends (demo built if missing)."""
    port = free_port()
    cwd.mkdir(parents=True, exist_ok=True)
    log_path = log_path or cwd / "var" / f"chat-server-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["bash", "-c", shell_line(cwd)],
            cwd=cwd,
            env=make_run_env(port),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the process group holds bash and the server it starts
        )
        try:
            yield RunningServer.when_ready(
                f"http://127.0.0.1:{port}", port, process, log_path, timeout_s
            )
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
