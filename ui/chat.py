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
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import chainlit as cl

from agent.llm import describe_model, resolve_model
from domain.markdown import literal
from settings import get_settings
from tools.context import Context
from ui import copy, revenue_upload, stripe_upload, uploads
from ui import runtime as ui_runtime
from ui.artifacts import ArtifactView, FileRef, view_of
from ui.elements import actions_for, elements_for, file_element
from ui.group_report import group_report_markdown, group_report_text
from ui.report import render_html, render_markdown
from ui.safe_markdown import code_block, neutralise, safe, scrub
from ui.transcript import ReportMeta, build_transcript, redacted

logger = logging.getLogger(__name__)
_STATE_KEY = "revrisk"


@dataclass
class SessionState:
    """Per-session choices and files (kept in `cl.user_session`)."""

    overrides: dict[str, Any] = field(default_factory=dict)
    redact: dict[str, str] = field(default_factory=dict)
    offline_noted: bool = False
    conversation: str = ""
    """The agent's thread id, issued by the server (see `thread_id`)."""
    turn: asyncio.Task[Any] | None = None
    """The turn running now, cancelled by the stop button (`stop`)."""
    db_path: str | None = None  # a warehouse imported in this session (Stripe upload)
    data_note: str | None = None
    """Sent with the next question after an import switched `db_path` (copy.DATA_CHANGED)."""


def state() -> SessionState:
    current = cl.user_session.get(_STATE_KEY)
    if not isinstance(current, SessionState):
        current = SessionState()
        cl.user_session.set(_STATE_KEY, current)
    return current


def thread_id() -> str:
    """The conversation's id, issued here and never taken from the client.

    Chainlit uses the `threadId` a client sends on connect; without login nothing checks it,
    so a client could name another person's thread and read or export it (issue 11). The
    agent's checkpoint, the upload folder and the export therefore use an id the server
    issues at chat start (`issue_thread_id`), kept in this session only; a resumed thread
    keeps its id because Chainlit resumes only the logged-in author's threads.
    """
    if not state().conversation:
        issue_thread_id()
    return state().conversation


def issue_thread_id() -> str:
    """A fresh, unguessable conversation id for this session (also Chainlit's thread id, so a
    persisted thread and its checkpoint share it)."""
    fresh = str(uuid.uuid4())
    state().conversation = fresh
    cl.context.session.thread_id = fresh
    return fresh


def run_context() -> Context:
    """The agent's context for this session: warehouse from settings, chat-setting overrides,
    and the session's upload folder (`upload_dir`, for `score_file` to confine file paths to)."""
    base = Context(db_path=state().db_path or str(get_settings().warehouse_path))
    folder = uploads.session_dir(get_settings().var_dir, thread_id())
    return ui_runtime.with_overrides(base, {**state().overrides, "upload_dir": str(folder)})


def upload_dir() -> Path:
    return uploads.session_dir(get_settings().var_dir, thread_id())


# ------------------------------------------------------------------------------ lifecycle
def isolate_files_directory() -> Path:
    """Give this server process its own Chainlit files folder: `<app root>/.files/server-<pid>`.

    Chainlit copies every session's downloads and chart data under `<app root>/.files` and
    deletes that whole folder when a server stops. A second server started from the same
    checkout (`make run` next to a test run, two ports) thus deleted the first one's files
    while it ran: its charts answered 500 and an export could not attach its report
    (reproduced with two CFO browser runs: `FileNotFoundError` in `persist_file`). Called
    once by app.py at import; idempotent.
    """
    import chainlit.config
    import chainlit.server

    folder = Path(chainlit.config.APP_ROOT) / ".files" / f"server-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    chainlit.config.FILES_DIRECTORY = folder  # read by each session's `files_dir`
    chainlit.server.FILES_DIRECTORY = folder  # the folder deleted at shutdown
    return folder


