"""Conversation memory: a SQLite checkpointer under the var directory, so threads survive restarts.

LangGraph saves the graph state after every step, keyed by `thread_id`
(`config={"configurable": {"thread_id": ...}}`). Sync code (CLI, evals, benchmarks) uses
`SqliteSaver`; async code (the chat UI) uses `AsyncSqliteSaver` on the same file. WAL mode
lets a UI and a CLI session use the file at the same time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from settings import get_settings

CHECKPOINT_FILE = "threads.sqlite"


def checkpoint_path(var_dir: Path | str | None = None) -> Path:
    """Where threads are stored: `<var_dir>/threads.sqlite` (var_dir from Settings by default)."""
    return Path(var_dir if var_dir is not None else get_settings().var_dir) / CHECKPOINT_FILE


@contextmanager
def open_checkpointer(path: Path | str | None = None) -> Iterator[SqliteSaver]:
    """A sync SQLite checkpointer, open for the duration of the `with` block."""
    path = Path(path) if path is not None else checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # check_same_thread=False is safe: SqliteSaver serialises access with its own lock.
    conn = sqlite3.connect(str(path), check_same_thread=False)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        yield SqliteSaver(conn)
    finally:
        conn.close()


@asynccontextmanager
async def open_async_checkpointer(
    path: Path | str | None = None,
) -> AsyncIterator[AsyncSqliteSaver]:
    """An async SQLite checkpointer (for `graph.ainvoke` / `astream`)."""
    import aiosqlite

    path = Path(path) if path is not None else checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(str(path)) as conn:
        await conn.execute("PRAGMA journal_mode=WAL")
        yield AsyncSqliteSaver(conn)
