"""Source addresses: only ``http://`` and ``https://`` URLs with a host are links.

The build refuses any other address in a source (``javascript:``, ``data:``,
``file:``, a bare path), and the web app renders only addresses that pass
:func:`is_web_address` as links, so that no text from data becomes a live link
of another kind.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

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
    return f'"{text[:80]}" is not an http:// or https:// address'


FIX = "give the source's web address, starting with https:// (or http://)"
