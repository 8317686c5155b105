"""Links to sources as pages show them, made in Python (a page has hundreds: a Jinja macro per link cost more
than the rest of the table). Registered as the templates' ``link`` and ``sources``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from markupsafe import Markup, escape

from etl.links import is_web_address


def link(url: object, text: object) -> Markup:
    """``text`` as a link to ``url`` when that is an http(s) address, else as plain text; both escaped."""
    if is_web_address(url):
        return Markup('<a href="%s" rel="noopener noreferrer external">%s</a>') % (url, text)
    return escape(text)


def sources(items: Iterable[Mapping[str, object]]) -> Markup:
    """Each source's title, linked where it has a web address, separated by "; "."""
    return Markup("; ").join(link(item["url"], item["title"]) for item in items)
