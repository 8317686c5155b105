"""Helpers every view uses: the store, the page cache, asset URLs, map parts, source links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar, cast
from zoneinfo import ZoneInfo

from flask import Response, current_app, g, get_template_attribute, url_for
from markupsafe import Markup

from etl.links import is_web_address
from webmap.read.store import Store
from webmap.render.links import sources
from webmap.render.maps import Assets, MapConfig, MapParts, build_map
from webmap.render.text import gettext as _
from webmap.render.text import how_to_install, not_installed
from webmap.serving.cache import ByteCache
from webmap.serving.errors import AppError, not_found
from webmap.serving.i18n import locale

T = TypeVar("T")
_MISSING = object()


def store() -> Store:
    """The store of the build this request answers from (taken once per request, see :mod:`webmap.serving.scope`)."""
    found = g.get("store")
    if found is None:
        found = g.store = current_app.extensions["urbanmap_build"].current()
    return found


def cached(key: tuple[Hashable, ...], make: Callable[[], T]) -> T:
    """The response for ``key`` -- a normalised request, including the locale where the response has text --
    made once per build and kept in the process's byte-bounded cache. An HTML page made here is also filled,
    hashed and compressed once for everyone not signed in (:mod:`webmap.serving.security`)."""
    cache: ByteCache = current_app.extensions["urbanmap_cache"]
    g.page_key = (store().build_id, *key)  # a page made here is the same for every visitor: sent as shared bytes
    return cache.get_or_make(g.page_key, make)


def cached_page(key: tuple[Hashable, ...], make: Callable[[], str]) -> Response:
    """:func:`cached` for an HTML page: kept as its UTF-8 bytes and answered as they are (a page returned as text
    is encoded again on every request: 90 µs of a cached map page's 640)."""
    return Response(cached(key, lambda: make().encode("utf-8")), content_type="text/html; charset=utf-8")


def today() -> dt.date:
    """Today in Việt Nam (what a task's computed status is measured against; part of the keys of the pages that
    show one, so that a page made yesterday is not served today)."""
    return dt.datetime.now(VIETNAM).date()


VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def fragment(key: tuple[Hashable, ...], macro: str, *args: object) -> Markup:
    """Macro ``macro`` of ``macros.html`` called with ``args``, rendered once per build, language and ``key`` (which
    must name everything the arguments are made of): a part many pages show the same, such as an issue's programme
    items. Kept with the build; the keys are bounded by the data (issues, indicators, sets)."""
    lang = locale()
    return store().memo.get(("fragment", lang, *key), lambda: Markup(get_template_attribute("macros.html", macro)(*args)))


def assets() -> Assets:
    return Assets(
        leaflet_js=url_for("assets.vendor_leaflet", filename="leaflet.js"),
        leaflet_css=url_for("assets.vendor_leaflet", filename="leaflet.css"),
        app_js=url_for("static", filename="urbanmap.js"),
        app_css=url_for("static", filename="urbanmap.css"),
    )


def map_parts(config: MapConfig, bounds: list[list[float]] | None = None) -> MapParts:
    """The parts of one map of this page (the first, second ... map of a page get distinct element ids)."""
    slot = g.get("map_slot", 0)
    g.map_slot = slot + 1
    tiles = current_app.config.get("TILE_URL"), current_app.config.get("TILE_ATTRIBUTION")
    return build_map(config, assets(), bounds, *tiles, slot=slot)


def choropleth_units(data, boundary: str) -> dict[str, dict]:
    """Per unit code: name, value label, colour (None: no data), tooltip detail and the link to its page."""
    columns = data.columns
    href = unit_links(boundary, data.codes)
    return {
        code: {"name": name, "label": label, "colour": colour, "detail": detail, "href": href[code]}
        for code, name, label, colour, detail in zip(data.codes, columns["name"], columns["label"], columns["colour"], columns["detail"])
    }


def unit_links(boundary: str, codes) -> dict[str, str]:
    """The page of each unit of set ``boundary`` -- a province's or a ward's -- (one url_for, not one per unit)."""
    if boundary in store().geography.ward_sets:
        href = url_for("ward.page", code="__CODE__")
    else:
        href = url_for("province.page", code="__CODE__", boundary=boundary)
    return {str(c): href.replace("__CODE__", str(c)) for c in codes}


def bounds_of(boundary: str, codes: list[str]) -> list[list[float]]:
    """[[south, west], [north, east]] around the units ``codes``: what a map of them is fitted to."""
    boxes = [store().geography.bounds[boundary][c] for c in codes]
    return [[min(b[1] for b in boxes), min(b[0] for b in boxes)], [max(b[3] for b in boxes), max(b[2] for b in boxes)]]


def island_labels() -> dict[str, str]:

    return {
        "Quần đảo Hoàng Sa": _("Hoàng Sa archipelago (Đà Nẵng, Việt Nam)"),
        "Quần đảo Trường Sa": _("Trường Sa archipelago (Khánh Hòa, Việt Nam)"),
    }


# Zoom from which a national map loads the wards of the provinces in view, and from which it loads their finer outlines.
WARD_ZOOM, FINE_ZOOM = 8, 10


def ward_layer(boundary: str, always: tuple[str, ...] = (), focus: str | None = None) -> dict | None:
    """What the map needs to draw the ward-level set inside ``boundary`` (None when there is none): a URL template
    (``__PARENT__``, ``__LEVEL__``; ``v`` = the build id, so a day of caching never outlives the build), each
    province's box, the ward page link template, the names' language; ``always``: provinces whose wards are drawn
    at any zoom; ``focus``: the ward drawn outlined."""
    s = store()
    ward_set = s.geography.ward_set_in(boundary)
    if ward_set is None:
        return None
    return {
        "url": url_for("geometry.subunits", ward_set=ward_set, parent="__PARENT__", level="__LEVEL__", v=s.build_id),
        "parents": {p: bounds_of(boundary, [p]) for p in s.geography.children[ward_set]},
        "href": url_for("ward.page", code="__CODE__"),
        "name": "full_name_en" if locale() == "en" else "full_name_vi",
        "min_zoom": WARD_ZOOM,
        "fine_zoom": FINE_ZOOM,
        "always": list(always),
        "focus": focus,
    }


def map_config(
    boundary: str,
    units: dict[str, dict],
    missing_colour: str,
    focus: str | None = None,
    highlight: list[str] | None = None,
    wards: dict | None = None,
) -> MapConfig:
    """A map of ``boundary`` with the land background and the archipelagos, labelled in the page's language
    (and the wards of :func:`ward_layer` when given)."""
    geometry = store().geometry  # each URL names its content: cached for a day, yet never across a change of geometry
    return MapConfig(
        geometry_url=url_for("geometry.units", boundary=boundary, v=geometry[boundary].etag.strip('"')),
        land_url=url_for("geometry.layer", name="land", v=geometry["land"].etag.strip('"')),
        islands_url=url_for("geometry.layer", name="archipelagos", v=geometry["archipelagos"].etag.strip('"')),
        units=units,
        island_labels=island_labels(),
        missing_colour=missing_colour,
        focus=focus,
        highlight=highlight or [],
        wards=wards,
    )


def _address(url: object) -> str:
    """``url`` when it is an http(s) address, else "" (rendered as text, never as a link)."""
    return str(url) if is_web_address(url) else ""


def memoised(table: tuple[Hashable, ...], key: Hashable, make: Callable[[], T]) -> T:
    """``make()``, kept with the build in ``table`` under ``key``: a table filled as pages ask, for what a page shows
    on hundreds of rows (a source cell). ``table`` names what the values depend on besides ``key`` (the language);
    bounded by the data (its sources), not by requests."""
    made: dict[Hashable, T] = store().memo.get(("memoised", *table), lambda: {})
    found = made.get(key, _MISSING)
    if found is _MISSING:
        found = made[key] = make()
    return cast(T, found)


def source_link(source_ids: str) -> list[dict[str, str]]:
    """[{id, title, url}] of the sources a value cites (';'-separated ids); url is "" unless it is http(s)."""
    key = str(source_ids or "")

    def make() -> list[dict[str, str]]:
        index = store().sources.index
        return [{"id": sid, "title": index[sid][0], "url": _address(index[sid][1])} for sid in filter(None, key.split(";")) if sid in index]

    return memoised(("source_links",), key, make)


def cited_sources(source_ids: Iterable[str]) -> list[dict[str, str]]:
    """The sources ``source_ids`` (one ";"-separated string per value) cite, each once, in order of first citation:
    [{id, title, url}] (:func:`source_link`)."""
    seen: dict[str, dict[str, str]] = {}
    for ids in source_ids:
        for link in source_link(ids):
            seen.setdefault(link["id"], link)
    return list(seen.values())


def source_html(source_ids: str) -> Markup:
    """The short titles of the sources ``source_ids`` cites, linked (:func:`webmap.render.links.sources`): a table's
    source cell. Made once per build, language and value of ``source_ids`` (a page shows the same few dozen on
    hundreds of rows); bounded by the data's sources."""
    key = str(source_ids or "")
    return memoised(("source_html", locale()), key, lambda: sources(source_link(key), short=True))


def programme_sources(source_ref: str) -> list[dict[str, str]]:
    return [{"id": r["source_id"], "title": r["title"], "url": _address(r["url"])} for r in store().sources.refs(source_ref)]


def unit_name(boundary: str, code: str) -> str:
    """The unit's name in the page's language (a ward-level unit's full name: "Phường Cái Khế")."""
    return store().geography.names(boundary, locale())[code]


def indicator_label(indicator: str) -> str:
    """The indicator's label in the page's language."""
    row = store().values.catalogue_rows()[indicator]
    return str(row["label_en"] if locale() == "en" else row["label_vi"])


def set_not_installed(boundary: str | None = None) -> AppError | None:
    """A 404 saying that boundary set ``boundary`` (None: any ward-level set) is not in this build because the source
    holding its units is not installed; None when that is not why it is absent."""
    uninstalled = store().uninstalled
    missing = uninstalled.for_set(boundary) if boundary else next((m for m in uninstalled.sources if m.boundary_sets), None)
    if missing is None:
        return None
    return not_found(f"{not_installed(missing)} {how_to_install(missing)}", [b for m in uninstalled.sources for b in m.boundary_sets])
