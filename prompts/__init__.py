"""Prompt and narrative templates, loaded by name from the `.md` files of this package.

Templates use `string.Template` syntax: `$name` or `${name}` is a variable and `$$` is a
literal dollar sign. `load_prompt` is strict in both directions, like simonw/llm templates:
a variable the template uses but the caller did not pass, or a variable the caller passed but
the template does not use, raises `PromptError`. A typo therefore fails the first test that
renders the template instead of shipping a prompt with a hole in it.

Values are inserted verbatim (never re-parsed), so a value may itself contain `$`.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources
from string import Template

__all__ = ["PromptError", "list_prompts", "load_prompt", "prompt_variables"]


class PromptError(KeyError):
    """A prompt is missing, malformed, or rendered with the wrong variables."""

    def __str__(self) -> str:  # KeyError would print the message with quotes
        return str(self.args[0]) if self.args else ""


@cache
def _template(name: str) -> Template:
    resource = resources.files(__name__).joinpath(f"{name}.md")
    if not resource.is_file():
        raise PromptError(f"No prompt named {name!r}; known prompts: {', '.join(list_prompts())}")
    template = Template(resource.read_text(encoding="utf-8").rstrip("\n"))
    if not template.is_valid():
        raise PromptError(
            f"Prompt {name!r} has an invalid placeholder; write a literal dollar sign as $$"
        )
    return template


def prompt_variables(name: str) -> frozenset[str]:
    """The variable names the template `name` uses.

    Examples:
        >>> sorted(prompt_variables("tool_unavailable"))
        ['tool']
    """
    return frozenset(_template(name).get_identifiers())


def load_prompt(name: str, **variables: object) -> str:
    """Render the template `prompts/{name}.md` with exactly the variables it uses.

    Raises:
        PromptError: unknown template, missing variables, or unexpected variables.

    Examples:
        >>> load_prompt("tool_unavailable", tool="segment_report").startswith("I can't")
        True
        >>> load_prompt("tool_unavailable")
        Traceback (most recent call last):
        ...
        prompts.PromptError: Prompt 'tool_unavailable' needs variables: tool
    """
    expected = prompt_variables(name)
    missing = expected - variables.keys()
    if missing:
        raise PromptError(f"Prompt {name!r} needs variables: {', '.join(sorted(missing))}")
    unknown = variables.keys() - expected
    if unknown:
        raise PromptError(f"Prompt {name!r} does not use variables: {', '.join(sorted(unknown))}")
    return _template(name).substitute({key: str(value) for key, value in variables.items()})


@lru_cache(maxsize=1)
def list_prompts() -> tuple[str, ...]:
    """Names of all templates in this package, sorted."""
    return tuple(
        sorted(
            entry.name.removesuffix(".md")
            for entry in resources.files(__name__).iterdir()
            if entry.name.endswith(".md")
        )
    )
