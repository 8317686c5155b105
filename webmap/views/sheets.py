"""Map sheets for reports (:mod:`webmap.render.sheets`): ``/sheet.<fmt>`` with the national map's parameters,
``/province/<code>/sheet.<fmt>`` and ``/compare/sheet.<fmt>`` with the comparison's; each also takes
``size=a4|a3`` and ``orientation=portrait|landscape``. ``fmt`` is pdf, png or svg.

A sheet shows what its page shows, with the same classes and colours, in the page's language. It is drawn once
per build, view, paper, format and language and then kept in the byte-bounded page cache. Drawing takes about
a second, so a process draws one sheet at a time (matplotlib draws one figure at a time in any case); a
request that waits more than :data:`WAIT_SECONDS` gets 503 with Retry-After.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading
from collections.abc import Callable, Hashable

from flask import Blueprint, Response, current_app, request, url_for

from webmap.read import profile
from webmap.read.store import Store
from webmap.render import choropleth, compare, sheets
from webmap.render.classify import MISSING_COLOUR
from webmap.render.links import short_title
from webmap.render.text import boundary_labels, localized, unit_label, value_label
from webmap.render.text import gettext as _
from webmap.serving.cache import ByteCache
from webmap.serving.errors import AppError, bad_request, not_found
from webmap.serving.i18n import locale
from webmap.views.common import bounds_of, cited_sources, indicator_label, store, unit_name
from webmap.views.params import boundary_param, check_keys, map_view
from webmap.views.province import FOCUS, NEIGHBOUR

bp = Blueprint("sheets", __name__)
PAPER_KEYS = frozenset({"size", "orientation"})
WAIT_SECONDS = 10
RETRY_SECONDS = 5
_drawing = threading.Lock()
OTHER = "#e6e6e6"  # units neither the province nor its neighbours (the page's colours: province.FOCUS, NEIGHBOUR)
SOURCE_TITLE = 70  # characters of a source's title on a sheet


def paper() -> sheets.Page:
    """The paper the query string asks for (default A4 portrait); 400 with what is valid."""
    size = request.args.get("size", "a4")
    orientation = request.args.get("orientation", "portrait")
    if size not in sheets.PAGES:
        raise bad_request(_("Unknown paper size “%(value)s”.", value=size[:20]), list(sheets.PAGES))
    if orientation not in sheets.ORIENTATIONS:
        raise bad_request(_("Unknown orientation “%(value)s”.", value=orientation[:20]), list(sheets.ORIENTATIONS))
    return sheets.Page(size, orientation)


def sheet_links(endpoint: str, **values: object) -> list[dict]:
    """The page's sheets as the download table lists them: per paper, its PDF, PNG and SVG addresses (``values``:
    the page's parameters; lists stay lists), in the page's language."""
    values.pop("lang", None)
    # one url_for (a page lists 12 sheets; the parameters are checked ids and numbers, never these placeholders)
    href = url_for(endpoint, fmt="__FMT__", **values, size="__SIZE__", orientation="__ORIENTATION__", lang=locale())  # type: ignore[arg-type]
    papers = [(size, orientation) for size in sheets.PAGES for orientation in ("portrait", "landscape")]
    names = {"portrait": _("portrait"), "landscape": _("landscape")}
    return [
        {
            "paper": f"{size.upper()} {names[orientation]}",
            "formats": [
                (fmt.upper(), href.replace("__FMT__", fmt).replace("__SIZE__", size).replace("__ORIENTATION__", orientation))
                for fmt in sheets.FORMATS
            ],
        }
        for size, orientation in papers
    ]


def _format(fmt: str) -> str:
    if fmt not in sheets.FORMATS:
        raise not_found(_("Unknown format “%(value)s”.", value=fmt[:20]), [f"sheet.{f}" for f in sheets.FORMATS])
    return fmt


@bp.get("/sheet.<fmt>")
def national(fmt: str):
    fmt = _format(fmt)
    view = map_view(store(), extra=PAPER_KEYS)
    page = paper()
    return _send(("national", view), fmt, page, view.boundary, lambda: _national(view), f"{view.indicator}_{view.year}")


@bp.get("/province/<code>/sheet.<fmt>")
def province(code: str, fmt: str):
    fmt = _format(fmt)
    check_keys(PAPER_KEYS | {"boundary"})
    boundary = boundary_param()
    if code not in store().geography.units[boundary].index:
        raise not_found(
            _("No unit has code “%(value)s” in this boundary set.", value=code[:20]), list(store().geography.units[boundary].index)
        )
    page = paper()
    return _send(("province", boundary, code), fmt, page, boundary, lambda: _province(boundary, code), f"{boundary}_{code}")


@bp.get("/compare/sheet.<fmt>")
def comparison(fmt: str):
    from webmap.views.compare import SelectionError, map_row_of, selection

    fmt = _format(fmt)
    try:
        boundary, items, indicators, year, map_indicator = selection(extra=PAPER_KEYS)
    except SelectionError as exc:
        raise AppError(400, exc.message) from exc
    if not items:
        raise bad_request(_("Select from 2 to %(n)s to compare; %(k)s selected.", n=compare.MAX_UNITS, k=0))
    page = paper()
    key = ("compare", boundary, tuple(items), tuple(indicators or ()), year, map_indicator)
    stem = "_".join(i.key for i in items)
    return _send(key, fmt, page, boundary, lambda: _comparison(boundary, items, indicators, year, map_indicator, map_row_of), stem)


def _send(key: tuple[Hashable, ...], fmt: str, page: sheets.Page, boundary: str, make: Callable[[], sheets.Sheet], stem: str) -> Response:
    """The sheet of ``key`` drawn once per build, paper, format and language, as a download."""
    s = store()
    cache: ByteCache = current_app.extensions["urbanmap_cache"]
    lang = locale()

    def draw() -> _Drawn:
        sheet = make()
        frames = s.memo.get(("sheet_layers", boundary), lambda: _layers(s, boundary))
        if not _drawing.acquire(timeout=WAIT_SECONDS):
            raise AppError(503, _("Other map sheets are being drawn: try again in %(n)s s.", n=RETRY_SECONDS), retry_after=RETRY_SECONDS)
        try:
            body = sheets.render(sheet, frames, page, fmt)
        finally:
            _drawing.release()
        return _Drawn(body, '"' + hashlib.sha256(body).hexdigest()[:24] + '"')

    drawn = cache.get_or_make((s.build_id, "sheet", *key, page, fmt, lang), draw)
    response = Response(drawn.body, mimetype=sheets.FORMATS[fmt])
    response.headers["ETag"] = drawn.etag
    response.headers["Content-Disposition"] = f'attachment; filename="urbanmap_{stem}_{page.size}_{page.orientation}_{lang}.{fmt}"'
    response.headers["Cache-Control"] = "public, no-cache"
    response.make_conditional(request)  # 304 for a client that has these bytes
    return response


@dataclasses.dataclass(frozen=True)
class _Drawn:
    """A drawn sheet as the page cache keeps it: its bytes and their ETag."""

    body: bytes
    etag: str

    @property
    def nbytes(self) -> int:
        return len(self.body) + len(self.etag)


def _layers(s: Store, boundary: str) -> sheets.Layers:
    return sheets.layers(s.layer(f"web_provinces_{boundary}"), s.layer("basemap_land"), s.layer("archipelagos"))


# -- what each sheet shows --------------------------------------------------------------------------------------


def _texts() -> sheets.Texts:
    return sheets.Texts(
        sources=_("Source"),
        north=_("N"),
        km="km",
        no_data=_("No data"),
        more_rows=_("… and %(n)s more rows (see the web page)"),
    )


def _footer() -> list[str]:
    s = store()
    today = dt.date.today()
    date = today.strftime("%d/%m/%Y") if locale() == "vi" else today.isoformat()
    return [
        _(
            "Boundaries: 63 provinces made with Natural Earth (public domain); 34 provinces (Resolution 202/2025/QH15) and 3,321 wards and communes from vietnamese-provinces-database (MIT), after the Administrative Units Reference Map (sapnhap.bando.com.vn)."
        )
        + " "
        + _("Hoàng Sa and Trường Sa are part of Việt Nam."),
        _(
            "Map sheet of urbanmap, %(date)s; data build %(build)s; %(address)s",
            date=date,
            build=s.build_id,
            address=request.host_url.rstrip("/"),
        ),
    ]


def _sources(source_ids) -> list[str]:
    """The short titles of the sources ``source_ids`` cite, each once, in order of first citation."""
    return [short_title(link["title"], SOURCE_TITLE) for link in cited_sources(source_ids)]


def _national(view) -> sheets.Sheet:
    s, lang = store(), locale()
    data = choropleth.build(s, view, lang)
    table = data.table
    unit = unit_label(data.unit)
    subtitle = boundary_labels()[view.boundary]
    if view.mode in ("gap", "progress") and data.target is not None:
        target = data.target
        heading = _("Gap to the national target") if view.mode == "gap" else _("Progress toward the national target")
        subtitle += f" · {heading}: {localized(target, 'target')} {localized(target, 'unit')} ({target['year']}, {target['document']})"
    if view.mode == "change":
        subtitle += " · " + _(
            "Change of %(label)s from %(from)s to %(to)s", label=indicator_label(view.indicator), **{"from": view.since, "to": view.year}
        )
    ranked = table[table["shown"] == table["shown"]].sort_values("rank")
    rows = [
        (str(name), str(label), str(int(rank)) if rank == rank else "")
        for name, label, rank in zip(ranked["name"], ranked["label"], ranked["rank"])
    ]
    return sheets.Sheet(
        title=f"{indicator_label(view.indicator)} · {view.year}",
        subtitle=subtitle,
        colours={c: colour for c, colour in zip(table.index, table["colour"]) if isinstance(colour, str)},
        missing_colour=MISSING_COLOUR,
        legend_title=f"{indicator_label(view.indicator)} ({unit}), {view.year}",
        legend=[(r["colour"], r["text"]) for r in choropleth.legend_rows(data, lang)],
        missing=data.missing,
        sources=_sources(table["source_id"]),
        footer=_noted(view.indicator) + _footer(),
        texts=_texts(),
        labels=dict(zip(table.index, table["name"])),
        table=((_("Unit"), _("Value"), _("Rank")), rows) if rows else None,
    )


def _province(boundary: str, code: str) -> sheets.Sheet:
    s, lang = store(), locale()
    neighbours = s.geography.neighbours[boundary][code]
    names = s.geography.names(boundary, lang)
    colours = {c: NEIGHBOUR if c in neighbours else OTHER for c in s.geography.units[boundary].index}
    colours[code] = FOCUS
    rows = profile.indicator_rows(s, boundary, code)
    table = [
        (
            indicator_label(r["indicator"]),
            f"{value_label(r['latest']['value'], r['latest']['value_flag'])} {unit_label(r['catalogue']['unit'])}",
            str(r["latest"]["period"] or r["latest"]["year"]),
            f"{r['rank']}/{r['ranked']}" if r["rank"] is not None else "—",
        )
        for r in rows
    ]
    west, south, east, north = _box(boundary, [code, *neighbours])
    unit_row = s.geography.units[boundary].loc[code]
    return sheets.Sheet(
        title=unit_name(boundary, code),
        subtitle=" · ".join(
            filter(None, [boundary_labels()[boundary], str(unit_row.get("region_vi") or "")])
        ),  # as the page: the region's name
        colours=colours,
        missing_colour=OTHER,
        legend_title=_("Map"),
        legend=[(FOCUS, unit_name(boundary, code)), (NEIGHBOUR, _("Neighbouring units")), (OTHER, _("Other units"))],
        missing=-1,
        sources=_sources(r["latest"]["source_id"] for r in rows),
        footer=_footer(),
        texts=_texts(),
        outlined=(code,),
        labels={c: names[c] for c in [code, *neighbours]},
        table=((_("Indicator"), _("Value"), _("Year"), _("Rank")), table) if table else None,
        focus=(west, south, east, north),
    )


def _comparison(boundary, items, indicators, year, map_indicator, map_row_of) -> sheets.Sheet:
    from webmap.views.compare import item_name

    s, lang = store(), locale()
    result = compare.compare(s, boundary, items, indicators, year)
    names = [item_name(boundary, i) for i in items]
    map_row, view = map_row_of(result, boundary, map_indicator)
    codes = [c for i in items for c in i.members]
    rows = [
        (
            indicator_label(r.indicator),
            *(
                f"{value_label(c.value, c.flag, lang)} {unit_label(s.values.catalogue_rows()[r.indicator]['unit'])}"
                if c.value is not None and c.value == c.value
                else "—"
                for c in r.cells
            ),
        )
        for r in result.rows
    ]
    plain = sheets.Sheet(
        title=_("Comparison") + ": " + ", ".join(names),
        subtitle=boundary_labels()[boundary],
        colours=dict.fromkeys(codes, FOCUS),
        missing_colour=OTHER,
        legend_title=_("Map"),
        legend=[(FOCUS, _("Compared units"))],
        missing=-1,
        sources=_sources(c.source_id for r in result.rows for c in r.cells),
        footer=_footer(),
        texts=_texts(),
        outlined=tuple(codes),
        labels={c: s.geography.names(boundary, lang)[c] for c in codes if c in s.geography.units[boundary].index},
        table=((_("Indicator"), *names), rows) if rows else None,
        focus=_box(boundary, [c for c in codes if c in s.geography.units[boundary].index]),
    )
    if view is None:  # no compared indicator is mapped: the units in one colour
        return plain
    data = choropleth.build(s, view, lang)
    return dataclasses.replace(
        plain,
        subtitle=f"{boundary_labels()[boundary]} · {_('Map')}: {indicator_label(view.indicator)} ({unit_label(data.unit)}), {view.year}",
        colours={c: colour for c, colour in zip(data.codes, data.columns["colour"]) if colour is not None},
        missing_colour=MISSING_COLOUR,
        legend_title=f"{indicator_label(view.indicator)} ({unit_label(data.unit)}), {view.year}",
        legend=[(r["colour"], r["text"]) for r in choropleth.legend_rows(data, lang)],
        missing=data.missing,
        footer=_noted(view.indicator) + plain.footer,
    )


def _noted(indicator: str) -> list[str]:
    """The catalogue's note on ``indicator`` (what its values leave out), as a footer line, if it has one."""
    note = localized(store().values.catalogue_rows()[indicator], "note")
    return [f"{indicator_label(indicator)}: {note}"] if note else []


def _box(boundary: str, codes: list[str]) -> tuple[float, float, float, float]:
    """The lon/lat box (west, south, east, north) around ``codes``: the one their web map is fitted to."""
    (south, west), (north, east) = bounds_of(boundary, codes)
    return west, south, east, north
