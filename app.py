"""RevRisk Copilot chat: Chainlit event handlers only.

Each handler maps one Chainlit event to the agent or to a report; the work is in `ui/`
(`ui.chat` runs turns, uploads and exports; `ui.runtime` drives the LangGraph graph with the
Chainlit thread id as the conversation id). Started by `revrisk serve`
(`chainlit run app.py --headless`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import chainlit as cl
from chainlit.server import app as server_app
from chainlit.types import ThreadDict

from settings import get_settings
from ui import auth, chat, copy, offline_page, security, status, upload_guard, uploads
from ui.elements import ASK_ACTION, EXPORT_ACTION, GROUP_REPORT_ACTION, SCORE_FILE_ACTION

chat.isolate_files_directory()
upload_guard.install(server_app)
security.install(server_app, security.parse_origins(get_settings().allowed_origins))
status.install(server_app, get_settings().warehouse_path)
offline_page.install()  # nothing loaded from another host (rt8 D26)

if auth.login_enabled(get_settings()):

    @cl.password_auth_callback
    async def password_login(username: str, password: str) -> cl.User | None:
        """Users from REVRISK_USERS; history needs a login (Chainlit lists threads per user)."""
        if auth.check_password(get_settings(), username, password):
            return cl.User(identifier=username, metadata={"provider": "credentials"})
        return None

    @cl.data_layer
    def history() -> Any:
        """Threads persist in <var_dir>/chat_history.sqlite, so they reappear after a restart."""
        from chainlit.data.sql_alchemy import SQLAlchemyDataLayer

        return SQLAlchemyDataLayer(conninfo=auth.history_url(get_settings()))


@cl.set_starters
async def starters(user: cl.User | None = None, language: str | None = None) -> list[cl.Starter]:
    return [cl.Starter(label=s.label, message=s.message, icon=s.icon) for s in copy.STARTERS]


@cl.on_chat_start
async def on_chat_start() -> None:
    await chat.start()


@cl.on_chat_resume
async def on_chat_resume(thread: ThreadDict) -> None:
    await chat.resume(dict(thread))


@cl.on_stop
async def on_stop() -> None:
    await chat.stop()


@cl.on_settings_update
async def on_settings_update(values: dict[str, Any]) -> None:
    await chat.settings_changed(values)


@cl.on_message
async def on_message(message: cl.Message) -> None:
    files = [(e.path, e.name) for e in message.elements if e.path]
    if files:
        await chat.score_uploads([(Path(p), n) for p, n in files], message.content)
    elif uploads.wants_export(message.content):
        await chat.export_report()
    elif uploads.wants_file(message.content):
        await chat.ask_for_file()
    elif uploads.wants_import(message.content):
        await chat.no_file_to_import()
    else:
        await chat.answer(message.content)


@cl.action_callback(EXPORT_ACTION)
async def on_export(action: cl.Action) -> None:
    await chat.export_report()


@cl.action_callback(GROUP_REPORT_ACTION)
async def on_group_report(action: cl.Action) -> None:
    level = action.payload.get("decline_level")
    await chat.group_report(
        int(action.payload["segment_id"]), None if level is None else int(level)
    )


@cl.action_callback(ASK_ACTION)
async def on_ask(action: cl.Action) -> None:
    await chat.ask_suggested(str(action.payload.get("question") or ""))


@cl.action_callback(SCORE_FILE_ACTION)
async def on_score_file(action: cl.Action) -> None:
    await chat.ask_for_file()


@cl.on_chat_end
async def on_chat_end() -> None:
    await chat.end()
