"""Programme items in the browser (publishers): add or change a task or a national target, set a task's
implementation status.

Each edit needs a source (title and web address), is published at once as a new build (like an approved
submission, through :func:`webmap.intake.submissions.publish_edit`), and appears in the history and the audit log."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from etl.links import source_problem
from etl.program import STATUSES, TARGET_FIELDS, TASK_FIELDS
from etl.publish import publishing
from webmap.intake import database, raw_inputs, requires, signed_in
from webmap.intake import submissions as work
from webmap.intake.db import User
from webmap.read.memo import records
from webmap.render.text import gettext as _
from webmap.serving.errors import AppError
from webmap.views.common import store
from webmap.views.params import check_keys

bp = Blueprint("programme", __name__)


FIELDS = {
    "task": ("task_id", *TASK_FIELDS),
    "status": ("task_id", "status", "status_date", "status_evidence"),
    "target": TARGET_FIELDS,
}


def _form(kind: str) -> dict[str, str]:
    names = FIELDS[kind]
    return {name: request.form.get(name, "").strip()[:2000] for name in names}


def _page(problem: str | None = None, status: int = 200):
    s = store()
    return render_template(
        "programme_edit.html",
        tasks=records(s.programme.tables["program_tasks"].sort_values("task_id", key=lambda c: c.str.zfill(4))),
        groups=records(s.programme.tables["program_groups"]),
        statuses=STATUSES,
        problem=problem,
    ), status


@bp.get("/program/edit")
@requires("publisher")
def edit():
    check_keys(set())
    return _page()


@bp.post("/program/tasks")
@requires("publisher")
def save_task():
    return _publish("task")


@bp.post("/program/status")
@requires("publisher")
def save_status():
    return _publish("status")


@bp.post("/program/targets")
@requires("publisher")
def save_target():
    return _publish("target")


def _publish(kind: str):
    fields = _form(kind)
    title, url, document = (request.form.get(k, "").strip()[:2000] for k in ("source_title", "source_url", "source_document"))
    source = (title, url, document)
    problem = source_problem(*source)
    if problem:
        return _page(_("Every programme edit needs its source: %(problem)s.", problem=problem[1]), 400)
    with publishing(Path(current_app.config["DATA_DIR"])):
        try:
            with database().session() as s:
                publisher = s.get(User, signed_in().id)
                if publisher is None:
                    raise AppError(401, _("Sign in first."))
                build_id = work.publish_edit(
                    s,
                    kind,
                    fields,
                    source,
                    publisher,
                    raw_inputs(),
                    Path(current_app.config["DATA_DIR"]),
                    request.remote_addr or "",
                )
        except work.PublishError as exc:
            return _page("; ".join(str(p) for p in exc.problems[:5]), 400)
        work.make_current(Path(current_app.config["DATA_DIR"]), build_id)
    current_app.extensions["urbanmap_build"].refresh()
    return redirect(url_for("program.page"))
