"""The history of published builds (``/history``) and restore (``/history/<build>/restore``: a confirmation page
naming what the restore reverts and reinstates, then the restore itself, with its reason). Thin: the work is in
:mod:`webmap.intake.submissions`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from etl.publish import publishing
from etl.store import StoreError, kept_builds, open_build
from webmap.intake import changes, database, requires, signed_in
from webmap.intake import submissions as work
from webmap.intake.db import Publication, User
from webmap.read.values import preferred_values
from webmap.render.text import gettext as _
from webmap.serving.errors import AppError, not_found
from webmap.views.params import check_keys

bp = Blueprint("history", __name__)
REASON_LIMIT = 2000


def _out() -> Path:
    return Path(current_app.config["DATA_DIR"])


@bp.get("/history")
@requires()
def page():
    check_keys(set())
    with database().session() as s:
        entries = work.history(s)
        names = {u.id: u.name for u in s.scalars(select(User))}
    folders = kept_builds(_out())
    kept = {p.name for p in folders}
    recorded = {e["publication"].build_id for e in entries}
    others = [{"build_id": p.name, "at": dt.datetime.fromtimestamp(p.stat().st_mtime, dt.UTC)} for p in folders if p.name not in recorded]
    current = current_app.extensions["urbanmap_build"].current().build_id
    return render_template("history.html", entries=entries, kept=kept, others=others, current=current, names=names)


def _kept(build_id: str):
    """The kept build ``build_id``, verified; 404 when it is not kept, 409 when it is damaged."""
    if build_id not in {p.name for p in kept_builds(_out())}:
        raise not_found(_("This build is not kept any more."))
    try:
        return open_build(_out() / "builds" / build_id)
    except StoreError as exc:
        raise AppError(409, str(exc)) from exc


def _confirmation(build_id: str, problem: str = "", reason: str = "", status: int = 200):
    """The page that asks before a restore: what it reverts and reinstates, how many values change, and why."""
    target = _kept(build_id)
    with database().session() as s:
        plan = work.restore_plan(s, target.manifest)
        published = s.scalar(select(Publication).where(Publication.build_id == build_id).order_by(Publication.id).limit(1))
        names = {u.id: u.name for u in s.scalars(select(User))}
    served = current_app.extensions["urbanmap_build"].current()  # its values are in memory already
    differ = changes.count(changes.between(served.values.preferred(), preferred_values(target.folder)))
    current = served.build_id
    return render_template(
        "restore.html",
        build_id=build_id,
        published=published,
        plan=plan,
        differ=differ,
        names=names,
        current=current,
        problem=problem,
        reason=reason,
    ), status


@bp.get("/history/<build_id>/restore")
@requires(*work.REVIEWERS)
def confirm(build_id: str):
    check_keys(set())
    return _confirmation(build_id)


@bp.post("/history/<build_id>/restore")
@requires(*work.REVIEWERS)
def restore(build_id: str):
    reason = request.form.get("reason", "").strip()[:REASON_LIMIT]
    _kept(build_id)
    if not reason:
        return _confirmation(build_id, _("Say why this build is restored: the reason is kept in the history."), reason, 400)
    if build_id == current_app.extensions["urbanmap_build"].current().build_id:
        raise AppError(409, _("This build is the one served now."))
    with publishing(_out()):
        try:
            with database().session() as s:
                me = s.get(User, signed_in().id)
                if me is None:
                    raise AppError(401, _("Sign in first."))
                work.restore(s, build_id, me, _out(), request.remote_addr or "", reason)
        except StoreError as exc:
            raise AppError(409, str(exc)) from exc
        work.make_current(_out(), build_id)
    current_app.extensions["urbanmap_build"].refresh()
    return redirect(url_for("history.page"))