async def start() -> None:
    """A new conversation: a server-issued thread id, the chat settings, and the offline
    notice when no model is configured."""
    issue_thread_id()
    await start_panel()
    if resolve_model(run_context()) == "offline":
        await cl.context.emitter.send_toast(copy.OFFLINE_NOTICE, "info")


async def resume(thread: dict[str, Any]) -> None:
    """A thread Chainlit resumed for its logged-in author: its checkpoint goes on."""
    state().conversation = str(thread.get("id") or "") or issue_thread_id()
    cl.context.session.thread_id = state().conversation
    await start_panel()


async def start_panel() -> None:
    from ui.settings_panel import chat_settings

    await chat_settings(run_context()).send()


async def stop() -> None:
    """The stop button: cancel the running turn (Chainlit cancels only its own task, not an
    action's, and a tool in a worker thread finishes on its own but its result is dropped)."""
    running = state().turn
    if running is not None and not running.done():
        running.cancel()
    state().turn = None


async def settings_changed(values: dict[str, Any]) -> None:
    """Take the submitted settings; thresholds that no answer could use are refused, the
    previous ones kept (the panel is sent again with them) and the user told why."""
    from ui.settings_panel import apply_settings, chat_settings

    change = apply_settings(values, state().overrides)
    state().overrides = change.overrides
    state().offline_noted = False
    if change.refused is not None:
        await cl.Message(content=change.refused, author=copy.ASSISTANT).send()
        await chat_settings(run_context()).send()


async def end() -> None:
    """Forget uploads when the thread cannot be resumed (no login means no history)."""
    from ui.auth import login_enabled

    if not login_enabled(get_settings()):
        uploads.remove_session_dir(get_settings().var_dir, thread_id())


# ------------------------------------------------------------------------------ turns
async def answer(question: str) -> str:
    """Run one turn: steps for tool calls, a streamed answer, charts/tables/files under it.

    The turn runs as its own task so the stop button can cancel it (`stop`)."""
    task = asyncio.ensure_future(_answer(question))
    state().turn = task
    try:
        return await task
    except asyncio.CancelledError:
        if not task.cancelled():
            raise
        return ""
    finally:
        if state().turn is task:
            state().turn = None


async def _answer(question: str) -> str:
    runtime = await ui_runtime.shared_runtime()
    context = run_context()
    reply = cl.Message(content="", author=copy.ASSISTANT)
    steps: dict[str, cl.Step] = {}
    views: list[ArtifactView] = []
    progress: cl.Message | None = None
    final = ui_runtime.Final("")
    streamed = ""
    note, state().data_note = state().data_note, None
    async for event in runtime.stream(question, thread_id(), context, note=note):
        if isinstance(event, ui_runtime.Token):
            # the whole text so far, neutralised: an image or link split across tokens
            # never reaches the browser half-formed
            streamed += event.text
            await reply.stream_token(shown(streamed), is_sequence=True)
        elif isinstance(event, ui_runtime.ToolStarted):
            steps[event.call_id] = await _open_step(event)
        elif isinstance(event, ui_runtime.ToolFinished):
            await _close_step(steps.pop(event.call_id, None), event)
            view = view_of(event.artifact, event.name)
            if view is not None:
                views.append(view)
        elif isinstance(event, ui_runtime.Progress):
            progress = await _show_progress(progress, event)
        elif isinstance(event, ui_runtime.Revised):
            reply.content = streamed = ""
        elif isinstance(event, ui_runtime.Final):
            final = event
    if progress is not None:
        await progress.remove()
    reply.content = _with_footnote(shown(final.answer or streamed), context)
    reply.elements = elements_for(
        views, answer_holds_query_tables=resolve_model(context) == "offline"
    )
    reply.actions = actions_for(final.tool_calls, views, reply.content)
    await reply.send()
    return reply.content


async def _open_step(event: ui_runtime.ToolStarted) -> cl.Step:
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


