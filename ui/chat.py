"""What the chat does for each event: answer a turn, take an upload, export a report.

Called by the handlers in app.py. A turn streams from `ui.runtime.ChatRuntime` and is shown
with Chainlit's own pieces: every tool call a `cl.Step` (arguments as input, the model's copy
of the result as output), the answer a streamed `cl.Message`, and the artifacts as
`cl.Plotly` / `cl.Dataframe` / `cl.File` elements under the answer. The conversation itself
lives in the agent's checkpoint under the Chainlit thread id, so a resumed thread goes on
where it stopped and an export always covers the whole thread.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import chainlit as cl

from agent.llm import describe_model, resolve_model
from settings import get_settings
from tools.context import Context
from ui import copy, stripe_upload, uploads
from ui.artifacts import ArtifactView, FileRef, mime_for, view_of
from ui.elements import actions_for, elements_for, file_element
from ui.group_report import group_report_markdown, group_report_text
from ui.report import render_html, render_markdown
from ui.runtime import (
    Final,
    Progress,
    Revised,
    Token,
    ToolFinished,
    ToolStarted,
    pretty,
    shared_runtime,
    with_overrides,
)
from ui.transcript import ReportMeta, build_transcript, redacted

logger = logging.getLogger(__name__)
_STATE_KEY = "revrisk"


@dataclass
class SessionState:
    """Per-session choices and files (kept in `cl.user_session`)."""

    overrides: dict[str, Any] = field(default_factory=dict)
    redact: dict[str, str] = field(default_factory=dict)
    offline_noted: bool = False
    db_path: str | None = None  # a warehouse imported in this session (Stripe upload)


def state() -> SessionState:
    current = cl.user_session.get(_STATE_KEY)
    if not isinstance(current, SessionState):
        current = SessionState()
        cl.user_session.set(_STATE_KEY, current)
    return current


def thread_id() -> str:
    return cl.context.session.thread_id


def run_context() -> Context:
    """The agent's context for this session: warehouse from settings, chat-setting overrides,
    and the session's upload folder (`upload_dir`, for `score_file` to confine file paths to)."""
    base = Context(db_path=state().db_path or str(get_settings().warehouse_path))
    folder = uploads.session_dir(get_settings().var_dir, thread_id())
    return with_overrides(base, {**state().overrides, "upload_dir": str(folder)})


def upload_dir() -> Path:
    return uploads.session_dir(get_settings().var_dir, thread_id())


# ------------------------------------------------------------------------------ lifecycle
async def start() -> None:
    """Chat settings for this session, and the offline notice when no model is configured."""
    from ui.settings_panel import chat_settings

    await chat_settings(run_context()).send()
    if resolve_model(run_context()) == "offline":
        await cl.context.emitter.send_toast(copy.OFFLINE_NOTICE, "info")


async def settings_changed(values: dict[str, Any]) -> None:
    from ui.settings_panel import overrides_from

    state().overrides = overrides_from(values)
    state().offline_noted = False


async def end() -> None:
    """Forget uploads when the thread cannot be resumed (no login means no history)."""
    from ui.auth import login_enabled

    if not login_enabled(get_settings()):
        uploads.remove_session_dir(get_settings().var_dir, thread_id())


# ------------------------------------------------------------------------------ turns
async def answer(question: str) -> str:
    """Run one turn: steps for tool calls, a streamed answer, charts/tables/files under it."""
    runtime = await shared_runtime()
    context = run_context()
    reply = cl.Message(content="", author=copy.ASSISTANT)
    steps: dict[str, cl.Step] = {}
    views: list[ArtifactView] = []
    progress: cl.Message | None = None
    final = Final("")
    async for event in runtime.stream(question, thread_id(), context):
        if isinstance(event, Token):
            await reply.stream_token(event.text)
        elif isinstance(event, ToolStarted):
            steps[event.call_id] = await _open_step(event)
        elif isinstance(event, ToolFinished):
            await _close_step(steps.pop(event.call_id, None), event)
            view = view_of(event.artifact, event.name)
            if view is not None:
                views.append(view)
        elif isinstance(event, Progress):
            progress = await _show_progress(progress, event)
        elif isinstance(event, Revised):
            reply.content = ""
        elif isinstance(event, Final):
            final = event
    if progress is not None:
        await progress.remove()
    reply.content = _with_footnote(final.answer or reply.content, context)
    reply.elements = elements_for(views)
    reply.actions = actions_for(final.tool_calls, views)
    await reply.send()
    return reply.content


