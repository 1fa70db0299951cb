"""Chat server under load (issue 6): concurrent sessions, a 100k-row upload, page-ready time.

- 20 concurrent sessions × 5 questions over Chainlit's socket.io protocol (tests/support/):
  errors, p50 / p95 reply time (question sent → the server's `task_end`).
- A 100,000-row upload in the reference account format (the sample's rows resampled with new
  account ids), timed by phase from the progress the server streams: upload, reading +
  validation, scoring, writing the scored CSV + XLSX, showing the summary, and downloading
  both files (aim: ≤ 10 s from upload to downloaded files).
- Page ready: `GET /` until the composer and starters are visible in Debian chromium (when
  installed).

`--quick` uses 5 sessions × 3 questions, a 300-account warehouse and a 10,000-row upload.
"""

from __future__ import annotations

import asyncio
import csv
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from services.leakage import model_dir_for

# The scripted socket.io client is test support (tests/support/); tests reach it through
# pytest's `pythonpath = ["tests"]`, the benchmark through the same folder on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.chat_client import ChatClient, Turn

from ui.server import RunningServer, isolated_env, running_server

QUESTIONS = (
    "Show revenue by region",
    "How are we doing overall?",
    "Which accounts are most likely to leak revenue next month?",
    "Which customers are sharply declining?",
    "Show accounts by tier",
)
STAGES = ("Reading the file", "Scoring the accounts", "Writing the scored files", "Scored")
"""The progress labels `score_file` streams, in order (tools/uploads.py)."""
SAMPLE = (
    Path(__file__).resolve().parents[1].parent
    / "shared/reference-data/leakage-seed/sample_accounts.csv"
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return round(ordered[index], 3)


def _failure(turn: Turn) -> str | None:
    """Why a turn counts as an error (no answer, or a step or message marked as one)."""
    if not turn.answer:
        return f"{turn.question}: no answer"
    failed = [m for m in turn.messages if m.get("isError")]
    if failed:
        return f"{turn.question}: {failed[0].get('name')}: {str(failed[0].get('output'))[:160]}"
    return None


async def _session(url: str, questions: tuple[str, ...]) -> tuple[list[float], list[str]]:
    times: list[float] = []
    errors: list[str] = []
    try:
        async with ChatClient(url) as client:
            for question in questions:
                try:
                    turn = await client.ask(question, timeout_s=120)
                except Exception as exc:
                    errors.append(f"{question}: {type(exc).__name__}: {exc}")
                    continue
                times.append(turn.seconds)
                failure = _failure(turn)
                if failure:
                    errors.append(failure)
    except Exception as exc:  # connect or close failed: every unanswered question counts
        unanswered = max(1, len(questions) - len(times))
        errors += [f"session: {type(exc).__name__}: {exc}"] * unanswered
    return times, errors


async def _load(url: str, n_sessions: int, n_questions: int) -> dict[str, Any]:
    started = time.perf_counter()
    results = await asyncio.gather(
        *(_session(url, QUESTIONS[:n_questions]) for _ in range(n_sessions))
    )
    times = [t for session, _ in results for t in session]
    errors = [error for _, session in results for error in session]
    return {
        "sessions": n_sessions,
        "questions_per_session": n_questions,
        "replies": len(times),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:3],
        "p50_s": _percentile(times, 0.5) if times else None,
        "p95_s": _percentile(times, 0.95) if times else None,
        "max_s": round(max(times), 3) if times else None,
        "wall_s": round(time.perf_counter() - started, 2),
    }


def _big_upload(folder: Path, n_rows: int, seed: int = 7) -> Path:
    """`n_rows` accounts in the reference format: the sample's rows drawn at random (with
    replacement), each under a fresh account id, so every value stays a valid one."""
    with SAMPLE.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    draw = random.Random(seed)
    path = folder / f"accounts_{n_rows}.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        for index in range(n_rows):
            writer.writerow({**draw.choice(rows), "account_id": f"ACC{index + 1:07d}"})
    return path


def _stage_times(client: ChatClient, start: int) -> dict[str, float]:
    """When each progress stage was first shown (perf_counter), from events after `start`."""
    seen: dict[str, float] = {}
    for (name, data), at in zip(client.events[start:], client.event_times[start:], strict=True):
        if name in ("new_message", "update_message") and isinstance(data, dict):
            label = str(data.get("output") or "").strip("_").split("…")[0]
            if label in STAGES:
                seen.setdefault(label, at)
    return seen


