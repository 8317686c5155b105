"""Security headers and compression for every response.

A Content-Security-Policy that allows only this origin, with a per-response
nonce for the inline scripts and styles that Folium writes; frame-ancestors
none; nosniff. Cached pages hold :data:`NONCE_PLACEHOLDER` and the markers other parts register
with :func:`add_placeholder` (the account bar), all replaced here in one pass over the body.
"""

from __future__ import annotations

import gzip
import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, Response, g, request

NONCE_PLACEHOLDER = "__CSP_NONCE__"
COMPRESSIBLE = (
    "text/html",
    "text/css",
    "application/javascript",
    "text/javascript",
    "application/json",
    "application/geo+json",
    "text/csv",
)


def nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _policy(app: Flask) -> str:
    images = "'self' data:"
    tiles = app.config.get("TILE_URL")
    if tiles:
        parts = urlsplit(tiles.replace("{s}", "a"))
        images += f" {parts.scheme}://{parts.netloc.replace('a.', '*.', 1) if '{s}' in tiles else parts.netloc}"
    n = nonce()
    return (
        f"default-src 'self'; script-src 'self' 'nonce-{n}'; style-src 'self' 'nonce-{n}'; img-src {images}; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def _compress(response: Response) -> None:
    if (
        response.direct_passthrough
        or response.status_code < 200
        or response.status_code >= 300
        or "gzip" not in request.headers.get("Accept-Encoding", "")
        or response.headers.get("Content-Encoding")
    ):
        return
    if response.mimetype not in COMPRESSIBLE:
        return
    body = response.get_data()
    if len(body) < 1024:
        return
    response.set_data(
        gzip.compress(body, compresslevel=3, mtime=0)
    )  # per response (the nonce differs): 3 is 2.4x faster than 6 for 9 % more bytes
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")


def add_placeholder(app: Flask, marker: str, make: Callable[[], str]) -> None:
    """Replace ``marker`` in every HTML response by ``make()`` (what differs per request in a cached page)."""
    app.extensions.setdefault("urbanmap_placeholders", {})[marker] = make


def _fill(app: Flask, response: Response) -> None:
    """One pass over an HTML body: each registered marker, then the nonce (which what they insert may hold)."""
    body = response.get_data(as_text=True)
    filled = body
    for marker, make in app.extensions.get("urbanmap_placeholders", {}).items():
        if marker in filled:
            filled = filled.replace(marker, make(), 1)
    if NONCE_PLACEHOLDER in filled:
        filled = filled.replace(NONCE_PLACEHOLDER, nonce())
    if filled is not body:
        response.set_data(filled)


def init_app(app: Flask) -> None:
    @app.after_request
    def headers(response: Response) -> Response:
        if response.mimetype == "text/html" and not response.direct_passthrough:
            _fill(app, response)
        response.headers["Content-Security-Policy"] = _policy(app)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        _compress(response)
        return response

    app.jinja_env.globals["nonce"] = NONCE_PLACEHOLDER
