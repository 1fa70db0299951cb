"""The chat page loads nothing from another host: no Google Fonts, no KaTeX stylesheet from a CDN.

Contract: after `install()`, Chainlit's catch-all page route (which serves `index.html` for
every page path) serves the page through `local_only`, which drops every `<link>`
(stylesheet, preconnect, preload) whose `href` names another host. Everything else the page
needs (scripts, styles, theme, logo, favicon) is served by this server. The font is the
system's UI font (`public/theme.json`: `custom_fonts` empty and `--font-sans` a system stack,
Chainlit's documented way to choose the font).

Method and measured reason (rt8 D26): Chainlit 2.12's `index.html` hard-codes a preconnect to
fonts.googleapis.com and fonts.gstatic.com, the Inter stylesheet from Google Fonts and
`katex.min.css` from cdn.jsdelivr.net. Every page load asked both hosts (a failed request and a
console error on an offline machine; elsewhere, a finance tool telling third parties who opens
it). `theme.json` can replace the font link only; no setting removes the preconnects or the
KaTeX link, and LaTeX is off (`features.latex = false`), so the stylesheet has nothing to
style. The template is Chainlit's own, a few fixed lines, so one regular expression over its
`<link>` tags is enough; the page's markup is otherwise served unchanged. A browser test
(tests/integration/test_offline_page_browser.py) fails on any request to a non-local host.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_LINK = re.compile(r"<link\b[^>]*>\s*", re.IGNORECASE | re.DOTALL)
_HREF = re.compile(r"""\bhref\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def is_remote(url: str) -> bool:
    """True for a URL that names a host (`https://…`, `//…`); a path on this server is not.

    Examples:
        >>> is_remote("https://fonts.googleapis.com/css2"), is_remote("//cdn.example/x.css")
        (True, True)
        >>> is_remote("/public/revrisk.css"), is_remote("/assets/index.css")
        (False, False)
    """
    return bool(urlsplit(url.strip()).netloc)


def local_only(page: str) -> str:
    """`page` without the `<link>` tags that point at another host.

    Examples:
        >>> local_only('<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin />'
        ...            '<link rel="stylesheet" href="/public/revrisk.css">')
        '<link rel="stylesheet" href="/public/revrisk.css">'
    """

    def keep(match: re.Match[str]) -> str:
        href = _HREF.search(match.group(0))
        return "" if href is not None and is_remote(href.group(1)) else match.group(0)

    return _LINK.sub(keep, page)


def install() -> None:
    """Serve Chainlit's page through `local_only` (idempotent).

    Chainlit's page route calls `chainlit.server.get_html_template` by its module name on
    every request and offers no hook for the template, so that name is wrapped. (Swapping the
    route itself is not stable: FastAPI 0.165 resolves included routers lazily, and a
    catch-all route placed in front would shadow `/assets`, `/public` and the API.)
    """
    import chainlit.server

    original = chainlit.server.get_html_template
    if getattr(original, "__wrapped__", None) is not None:
        return

    def local_template(root_path: str) -> str:
        return local_only(original(root_path))

    local_template.__wrapped__ = original  # type: ignore[attr-defined]
    chainlit.server.get_html_template = local_template


__all__ = ["install", "is_remote", "local_only"]
