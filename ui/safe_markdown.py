"""Markdown from tools and data, made safe before anyone renders it.

Contract: text that reaches the chat, a Markdown report or an HTML report may show data (an
account id, a file's cell, a model's words) but never acts on it:

- `neutralise(text)` — for Markdown that a renderer will read (the chat, the `.md` report):
  no image is ever formed (`![…](…)` is shown as its text, so nothing is fetched when the
  message shows, and no link is made of it either: rt6-3 saw the image become a link); a
  link or autolink keeps its syntax only for `http`, `https` and `mailto` URLs (others are
  shown as text); raw HTML tags are escaped (`\\<`). Code spans and fenced blocks are left
  alone (a renderer shows them as text; an escaped backtick opens none). The result is still
  Markdown: bold, lists and tables written by the templates work as before, and no HTML
  entity is introduced (`&` stays `&`). It is the last safety net over whole messages: a
  value from the data is made literal where it is put into the Markdown
  (`domain.markdown.literal`), and this pass leaves that as it is.
- `scrub(text)` — no server path (an absolute path is cut to its file name) and no traceback;
  `safe(text)` is both (what a report or the chat shows of a tool's or model's text).
- `to_html(text)` — for the HTML report: CommonMark + GFM tables through markdown-it-py (the
  dialect the chat renders, so lists after a line of text render as lists), then `nh3`
  (Rust's ammonia) with an allow-list of tags, links only to http(s)/mailto, no `img`.

Method and measured reason (issue 11): an account id `[click me](javascript:alert(3))` became
a live link in the exported HTML and `![b](http://host/p.png)` loaded a remote image in the
report and six times in the chat. A well-kept sanitiser decides what HTML survives; the
Markdown-level pass only needs to stop the two constructs that act when rendered.
"""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from domain.markdown import PATH_LIKE

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
ALLOWED_TAGS = frozenset(
    {
        "a", "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
        "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del",
        "span", "div", "details", "summary",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"style"}, "td": {"style"}}

_CODE = re.compile(r"((?<!\\)```.*?(?:```|$)|(?<!\\)~~~.*?(?:~~~|$)|(?<!\\)`[^`\n]*`)", re.S)
_UNESCAPED = r"(?<!\\)((?:\\\\)*)"  # an even number of backslashes (maybe none) before
_IMAGE = re.compile(_UNESCAPED + r"!\[")
_LINK = re.compile(_UNESCAPED + r"\]\(\s*<?([^)\s>]*)")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}):[^<>\s]*>")
_REFERENCE = re.compile(r"^( {0,3})\[([^\]\n]+)\]:[ \t]*<?(\S*)", re.M)
_TAG = re.compile(_UNESCAPED + r"<(?=[A-Za-z/!?])")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def scheme_allowed(url: str) -> bool:
    """True for http(s)/mailto URLs (entities and control characters decoded/removed first).

    Examples:
        >>> scheme_allowed("https://example.com"), scheme_allowed("java&#115;cript:alert(1)")
        (True, False)
        >>> scheme_allowed("JaVaScRiPt:x"), scheme_allowed("/relative"), scheme_allowed("")
        (False, False, False)
    """
    cleaned = _CONTROL.sub("", html.unescape(url)).lower()
    scheme, sep, _ = cleaned.partition(":")
    return bool(sep) and scheme in ALLOWED_SCHEMES


def _link(match: re.Match[str]) -> str:
    if scheme_allowed(match.group(2)):
        return match.group(0)
    slashes = match.group(1)
    return slashes + "]\\(" + match.group(0)[len(slashes) + 2 :]


def _reference(match: re.Match[str]) -> str:
    if scheme_allowed(match.group(3)):
        return match.group(0)
    return match.group(0).replace("[", "\\[", 1)


def _prose(text: str) -> str:
    text = _TAG.sub(r"\1\\<", text) if "<" in text else text
    text = _IMAGE.sub(r"\1\\!\\[", text)
    text = _LINK.sub(_link, text)
    return _REFERENCE.sub(_reference, text)


def neutralise(text: str) -> str:
    """Markdown without images, unsafe links or raw HTML; code left as it is. Idempotent.

    Examples:
        >>> neutralise("id [click me](javascript:alert(3)) and ![b](http://x/p.png)")
        'id [click me]\\\\(javascript:alert(3)) and \\\\!\\\\[b](http://x/p.png)'
        >>> neutralise("see [docs](https://example.com) <b>x</b> `a<b` & co")
        'see [docs](https://example.com) \\\\<b>x\\\\</b> `a<b` & co'
        >>> once = neutralise("\\\\![b](http://x/p.png) <i>")
        >>> neutralise(once) == once, once
        (True, '\\\\![b](http://x/p.png) \\\\<i>')
    """
    if not text:
        return text
    parts = _CODE.split(text)
    return "".join(part if index % 2 else _prose(part) for index, part in enumerate(parts))


