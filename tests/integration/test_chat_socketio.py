"""The chat over Chainlit's socket.io protocol, against a real `chainlit run app.py` server.

The same flows as the browser test, faster: a starter question with its tool step and a
number from the warehouse, batch scoring of an uploaded file with downloads, a follow-up about
the uploaded accounts, a malformed upload, exports, per-session isolation, and (with login)
history that survives a restart.
"""

from __future__ import annotations

import asyncio
import csv
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from reference_data import SAMPLE_ACCOUNTS
from support.chat_client import ChatClient, Turn, login

from ui.server import RunningServer, isolated_env, running_server

pytestmark = pytest.mark.integration
SAMPLE = SAMPLE_ACCOUNTS
REGION_SQL = (
    "SELECT a.region, sum(r.net_revenue) AS net_revenue FROM monthly_revenue r JOIN accounts a "
    "USING (account_id) WHERE r.month = (SELECT max(month) FROM monthly_revenue) "
    "GROUP BY a.region ORDER BY net_revenue DESC"
)


@pytest.fixture(scope="module")
def server(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    workdir = tmp_path_factory.mktemp("chat_server")
    db = workdir / "world.duckdb"
    shutil.copyfile(small_world, db)
    from services.refresh import refresh_caches

    refresh_caches(db)  # as `revrisk demo` does: caches are built by writers, never by a question
    with running_server(db, workdir, env=isolated_env(workdir / "var")) as running:
        yield running


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def top_region(db: Path) -> tuple[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        region, revenue = con.execute(REGION_SQL).fetchone()
    return region, f"{round(float(revenue)):,}"


def file_elements(turn: Turn) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in turn.files()}


def test_starter_question_shows_tool_step_and_a_warehouse_number(server, small_world):
    region, revenue = top_region(small_world)

    async def flow() -> tuple[Turn, list[str]]:
        async with ChatClient(server.url) as client:
            turn = await client.ask("Show revenue by region")
            return turn, [name for name, _ in client.events]

    turn, events = run(flow())
    (step,) = turn.steps("tool")
    assert step["name"] == "query_duckdb" and "region" in step["input"]
    assert '"n_rows": 4' in step["output"]
    assert region in turn.answer and revenue in turn.answer
    assert "stream_token" in events, "the answer is streamed"
    assert {a["name"] for a in turn.actions} >= {"export_report", "score_file"}
    assert turn.seconds < 10


def test_session_start_sends_settings_and_the_offline_notice(server):
    async def flow() -> list[tuple[str, Any]]:
        async with ChatClient(server.url) as client:
            await asyncio.sleep(1.0)
            turn = await client.ask("hello")
            return [*client.events, ("answer", turn.answer)]

    events = run(flow())
    settings = next(data for name, data in events if name == "chat_settings")
    assert settings[0]["id"] == "model" and settings[0]["initial"] == "auto"
    assert {"auto", "offline"} <= {item["value"] for item in settings[0]["items"]}
    toasts = [data["message"] for name, data in events if name == "toast"]
    assert any("Offline planner" in text for text in toasts)
    assert "offline planner" in dict(events)["answer"]


def test_upload_is_scored_with_summary_chart_and_downloads_then_follow_up(server):
    async def flow() -> tuple[Turn, Turn, dict[str, bytes]]:
        async with ChatClient(server.url) as client:
            file_id = await client.upload(SAMPLE)
            scored = await client.ask("Score this file", file_ids=[file_id], timeout_s=120)
            downloads = {
                name: await client.download(e) for name, e in file_elements(scored).items()
            }
            follow = await client.ask("Which of the uploaded accounts are high risk?")
            return scored, follow, downloads

    scored, follow, downloads = run(flow())
    assert any(s["name"] == "score_file" for s in scored.steps("tool"))
    assert "sample_accounts.csv" in scored.answer and "100" in scored.answer
    assert re.search(r"high.risk", scored.answer, re.I)
    assert any(e["type"] == "plotly" for e in scored.elements), "risk distribution chart"
    names = list(downloads)
    assert any(n.endswith(".csv") for n in names) and any(n.endswith(".xlsx") for n in names)
    rows = list(
        csv.DictReader(
            downloads[next(n for n in names if n.endswith(".csv"))].decode().splitlines()
        )
    )
    assert len(rows) == 100 and "ACC000001" in {r.get("account_id") for r in rows}
    assert follow.steps("tool"), "the follow-up runs a tool"
    ids = set(re.findall(r"ACC\d{6}", follow.answer))
    sample_ids = {row["account_id"] for row in csv.DictReader(SAMPLE.open())}
    assert ids and ids <= sample_ids, "the follow-up answers about the uploaded accounts"


def malformed_copy(folder: Path) -> Path:
    rows = list(csv.DictReader(SAMPLE.open()))
    columns = [c for c in rows[0] if c != "mrr"]
    rows[2]["payment_reliability_score"] = "very reliable"
    path = folder / "broken_accounts.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_malformed_upload_names_row_and_column_and_the_session_goes_on(
    server, small_world, tmp_path
):
    broken = malformed_copy(tmp_path)
    region, revenue = top_region(small_world)

    async def flow() -> tuple[Turn, Turn]:
        async with ChatClient(server.url) as client:
            refused = await client.ask("", file_ids=[await client.upload(broken)])
            after = await client.ask("Show revenue by region")
            return refused, after

    refused, after = run(flow())
    text = refused.answer + " ".join(s.get("output", "") for s in refused.steps("tool"))
    assert "mrr" in text, "the missing column is named"
    assert "payment_reliability_score" in text and re.search(r"row 4\b", text), (
        "row and column named"
    )
    assert revenue in after.answer and region in after.answer