async def _open_step(event: ToolStarted) -> cl.Step:
    run = cl.context.current_step  # the handler's run step: tool steps group under it
    step = cl.Step(
        name=event.name,
        type="tool",
        show_input="json",
        parent_id=run.id if run is not None else None,
    )
    step.input = uploads_redacted(event.args)
    await step.send()
    return step


async def _close_step(step: cl.Step | None, event: ToolFinished) -> None:
    if step is None:
        return
    step.output = uploads_redacted(pretty(event.content))
    step.language = "json"
    step.is_error = event.is_error or '"error"' in event.content[:200]
    step.end = datetime.now(UTC).isoformat()
    await step.update()


async def _show_progress(message: cl.Message | None, event: Progress) -> cl.Message:
    share = f" {100 * event.done / event.total:.0f}%" if event.total else f" {event.done:,.0f}"
    text = f"_{event.label}…{share}_"
    if message is None:
        message = cl.Message(content=text, author=copy.ASSISTANT)
        await message.send()
    else:
        message.content = text
        await message.update()
    return message


def _with_footnote(text: str, context: Context) -> str:
    if resolve_model(context) != "offline" or state().offline_noted:
        return text
    state().offline_noted = True
    return f"{text}\n\n{copy.OFFLINE_FOOTNOTE}"


def uploads_redacted(value: Any) -> Any:
    """Show uploads by name, never by their server path."""
    return redacted(value, state().redact)


# ------------------------------------------------------------------------------ uploads
async def ask_for_file() -> None:
    """The "Score a file" starter/action: ask for the file, then score it."""
    limit = int(min(get_settings().max_import_mb, 500))
    files = await cl.AskFileMessage(
        content=copy.ASK_FOR_FILE,
        accept=uploads.ACCEPTED_MIME,
        max_size_mb=limit,
        timeout=900,
        author=copy.ASSISTANT,
    ).send()
    if not files:
        await cl.Message(content=copy.NO_FILE, author=copy.ASSISTANT).send()
        return
    await score_uploads([(Path(f.path), f.name) for f in files], "")


async def score_uploads(files: list[tuple[Path, str]], text: str) -> None:
    """Stage each file in the session folder and score it in a turn; then the question, if any.
    A Stripe export (a zip, or files named customers.jsonl, invoices.csv, ...) is imported
    instead, into a new warehouse for this session, once the user confirms."""
    if stripe_upload.looks_like_stripe([name for _, name in files]):
        await import_stripe_upload(files)
        files = []
    for source, name in files:
        try:
            staged = uploads.stage_upload(source, name, upload_dir(), get_settings().max_import_mb)
        except uploads.UploadError as exc:
            await cl.Message(content=str(exc), author=copy.ASSISTANT).send()
            continue
        state().redact[str(staged.path)] = staged.name
        notice = copy.UPLOAD_RECEIVED.format(name=staged.name, size=staged.size_text)
        await cl.Message(content=notice, author=copy.ASSISTANT).send()
        await answer(uploads.scoring_question(staged))
    if text.strip() and not uploads.is_scoring_only(text):
        await answer(text)


