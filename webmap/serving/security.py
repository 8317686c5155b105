"""Security headers and compression for every response.

A Content-Security-Policy that allows only this origin, and the inline scripts and styles Folium writes by
their SHA-256 hashes; frame-ancestors none; nosniff. Hashes rather than a per-response nonce, so that a page
is the same bytes for every visitor who is not signed in: a cached page is then filled, hashed and gzipped once
(:func:`sent`) and every later request sends those bytes as they are. Cached pages hold the markers other parts
register with :func:`add_placeholder` (the account bar), replaced here in one pass over the body.

A response is shared this way only when it was made by :func:`webmap.views.common.cached` (``g.page_key``), is a
200, and is not for a signed-in person (``g.personal``, set by :mod:`webmap.intake`): those are filled and
compressed per response, as before.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request

COMPRESSIBLE = (
    "text/html",
    "text/css",
    "application/javascript",
    "text/javascript",
    "application/json",
    "application/geo+json",
    "text/csv",
)
GZIP_MIN = 1024  # bytes: smaller bodies are sent as they are
INLINE = re.compile(r"<(script|style)((?:\s[^>]*)?)>(.*?)</\1\s*>", re.S | re.I)


def inline_hashes(html: str) -> tuple[list[str], list[str]]:
    """CSP sources (``'sha256-…'``) of the inline scripts (those without ``src``) and styles of ``html``, in order,
    without repeats."""
    scripts: dict[str, None] = {}
    styles: dict[str, None] = {}
    for match in INLINE.finditer(html):
        tag, attributes, content = match.group(1).lower(), match.group(2), match.group(3)
        if tag == "script" and re.search(r"\bsrc\s*=", attributes):
            continue
        digest = base64.b64encode(hashlib.sha256(content.encode("utf-8")).digest()).decode("ascii")
        (scripts if tag == "script" else styles)[f"'sha256-{digest}'"] = None
    return list(scripts), list(styles)


def policy(app: Flask, scripts: list[str], styles: list[str]) -> str:
    """The Content-Security-Policy of a page whose inline scripts and styles have these hashes."""
    images = "'self' data:"
    tiles = app.config.get("TILE_URL")
    if tiles:
        parts = urlsplit(tiles.replace("{s}", "a"))
        images += f" {parts.scheme}://{parts.netloc.replace('a.', '*.', 1) if '{s}' in tiles else parts.netloc}"
    script_src = " ".join(["'self'", *scripts])
    style_src = " ".join(["'self'", *styles])
    return (
        f"default-src 'self'; script-src {script_src}; style-src {style_src}; img-src {images}; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


@dataclass(frozen=True)
class Sent:
    """A page as it goes out: filled body, its gzip (None when too small to gain) and its policy."""

    body: bytes
    gzipped: bytes | None
    policy: str

    @property
    def nbytes(self) -> int:
        return len(self.body) + len(self.gzipped or b"") + len(self.policy)


def add_placeholder(app: Flask, marker: str, make: Callable[[], str]) -> None:
    """Replace ``marker`` in every HTML response by ``make()`` (what differs per request in a cached page)."""
    app.extensions.setdefault("urbanmap_placeholders", {})[marker] = make


def _filled(app: Flask, body: str) -> str:
    for marker, make in app.extensions.get("urbanmap_placeholders", {}).items():
        if marker in body:
            body = body.replace(marker, make(), 1)
    return body


def _finish(app: Flask, body: str, compress: bool) -> Sent:
    """Fill the markers of ``body``, hash its inline code and (when ``compress``) gzip it."""
    filled = _filled(app, body)
    raw = filled.encode("utf-8")
    # level 3: 2.4x faster than 6 for 9 % more bytes (a page not shared is compressed per response)
    zipped = gzip.compress(raw, compresslevel=3, mtime=0) if compress and len(raw) >= GZIP_MIN else None
    return Sent(raw, zipped, policy(app, *inline_hashes(filled)))


def _accepts_gzip() -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "")


def _page(app: Flask, response: Response) -> None:
    """An HTML response: filled, hashed, compressed -- once per shared page, else now."""
    key = g.get("page_key")
    compress = _accepts_gzip()
    if key is not None and response.status_code == 200 and not g.get("personal"):
        cache = current_app.extensions["urbanmap_cache"]
        sent = cache.get_or_make((*key, "sent", compress), lambda: _finish(app, response.get_data(as_text=True), compress))
    else:
        sent = _finish(app, response.get_data(as_text=True), compress)
    response.headers["Content-Security-Policy"] = sent.policy
    if sent.gzipped is not None:
        response.set_data(sent.gzipped)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(sent.body)
    # the language may come from a cookie; set as text when nothing else has named a Vary yet (most pages: the
    # header object would be parsed and written back on every response)
    if "Vary" in response.headers:
        response.vary.update(("Accept-Encoding", "Cookie"))
    else:
        response.headers["Vary"] = "Accept-Encoding, Cookie"


def _compress(response: Response) -> None:
    if (
        response.direct_passthrough
        or response.status_code < 200
        or response.status_code >= 300
        or not _accepts_gzip()
        or response.headers.get("Content-Encoding")
        or response.mimetype not in COMPRESSIBLE
    ):
        return
    body = response.get_data()
    if len(body) < GZIP_MIN:
        return
    response.set_data(gzip.compress(body, compresslevel=3, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")


def init_app(app: Flask) -> None:
    plain = policy(app, [], [])  # of every response without inline code: made once

    @app.after_request
    def headers(response: Response) -> Response:
        if response.mimetype == "text/html" and not response.direct_passthrough:
            _page(app, response)
        else:
            response.headers["Content-Security-Policy"] = plain
            _compress(response)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        return response
