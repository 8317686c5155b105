"""Source addresses: only ``http://`` and ``https://`` URLs with a host are links.

The build refuses any other address in a source (``javascript:``, ``data:``,
``file:``, a bare path), and the web app renders only addresses that pass
:func:`is_web_address` as links, so that no text from data becomes a live link
of another kind.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from etl.messages import Message

_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


def is_web_address(text: object) -> bool:
    """Whether ``text`` is an http(s) URL with a host and no spaces or control characters."""
    if not isinstance(text, str) or _SPACE_OR_CONTROL.search(text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def address_problem(text: str) -> str | None:
    """Why ``text`` cannot be a source's address, or None when it can."""
    if is_web_address(text):
        return None
    return Message('"{text}" is not an http:// or https:// address', text=text[:80])


FIX = Message("give the source's web address, starting with https:// (or http://)")
SOURCE_FIX = Message("name the source: its title, and its web address (https://…) or the number of the official document")


def source_problem(title: str, url: str, document: str = "") -> tuple[str, str] | None:
    """(column, why) a source is not enough, or None: it needs a title, and a web address (http(s) only) or
    the number of an official document ("245/BC-SXD"); an address, when given, must be http(s)."""
    if not title.strip():
        return "source_title", Message("the source has no title")
    if url.strip():
        problem = address_problem(url.strip())
        return ("source_url", problem) if problem else None
    if not document.strip():
        return "source_url", Message("the source has neither a web address nor a document number")
    return None


def source_named(title: str, url: str, document: str = "") -> tuple[str, Message, Message] | None:
    """(column, message, fix) of a source that is not named well enough (:func:`source_problem`), or None."""
    if (problem := source_problem(title, url, document)) is None:
        return None
    return problem[0], Message("the source is not named well enough: {why}", why=problem[1]), SOURCE_FIX


def source_label(title: str, document: str = "") -> str:
    """The title a source is listed under: with its document number when it has one ("Báo cáo … (số 245/BC-SXD)")."""
    return f"{title} (số {document})" if document.strip() else title