def test_unsupported_file_type_is_refused_in_plain_words(server, tmp_path):
    notes = tmp_path / "notes.pdf"
    notes.write_bytes(b"%PDF-1.4 not a spreadsheet")

    async def flow() -> Turn:
        async with ChatClient(server.url) as client:
            return await client.ask(
                "", file_ids=[await client.upload(notes, "application/octet-stream")]
            )

    turn = run(flow())
    assert "I can score .csv, .tsv, .xlsx files" in turn.answer and not turn.steps("tool")


def test_import_words_without_a_file_are_told_none_arrived(server):
    """rt13 U-L4: "import this" whose empty file was refused at the upload got the off-topic
    refusal; it is told no file arrived and what the chat imports and scores."""
    from ui import copy

    async def flow() -> Turn:
        async with ChatClient(server.url) as client:
            return await client.ask("import this")

    turn = run(flow())
    assert turn.answer.startswith(copy.NO_FILE_TO_IMPORT[:60]) and not turn.steps("tool")
    assert "outside what I can help with" not in turn.answer


def test_export_report_by_button_and_by_words(server):
    async def flow() -> tuple[Turn, Turn, dict[str, bytes]]:
        async with ChatClient(server.url) as client:
            asked = await client.ask("Show revenue by region")
            export = await client.call_action(
                next(a for a in asked.actions if a["name"] == "export_report")
            )
            downloads = {
                name: await client.download(e) for name, e in file_elements(export).items()
            }
            by_words = await client.ask("export report")
            return export, by_words, downloads

    _, by_words, downloads = run(flow())
    markdown = next(data.decode() for name, data in downloads.items() if name.endswith(".md"))
    html = next(data.decode() for name, data in downloads.items() if name.endswith(".html"))
    assert "## 1. Show revenue by region" in markdown
    assert "`query_duckdb` with arguments" in markdown and "SELECT a.region" in markdown
    assert "| North America |" in markdown or "North America" in markdown
    assert "Model mode: offline-planner." in markdown and "as of 2026-10-01" in markdown
    assert "<h3>1. Show revenue by region</h3>" in html and "Model mode: offline-planner." in html
    assert len(file_elements(by_words)) == 2


