"""The write path's web side: signing in, and (in the blueprints beside this module) what signed-in people do.

``init_app`` opens the database (:mod:`webmap.intake.db`; the app refuses to start on one behind the code's
schema), configures sessions -- Flask's signed cookie, HttpOnly, SameSite=Lax, Secure when the site
is served over HTTPS, ending ``SESSION_HOURS`` after signing in (never renewed by use) -- and CSRF
protection (Flask-WTF) for every state-changing request, loads the signed-in account on every request (a
session of an older generation -- signed out, a new password, a disabled account -- is ended at once), puts
"signed in as … (role)" into every page (a placeholder filled per response,
:func:`webmap.serving.security.add_placeholder`), and marks every response to a signed-in
person ``Cache-Control: private`` with ``Vary: Cookie``.

Uploads: ``UPLOAD_MAX_ROWS`` and ``UPLOAD_MAX_CELLS`` bound one table; a file larger than ``UPLOAD_INLINE_BYTES``
is checked by a background job (:mod:`webmap.intake.jobs`, ``JOB_WORKERS`` at a time per serving process).

When the database does not answer (PostgreSQL stopped), read pages keep working for everybody -- a
signed-in person's bar says the account service is unavailable -- and every request that needs an account
or writes gets 503 before anything is done.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Request, Response, current_app, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from sqlalchemy.exc import DBAPIError

from etl.importer.tables import Limits
from webmap.intake.db import Database, User, database_url, open_database
from webmap.intake.jobs import Runner
from webmap.render.text import gettext as _
from webmap.serving.errors import AppError, respond
from webmap.serving.i18n import locale
from webmap.serving.security import add_placeholder

ACCOUNT_SLOT = "<!--urbanmap:account-->"
UPLOAD_LIMIT = 20 * 2**20  # bytes of a request body (an uploaded table), unless MAX_CONTENT_LENGTH says otherwise
UPLOAD_DEFAULTS = {
    "UPLOAD_MAX_ROWS": 200_000,  # rows of one uploaded table (150,001 rows of 13 columns are taken)
    "UPLOAD_MAX_CELLS": 4_000_000,  # rows × columns of one uploaded table
    "UPLOAD_INLINE_BYTES": 256 * 2**10,  # a larger file is checked in a background job, not in the request
}
SECRET_FILE = "secret_key"
csrf = CSRFProtect()


def database() -> Database:
    return current_app.extensions["urbanmap_db"]


def current_user() -> User | None:
    return g.get("user")


def jobs_runner() -> Runner:
    return current_app.extensions["urbanmap_jobs"]


def upload_limits() -> Limits:
    """The most rows and cells one uploaded table may hold (``UPLOAD_MAX_ROWS``, ``UPLOAD_MAX_CELLS``)."""
    return Limits(int(current_app.config["UPLOAD_MAX_ROWS"]), int(current_app.config["UPLOAD_MAX_CELLS"]))


def raw_inputs() -> Path:
    """The raw folder publishing builds from (``serve --raw``); 503 saying so when there is none."""
    raw = current_app.config.get("RAW_DIR")
    if not raw:
        raise AppError(503, _("This server has no raw inputs to build from: start it with urbanmap serve --raw DIR."))
    return Path(raw)


def accounts_unavailable() -> AppError:
    return AppError(503, _("The account service is unavailable: try again in a few minutes. Nothing was changed."), retry_after=30)


def signed_in() -> User:
    """The signed-in account (401 when there is none): for views already behind :func:`requires`."""
    user = current_user()
    if user is None:
        raise AppError(401, _("Sign in first."))
    return user


def requires(*roles: str) -> Callable:
    """Only signed-in accounts with one of ``roles`` (any role when none is given) may call the view:
    a page redirects to /login when nobody is signed in (other requests: 401); a wrong role is 403."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any):
            user = current_user()
            if user is None and g.get("accounts_unavailable"):
                raise accounts_unavailable()
            if user is None:
                if request.method == "GET":
                    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
                raise AppError(401, _("Sign in first."))
            if roles and user.role not in roles:
                raise AppError(403, _("Your role does not allow this."))
            return view(*args, **kwargs)

        return guarded

    return decorate


def status_label(status: str) -> str:
    return {
        "pending": _("pending"),
        "approved": _("approved (published)"),
        "rejected": _("rejected"),
        "withdrawn": _("withdrawn"),
        "reverted": _("reverted by a restore"),
        "published": _("published"),
    }.get(status, status)


def change_label(status: str) -> str:
    return {"new": _("new"), "changed": _("changed"), "unchanged": _("unchanged"), "removed": _("removed")}.get(status, status)


