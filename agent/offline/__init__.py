"""The offline planner: a rule-based chat model that needs no language model.

A message is read as its writer corrected it (corrections: "… in EMEA. Sorry, I meant APAC.")
into words (spelling, reading) and entities (entities), weighed against
the lexicon (lexicon, lexicon.toml) to a plan of tool calls (planner, plans, sqlgen,
sqlwords, safety), and answered from the tool results with template narratives
(narratives). `model.ChatOfflinePlanner` wraps it as a LangChain chat model for the graph.
May import tools, prompts and domain; the graph modules of `agent` import it, not the reverse.
"""

from __future__ import annotations

from agent.offline.entities import extract_entities
from agent.offline.lexicon import load_lexicon, muted_words, tokenize
from agent.offline.model import ACTIONS_KEY, OFFLINE_MODEL_NAME, ChatOfflinePlanner, thread_memory
from agent.offline.narratives import narrate, narrate_all, parse_content
from agent.offline.planner import REPLIES, Memory, plan
from agent.offline.plans import pick_row
from agent.offline.safety import declines
from agent.offline.spelling import correct, speller
from agent.offline.sqlgen import write

__all__ = [
    "ACTIONS_KEY",
    "OFFLINE_MODEL_NAME",
    "REPLIES",
    "ChatOfflinePlanner",
    "Memory",
    "correct",
    "declines",
    "extract_entities",
    "load_lexicon",
    "muted_words",
    "narrate",
    "narrate_all",
    "parse_content",
    "pick_row",
    "plan",
    "speller",
    "thread_memory",
    "tokenize",
    "write",
]