async def _close_step(step: cl.Step | None, event: ui_runtime.ToolFinished) -> None:
    if step is None:
        return
    step.output = uploads_redacted(ui_runtime.pretty(event.content))
    step.language = "json"
    step.is_error = event.is_error or '"error"' in event.content[:200]
    step.end = datetime.now(UTC).isoformat()
    await step.update()


async def _show_progress(message: cl.Message | None, event: ui_runtime.Progress) -> cl.Message:
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
    """Once per session, who wrote the answers: the offline planner's templates, or a
    language model (the page has no "LLMs can make mistakes" line, since offline none runs)."""
    if state().offline_noted:
        return text
    state().offline_noted = True
    offline = resolve_model(context) == "offline"
    return f"{text}\n\n{copy.OFFLINE_FOOTNOTE if offline else copy.MODEL_FOOTNOTE}"


def uploads_redacted(value: Any) -> Any:
    """Show uploads by name, never by their server path (nor any other server path)."""
    value = redacted(value, state().redact)
    return scrub(value) if isinstance(value, str) else value


def shown(text: str) -> str:
    """An answer as the chat shows it: upload names for paths, no other server path or
    traceback, and Markdown that cannot load an image or run a link (`ui.safe_markdown`)."""
    return neutralise(scrub(redacted(text, state().redact)))


async def ask_suggested(question: str) -> None:
    """A suggested question clicked: shown as the user's message, then answered."""
    await cl.Message(content=question, type="user_message", author="User").send()
    await answer(question)


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


async def no_file_to_import() -> None:
    """ "import this" with no file: say that none arrived and what can be imported."""
    await cl.Message(content=copy.NO_FILE_TO_IMPORT, author=copy.ASSISTANT).send()


async def score_uploads(files: list[tuple[Path, str]], text: str) -> None:
    """Stage each file in the session folder and score it in one turn each.

    A question sent with the file travels in the same turn as the last file's scoring
    ("Score the file … . Which of them …"): one scoring answers it. (It used to be a second
    turn, which scored the file again: two answers, two sets of downloads — issue 12.)
    A Stripe export (a zip, or files named customers.jsonl, invoices.csv, ...) is imported
    instead, into a new warehouse for this session, once the user confirms; the text sent
    with it is answered only when the import stood (a question about a refused or cancelled
    export would be answered from other data, and "here is our export" is no question).
    """
    if stripe_upload.looks_like_stripe([name for _, name in files]):
        if not await import_stripe_upload(files):
            return
        files = []
    staged_files = []
    for source, name in files:
        try:
            staged = uploads.stage_upload(source, name, upload_dir(), get_settings().max_import_mb)
        except uploads.UploadError as exc:
            await cl.Message(content=safe(str(exc)), author=copy.ASSISTANT).send()
            continue
        state().redact[str(staged.path)] = staged.name
        staged_files.append(staged)
    question = "" if uploads.is_file_only(text) else text.strip()
    to_score, imported = [], False
    for staged in staged_files:  # a revenue file is imported, not scored (rt8 D4)
        kind = await asyncio.to_thread(
            revenue_upload.upload_kind, staged.path, get_settings().max_import_mb
        )
        if kind is not None and kind.kind == revenue_upload.REVENUE_KIND:
            imported = await import_revenue_upload(staged, kind.sub_format) or imported
        else:
            to_score.append(staged)
    for index, staged in enumerate(to_score):
        notice = copy.UPLOAD_RECEIVED.format(name=literal(staged.name), size=staged.size_text)
        await cl.Message(content=notice, author=copy.ASSISTANT).send()
        last = index == len(to_score) - 1
        await answer(uploads.scoring_question(staged, question if last else ""))
    if question and not to_score and (imported or not staged_files):
        await answer(question)


