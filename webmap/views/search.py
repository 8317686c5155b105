"""``/search?q=``: units by name, with or without diacritics -- provinces of both sets and the wards and communes,
each with its province ("Phường Cái Khế, Cần Thơ")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Blueprint, render_template, request, url_for

from etl.names import fold, vietnamese_key

from .. import work
from ..errors import bad_request
from ..i18n import boundary_labels, locale
from ..i18n import gettext as _
from ..params import check_keys
from ..store import BOUNDARIES, Store
from .common import store

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
        for row in s.units[boundary].itertuples():
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
    for ward_set in s.ward_sets:
        parents = s.units[s.parent_set(ward_set)]
        for row in s.units[ward_set].itertuples():
            province = parents.loc[row.parent_code]
            label = row.full_name_en if english and row.full_name_en else row.full_name_vi
            context = province.name_en if english and province.name_en else province.name_vi
            text = fold(f"{row.full_name_vi} {row.name_en} {province.name_vi} {province.name_en}")
            entries.append(Entry(fold(row.name_vi), text, 2, label, context, "ward.page", (("code", row.code),)))
    return sorted(entries, key=lambda e: (e.kind, vietnamese_key(e.label)))


# Common short and old forms of a few names, folded and without spaces or dots, and the name they stand for:
# "TP.HCM", "tphcm", "Sài Gòn", "HN" are how people type them.
ALIASES = {
    "hcm": "Hồ Chí Minh",
    "tphcm": "Hồ Chí Minh",
    "hcmc": "Hồ Chí Minh",
    "saigon": "Hồ Chí Minh",
    "hn": "Hà Nội",
    "tphn": "Hà Nội",
    "hanoi": "Hà Nội",
    "danang": "Đà Nẵng",
    "tphue": "Huế",
}
PREFIXES = ("thanh pho", "tp", "tinh", "t")  # "thành phố", "TP.", "tỉnh": not part of a name as stored


def query_words(query: str) -> list[list[str]]:
    """The folded words ``query`` is searched by, best first: punctuation is a space and a common short form is
    replaced by its name (:data:`ALIASES`); then, where it starts with "thành phố", "TP." or "tỉnh" (not part of
    a name as stored), the same without it -- tried when the first finds nothing ("Tịnh Khê" is a name)."""
    words = re.sub(r"[.,;:/\\()_-]+", " ", fold(query)).split()
    candidates = [fold(ALIASES["".join(words)]).split() if "".join(words) in ALIASES else words]
    for prefix in PREFIXES:
        head = prefix.split()
        if words[: len(head)] == head and len(words) > len(head):
            rest = words[len(head) :]
            candidates.append(fold(ALIASES["".join(rest)]).split() if "".join(rest) in ALIASES else rest)
            break
    return candidates


def find(s: Store, query: str, lang: str) -> tuple[list[Entry], int]:
    """Units whose name and province contain every word of ``query`` (the first of :func:`query_words` that
    finds any): exact names first, then names that start with the query, then the rest; at most
    :data:`MAX_RESULTS`, and how many matched."""
    index = s.derived(("search", lang), lambda st: _index(st, lang))
    for words in query_words(query):
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
