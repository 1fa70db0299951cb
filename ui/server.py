"""Starting the chat server: `chainlit run app.py --headless` with a clean environment.

Used by `revrisk serve`, the integration tests and the chat benchmark, so all three start the
server the same way. Two Chainlit behaviours are neutralised here:

- `chainlit run` reads `CI` (and `WATCH`, `DEBUG`, `HEADLESS`, `NO_CACHE`, `RUN_TARGET`) as
  its own flags, and with `CI` set it overwrites `OPENAI_API_KEY` with a fake key, which
  would switch RevRisk from the offline planner to a model that cannot answer. They are
  removed from the server's environment.
- Chainlit takes its config (`.chainlit/config.toml`, `chainlit.md`, `public/`) from
  `CHAINLIT_APP_ROOT` (default: the working directory) and loads `.env` from the working
  directory. The app root is always this repository; the working directory is the caller's
  choice (tests pass a temporary one so no developer `.env` leaks in).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

APP_ROOT = Path(__file__).resolve().parent.parent
APP_FILE = APP_ROOT / "app.py"
CHAINLIT_FLAG_VARS = ("CI", "WATCH", "DEBUG", "HEADLESS", "NO_CACHE", "RUN_TARGET")


def server_command(host: str, port: int) -> list[str]:
    """The `chainlit run` command line."""
    return [
        sys.executable,
        "-m",
        "chainlit",
        "run",
        str(APP_FILE),
        "--headless",
        "--host",
        host,
        "--port",
        str(port),
    ]


def server_env(
    base: Mapping[str, str], *, db_path: Path | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """`base` without Chainlit's flag variables, with the app root and warehouse set."""
    env = {k: v for k, v in base.items() if k not in CHAINLIT_FLAG_VARS}
    env["CHAINLIT_APP_ROOT"] = str(APP_ROOT)
    env.setdefault("PYTHONUNBUFFERED", "1")
    if db_path is not None:
        env["REVRISK_WAREHOUSE"] = str(Path(db_path).resolve())
    env.update(extra or {})
    return env


ISOLATE_PREFIXES = ("OPENAI_", "REVRISK_", "CHAINLIT_", "LANGCHAIN_", "LANGSMITH_")


def isolated_env(var_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without keys or RevRisk/Chainlit settings (tests, benchmarks):
    the server then runs offline, on the warehouse it is given, with its state in `var_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ISOLATE_PREFIXES)}
    env["REVRISK_VAR_DIR"] = str(Path(var_dir).resolve())
    env.update(extra or {})
    return env


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_ready(
    url: str, timeout_s: float = 60.0, process: subprocess.Popen[bytes] | None = None
) -> float:
    """Poll `<url>/health` until it answers; returns the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"chat server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise TimeoutError(f"chat server at {url} not ready after {timeout_s:.0f} s")


@dataclass(frozen=True)
class RunningServer:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    startup_s: float

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    @classmethod
    def when_ready(
        cls,
        url: str,
        port: int,
        process: subprocess.Popen[bytes],
        log_path: Path,
        timeout_s: float,
    ) -> RunningServer:
        """The started `process` once `url` answers (`wait_ready`); if it exits or never
        answers, RuntimeError with the end of its log."""
        try:
            startup = wait_ready(url, timeout_s, process)
        except (RuntimeError, TimeoutError) as exc:
            tail = log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{exc}\n--- server log ---\n{tail}") from exc
        return cls(url, port, process, log_path, startup)


@contextmanager
def running_server(
    db_path: Path,
    workdir: Path,
    *,
    env: Mapping[str, str] | None = None,
    extra_env: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    timeout_s: float = 90.0,
) -> Iterator[RunningServer]:
    """A chat server on `host:port` (a free port by default) until the block ends.

    `env` replaces the inherited environment (default: `os.environ`); output goes to
    `<workdir>/chat-server.log`.
    """
    port = port or free_port(host)
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / "chat-server.log"
    environment = server_env(
        env if env is not None else os.environ, db_path=db_path, extra=extra_env
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            server_command(host, port),
            cwd=workdir,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield RunningServer.when_ready(
                f"http://{host}:{port}", port, process, log_path, timeout_s
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
