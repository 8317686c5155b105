"""Errors that carry their HTTP status and a message for the user; HTML for pages, JSON for data URLs."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException, SecurityError

from webmap.render.text import gettext as _


class AppError(Exception):
    """An error a user can act on: status (400, 404 ...), message, and what is valid instead."""

    def __init__(self, status: int, message: str, valid: list[str] | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.valid = valid or []
        self.retry_after = retry_after  # seconds, sent as Retry-After (503, 429)


def bad_request(message: str, valid: list[str] | None = None) -> AppError:
    return AppError(400, message, valid)


def not_found(message: str, valid: list[str] | None = None) -> AppError:
    return AppError(404, message, valid)


CODES = {
    400: "InvalidParameterValue",
    401: "NotSignedIn",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "PayloadTooLarge",
    414: "URITooLong",
    429: "TooManyRequests",
    500: "ServerError",
    503: "Unavailable",
}


def _wants_json() -> bool:
    if request.path.startswith("/ogc"):
        return request.args.get("f") != "html" and request.accept_mimetypes.best_match(["application/json", "text/html"]) != "text/html"
    return request.path.startswith(("/api/", "/geometry/", "/healthz"))


def respond(status: int, message: str, valid: list[str]):
    if _wants_json():
        body = {"code": CODES.get(status, "Error"), "description": message, "status": status, "valid": valid}
        return jsonify(body), status
    return render_template("error.html", status=status, message=message, valid=valid), status


def untrusted_host() -> Response:
    """400 for a request whose ``Host`` is not one of ``TRUSTED_HOSTS``: no link can be made for it (Flask binds
    no URL adapter), so the page is made without the site's templates, in both languages."""
    message = _("This site does not answer to that host name (Host header): use the site's own address.")
    if _wants_json():
        return Response(
            jsonify({"code": CODES[400], "description": message, "status": 400, "valid": []}).get_data(), 400, mimetype="application/json"
        )
    body = (
        '<!doctype html><html lang="vi"><meta charset="utf-8"><title>400</title>'
        f"<h1>400 — {escape(message)}</h1>"
        "<p>Trang này không trả lời cho tên máy chủ đó (tiêu đề Host). This site does not answer to that host name.</p></html>"
    )
    return Response(body, 400, mimetype="text/html")


def init_app(app: Flask) -> None:
    @app.errorhandler(AppError)
    def app_error(exc: AppError):
        body, status = respond(exc.status, exc.message, exc.valid)
        return body, status, {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if isinstance(exc, SecurityError):  # an untrusted Host: nothing that makes links can run
            return untrusted_host()
        messages = {404: _("This page does not exist."), 405: _("This method is not allowed here.")}
        body, status = respond(exc.code or 500, messages.get(exc.code or 500, exc.description or ""), [])
        allow = [value for name, value in exc.get_headers() if name.lower() == "allow"]  # 405 says which methods are
        return body, status, {"Allow": allow[0]} if allow else {}

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error on %s", request.path)
        return respond(500, _("Something went wrong on our side. The error has been logged."), [])