def _secret_key(data_dir: Path) -> str:
    """``URBANMAP_SECRET_KEY``, else ``DATA_DIR/secret_key`` (made once, readable by its owner only): instances
    sharing a data directory share their sessions."""
    if os.environ.get("URBANMAP_SECRET_KEY"):
        return os.environ["URBANMAP_SECRET_KEY"]
    path = data_dir / SECRET_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    return path.read_text().strip()


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without making a signing serializer for a request that has no session
    cookie (most requests: every visitor not signed in); about 0.1 ms per request."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified:  # nothing to set or delete: what Flask does, without its set-up
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def _load_user() -> None:
    """The signed-in account of this request's session, when the session is of the account's current generation
    and younger than ``SESSION_HOURS``; else the session ends. The database not answering leaves nobody signed in
    for this request (``g.accounts_unavailable``), the session kept for when it answers again."""
    g.user = None
    if not request.cookies.get(current_app.config["SESSION_COOKIE_NAME"]):
        return  # no session: nobody signed in (and the session is not touched)
    uid = session.get("uid")
    if uid is None:
        return
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if not isinstance(session.get("at"), int) or not 0 <= time.time() - session["at"] <= lifetime:
        session.clear()
        return
    g.personal = True  # this person's pages are never shared bytes (webmap.serving.security)
    try:
        with database().session() as s:
            user = s.get(User, uid)
            if user is not None and user.active and user.session_generation == session.get("gen"):
                s.expunge(user)
                g.user = user
            else:
                session.clear()
    except DBAPIError:
        current_app.logger.warning("the account database does not answer: %s is served as a visitor", request.path)
        g.accounts_unavailable = True


def _account_html() -> str:
    if g.get("accounts_unavailable"):
        return render_template("_account.html", user=None, unavailable=True, csrf_token="")
    if current_user() is None:  # the same bar on every page for a visitor not signed in: made once per language
        signed_out = current_app.extensions.setdefault("urbanmap_signed_out", {})
        lang = locale()
        if lang not in signed_out:
            signed_out[lang] = render_template("_account.html", user=None, csrf_token="")
        return signed_out[lang]
    return render_template("_account.html", user=current_user(), csrf_token=generate_csrf())


def _finish(response: Response) -> Response:
    if current_user() is not None or request.blueprint in ("auth", "submissions", "jobs", "history", "audit", "programme"):
        response.headers["Cache-Control"] = "private, no-store"
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    from webmap.intake import audit_views, auth, history_views, job_views, programme_views, submission_views
    from webmap.intake.submissions import reconcile

    data_dir = Path(app.config["DATA_DIR"])
    app.config.setdefault("SECRET_KEY", None)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(data_dir)
    base = app.config.get("BASE_URL") or ""
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=base.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=float(app.config.get("SESSION_HOURS", 8))),
        SESSION_REFRESH_EACH_REQUEST=False,  # a session ends SESSION_HOURS after signing in, however often it is used
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which expires on its own
    )
    app.session_interface = CookieSessions()
    url = app.config.get("DATABASE_URL") or database_url(data_dir)
    app.extensions["urbanmap_db"] = open_database(url)
    app.extensions["urbanmap_jobs"] = Runner(app.extensions["urbanmap_db"], url, int(app.config.get("JOB_WORKERS", 1)))
    for key, default in UPLOAD_DEFAULTS.items():
        app.config.setdefault(key, default)
    csrf.init_app(app)

    @app.errorhandler(DBAPIError)
    def database_down(exc: DBAPIError):
        app.logger.error("the account database failed on %s %s: %s", request.method, request.path, exc.__class__.__name__)
        error = accounts_unavailable()
        body, status = respond(error.status, error.message, [])
        return body, status, {"Retry-After": str(error.retry_after)}

    @app.errorhandler(CSRFError)
    def csrf_refused(_exc: CSRFError):
        return respond(400, _("The form has expired or did not come from this site: reload the page and try again."), [])

    app.before_request(_load_user)
    app.after_request(_finish)
    app.jinja_env.globals["account_slot"] = ACCOUNT_SLOT
    add_placeholder(app, ACCOUNT_SLOT, _account_html)

    @app.context_processor
    def account() -> dict:
        user = current_user()
        return {
            "current_role": user.role if user else None,
            "current_user_id": user.id if user else None,
            "status_label": status_label,
            "change_label": change_label,
        }

    for blueprint in (auth.bp, audit_views.bp, submission_views.bp, job_views.bp, history_views.bp, programme_views.bp):
        app.register_blueprint(blueprint)
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None: no limit
        app.config["MAX_CONTENT_LENGTH"] = UPLOAD_LIMIT
    if not app.config.get("RAW_DIR"):
        from etl.paths import LocationError, raw_dir

        try:
            app.config["RAW_DIR"] = raw_dir(None)
        except LocationError:
            app.config["RAW_DIR"] = None  # publishing then says where to point --raw

    @app.errorhandler(413)
    def too_large(_exc):
        limit = app.config["MAX_CONTENT_LENGTH"] // 2**20
        return respond(413, _("The file is larger than %(mb)s MB: split the table, or ask an administrator.", mb=limit), [])

    with app.extensions["urbanmap_db"].session() as s:  # a crash between recording a publication and switching
        if reconcile(s, data_dir):
            app.extensions["urbanmap_build"].refresh()
