"""``/search?q=``: units by name, with or without diacritics -- provinces of both sets and the wards and communes,
each with its province ("Phường Cái Khế, Cần Thơ")."""

from __future__ import annotations

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


def find(s: Store, query: str, lang: str) -> tuple[list[Entry], int]:
    """Units whose name and province contain every word of ``query`` (folded): exact names first, then names that
    start with the query, then the rest; at most :data:`MAX_RESULTS`, and how many matched."""
    words = fold(query).split()
    if not words:
        return [], 0
    index = s.derived(("search", lang), lambda st: _index(st, lang))
    work.charge(len(index))
    whole = " ".join(words)
    found = [e for e in index if all(w in e.text for w in words)]
    found.sort(key=lambda e: (e.name != whole, not e.name.startswith(whole), e.kind))
    return found[:MAX_RESULTS], len(found)


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
