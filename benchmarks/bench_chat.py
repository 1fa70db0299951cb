"""Chat server under load (issue 6): concurrent sessions, a 100k-row upload, page-ready time.

- 20 concurrent sessions × 5 questions over Chainlit's socket.io protocol (`ui.client`):
  errors, p50 / p95 reply time (question sent → the server's `task_end`).
- A 100,000-row upload in the reference account format: upload time, then upload → summary +
  downloadable scored file (aim ≤ 10 s).
- Page ready: `GET /` until the composer and starters are visible in Debian chromium (when
  installed).

`--quick` uses 5 sessions × 3 questions, a 300-account warehouse and a 10,000-row upload.
"""

from __future__ import annotations

import asyncio
import csv
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from ui.client import ChatClient, Turn
from ui.server import RunningServer, isolated_env, running_server

QUESTIONS = (
    "Show revenue by region",
    "How are we doing overall?",
    "Which accounts are most likely to leak revenue next month?",
    "Which customers are sharply declining?",
    "Show accounts by tier",
)
SAMPLE = (
    Path(__file__).resolve().parents[1].parent
    / "shared/reference-data/leakage-seed/sample_accounts.csv"
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return round(ordered[index], 3)


def _failed(turn: Turn) -> bool:
    return not turn.answer or any(m.get("isError") for m in turn.messages)


async def _session(url: str, questions: tuple[str, ...]) -> tuple[list[float], int]:
    times, errors = [], 0
    try:
        async with ChatClient(url) as client:
            for question in questions:
                try:
                    turn = await client.ask(question, timeout_s=120)
                except Exception:
                    errors += 1
                    continue
                times.append(turn.seconds)
                errors += _failed(turn)
    except Exception:
        errors += len(questions)
    return times, errors


async def _load(url: str, n_sessions: int, n_questions: int) -> dict[str, Any]:
    started = time.perf_counter()
    results = await asyncio.gather(
        *(_session(url, QUESTIONS[:n_questions]) for _ in range(n_sessions))
    )
    times = [t for session, _ in results for t in session]
    return {
        "sessions": n_sessions,
        "questions_per_session": n_questions,
        "replies": len(times),
        "errors": sum(errors for _, errors in results),
        "p50_s": _percentile(times, 0.5) if times else None,
        "p95_s": _percentile(times, 0.95) if times else None,
        "max_s": round(max(times), 3) if times else None,
        "wall_s": round(time.perf_counter() - started, 2),
    }


def _big_upload(folder: Path, n_rows: int) -> Path:
    """`n_rows` accounts in the reference format: the sample's rows with fresh account ids."""
    with SAMPLE.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    path = folder / f"accounts_{n_rows}.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        for index in range(n_rows):
            writer.writerow({**rows[index % len(rows)], "account_id": f"ACC{index + 1:07d}"})
    return path


async def _upload(url: str, path: Path) -> dict[str, Any]:
    async with ChatClient(url) as client:
        started = time.perf_counter()
        file_id = await client.upload(path)
        uploaded = time.perf_counter() - started
        turn = await client.ask("Score this file", file_ids=[file_id], timeout_s=300)
        total = time.perf_counter() - started
        files = [e["name"] for e in turn.files()]
        return {
            "rows": sum(1 for _ in path.open()) - 1,
            "file_mb": round(path.stat().st_size / 1_048_576, 2),
            "upload_s": round(uploaded, 2),
            "summary_and_download_s": round(total, 2),
            "scored_files": files,
            "tool_steps": [s["name"] for s in turn.steps("tool")],
            "answer_start": turn.answer[:160],
        }


def _page_ready(url: str, loads: int = 3) -> dict[str, Any]:
    if not Path("/usr/bin/chromium").exists():
        return {"skipped": "no /usr/bin/chromium"}
    from playwright.sync_api import sync_playwright

    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
        for _ in range(loads):
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(url)
            page.locator("#chat-input").wait_for(state="visible", timeout=20_000)
            page.get_by_role("button", name="Revenue by region").wait_for(state="visible")
            times.append(time.perf_counter() - started)
            page.close()
        browser.close()
    return {
        "loads": loads,
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
    }


def _measure(server: RunningServer, quick: bool, folder: Path) -> dict[str, Any]:
    n_sessions, n_questions, n_rows = (5, 3, 10_000) if quick else (20, 5, 100_000)
    asyncio.run(_load(server.url, 1, 1))  # warm-up: first turn opens the checkpointer
    return {
        "server_startup_s": round(server.startup_s, 2),
        "page_ready": _page_ready(server.url),
        "concurrent": asyncio.run(_load(server.url, n_sessions, n_questions)),
        "upload": asyncio.run(_upload(server.url, _big_upload(folder, n_rows))),
    }


def run(args: Any) -> dict[str, Any]:
    from data.build import build_demo_warehouse

    quick = bool(getattr(args, "quick", False))
    with tempfile.TemporaryDirectory(prefix="revrisk-bench-chat-") as tmp:
        folder = Path(tmp)
        db = folder / "world.duckdb"
        build_demo_warehouse(db, n_accounts=300 if quick else 2000, seed=7)
        with running_server(db, folder / "server", env=isolated_env(folder / "var")) as server:
            return _measure(server, quick, folder)
