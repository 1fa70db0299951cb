"""Issue 11's server checks against a real `chainlit run app.py` server, login off and on.

- A foreign `Origin` (or a DNS-rebound `Host`) is refused over HTTP and over socket.io; the
  page's own origin is served.
- A client that connects with another session's thread id gets a fresh conversation: it can
  neither read the other thread (export) nor score the other session's upload.
- Login: a burst of wrong passwords is throttled and the name locked out, even for the right
  password; another name is unaffected.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio
from reference_data import SAMPLE_ACCOUNTS
from support.chat_client import ChatClient, Turn

from ui.server import RunningServer, isolated_env, running_server

pytestmark = pytest.mark.integration
EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def server(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    workdir = tmp_path_factory.mktemp("server_defaults")
    db = workdir / "world.duckdb"
    shutil.copyfile(small_world, db)
    with running_server(db, workdir, env=isolated_env(workdir / "var")) as running:
        yield running


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def status_of(method: str, url: str, headers: dict[str, str], **kwargs: Any) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, url, headers=headers, allow_redirects=False, **kwargs) as response,
    ):
        return response.status


def test_cross_origin_http_is_refused_and_same_origin_served(server):
    own = f"http://127.0.0.1:{server.port}"

    async def flow() -> dict[str, int]:
        return {
            "evil page": await status_of("GET", server.url, {"Origin": EVIL}),
            "evil action": await status_of(
                "POST", f"{server.url}/project/action", {"Origin": EVIL}, json={}
            ),
            "evil preflight": await status_of(
                "OPTIONS",
                f"{server.url}/project/action",
                {"Origin": EVIL, "Access-Control-Request-Method": "POST"},
            ),
            "rebound host": await status_of(
                "GET", server.url, {"Host": f"evil.example:{server.port}"}
            ),
            "own origin": await status_of("GET", server.url, {"Origin": own}),
            "localhost": await status_of(
                "GET", server.url, {"Origin": f"http://localhost:{server.port}"}
            ),
            "no origin": await status_of("GET", f"{server.url}/health", {}),
        }

    codes = run(flow())
    assert codes["evil page"] == codes["evil action"] == codes["evil preflight"] == 403, codes
    assert codes["rebound host"] == 403, codes
    assert codes["own origin"] == codes["localhost"] == codes["no origin"] == 200, codes


async def socket_connects(url: str, origin: str) -> bool:
    client = socketio.AsyncClient(reconnection=False)
    auth = {"sessionId": "s-" + origin[-6:], "clientType": "webapp", "userEnv": "{}"}
    try:
        await client.connect(
            url,
            socketio_path="/ws/socket.io",
            auth=auth,
            headers={"Origin": origin},
            transports=["websocket"],
            wait_timeout=10,
        )
    except socketio.exceptions.ConnectionError:
        return False
    await client.disconnect()
    return True


def test_cross_origin_socket_is_refused(server):
    own = f"http://127.0.0.1:{server.port}"
    assert run(socket_connects(server.url, own)) is True
    assert run(socket_connects(server.url, EVIL)) is False


def thread_of(client: ChatClient) -> str:
    return next(d["thread_id"] for name, d in client.events if name == "first_interaction")


def test_another_sessions_thread_cannot_be_read_exported_or_its_upload_scored(server):
    secret_question = "Why is ACC000137 flagged?"

    async def flow() -> tuple[str, Turn, Turn, str]:
        async with ChatClient(server.url) as owner:
            file_id = await owner.upload(SAMPLE_ACCOUNTS)
            await owner.ask("Score this file", file_ids=[file_id], timeout_s=180)
            await owner.ask(secret_question)
            stolen = thread_of(owner)
            intruder = ChatClient(server.url)
            await intruder.connect(thread_id=stolen)
            try:
                upload = await intruder.ask("Which of the uploaded accounts are high risk?")
                export = await intruder.ask("export report")
                downloads = [await intruder.download(e) for e in export.files()]
            finally:
                await intruder.close()
            owner_export = await owner.ask("export report")
            markdown = next(e for e in owner_export.files() if e["name"].endswith(".md"))
            owner_report = (await owner.download(markdown)).decode()
            text = "\n".join(d.decode(errors="replace") for d in downloads)
            return stolen, upload, export, text + "\n" + owner_report

    stolen, upload, export, reports = run(flow())
    intruder_part, owner_part = reports.rsplit("# RevRisk Copilot", 1)
    assert secret_question not in export.answer and secret_question not in intruder_part
    assert "ACC000137" not in intruder_part
    assert not any(s["name"] == "score_file" for s in upload.steps("tool")), (
        "the intruder could score the owner's upload"
    )
    assert secret_question in owner_part, "the owner's own export still has the question"
    assert stolen not in owner_part, "the report prints no internal thread id"


def test_login_attempts_are_throttled_and_the_name_locked_out(small_world, tmp_path):
    workdir = tmp_path / "login"
    env = isolated_env(
        workdir / "var",
        {"REVRISK_USERS": "cfo:let-me-in,ops:other-pw", "CHAINLIT_AUTH_SECRET": "y" * 64},
    )

    async def attempt(url: str, user: str, password: str) -> int:
        return await status_of(
            "POST", f"{url}/login", {}, data={"username": user, "password": password}
        )

    async def flow(url: str) -> tuple[list[int], int, int, list[int], float]:
        started = time.perf_counter()
        wrong = [await attempt(url, "cfo", f"guess-{i}") for i in range(5)]
        locked = await attempt(url, "cfo", "let-me-in")
        other = await attempt(url, "ops", "other-pw")
        burst = [await attempt(url, "cfo", f"guess-{i}") for i in range(43)]
        return wrong, locked, other, burst, time.perf_counter() - started

    with running_server(small_world, workdir, env=env) as running:
        wrong, locked, other, burst, seconds = run(flow(running.url))
    print(f"50 login attempts in {seconds:.2f} s: burst {burst.count(429)} x 429")
    assert wrong == [401] * 5
    assert locked == 401, "the right password is refused while the name is locked out"
    assert other == 200, "another user is not locked out"
    assert burst.count(429) >= 40, "a burst from one address is rate-limited"
