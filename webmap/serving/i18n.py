"""Vietnamese first, English second: locale choice, message catalogues (Flask-Babel), number formats.

The locale comes from ``?lang=vi|en`` (remembered in a cookie), else the
cookie, else Vietnamese. Numbers follow the locale: vi 1.234,5 / en 1,234.5.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import flask_babel
from babel import Locale
from babel.numbers import NumberPattern, parse_pattern
from babel.support import NullTranslations
from flask import Flask, g, has_app_context, request, url_for
from flask_babel import Babel
from markupsafe import Markup, escape

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
COOKIE = "lang"
FLAG_SIGNS = {"lower_bound": "≥ ", "upper_bound": "≤ ", "approx": "≈ "}


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


def gettext(string: str, **variables: Any) -> str:
    """``string`` in the request's language, with ``%(name)s`` filled from ``variables`` (as Flask-Babel's gettext)."""
    text = translations().ugettext(string)
    return text % variables if variables else text


_ = gettext


@functools.lru_cache(maxsize=16)
def _number_format(digits: int, lang: str) -> tuple[NumberPattern, Locale]:
    """Babel's parsed pattern and locale for :func:`number` (parsed once: format_decimal parses both on every call)."""
    return parse_pattern("#,##0" + ("." + "#" * digits if digits else "")), Locale.parse(lang)


def number(value: float | None, lang: str | None = None, digits: int = 2) -> str:
    """``value`` formatted for the locale, with up to ``digits`` decimals; '—' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return _formatted(value, digits, lang or locale())


@functools.lru_cache(maxsize=32768)
def _formatted(value: float, digits: int, lang: str) -> str:
    """:func:`number` of a value seen before (pages show the same values again and again); about 3 MB at most."""
    pattern, parsed = _number_format(digits, lang)
    return pattern.apply(value, parsed)


def value_label(value: float | None, flag: str | None = None, lang: str | None = None) -> str:
    """A value as a map shows it: '≥ 2.287' for a lower bound, '≈ 2.900' for an approximation."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _("no data")
    return FLAG_SIGNS.get(flag or "", "") + number(value, lang)


def year_label(row: Any) -> str:
    """The year (or period) of a value row, marked "(sơ bộ)" / "(preliminary)" for a preliminary figure."""
    text = str(row["period"] or row["year"])
    if bool(row.get("preliminary", False)):
        text += " " + _("(preliminary)")
    return text


def unit_labels() -> dict[str, str]:
    """Catalogue units in the page's language (unknown units are shown as stored); made once per language."""
    lang = locale()
    if lang not in _UNIT_LABELS:
        _UNIT_LABELS[lang] = _unit_labels()
    return _UNIT_LABELS[lang]


_UNIT_LABELS: dict[str, dict[str, str]] = {}


def _unit_labels() -> dict[str, str]:
    return {
        "%": "%",
        "% per year": _("% per year"),
        "apartments": _("apartments"),
        "billion VND": _("billion VND"),
        "ha": "ha",
        "houses": _("houses"),
        "km/h": "km/h",
        "km2": "km²",
        "m2 floor/person": _("m² floor/person"),
        "m2/person": _("m²/person"),
        "m2/person (minimum)": _("m²/person (minimum)"),
        "mm per 2 days": _("mm per 2 days"),
        "persons": _("persons"),
        "persons/km2": _("persons/km²"),
        "points": _("points"),
        "projects": _("projects"),
        "streets": _("streets"),
        "thousand VND": _("thousand VND"),
        "tonnes/day": _("tonnes/day"),
        "unit": _("unit"),
        "units": _("units"),
        "vehicles": _("vehicles"),
    }


def unit_label(unit: str) -> str:
    """The unit in the page's language."""
    return unit_labels().get(unit, unit) if unit else ""


def localized(row, field: str) -> str:
    """``row[field_vi]`` or ``row[field_en]`` by locale (``row[field]`` is the English where there is no
    ``field_en``: a target as printed), falling back to the other language."""
    lang = locale()
    value = row.get(f"{field}_{lang}") if hasattr(row, "get") else None
    return value or row.get(f"{field}_vi") or row.get(f"{field}_en") or row.get(field) or ""


def data_text(row, field: str, tag: bool = True) -> Markup:
    """A data text (a task's title, a target) in the page's language, escaped: the other language's text, marked
    ``lang``, where the row has none in it; with ``tag``, :func:`translated_tag` of the field."""
    lang = locale()
    english = row.get(f"{field}_en") or row.get(field) or ""
    own = row.get(f"{field}_vi") if lang == "vi" else english
    if not own:
        other = english if lang == "vi" else row.get(f"{field}_vi") or ""
        return Markup('<span lang="%s">%s</span>') % ("en" if lang == "vi" else "vi", other) if other else Markup("")
    return escape(own) + (translated_tag(row, field) if tag else Markup(""))


def translated_tag(row, *fields: str) -> Markup:
    """On a Vietnamese page, a "bản dịch" tag when the row lists one of ``fields``' Vietnamese text in
    ``translated_vi`` (urbanmap's translation, not the wording of the Vietnamese source); else nothing."""
    listed = str(row.get("translated_vi") or "").split(";")
    if locale() != "vi" or not any(f"{field}_vi" in listed for field in fields):
        return Markup("")
    hover = _("urbanmap's translation; the Vietnamese wording of the source was not available")
    return Markup(' <span class="um-tag um-tag-translated" title="%s">%s</span>') % (hover, _("translated"))


def init_app(app: Flask) -> None:
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
    )


def lang_url(lang: str) -> str:
    """This page in language ``lang`` (same path and parameters)."""
    values: dict[str, Any] = {**(request.view_args or {}), **{k: v for k, v in request.args.items() if k != "lang"}, "lang": lang}
    return url_for(request.endpoint or "national.index", **values)


def issue_labels() -> dict[str, str]:
    """The issues, in the page's language, in display order."""
    return {
        "flooding": _("Flooding"),
        "congestion": _("Traffic congestion"),
        "housing": _("Housing and social housing"),
        "green_space": _("Green space"),
        "pollution": _("Pollution"),
        "context": _("Context: population, area, urbanisation"),
    }


def other_issue_labels() -> dict[str, str]:
    """The issues a programme direction may name that have no map (etl.program.OTHER_ISSUES), in the page's
    language: shown as words, never as their ids."""
    return {"emissions": _("Emissions"), "social_infrastructure": _("Social infrastructure")}


def role_label(role: str) -> str:
    """An account role in the page's language."""
    return {"contributor": _("contributor"), "publisher": _("publisher"), "admin": _("administrator")}.get(role, role)


def task_status_label(status: str) -> str:
    """A programme task's implementation status in the page's language."""
    labels = {"not_started": _("not started"), "under_way": _("under way"), "done": _("done"), "overdue": _("overdue")}
    return labels.get(status, status)


def boundary_labels() -> dict[str, str]:
    return {"2025": _("34 units (from 1 July 2025)"), "2008": _("63 provinces (2008 – June 2025)")}
