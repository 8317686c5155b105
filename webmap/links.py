"""Links to sources as pages show them, made in Python (a page has hundreds: a Jinja macro per link cost more
than the rest of the table). Registered as the templates' ``link`` and ``sources``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from markupsafe import Markup, escape

from etl.links import is_web_address

SHORT = 40  # characters of a source's short title in a table


def link(url: object, text: object, hover: object = None) -> Markup:
    """``text`` as a link to ``url`` when that is an http(s) address, else as plain text; ``hover`` (the full
    title) as its tooltip; all escaped."""
    title = Markup(' title="%s"') % hover if hover else Markup("")
    if is_web_address(url):
        return Markup('<a href="%s" rel="noopener noreferrer external"%s>%s</a>') % (url, title, text)
    return Markup("<span%s>%s</span>") % (title, text) if hover else escape(text)


def short_title(title: str) -> str:
    """A source's title as a table shows it: cut at a word to at most :data:`SHORT` characters, with "…" (the
    title itself when it is that short)."""
    if len(title) <= SHORT:
        return title
    return title[:SHORT].rsplit(" ", 1)[0].rstrip(",:;–—- ") + "…"


def sources(items: Iterable[Mapping[str, object]], short: bool = False) -> Markup:
    """Each source's title, linked where it has a web address, separated by "; "; ``short``: the short title, the
    full one on hover."""
    if short:
        return Markup("; ").join(
            link(item["url"], short_title(str(item["title"])), item["title"] if len(str(item["title"])) > SHORT else None) for item in items
        )
    return Markup("; ").join(link(item["url"], item["title"]) for item in items)
