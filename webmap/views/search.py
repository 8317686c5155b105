"""``/search?q=``: units by name, with or without diacritics -- provinces of both sets and the wards and communes,
each with its province ("Phường Cái Khế, Cần Thơ")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Blueprint, render_template, request, url_for

from etl.names import fold, normalise, vietnamese_key
from webmap.read import work
from webmap.read.geography import BOUNDARIES
from webmap.read.store import Store
from webmap.render.text import boundary_labels
from webmap.render.text import gettext as _
from webmap.serving.errors import bad_request
from webmap.serving.i18n import locale
from webmap.views.common import store
from webmap.views.params import check_keys

bp = Blueprint("search", __name__)
MAX_QUERY = 100  # characters: longer than any unit's name with its province's
MAX_RESULTS = 50


@dataclass(frozen=True)
class Entry:
    """One unit as search finds it: folded name and text searched, rank of its kind, what is shown and where it links."""

    name: str  # folded short name ("cai khe")
    text: str  # folded full name and province ("phuong cai khe can tho")
    kind: int  # 0: 2025 province, 1: 2008 province, 2: ward-level unit
    label: str
    context: str
    endpoint: str
    args: tuple[tuple[str, str], ...]


def _index(s: Store, lang: str) -> list[Entry]:
    """Every unit of every set, in Vietnamese alphabetical order within its kind (made once per build and language)."""
    english = lang == "en"
    sets = boundary_labels()
    entries = []
    for kind, boundary in enumerate(BOUNDARIES):
        for row in s.geography.units[boundary].itertuples():
            label = row.name_en if english and row.name_en else row.name_vi
            entries.append(
                Entry(
                    fold(row.name_vi),
                    fold(f"{row.name_vi} {row.name_en}"),
                    kind,
                    label,
                    sets[boundary],
                    "province.page",
                    (("code", row.code), ("boundary", boundary)),
                )
            )
    for ward_set in s.geography.ward_sets:
        parents = s.geography.units[s.geography.parent_set(ward_set)]
        for row in s.geography.units[ward_set].itertuples():
            province = parents.loc[row.parent_code]
            label = row.full_name_en if english and row.full_name_en else row.full_name_vi
            context = province.name_en if english and province.name_en else province.name_vi
            text = fold(f"{row.full_name_vi} {row.name_en} {province.name_vi} {province.name_en}")
            entries.append(Entry(fold(row.name_vi), text, 2, label, context, "ward.page", (("code", row.code),)))
    return sorted(entries, key=lambda e: (e.kind, vietnamese_key(e.label)))


def _names_by_key(s: Store) -> dict[str, str]:
    """The Vietnamese name of the province each lookup key stands for (:func:`etl.names.normalise`: no prefix
    such as "thành phố", "TP." or "tỉnh", no spaces or punctuation): the names themselves and the aliases of the
    store (``unit_aliases``: "TP.HCM", "Sài Gòn", "HN"), the 2025 unit's name where both sets have one."""
    out: dict[str, str] = {}
    for boundary in ("2008", "2025"):  # the 2025 names last: they win
        names = s.geography.names(boundary, "vi")
        for name in names.values():
            out[normalise(name)] = name
        aliases = s.geography.aliases[s.geography.aliases["boundary"] == boundary]
        for code, alias in zip(aliases["code"], aliases["alias"]):
            if code in names:
                out[normalise(alias)] = names[code]
    out.pop("", None)
    return out


def query_words(s: Store, query: str) -> list[list[str]]:
    """The folded words ``query`` is searched by, best first: as typed (punctuation is a space); and where the
    whole text is a province's name or alias in another form ("TP.HCM", "tphcm", "Sài Gòn", "hn", "Thành phố Cần
    Thơ"), that province's name -- first when typed is not a name itself ("Tịnh Khê" stays a ward)."""
    words = re.sub(r"[.,;:/\\()_-]+", " ", fold(query)).split()
    name = s.memo.get(("search_names",), lambda: _names_by_key(s)).get(normalise(query))
    if name is None:
        return [words]
    named = fold(name).split()
    return [named] if named == words else [named, words]


def find(s: Store, query: str, lang: str) -> tuple[list[Entry], int]:
    """Units whose name and province contain every word of ``query`` (the first of :func:`query_words` that
    finds any): exact names first, then names that start with the query, then the rest; at most
    :data:`MAX_RESULTS`, and how many matched."""
    index = s.memo.get(("search", lang), lambda: _index(s, lang))
    for words in query_words(s, query):
        if not words:
            continue
        work.charge(len(index))
        whole = " ".join(words)
        found = [e for e in index if all(w in e.text for w in words)]
        if found:
            found.sort(key=lambda e: (e.name != whole, not e.name.startswith(whole), e.kind))
            return found[:MAX_RESULTS], len(found)
    return [], 0


@bp.get("/search")
def page():
    check_keys({"q"})
    query = request.args.get("q", "").strip()
    if len(query) > MAX_QUERY:
        raise bad_request(_("The search text is longer than %(n)s characters.", n=MAX_QUERY))
    results, total = find(store(), query, locale())
    return render_template(
        "search.html",
        query=query,
        total=total,
        results=[{"label": e.label, "context": e.context, "href": url_for(e.endpoint, **dict(e.args))} for e in results],
        shown=MAX_RESULTS,
    )
