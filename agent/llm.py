"""Model factory: which chat model answers, from the run's `Context` and the `Settings`.

- `offline` — `ChatOfflinePlanner`, the default whenever no OpenAI key and no base URL are set
  (or `REVRISK_OFFLINE=true`).
- `openai:<model>` — `ChatOpenAI`, built by LangChain's provider-string factory
  `init_chat_model("openai:<model>")`. With `OPENAI_BASE_URL` it talks to any OpenAI-compatible
  endpoint (Ollama, vLLM, Azure's v1 endpoint, a local stub) over the Chat Completions API.
  Such endpoints often need no key, but the OpenAI client insists on one, so the placeholder
  `not-needed` is sent when only a base URL is configured.

Models are cached per configuration: building a `ChatOpenAI` costs milliseconds per turn.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from langchain_core.language_models import BaseChatModel

from agent.offline import OFFLINE_MODEL_NAME, ChatOfflinePlanner
from settings import Settings, get_settings
from tools.context import Context

PLACEHOLDER_API_KEY = "not-needed"


class ModelConfigError(ValueError):
    """The requested model cannot be used with this configuration."""


def resolve_model(context: Context, settings: Settings | None = None) -> str:
    """The concrete model spec of a run: `offline` or `openai:<model name>`."""
    settings = settings or get_settings()
    spec = context.model.strip()
    if spec == "auto":
        return f"openai:{settings.openai_model}" if settings.use_openai else "offline"
    if spec == "offline" or spec.startswith("openai:"):
        return spec
    raise ModelConfigError(f"Unknown model {spec!r}: use 'auto', 'offline' or 'openai:<name>'.")


def describe_model(context: Context, settings: Settings | None = None) -> str:
    """A label for people and logs, e.g. `offline-planner` or `openai:gpt-4o-mini@http://…`."""
    settings = settings or get_settings()
    spec = resolve_model(context, settings)
    if spec == "offline":
        return OFFLINE_MODEL_NAME
    return f"{spec}@{settings.openai_base_url}" if settings.openai_base_url else spec


@lru_cache(maxsize=8)
def _openai(model: str, base_url: str | None, api_key: str, streaming: bool) -> BaseChatModel:
    # LangChain's provider-string factory (heavy import, only when a remote model is used).
    from langchain.chat_models import init_chat_model

    # `streaming=False` given explicitly would also switch off LangGraph's token streaming
    # (LangChain treats it as a hard opt-out), so the flag is only ever set to True.
    options: dict[str, Any] = {"streaming": True} if streaming else {}
    return init_chat_model(
        f"openai:{model}",
        api_key=api_key,  # str is accepted and wrapped in SecretStr
        base_url=base_url,
        # Compatible endpoints speak Chat Completions, not OpenAI's Responses API.
        use_responses_api=False if base_url else None,
        max_retries=2,
        timeout=60,
        **options,
    )


@lru_cache(maxsize=1)
def _offline() -> BaseChatModel:
    return ChatOfflinePlanner()


def load_chat_model(context: Context, settings: Settings | None = None) -> BaseChatModel:
    """The chat model for this run (unbound; the graph binds the tools)."""
    settings = settings or get_settings()
    spec = resolve_model(context, settings)
    if spec == "offline":
        return _offline()
    if settings.openai_api_key is None and settings.openai_base_url is None:
        raise ModelConfigError(
            f"{spec} needs OPENAI_API_KEY or OPENAI_BASE_URL; unset the model to run offline."
        )
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return _openai(
        spec.removeprefix("openai:"),
        settings.openai_base_url,
        key or PLACEHOLDER_API_KEY,
        context.stream_tokens,
    )