def _span(times: dict[str, float], first: str, last: str) -> float | None:
    return round(times[last] - times[first], 2) if first in times and last in times else None


async def _download_all(client: ChatClient, turn: Turn) -> dict[str, dict[str, Any]]:
    """Each scored file: seconds, MB, and a check that it is what it claims to be."""
    files = {}
    for element in turn.files():
        started = time.perf_counter()
        body = await client.download(element)
        name = str(element["name"])
        check = body.count(b"\n") - 1 if name.endswith(".csv") else body[:2] == b"PK"
        files[name] = {
            "seconds": round(time.perf_counter() - started, 2),
            "mb": round(len(body) / 1_048_576, 2),
            "data_rows" if name.endswith(".csv") else "is_zip": check,
        }
    return files


async def _upload(url: str, path: Path) -> dict[str, Any]:
    async with ChatClient(url) as client:
        started = time.perf_counter()
        file_id = await client.upload(path)
        sent = time.perf_counter()
        first = len(client.events)
        turn = await client.ask("Score this file", file_ids=[file_id], timeout_s=300)
        shown = time.perf_counter()
        files = await _download_all(client, turn)
        done = time.perf_counter()
    stages = _stage_times(client, first) | {"sent": sent, "shown": shown}
    return {
        "rows": sum(1 for _ in path.open()) - 1,
        "file_mb": round(path.stat().st_size / 1_048_576, 2),
        "phases_s": {
            "upload": round(sent - started, 2),
            "until_reading": _span(stages, "sent", STAGES[0]),
            "read_and_validate": _span(stages, STAGES[0], STAGES[1]),
            "score": _span(stages, STAGES[1], STAGES[2]),
            "write_csv_and_xlsx": _span(stages, STAGES[2], STAGES[3]),
            "show_summary": _span(stages, STAGES[3], "shown"),
            "download": round(done - shown, 2),
        },
        "upload_to_summary_s": round(shown - started, 2),
        "total_s": round(done - started, 2),
        "files": files,
        "chart": any(e.get("type") == "plotly" for e in turn.elements),
        "tool_steps": [s["name"] for s in turn.steps("tool")],
        "answer_start": turn.answer[:160],
    }


def _page_ready(url: str, loads: int = 3) -> dict[str, Any]:
    from support.browser import CHROMIUM, chromium  # launched as the browser tests launch it

    if not CHROMIUM.exists():
        return {"skipped": f"no {CHROMIUM}"}
    times = []
    with chromium() as browser:
        for _ in range(loads):
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(url)
            page.locator("#chat-input").wait_for(state="visible", timeout=20_000)
            page.get_by_role("button", name="Revenue by region").wait_for(state="visible")
            times.append(time.perf_counter() - started)
            page.close()
    return {
        "loads": loads,
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
    }


def _measure(server: RunningServer, quick: bool, folder: Path, db: Path) -> dict[str, Any]:
    n_sessions, n_questions, n_rows = (5, 3, 10_000) if quick else (20, 5, 100_000)
    asyncio.run(_load(server.url, 1, 1))  # warm-up: first turn opens the checkpointer
    result = {
        "server_startup_s": round(server.startup_s, 2),
        "page_ready": _page_ready(server.url),
        "concurrent": asyncio.run(_load(server.url, n_sessions, n_questions)),
    }
    # The leakage question of the load trains the warehouse's models; without it the upload
    # would include training, which is not what a user of a running server waits for.
    model_ready = (model_dir_for(db) / "reference" / "CURRENT").exists()
    upload = asyncio.run(_upload(server.url, _big_upload(folder, n_rows)))
    return result | {"upload": upload | {"model_trained_before_upload": model_ready}}


def run(args: Any) -> dict[str, Any]:
    from data.build import build_demo_warehouse
    from data.synth import WorldConfig
    from services.refresh import refresh_caches

    quick = bool(getattr(args, "quick", False))
    with tempfile.TemporaryDirectory(prefix="revrisk-bench-chat-") as tmp:
        folder = Path(tmp)
        db = folder / "world.duckdb"
        build_demo_warehouse(db, WorldConfig(n_accounts=300 if quick else 2000, seed=7))
        refresh_caches(db)  # as `revrisk demo` does before `revrisk serve`
        with running_server(db, folder / "server", env=isolated_env(folder / "var")) as server:
            return _measure(server, quick, folder, db)