async def import_stripe_upload(files: list[tuple[Path, str]]) -> None:
    """Ask, then import the dropped Stripe export into this session's own warehouse."""
    names = ", ".join(name for _, name in files)
    choice = await cl.AskActionMessage(
        content=copy.STRIPE_CONFIRM.format(names=names),
        actions=[
            cl.Action(name="stripe_import", payload={"go": True}, label="Import"),
            cl.Action(name="stripe_cancel", payload={"go": False}, label="Cancel"),
        ],
        author=copy.ASSISTANT,
        timeout=600,
    ).send()
    if not choice or not choice.get("payload", {}).get("go"):
        await cl.Message(content=copy.STRIPE_CANCELLED, author=copy.ASSISTANT).send()
        return
    folder = upload_dir()
    source = stripe_upload.stage_stripe(files, folder)
    outcome = await asyncio.to_thread(stripe_upload.import_into_session, source, folder)
    if outcome.db_path is not None:
        state().db_path = str(outcome.db_path)
    note = copy.STRIPE_IMPORTED if outcome.db_path is not None else copy.STRIPE_REFUSED
    await cl.Message(content=f"{note}\n```\n{outcome.text}\n```", author=copy.ASSISTANT).send()


# ------------------------------------------------------------------------------ reports
async def _data_facts(db_path: str) -> tuple[str, str]:
    def read() -> tuple[str, str]:
        from data.warehouse import connect, get_meta, latest_month

        try:
            with connect(db_path, read_only=True) as con:
                source = get_meta(con, "source") or "warehouse"
                built = get_meta(con, "built_at") or "unknown build time"
                return (
                    f"{source} warehouse {Path(db_path).name}",
                    f"{latest_month(con)} (built {built})",
                )
        except Exception as exc:  # the footer says so rather than failing the export
            return Path(db_path).name, f"unknown ({type(exc).__name__})"

    return await asyncio.to_thread(read)


async def export_report() -> None:
    """Markdown and HTML report of the whole thread, as downloads."""
    runtime = await shared_runtime()
    context = run_context()
    messages = await runtime.messages(thread_id())
    source, timestamp = await _data_facts(context.db_path)
    meta = ReportMeta(
        thread_id=thread_id(),
        model=describe_model(context),
        data_source=source,
        data_timestamp=timestamp,
    )
    transcript = build_transcript(messages, meta, state().redact)
    if not transcript.turns:
        await cl.Message(content=copy.EXPORT_EMPTY, author=copy.ASSISTANT).send()
        return
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    folder = upload_dir()
    markdown_path = folder / f"revrisk-report-{stamp}.md"
    html_path = folder / f"revrisk-report-{stamp}.html"
    markdown_path.write_text(render_markdown(transcript), encoding="utf-8")
    html_path.write_text(await asyncio.to_thread(render_html, transcript), encoding="utf-8")
    files = [FileRef(str(p), p.name, mime_for(p.name)) for p in (markdown_path, html_path)]
    await cl.Message(
        content=copy.EXPORT_DONE.format(
            n_turns=len(transcript.turns),
            questions="question" if len(transcript.turns) == 1 else "questions",
        ),
        author=copy.ASSISTANT,
        elements=[file_element(f) for f in files],
    ).send()


async def group_report(segment_id: int, decline_level: int | None) -> None:
    """The segment × decline-level group report as Markdown and TXT downloads."""
    from services.trends import segment_report

    try:
        report = await asyncio.to_thread(
            segment_report, run_context().db_path, segment_id, decline_level
        )
    except Exception as exc:
        await cl.Message(content=copy.REPORT_FAILED.format(error=exc), author=copy.ASSISTANT).send()
        return
    level = "" if decline_level is None else f"-level{decline_level}"
    folder = upload_dir()
    files = []
    for suffix, render in ((".md", group_report_markdown), (".txt", group_report_text)):
        path = folder / f"segment-{segment_id}{level}-report{suffix}"
        path.write_text(render(report), encoding="utf-8")
        files.append(FileRef(str(path), path.name, mime_for(path.name)))
    shown = "" if decline_level is None else f", decline level {decline_level}"
    await cl.Message(
        content=copy.GROUP_REPORT_DONE.format(segment_id=segment_id, level=shown),
        author=copy.ASSISTANT,
        elements=[file_element(f) for f in files],
    ).send()
