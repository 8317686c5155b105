"""Programme items in the browser (publishers): add or change a task or a national target, set a task's
implementation status.

Each edit needs a source (title and web address), is published at once as a new build (like an approved
submission, through :func:`webmap.intake.submissions.publish_edit`), and appears in the history and the audit log."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from etl.links import source_problem
from etl.program import TARGET_FIELDS, TASK_FIELDS
from etl.publish import publishing
from etl.task_status import STATUSES
from webmap.intake import database, raw_inputs, requires, signed_in
from webmap.intake import submissions as work
from webmap.intake.db import ProgrammeEdit, User
from webmap.read.memo import records
from webmap.render.problems import problem_lines, told
from webmap.render.text import gettext as _
from webmap.serving.errors import AppError, not_found
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


def _page(problem: str | None = None, status: int = 200, kind: str = "", typed: dict[str, str] | None = None):
    """The edit page; after a refused edit, with the problem and, in the form of ``kind``, what was ``typed``."""
    s = store()
    return render_template(
        "programme_edit.html",
        tasks=records(s.programme.tables["program_tasks"].sort_values("task_id", key=lambda c: c.str.zfill(4))),
        groups=records(s.programme.tables["program_groups"]),
        statuses=STATUSES,
        problem=problem,
        kind=kind,
        typed=typed or {},
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
    source = tuple(request.form.get(k, "").strip()[:2000] for k in ("source_title", "source_url", "source_document"))
    problem = source_problem(*source)
    typed = {**fields, **dict(zip(("source_title", "source_url", "source_document"), source))}
    if problem:
        return _page(_("Every programme edit needs its source: %(problem)s.", problem=told(problem[1])), 400, kind, typed)
    return _published(kind, fields, source, typed)  # type: ignore[arg-type]


@bp.post("/program/edits/<int:ident>/again")
@requires("publisher")
def again(ident: int):
    """Publish again, as a new edit, a programme edit that a restore has reverted."""
    with database().session() as s:
        edit = s.get(ProgrammeEdit, ident)
        if edit is None:
            raise not_found(_("There is no such programme edit."))
        if edit.status != "reverted":
            raise AppError(409, _("Only a programme edit that a restore has reverted can be published again."))
        kind, fields, source = edit.kind, json.loads(edit.fields), (edit.source_title, edit.source_url, edit.source_document)
    return _published(kind, fields, source, {})


def _published(kind: str, fields: dict[str, str], source: tuple[str, str, str], typed: dict[str, str]):
    """Publish one programme edit as a new build and go to the programme page; the edit form with the build's
    problems when it refuses the edit."""
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
            return _page("; ".join(problem_lines(exc.problems, 5)), 400, kind, typed)
        work.make_current(Path(current_app.config["DATA_DIR"]), build_id)
    current_app.extensions["urbanmap_build"].refresh()
    return redirect(url_for("program.page"))
