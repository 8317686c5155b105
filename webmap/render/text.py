"""Vietnamese first, English second, without Flask: message catalogues, number formats and the labels pages show.

Every text here is in the current language, which the serving layer names: :func:`use` is handed the functions
that give the request's language and its message catalogue (:mod:`webmap.serving.i18n` installs them when an app is
made). Outside an app (a script, a test of rendering alone), the language is Vietnamese and messages are their
English source text. Numbers follow the language: vi 1.234,5 / en 1,234.5.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern
from babel.support import NullTranslations
from markupsafe import Markup, escape

if TYPE_CHECKING:
    from webmap.read.uninstalled import Missing

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
FLAG_SIGNS = {"lower_bound": "≥ ", "upper_bound": "≤ ", "approx": "≈ "}


def _default_language() -> str:
    return DEFAULT


def _default_translations() -> NullTranslations:
    return _NULL


_NULL = NullTranslations()
# the current language and its catalogue: module attributes rebound by use(), so that a call costs what it did when
# they were the serving layer's own functions (a page asks a few hundred times)
locale: Callable[[], str] = _default_language
translations: Callable[[], NullTranslations] = _default_translations


def use(language: Callable[[], str], catalogue: Callable[[], NullTranslations]) -> None:
    """Take the current language from ``language()`` and its messages from ``catalogue()`` from now on (the
    serving layer's request language; the same functions for every app of a process)."""
    global locale, translations
    locale, translations = language, catalogue


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


def exact_number(value: float | None, lang: str | None = None) -> str:
    """``value`` with every digit it has (4.375 -> "4,375", 12.0 -> "12"), for the locale: what a review shows of a
    figure about to be published is never rounded. '—' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    digits = format(Decimal(repr(float(value))), "f").partition(".")[2].rstrip("0")
    return number(value, lang, min(len(digits), 15))


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
        "beds": _("beds"),
        "beds per 10,000 people": _("beds per 10,000 people"),
        "billion VND": _("billion VND"),
        "classes": _("classes"),
        "doctors per 10,000 people": _("doctors per 10,000 people"),
        "establishments": _("establishments"),
        "ha": "ha",
        "houses": _("houses"),
        "km/h": "km/h",
        "km2": "km²",
        "libraries": _("libraries"),
        "libraries per 100,000 people": _("libraries per 100,000 people"),
        "m2 floor/person": _("m² floor/person"),
        "m2/person": _("m²/person"),
        "m2/person (minimum)": _("m²/person (minimum)"),
        "million passengers": _("million passengers"),
        "mm per 2 days": _("mm per 2 days"),
        "passengers per person": _("passengers per person"),
        "persons": _("persons"),
        "persons/km2": _("persons/km²"),
        "points": _("points"),
        "projects": _("projects"),
        "pupils": _("pupils"),
        "pupils per class": _("pupils per class"),
        "pupils per teacher": _("pupils per teacher"),
        "schools": _("schools"),
        "schools per 10,000 people": _("schools per 10,000 people"),
        "schools per 100,000 people": _("schools per 100,000 people"),
        "streets": _("streets"),
        "thousand VND": _("thousand VND"),
        "thousand tonnes": _("thousand tonnes"),
        "tonnes per person": _("tonnes per person"),
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


def issue_labels() -> dict[str, str]:
    """The issues, in the page's language, in display order."""
    return {
        "flooding": _("Flooding"),
        "congestion": _("Traffic congestion"),
        "housing": _("Housing and social housing"),
        "green_space": _("Green space"),
        "pollution": _("Pollution"),
        "social_infrastructure": _("Social infrastructure"),
        "context": _("Context: population, area, urbanisation"),
    }


def other_issue_labels() -> dict[str, str]:
    """The issues a programme direction may name that have no map (etl.program.OTHER_ISSUES), in the page's
    language: shown as words, never as their ids."""
    return {"emissions": _("Emissions")}


def role_label(role: str) -> str:
    """An account role in the page's language."""
    return {"contributor": _("contributor"), "publisher": _("publisher"), "admin": _("administrator")}.get(role, role)


def aggregation_label(rule: str) -> str:
    """How an indicator's values of merged provinces combine, in the page's language."""
    labels = {
        "sum": _("the sum of the provinces it was formed from"),
        "mean_population": _("the mean of the provinces weighted by their population of the same year"),
        "mean_area": _("the mean of the provinces weighted by their area"),
        "mean_weighted": _("the mean of the provinces weighted by the indicator named as weight"),
        "ratio": _("its formula over the provinces' summed parts of the same year, never a mean of their rates"),
        "none": _("not aggregable: carried only where a unit is one unchanged province"),
    }
    return labels.get(rule, rule)


def progress_status_label(status: str) -> str:
    """A unit's progress toward a target (:data:`etl.progress.STATUSES`) in the page's language."""
    labels = {
        "achieved": _("achieved"),
        "on_track": _("on track"),
        "accelerate": _("needs to accelerate"),
        "slow": _("behind schedule"),
        "regressing": _("moving away from the target"),
        "insufficient": _("not enough data"),
    }
    return labels.get(status, status)


def task_status_label(status: str) -> str:
    """A programme task's implementation status in the page's language."""
    labels = {
        "not_started": _("not started"),
        "under_way": _("under way"),
        "done": _("done"),
        "done_late": _("done late"),
        "overdue": _("overdue"),
    }
    return labels.get(status, status)


def date_label(iso: str) -> str:
    """An ISO date as the page's language writes it: 22/08/2024 in Vietnamese, 2024-08-22 in English ("" stays "")."""
    if not iso or locale() == "en" or len(iso) != 10:
        return iso
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def boundary_labels() -> dict[str, str]:
    return {"2025": _("34 units (from 1 July 2025)"), "2008": _("63 provinces (2008 – June 2025)")}


def not_installed(missing: Missing) -> str:
    """What pages say where values or units of a source the build lacks would be ("Nguồn chưa được cài đặt: …")."""
    return gettext("Source not installed: %(title)s (%(id)s).", title=missing.title(locale()), id=missing.source)


def how_to_install(missing: Missing) -> str:
    """How an operator installs a missing source (the command line's words)."""
    return gettext(
        "To install it: urbanmap data fetch %(id)s where there is internet, or --sources DIR pointing to a copy; then build again.",
        id=missing.source,
    )