async def import_stripe_upload(files: list[tuple[Path, str]]) -> bool:
    """Ask, then import the dropped Stripe export into this session's own warehouse; True
    when it was imported."""
    names = ", ".join(literal(name) for _, name in files)
    if not await _confirm_import(copy.STRIPE_CONFIRM.format(names=names), "stripe"):
        await cl.Message(content=copy.STRIPE_CANCELLED, author=copy.ASSISTANT).send()
        return False
    folder = upload_dir()
    source = stripe_upload.stage_stripe(files, folder)
    outcome = await asyncio.to_thread(stripe_upload.import_into_session, source, folder)
    return await _show_import(outcome, copy.STRIPE_IMPORTED, copy.STRIPE_REFUSED)


async def import_revenue_upload(staged: uploads.StagedUpload, layout: str | None) -> bool:
    """Ask, then import a dropped monthly-revenue file into this session's own warehouse
    (`ui.revenue_upload`); True when it was imported. A refused file's problems are shown as
    `revrisk import` prints them."""
    layout_text = copy.REVENUE_LAYOUTS.get(layout or "", "monthly revenue")
    question = copy.REVENUE_CONFIRM.format(name=literal(staged.name), layout=layout_text)
    if not await _confirm_import(question, "revenue"):
        await cl.Message(
            content=copy.REVENUE_CANCELLED.format(name=staged.name), author=copy.ASSISTANT
        ).send()
        return False
    session_db = state().db_path
    current = Path(session_db) if session_db else None
    outcome = await asyncio.to_thread(
        revenue_upload.import_revenue, staged.path, upload_dir(), current
    )
    return await _show_import(outcome, copy.REVENUE_IMPORTED, copy.REVENUE_REFUSED)


async def _confirm_import(question: str, source: str) -> bool:
    """Import / Cancel buttons under `question`; True when Import was clicked."""
    choice = await cl.AskActionMessage(
        content=question,
        actions=[
            cl.Action(name=f"{source}_import", payload={"go": True}, label="Import"),
            cl.Action(name=f"{source}_cancel", payload={"go": False}, label="Cancel"),
        ],
        author=copy.ASSISTANT,
        timeout=600,
    ).send()
    return bool(choice and choice.get("payload", {}).get("go"))


async def _show_import(outcome: stripe_upload.SessionImport, imported: str, refused: str) -> bool:
    """Answer from the imported warehouse from now on (when it stood) and show the import's
    report under `imported` or `refused`; True when it stood."""
    if outcome.db_path is not None:
        state().db_path, state().data_note = str(outcome.db_path), copy.DATA_CHANGED
    note = imported if outcome.db_path is not None else refused
    if outcome.db_path is not None and outcome.summary:  # a CFO's summary; the report aside
        details = cl.Text(
            name=copy.IMPORT_DETAILS, content=code_block(scrub(outcome.text)), display="side"
        )
        await cl.Message(
            content=f"{note}\n\n{scrub(outcome.summary)}\n\n{copy.IMPORT_DETAILS_NOTE}",
            author=copy.ASSISTANT,
            elements=[details],
        ).send()
        return True
    await cl.Message(
        content=f"{note}\n{code_block(scrub(outcome.text))}", author=copy.ASSISTANT
    ).send()
    return outcome.db_path is not None


# ------------------------------------------------------------------------------ reports
async def _data_facts(db_path: str) -> tuple[str, str]:
    from ui.status import warehouse_facts

    facts = await asyncio.to_thread(warehouse_facts, db_path)
    return facts.described, f"{facts.as_of} ({facts.built_at})"


async def export_report() -> None:
    """Markdown and HTML report of the whole thread, as downloads.

    The click is answered at once: a "building the report" note appears before any work, and
    is replaced by the report's message with its two files, or by the reason there is none.
    An action callback runs without a Chainlit task, so an exception in it was only logged and
    the person who clicked saw nothing happen (and a message whose file could not be attached
    said "here is the report" with no file). The work that takes CPU (transcript, Markdown,
    HTML with SVG charts) runs in a worker thread, so the server keeps answering meanwhile.
    """
    note = cl.Message(content=copy.EXPORT_WORKING, author=copy.ASSISTANT)
    await note.send()
    try:
        await _send_report()
    except Exception as exc:
        logger.warning("export failed: %s: %s", type(exc).__name__, exc)
        reason = safe(scrub(f"{type(exc).__name__}: {exc}"))
        await cl.Message(
            content=copy.REPORT_FAILED.format(error=reason), author=copy.ASSISTANT
        ).send()
    finally:
        await note.remove()