def test_export_still_attaches_its_files_after_another_server_of_the_checkout_stopped(
    server, small_world, tmp_path
):
    """Chainlit deletes its files folder under the app root when a server stops; a second
    server from the same checkout stopping mid-session used to take this session's files with
    it, and the export then said "here is the report" with no file to download (seen as the
    CFO browser test's missing report link when two runs overlapped)."""
    second_db = tmp_path / "second.duckdb"
    shutil.copyfile(small_world, second_db)

    def start_and_stop_another_server() -> None:
        with running_server(second_db, tmp_path / "second", env=isolated_env(tmp_path / "var")):
            pass

    async def flow() -> tuple[Turn, dict[str, bytes]]:
        async with ChatClient(server.url) as client:
            asked = await client.ask("Show revenue by region")
            await asyncio.to_thread(start_and_stop_another_server)
            export = await client.call_action(
                next(a for a in asked.actions if a["name"] == "export_report")
            )
            downloads = {
                name: await client.download(e) for name, e in file_elements(export).items()
            }
            return export, downloads

    export, downloads = run(flow())
    assert sorted(Path(name).suffix for name in downloads) == [".html", ".md"], export.answers()
    markdown = next(data.decode() for name, data in downloads.items() if name.endswith(".md"))
    assert "## 1. Show revenue by region" in markdown
    assert all(data for data in downloads.values())


def test_score_a_file_starter_asks_for_the_file_and_takes_it(server):
    async def flow() -> tuple[dict[str, Any], Turn]:
        async with ChatClient(server.url) as client:
            return await client.ask_answering_with_file("Score a file", SAMPLE)

    request, turn = run(flow())
    assert request["spec"]["type"] == "file" and "CSV or Excel" in request["msg"]["output"]
    assert ".xlsx" in str(request["spec"]["accept"])
    assert any("Received **sample_accounts.csv**" in text for text in turn.answers())


def test_group_report_action_gives_markdown_and_text(server):
    action = {
        "name": "group_report",
        "payload": {"segment_id": 0, "decline_level": None},
        "label": "Group report",
        "id": "a1",
    }

    async def flow() -> dict[str, bytes]:
        async with ChatClient(server.url) as client:
            turn = await client.call_action(action)
            return {name: await client.download(e) for name, e in file_elements(turn).items()}

    files = run(flow())
    assert sorted(files) == ["segment-0-report.md", "segment-0-report.txt"]
    assert files["segment-0-report.md"].decode().startswith("# Segment 0 (")
    assert "Share declining" in files["segment-0-report.txt"].decode()


def test_uploads_and_files_are_private_to_their_session(server):
    async def flow() -> tuple[int, int]:
        async with ChatClient(server.url) as owner, ChatClient(server.url) as other:
            file_id = await owner.upload(SAMPLE)
            export = await owner.ask("export report")  # nothing yet: still fine
            await owner.ask("Show revenue by region")
            export = await owner.ask("export report")
            element = next(iter(file_elements(export).values()))
            import aiohttp

            async with aiohttp.ClientSession() as http:
                url = f"{server.url}/project/file/{element['chainlitKey']}"
                async with http.get(url, params={"session_id": other.session_id}) as theirs:
                    foreign = theirs.status
                async with http.get(
                    f"{server.url}/project/file/{file_id}", params={"session_id": other.session_id}
                ) as upload:
                    foreign_upload = upload.status
            return foreign, foreign_upload

    foreign, foreign_upload = run(flow())
    assert foreign == 404 and foreign_upload == 404


