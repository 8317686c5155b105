"""Submissions in the browser: upload (``/submissions/new``), review (``/submissions/<id>``: what it would change,
or once published what it changed, from the publication's record), approve (with an optional comment), reject,
withdraw, and submit again once a restore has reverted it. Thin: the work is in :mod:`webmap.intake.submissions`
and :mod:`webmap.intake.changes`; the history and restore are in :mod:`webmap.intake.history_views`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from etl.problems import ERROR
from etl.publish import publishing
from webmap.intake import (
    change_label,
    changes,
    current_user,
    database,
    jobs,
    jobs_runner,
    raw_inputs,
    requires,
    signed_in,
    upload_job,
    upload_limits,
    uploads,
)
from webmap.intake import submissions as work
from webmap.intake.db import Publication, Submission, User
from webmap.intake.submissions import REVIEWERS, SUBMITTERS
from webmap.render.problems import problem_lines, told
from webmap.render.text import exact_number, number, unit_label
from webmap.render.text import gettext as _
from webmap.serving.errors import AppError, not_found
from webmap.serving.i18n import locale
from webmap.views.common import bounds_of, indicator_label, map_config, map_parts, store, unit_name
from webmap.views.params import check_keys

bp = Blueprint("submissions", __name__)
COMMENT_LIMIT = 2000
SHOWN = 1000  # values listed on a submission's page (the counts and the map say how many in all)
SHOWN_OTHER = 500  # values derived from a publication listed on its page


def _out() -> Path:
    return Path(current_app.config["DATA_DIR"])


def _address() -> str:
    return request.remote_addr or ""


def _me(session) -> User:
    """The signed-in account as a row of ``session``."""
    user = session.get(User, signed_in().id)
    if user is None:
        raise AppError(401, _("Sign in first."))
    return user


def _visible(submission: Submission | None) -> Submission:
    """The submission when the signed-in person may see it (its submitter, publishers, admins), else 404."""
    user = current_user()
    if submission is None or user is None or (user.role == "contributor" and submission.user_id != user.id):
        raise not_found(_("There is no such submission."))
    return submission


@bp.get("/submissions")
@requires()
def listing():
    check_keys(set())
    user = signed_in()
    with database().session() as s:
        query = select(Submission).order_by(Submission.id.desc()).limit(500)
        if user.role == "contributor":
            query = query.where(Submission.user_id == user.id)
        rows = [(sub, s.get(User, sub.user_id)) for sub in s.scalars(query)]
    return render_template("submissions.html", rows=rows)


@bp.get("/submissions/new")
@requires(*SUBMITTERS)
def new():
    check_keys(set())
    return render_template("submission_new.html", problems=[], form={})


@bp.post("/submissions/new")
@requires(*SUBMITTERS)
def create():
    upload = request.files.get("file")
    form = {k: request.form.get(k, "").strip() for k in ("source_title", "source_url", "source_document", "mapping")}
    if upload is None or not upload.filename:
        return render_template("submission_new.html", problems=[_("Choose a file to upload.")], form=form), 400
    allowed = uploads.allowed_units(signed_in(), store())
    upload.stream.seek(0, 2)
    size = upload.stream.tell()
    upload.stream.seek(0)
    if size > int(current_app.config["UPLOAD_INLINE_BYTES"]):  # streamed to the spool, never read whole here
        described = uploads.Upload(upload.filename[:255], b"", *(form[k] for k in _UPLOAD_FIELDS))
        return _check_in_background(described, upload.save, allowed)
    given = uploads.Upload(upload.filename[:255], upload.read(), *(form[k] for k in _UPLOAD_FIELDS))
    checked = uploads.check_upload(given, raw_inputs(), allowed, upload_limits(), tell=told)
    errors = [p for p in checked.report.problems if p.severity == ERROR]
    if errors or not checked.text:
        lines = problem_lines([*errors, *checked.report.omitted(ERROR)])
        if checked.suggestion and not form["mapping"]:
            form["mapping"] = checked.suggestion
        return render_template("submission_new.html", problems=lines, form=form), 400
    return redirect(url_for("submissions.show", ident=_store(given, checked)))


def _check_in_background(
    described: uploads.Upload, write: Callable[[Path], object], allowed: set[tuple[str, str]] | None, resubmits: int | None = None
):
    """Queue the check of a large file (its form ``described``; ``write(path)`` spools its content) as a job and
    show its progress (the page comes back to the preview)."""
    file = jobs.spool(_out(), write)
    parameters = upload_job.parameters(described, file, raw_inputs(), allowed, upload_limits(), _address(), resubmits, locale())
    try:
        ident = jobs.queue(database(), "check_upload", signed_in().id, parameters)
    except jobs.Busy as exc:
        file.unlink(missing_ok=True)
        raise AppError(503, _("The server is checking other large files: send this one again in a minute."), retry_after=60) from exc
    jobs_runner().start(ident)
    return redirect(url_for("jobs.show", ident=ident), 303)


_UPLOAD_FIELDS = ("source_title", "source_url", "mapping", "source_document")


def _store(upload: uploads.Upload, checked: uploads.Checked, resubmits: int | None = None) -> int:
    """Store a checked upload as a pending submission of the signed-in account; its id."""
    with database().session() as s:
        return work.store(s, _me(s), upload, checked, _address(), resubmits)


def _stored_values(submission: Submission):
    """The checked values of a stored submission: as its check stored them, else its tidy rows read again by the
    build's rules."""
    stored = work.checked_values(submission)
    if stored is not None:
        return stored
    return uploads.check_upload(uploads.Upload(submission.file_name, submission.rows.encode("utf-8")), raw_inputs(), None).values


