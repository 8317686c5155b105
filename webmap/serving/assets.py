"""Locally served front-end assets: Leaflet (from the XStatic-Leaflet package), the app's JS/CSS, the favicon.

No page loads anything from another origin. Leaflet's files are read once and sent gzip-compressed
when the browser accepts it, with a strong ETag and a one-year cache lifetime (they change only
with the package version).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from pathlib import Path

import xstatic.pkg.leaflet as leaflet
from flask import Blueprint, Response, request, send_from_directory
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

bp = Blueprint("assets", __name__)
LEAFLET_DIR = Path(leaflet.BASE_DIR)
STATIC_DIR = Path(__file__).parents[1] / "static"
YEAR = 365 * 24 * 3600
_files: dict[str, tuple[bytes, bytes, str]] = {}
_lock = threading.Lock()


def _load(filename: str) -> tuple[bytes, bytes, str]:
    """(body, gzip body, ETag) of one Leaflet file, read once."""
    with _lock:
        if filename not in _files:
            path = safe_join(str(LEAFLET_DIR), filename)
            if path is None or not Path(path).is_file():
                raise NotFound()
            body = Path(path).read_bytes()
            _files[filename] = (body, gzip.compress(body, compresslevel=9, mtime=0), '"' + hashlib.sha256(body).hexdigest()[:20] + '"')
        return _files[filename]


@bp.get("/vendor/leaflet/<path:filename>")
def vendor_leaflet(filename: str):
    body, zipped, etag = _load(filename)
    if etag in request.headers.get("If-None-Match", ""):
        response = Response(status=304)
    elif "gzip" in request.headers.get("Accept-Encoding", "") and len(zipped) < len(body):
        response = Response(zipped, mimetype=mimetypes.guess_type(filename)[0] or "application/octet-stream")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(body, mimetype=mimetypes.guess_type(filename)[0] or "application/octet-stream")
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.vary.add("Accept-Encoding")
    return response


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(STATIC_DIR, "favicon.ico", max_age=YEAR)