async def _send_report() -> None:
    runtime = await ui_runtime.shared_runtime()
    context = run_context()
    messages = await runtime.messages(thread_id())
    source, timestamp = await _data_facts(context.db_path)
    meta = ReportMeta(
        model=describe_model(context),
        data_source=source,
        data_timestamp=timestamp,
    )
    folder = upload_dir()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    written = await asyncio.to_thread(
        _write_report, messages, meta, dict(state().redact), folder, stamp
    )
    if written is None:
        await cl.Message(content=copy.EXPORT_EMPTY, author=copy.ASSISTANT).send()
        return
    paths, n_turns = written
    files = [FileRef(str(p), p.name) for p in paths]
    _ensure_files_dir()
    report = cl.Message(
        content=copy.EXPORT_DONE.format(
            n_turns=n_turns, questions="question" if n_turns == 1 else "questions"
        ),
        author=copy.ASSISTANT,
        elements=[file_element(f) for f in files],
    )
    try:
        await report.send()
    except Exception as exc:
        # the text went out but a file did not: the message must not promise a report
        logger.warning("export files not attached: %s: %s", type(exc).__name__, exc)
        report.elements = []
        report.content = copy.REPORT_FAILED.format(error=copy.EXPORT_NOT_ATTACHED)
        await report.update()


def _write_report(
    messages: list[Any], meta: ReportMeta, redact: dict[str, str], folder: Path, stamp: str
) -> tuple[list[Path], int] | None:
    """The report's Markdown and HTML files in `folder`, and its number of questions; None
    when the thread has no question yet (runs in a worker thread)."""
    transcript = build_transcript(messages, meta, redact)
    if not transcript.turns:
        return None
    markdown_path = folder / f"revrisk-report-{stamp}.md"
    html_path = folder / f"revrisk-report-{stamp}.html"
    markdown_path.write_text(render_markdown(transcript), encoding="utf-8")
    html_path.write_text(render_html(transcript), encoding="utf-8")
    return [markdown_path, html_path], len(transcript.turns)


def _ensure_files_dir() -> None:
    """Chainlit copies each file element into the session's folder under its files directory,
    creating only the last level; make sure the whole path exists."""
    cl.context.session.files_dir.mkdir(parents=True, exist_ok=True)


async def group_report(segment_id: int, decline_level: int | None) -> None:
    """The segment × decline-level group report as Markdown and TXT downloads."""
    from services.trends import segment_report

    try:
        report = await asyncio.to_thread(
            segment_report, run_context().db_path, segment_id, decline_level
        )
    except Exception as exc:
        logger.warning("group report failed: %s: %s", type(exc).__name__, exc)
        error = safe(str(exc))
        await cl.Message(
            content=copy.REPORT_FAILED.format(error=error), author=copy.ASSISTANT
        ).send()
        return
    level = "" if decline_level is None else f"-level{decline_level}"
    folder = upload_dir()
    files = []
    for suffix, render in ((".md", group_report_markdown), (".txt", group_report_text)):
        path = folder / f"segment-{segment_id}{level}-report{suffix}"
        path.write_text(render(report), encoding="utf-8")
        files.append(FileRef(str(path), path.name))
    shown = "" if decline_level is None else f", decline level {decline_level}"
    _ensure_files_dir()
    await cl.Message(
        content=copy.GROUP_REPORT_DONE.format(segment_id=segment_id, level=shown),
        author=copy.ASSISTANT,
        elements=[file_element(f) for f in files],
    ).send()
