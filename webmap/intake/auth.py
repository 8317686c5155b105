"""``/login`` (form fields ``username``, ``password``, ``csrf_token``) and ``/logout`` (POST)."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, session, url_for

from webmap.intake import accounts, audit, current_user, database
from webmap.render.text import gettext as _
from webmap.serving.errors import AppError
from webmap.views.params import check_keys

bp = Blueprint("auth", __name__)


def _next_url() -> str:
    """Where to go after signing in: a path of this site only (never another host)."""
    target = request.values.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else url_for("national.index")


def _address() -> str:
    return request.remote_addr or ""


@bp.get("/login")
def login():
    check_keys({"next"})
    return render_template("login.html", next=_next_url(), error=None)


@bp.post("/login")
def login_post():
    name = request.form.get("username", "").strip().lower()[:64]
    password = request.form.get("password", "")[:1024]
    refused: accounts.TooManyAttempts | None = None
    user = None
    with database().session() as s:  # committed either way: the attempt is in the audit log
        try:
            user = accounts.sign_in(s, name, password, _address())
        except accounts.TooManyAttempts as exc:
            refused = exc
        uid, role = (user.id, user.role) if user is not None else (None, None)
    if refused is not None:
        error = _("Too many failed sign-ins: try again in 15 minutes.")
        response = Response(render_template("login.html", next=_next_url(), error=error), 429)
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    if user is None:
        return render_template("login.html", next=_next_url(), error=_("Wrong account name or password.")), 401
    session.clear()
    session.permanent = True
    session["uid"], session["role"] = uid, role
    return redirect(_next_url())


@bp.post("/logout")
def logout():
    user = current_user()
    if user is None:
        raise AppError(401, _("Sign in first."))
    with database().session() as s:
        audit.record(s, user.name, "sign_out", user.name, "", _address())
    session.clear()
    return redirect(url_for("national.index"))