@bp.get("/submissions/<int:ident>")
@requires()
def show(ident: int):
    """A pending (or refused) submission against the build served now; a published or reverted one as its
    publication's record says, never recomputed."""
    check_keys(set())
    with database().session() as s:
        submission = _visible(s.get(Submission, ident))
        names = {u.id: u.name for u in s.scalars(select(User))}
        publication = work.publication_of(s, submission)
        restored = s.get(Publication, submission.reverted_in) if submission.reverted_in else None
        record = changes.Record.from_json(publication.record) if publication else None
        values = _stored_values(submission) if record is None else None  # its large columns are read in the session
    if record is not None:
        found, other, cover = record.submitted, record.other, []
    else:
        assert values is not None
        found = changes.submitted(store().values.preferred(), values) if len(values) else changes.empty()
        other, cover = changes.empty(), changes.coverage(store(), found) if len(found) else []
    shown, shown_other = changes.listed(found, SHOWN), changes.listed(other, SHOWN_OTHER)
    return render_template(
        "submission.html",
        map=_preview_map(found),
        submission=submission,
        names=names,
        publication=publication,
        recorded=record is not None,
        restored=restored,
        changes=shown,
        changes_count=len(found),
        other=shown_other,
        other_count=changes.count(other),
        coverage=cover,
        counts=changes.count(found),
        labels=_labels(shown + shown_other),
        problems=[],
    )


def _labels(found: list[changes.Change]) -> dict:
    """What the review names: each unit by name and code, each indicator by label and unit, in the page's language."""
    s, indicators, units = store(), {}, {}
    codes: dict[str, set[str]] = {}
    rows = s.values.catalogue_rows()
    for c in found:
        if c.indicator not in indicators:
            unit = unit_label(str(rows[c.indicator]["unit"])) if c.indicator in rows else ""
            indicators[c.indicator] = indicator_label(c.indicator) + (f" ({unit})" if unit else "") if c.indicator in rows else c.indicator
        if (c.boundary, c.code) not in units:
            if c.boundary not in codes:  # once per boundary set (a set of the 3,321 wards for each value took 2 s)
                codes[c.boundary] = set(s.geography.units[c.boundary]["code"]) if c.boundary in s.geography.units else set()
            known = c.code in codes[c.boundary]
            units[(c.boundary, c.code)] = f"{unit_name(c.boundary, c.code)} ({c.code})" if known else f"{c.boundary}/{c.code}"
    return {"indicators": indicators, "units": units}


STATUS_COLOURS = {"new": "#1a9850", "changed": "#f46d43", "unchanged": "#74add1"}


DETAIL = 5  # values a unit's tooltip gives on the preview map (then how many more)


def _preview_map(found: pd.DataFrame):
    """The units of the boundary set (2025 or 2008) with most submitted values, coloured by their most telling
    status (changed, new, unchanged); each tooltip gives the first :data:`DETAIL` submitted values beside the
    published ones, and how many more. None when nothing maps (national or ward values only)."""
    mapped = found[found["boundary"].isin(("2025", "2008"))]
    if mapped.empty:
        return None
    boundary = mapped["boundary"].value_counts().reindex(["2025", "2008"], fill_value=0).idxmax()
    by_unit = {str(code): group for code, group in mapped[mapped["boundary"] == boundary].groupby("code", sort=False)}
    units = {}
    for code in store().geography.units[boundary]["code"]:
        group = by_unit.get(code)
        statuses = set(group["status"]) if group is not None else set()
        worst = next((k for k in ("changed", "new", "unchanged") if k in statuses), None)
        units[code] = {
            "name": unit_name(boundary, code),
            "label": change_label(worst) if worst else "",
            "colour": STATUS_COLOURS.get(worst or ""),
            "detail": _detail(group) if group is not None else "",
            "href": url_for("province.page", code=code, boundary=boundary),
        }
    focus = list(by_unit)
    return map_parts(map_config(boundary, units, "#eeeeee", highlight=focus), bounds_of(boundary, focus))


