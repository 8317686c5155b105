"""``/login`` (form fields ``username``, ``password``, ``csrf_token``) and ``/logout`` (POST)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, Response, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import generate_csrf

from webmap.intake import accounts, accounts_unavailable, audit, current_user, database
from webmap.intake.db import User
from webmap.render.text import gettext as _
from webmap.serving.errors import AppError
from webmap.views.params import check_keys

bp = Blueprint("auth", __name__)


def same_site_path(target: str) -> bool:
    """Whether ``target`` is a path of this site: it starts with one "/", names no scheme or host however a browser
    reads it (browsers drop tabs and newlines and read "\\" as "/", so "/\t/evil.example" is "//evil.example"),
    and holds no control character."""
    if not target.startswith("/") or any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in target):
        return False
    if target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def _next_url() -> str:
    """Where to go after signing in: a path of this site only, else the home page."""
    target = request.values.get("next", "")[:2048]
    return target if same_site_path(target) else url_for("national.index")


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
        uid, role, generation = (user.id, user.role, user.session_generation) if user is not None else (None, None, 0)
    if refused is not None:
        error = _("Too many failed sign-ins from this address: try again in %(minutes)s minutes.", minutes=-(-refused.retry_after // 60))
        response = Response(render_template("login.html", next=_next_url(), error=error), 429)
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    if user is None:
        return render_template("login.html", next=_next_url(), error=_("Wrong account name or password.")), 401
    session.clear()
    session.permanent = True
    session["uid"], session["role"], session["gen"], session["at"] = uid, role, generation, int(time.time())
    generate_csrf()  # the forms' token, set with the session: no later page rewrites the cookie
    return redirect(_next_url())


@bp.post("/logout")
def logout():
    user = current_user()
    if user is None and g.get("accounts_unavailable"):
        raise accounts_unavailable()
    if user is None:
        raise AppError(401, _("Sign in first."))
    with database().session() as s:  # every session of the account ends, on every instance
        account = s.get(User, user.id)
        if account is not None:
            accounts.end_sessions(account)
        audit.record(s, user.name, "sign_out", user.name, "", _address())
    session.clear()
    return redirect(url_for("national.index"))
