"""The request's language for Flask: chosen from ``?lang=vi|en`` (remembered in a cookie), else the cookie, else
Vietnamese; Flask-Babel's catalogues for templates; the texts of :mod:`webmap.render.text` follow it.
"""

from __future__ import annotations

from typing import Any

import flask_babel
from babel.support import NullTranslations
from flask import Flask, g, has_app_context, request, url_for
from flask_babel import Babel

from webmap.render import text
from webmap.render.text import (
    DEFAULT,
    LANGUAGES,
    data_text,
    date_label,
    exact_number,
    localized,
    number,
    other_issue_labels,
    progress_status_label,
    role_label,
    task_status_label,
    translated_tag,
    unit_label,
    value_label,
    year_label,
)

COOKIE = "lang"


def select_locale() -> str:
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        return lang
    cookie = request.cookies.get(COOKIE)
    return cookie if cookie in LANGUAGES else DEFAULT


def locale() -> str:
    """The request's language (chosen once per request; a page asks a few hundred times)."""
    lang = g.get("lang")
    if lang is None:
        lang = g.lang = select_locale()
    return lang


def translations() -> NullTranslations:
    """The message catalogue of this request's locale, looked up once per request (Flask-Babel looks it up again,
    through several context lookups, on every call: a hundred times per page)."""
    if not has_app_context():
        return flask_babel.get_translations()
    found = g.get("translations")
    if found is None:
        found = g.translations = flask_babel.get_translations()
    return found


def init_app(app: Flask) -> None:
    text.use(locale, translations)
    Babel(app, locale_selector=locale, default_translation_directories="translations")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by Jinja's i18n extension
        lambda s: translations().ugettext(s), lambda s, p, n: translations().ungettext(s, p, n), newstyle=True
    )

    @app.after_request
    def remember(response):
        lang = request.args.get("lang")
        if lang in LANGUAGES and request.cookies.get(COOKIE) != lang:
            response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        return response

    app.jinja_env.globals.update(
        number=number,
        exact_number=exact_number,
        value_label=value_label,
        unit_label=unit_label,
        year_label=year_label,
        localized=localized,
        data_text=data_text,
        translated_tag=translated_tag,
        locale=locale,
        lang_url=lang_url,
        role_label=role_label,
        other_issue_labels=other_issue_labels,
        task_status_label=task_status_label,
        progress_status_label=progress_status_label,
        date_label=date_label,
    )


def lang_url(lang: str) -> str:
    """This page in language ``lang`` (same path and parameters)."""
    values: dict[str, Any] = {**(request.view_args or {}), **{k: v for k, v in request.args.items() if k != "lang"}, "lang": lang}
    return url_for(request.endpoint or "national.index", **values)