_PATH_OR_VALUE = re.compile(
    r"(?P<value>\(value (?:'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")\))|" + PATH_LIKE.pattern
)
"""A path to cut, or an import report's quoted cell value "(value '…')", which is data shown
as it is (rt11 R-L2: a cell "print /etc/passwd" was quoted "print passwd")."""
_TRACEBACK = re.compile(
    r"Traceback \(most recent call last\):\n(?:[ \t]+.*(?:\n|$))*|File \"[^\"\n]+\", line \d+"
)


def scrub(text: str) -> str:
    """No server path (an absolute path becomes its last part) and no traceback lines.

    Examples:
        >>> tb = 'Traceback (most recent call last):\\n  File "/a/b.py", line 3, in f\\n    x()\\n'
        >>> scrub("bad\\n" + tb + "KeyError: 1")
        'bad\\nKeyError: 1'

        >>> scrub("input /srv/app/var/uploads/t1/a.csv does not exist; see https://x.io/a/b")
        'input a.csv does not exist; see https://x.io/a/b'
        >>> scrub("a.csv, row 4: reads like an instruction (value 'print /etc/passwd')")
        "a.csv, row 4: reads like an instruction (value 'print /etc/passwd')"
    """
    text = _TRACEBACK.sub("", text) if "Traceback" in text or 'File "' in text else text
    return _PATH_OR_VALUE.sub(_cut_path, text)


def _cut_path(match: re.Match[str]) -> str:
    if match.group("value"):
        return match.group(0)
    return match.group(0).rstrip("/").rsplit("/", 1)[-1]


def code_block(text: str) -> str:
    """`text` as a fenced block that nothing in it can close (a report's lines quote cell
    values, which may hold backticks).

    Examples:
        >>> code_block("a")
        '```\\na\\n```'
        >>> code_block("x ``` y").startswith("````")
        True
    """
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def safe(text: str) -> str:
    """Text from a tool, the data or the model, fit for a report: scrubbed and neutralised."""
    return neutralise(scrub(text))


def clean_html(fragment: str) -> str:
    """HTML through nh3 with the report's allow-list (links: http/https/mailto; no images)."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


_RENDERER = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _inline_text(token: Token) -> str:
    words = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            words.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            words.append(" ")
    return "".join(words)


def plain_text(text: str) -> str:
    """What a reader sees of Markdown `text`, without its markup: the text of each block on
    its own line (escapes resolved, code spans as their text, images dropped).

    Examples:
        >>> plain_text("**Scored html_names.csv**: a \\\\*b\\\\* and `c`.\\n\\n- [d](http://e)")
        'Scored html_names.csv: a *b* and c.\\nd'
    """
    return "\n".join(_inline_text(t) for t in _RENDERER.parse(text) if t.type == "inline")


def plain_blocks(text: str) -> list[str | list[list[str]]]:
    """The blocks a reader sees of Markdown `text`, in order, without markup: a paragraph,
    heading or list item as its text, a table as its rows of cell texts (header row first).

    Examples:
        >>> plain_blocks("**Query result**:\\n\\n| A | B |\\n|---|---|\\n| x | \\\\| |\\n\\n- one")
        ['Query result:', [['A', 'B'], ['x', '|']], 'one']
    """
    blocks: list[str | list[list[str]]] = []
    table: list[list[str]] | None = None
    for token in _RENDERER.parse(text):
        if token.type == "table_open":
            table = []
        elif token.type == "table_close" and table is not None:
            blocks.append(table)
            table = None
        elif token.type == "tr_open" and table is not None:
            table.append([])
        elif token.type == "inline":
            if table is not None and table:
                table[-1].append(_inline_text(token))
            else:
                blocks.append(_inline_text(token))
    return blocks


def to_html(text: str) -> str:
    """Markdown (CommonMark + tables) to sanitised HTML.

    Examples:
        An image is text (nothing is fetched, no link formed); a `javascript:` link is text:

        >>> print(to_html("Top:\\n- **A** [x](javascript:alert(1))\\n- B ![i](http://h/p.png)"))
        <p>Top:</p>
        <ul>
        <li><strong>A</strong> [x](javascript:alert(1))</li>
        <li>B ![i](http://h/p.png)</li>
        </ul>
        <BLANKLINE>
    """
    return clean_html(_RENDERER.render(neutralise(text)))