def test_history_survives_a_restart_with_login(small_world, tmp_path):
    workdir = tmp_path / "server"
    env = isolated_env(
        workdir / "var", {"REVRISK_USERS": "cfo:let-me-in", "CHAINLIT_AUTH_SECRET": "x" * 64}
    )

    async def first(url: str) -> str:
        cookie = await login(url, "cfo", "let-me-in")
        async with ChatClient(url, cookie=cookie) as client:
            await client.ask("Show revenue by region")
            await asyncio.sleep(1.5)  # the data layer writes in background tasks
            return client.session_id

    async def threads(url: str) -> list[dict[str, Any]]:
        import aiohttp

        cookie = await login(url, "cfo", "let-me-in")
        async with (
            aiohttp.ClientSession(headers={"Cookie": cookie}) as http,
            http.post(
                f"{url}/project/threads", json={"pagination": {"first": 20}, "filter": {}}
            ) as response,
        ):
            response.raise_for_status()
            return (await response.json())["data"]

    with running_server(small_world, workdir, env=env) as running:
        run(first(running.url))
    with running_server(small_world, workdir, env=env) as restarted:
        listed = run(threads(restarted.url))

        async def wrong_password() -> int:
            import aiohttp

            async with (
                aiohttp.ClientSession() as http,
                http.post(
                    f"{restarted.url}/login", data={"username": "cfo", "password": "nope"}
                ) as response,
            ):
                return response.status

        status = run(wrong_password())
    assert listed, "the thread is listed after the restart"
    assert listed[0]["name"].startswith("Show revenue by region")
    assert status == 401


def test_thumbs_up_and_down_are_stored_with_history(small_world, tmp_path):
    """With login (and so history) on, feedback on an answer lands in the history database."""
    import sqlite3

    workdir = tmp_path / "server"
    env = isolated_env(
        workdir / "var", {"REVRISK_USERS": "cfo:let-me-in", "CHAINLIT_AUTH_SECRET": "z" * 64}
    )

    async def flow(url: str) -> list[int]:
        import aiohttp

        cookie = await login(url, "cfo", "let-me-in")
        async with ChatClient(url, cookie=cookie) as client:
            turn = await client.ask("Show revenue by region")
            await asyncio.sleep(1.5)  # the data layer writes in background tasks
            answer = max(
                (m for m in turn.messages if m.get("type") == "assistant_message"),
                key=lambda m: len(str(m.get("output") or "")),
            )
            thread = next(d["thread_id"] for n, d in client.events if n == "first_interaction")
            statuses = []
            async with aiohttp.ClientSession(headers={"Cookie": cookie}) as http:
                for value in (1, 0):
                    body = {
                        "feedback": {"forId": answer["id"], "value": value, "threadId": thread},
                        "sessionId": client.session_id,
                    }
                    async with http.put(f"{url}/feedback", json=body) as response:
                        statuses.append(response.status)
            return statuses

    with running_server(small_world, workdir, env=env) as running:
        statuses = run(flow(running.url))
    with sqlite3.connect(workdir / "var" / "chat_history.sqlite") as db:
        values = sorted(v for (v,) in db.execute('SELECT "value" FROM feedbacks'))
    assert statuses == [200, 200]
    assert values == [0, 1], "one thumbs-up and one thumbs-down stored"


def test_a_question_it_cannot_map_offers_its_suggestions_as_buttons(server):
    async def flow() -> tuple[Turn, Turn]:
        async with ChatClient(server.url) as client:
            odd = await client.ask("What's the weather in Paris tomorrow?")
            offers = [a for a in odd.actions if a["name"] == "ask_question"]
            clicked = await client.call_action(offers[0]) if offers else odd
            await asyncio.sleep(0.5)
            await client.wait_task_end(0, 60)
            return odd, clicked

    odd, clicked = run(flow())
    offers = [a for a in odd.actions if a["name"] == "ask_question"]
    assert 2 <= len(offers) <= 3, [a["label"] for a in odd.actions]
    assert all(a["payload"]["question"].endswith("?") for a in offers)
    assert offers[0]["payload"]["question"] in odd.answer, "the buttons are the answer's offers"
    assert clicked.steps("tool"), "clicking a suggestion runs it"
