"""What every request goes through first: a bounded query string, and the one build it answers from.

The build is taken once, before the view runs (``g.store``), and every helper
reads it from there (:func:`webmap.views.common.store`); the response names it in
``X-Urbanmap-Build``. A query string longer than ``MAX_QUERY_BYTES`` is refused
with 414 before any work is done.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, request

from webmap.read import work
from webmap.render.text import gettext as _
from webmap.serving.errors import AppError
from webmap.serving.served import ServedBuild

log = logging.getLogger(__name__)
BUILD_HEADER = "X-Urbanmap-Build"


def served() -> ServedBuild:
    return current_app.extensions["urbanmap_build"]


def init_app(app: Flask) -> None:
    @app.before_request
    def bound_and_pin() -> None:
        g.work = work.start()
        g.store = served().current()
        limit = int(current_app.config["MAX_QUERY_BYTES"])
        if len(request.query_string) > limit:
            raise AppError(414, _("The query string is longer than %(limit)s bytes.", limit=limit))

    @app.after_request
    def name_build(response: Response) -> Response:
        store = g.get("store")
        if store is not None:
            response.headers[BUILD_HEADER] = store.build_id
        if log.isEnabledFor(logging.DEBUG) and "work" in g:  # full_path costs, even unlogged
            log.debug("%s %s: work %d", request.method, request.full_path, g.work[0])
        return response

    @app.context_processor
    def build_context() -> dict:
        """The build every page names in its footer, and the sources it was built without (a notice on every page)."""
        store = g.get("store") or served().current()
        return {"build_id": store.build_id, "uninstalled": store.uninstalled}
