"""The progress of a background job (``/submissions/jobs/<id>``): while it runs, its stage and rows, the page
reloading itself every two seconds; once done, the submission's preview; once refused, the upload form with the
problems and what was typed. Only the job's owner sees it. Thin: the work is in :mod:`webmap.intake.jobs`."""

from __future__ import annotations

import json

from flask import Blueprint, redirect, render_template, url_for

from webmap.intake import database, requires, signed_in, upload_job
from webmap.intake import jobs as work
from webmap.intake.db import Job
from webmap.render.problems import problem_lines
from webmap.render.text import gettext as _
from webmap.serving.errors import not_found
from webmap.views.params import check_keys

bp = Blueprint("jobs", __name__)
REFRESH_SECONDS = 2


@bp.get("/submissions/jobs/<int:ident>")
@requires()
def show(ident: int):
    check_keys(set())
    with database().session() as s:
        job = s.get(Job, ident)
        if job is None or job.user_id != signed_in().id:
            raise not_found(_("There is no such check."))
        state = work.view(job)
        form = upload_job.form(job)
        file_name = json.loads(job.parameters).get("file_name", "")
    if state.status == "done" and "submission" in state.result:
        return redirect(url_for("submissions.show", ident=state.result["submission"]), 303)
    if state.status in ("done", "failed"):
        lines = problem_lines([*upload_job.problems(state.result), *upload_job.omitted(state.result)])
        if not lines:
            lines = [_failure(state.result.get("error", ""))]
        if state.result.get("suggestion") and not form["mapping"]:
            form["mapping"] = state.result["suggestion"]
        return render_template("submission_new.html", problems=lines, form=form), 400
    return render_template("job.html", state=state, file_name=file_name, refresh=REFRESH_SECONDS)


def _failure(error: str) -> str:
    return {
        "timeout": _("The check took too long and was stopped: split the table and send the parts."),
        "stopped": _("The check stopped with its server: send the file again."),
    }.get(error, _("The check failed on the server: send the file again; if it fails again, tell an administrator."))
