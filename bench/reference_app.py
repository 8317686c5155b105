"""The reference for per-request overhead: a minimal Flask app serving fixed bytes from memory under waitress.

Run by ``bench/api.py``: ``python bench/reference_app.py PORT FILE...``, each FILE a captured response
(``<name>.body`` beside ``<name>.type`` with its media type), served at ``/<name>``. Nothing else happens per
request: no parameter parsing, cache lookup, ETag, security headers or build check. What urbanmap costs per
cached request beyond this is its overhead.
"""

from __future__ import annotations

import sys
from pathlib import Path

import waitress
from flask import Flask, Response


def app_for(files: list[Path]) -> Flask:
    app = Flask("reference")
    bodies = {f.stem: (f.read_bytes(), f.with_suffix(".type").read_text()) for f in files}

    @app.get("/<name>")
    def serve(name: str) -> Response:
        body, media = bodies[name]
        return Response(body, content_type=media)

    return app


if __name__ == "__main__":
    waitress.serve(app_for([Path(f) for f in sys.argv[2:]]), host="127.0.0.1", port=int(sys.argv[1]), threads=8, _quiet=True)
