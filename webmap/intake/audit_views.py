"""``/audit`` (admins): the audit log, newest first, paged; ``/audit.csv``: all of it, streamed."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, stream_with_context

from webmap.intake import audit, database, requires
from webmap.views.params import check_keys, int_param

bp = Blueprint("audit", __name__)
PAGE = 100
CHUNK = 1000


@bp.get("/audit")
@requires("admin")
def page():
    check_keys({"offset"})
    offset = int_param("offset", request.args.get("offset", "0"))
    with database().session() as s:
        events, count = audit.latest(s, PAGE, offset), audit.total(s)
    return render_template("audit.html", events=events, offset=offset, page=PAGE, count=count)


@bp.get("/audit.csv")
@requires("admin")
def download():
    check_keys(set())

    def chunks():
        offset, first = 0, True
        while True:
            with database().session() as s:
                events = audit.latest(s, CHUNK, offset)
            if not events:
                break
            body = audit.to_csv(events)
            if not first:  # one header and one BOM, at the start
                body = body.decode("utf-8-sig").split("\n", 1)[1].encode("utf-8")
            yield body
            first, offset = False, offset + CHUNK

    response = Response(stream_with_context(chunks()), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="urbanmap_audit.csv"'
    return response