def _detail(group: pd.DataFrame) -> str:
    """A unit's first :data:`DETAIL` changes, "indicator year: before → after", and how many more."""
    parts = [
        f"{indicator_label(c.indicator)} {c.period or c.year}: {exact_number(c.old)} → {exact_number(c.new)}"
        for c in changes.listed(group, DETAIL)
    ]
    if len(group) > DETAIL:
        parts.append(_("… and %(n)s more", n=number(len(group) - DETAIL, digits=0)))
    return "; ".join(parts)


@bp.post("/submissions/<int:ident>/approve")
@requires(*REVIEWERS)
def approve(ident: int):
    comment = request.form.get("comment", "").strip()[:COMMENT_LIMIT]
    with publishing(_out()):
        try:
            with database().session() as s:
                submission = _visible(s.get(Submission, ident))
                if submission.status != "pending":
                    raise AppError(409, _("This submission is no longer pending."))
                values = _stored_values(submission)
                build_id = work.publish(s, submission, values, _me(s), raw_inputs(), _out(), _address(), comment)
        except work.PublishError as exc:
            raise AppError(
                400, _("The new build failed; nothing was published: %(problems)s", problems="; ".join(problem_lines(exc.problems, 5)))
            ) from exc
        work.make_current(_out(), build_id)
    current_app.extensions["urbanmap_build"].refresh()
    return redirect(url_for("submissions.show", ident=ident))


@bp.post("/submissions/<int:ident>/resubmit")
@requires(*SUBMITTERS)
def resubmit(ident: int):
    """Submit a reverted submission again, by its submitter: the same file, mapping and source, checked anew (the
    rules or the units may have changed since), as a new pending submission."""
    with database().session() as s:
        submission = _visible(s.get(Submission, ident))
        if submission.status != "reverted":
            raise AppError(409, _("Only a submission that a restore has reverted can be submitted again."))
        if submission.user_id != signed_in().id:
            raise AppError(403, _("Only its submitter can submit it again."))
        upload = uploads.Upload(
            submission.file_name,
            submission.content,  # read here: a large column, read only where it is used
            submission.source_title,
            submission.source_url,
            submission.mapping,
            submission.source_document,
        )
    allowed = uploads.allowed_units(signed_in(), store())
    if len(upload.content) > int(current_app.config["UPLOAD_INLINE_BYTES"]):
        return _check_in_background(upload, lambda path: path.write_bytes(upload.content), allowed, resubmits=ident)
    checked = uploads.check_upload(upload, raw_inputs(), allowed, upload_limits(), tell=told)
    errors = problem_lines([p for p in checked.report.problems if p.severity == ERROR])
    if errors or not checked.text:
        raise AppError(400, _("The submission no longer passes the checks: %(problems)s", problems="; ".join(errors[:5])))
    return redirect(url_for("submissions.show", ident=_store(upload, checked, resubmits=ident)))


@bp.post("/submissions/<int:ident>/reject")
@requires(*REVIEWERS)
def reject(ident: int):
    comment = request.form.get("comment", "").strip()
    if not comment:
        raise AppError(400, _("Say why the submission is rejected."))
    return _decide(ident, "rejected", comment)


@bp.post("/submissions/<int:ident>/withdraw")
@requires(*SUBMITTERS)
def withdraw(ident: int):
    return _decide(ident, "withdrawn", request.form.get("comment", "").strip())


def _decide(ident: int, status: str, comment: str):
    with database().session() as s:
        submission = _visible(s.get(Submission, ident))
        if submission.status != "pending":
            raise AppError(409, _("This submission is no longer pending."))
        me = _me(s)
        if status == "withdrawn" and submission.user_id != me.id:
            raise AppError(403, _("Only its submitter can withdraw a submission."))
        work.decide(s, submission, me, status, comment[:2000], _address())
    return redirect(url_for("submissions.show", ident=ident))
