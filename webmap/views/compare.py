"""``/compare``: 2-4 units or 2-6 regions side by side: maps with one legend, table, charts, programme items, downloads."""

from __future__ import annotations

from typing import NamedTuple

import geopandas as gpd
import pandas as pd
import shapely
from flask import Blueprint, Response, render_template, request
from markupsafe import Markup, escape

from etl.export import Selection, to_geojson
from etl.spreadsheet import rows_csv
from webmap.read.memo import records
from webmap.read.profile import worst_issues
from webmap.render import choropleth, compare
from webmap.render.charts import PALETTE, comparison_charts, comparison_overlay
from webmap.render.choropleth import MapView
from webmap.render.classify import MISSING_COLOUR
from webmap.render.links import sources
from webmap.render.text import boundary_labels, issue_labels, localized, number, unit_label, value_label
from webmap.render.text import gettext as _
from webmap.serving.errors import AppError, bad_request, not_found
from webmap.serving.i18n import locale
from webmap.views.common import (
    bounds_of,
    cached,
    cached_page,
    choropleth_units,
    map_config,
    map_parts,
    memoised,
    source_link,
    store,
    unit_name,
)
from webmap.views.params import boundary_param, check_keys, int_param, list_param, unknown_items
from webmap.views.program import worst_issue_items

bp = Blueprint("compare", __name__)
PARAMS = {"codes", "regions", "boundary", "indicators", "year", "map"}


def selection(extra: frozenset[str] = frozenset()) -> tuple[str, list[compare.Item], list[str] | None, int | str | None, str | None]:
    """(boundary, items, indicators, year, map indicator) from the query string (which may also hold the ``extra``
    keys of a page built on the comparison, such as a map sheet's paper); 400/404 with what is valid."""
    check_keys(PARAMS | extra)
    boundary = boundary_param()
    s = store()
    items = _items(boundary)
    indicators = list_param("indicators") or None
    if indicators:
        unknown = unknown_items(indicators, s.values.catalogue.index)
        if unknown:
            raise not_found(_("Unknown indicator “%(value)s”.", value=unknown), list(s.values.catalogue.index))
    year_text = request.args.get("year")
    year: int | str | None = "latest" if year_text == "latest" else int_param("year", year_text) if year_text else None
    map_indicator = request.args.get("map")
    if map_indicator is not None and map_indicator not in s.values.mapped_indicators(boundary):
        raise not_found(
            _("No unit of this boundary set has a value of “%(value)s”.", value=map_indicator), s.values.mapped_indicators(boundary)
        )
    return boundary, items, indicators, year, map_indicator


class SelectionError(AppError):
    """A selection of known units or regions that cannot be compared (one, too many, or both kinds): the page
    comes back with the selection kept and this message beside it."""

    def __init__(self, boundary: str, message: str, codes: list[str], regions: list[str]) -> None:
        super().__init__(400, message)
        self.boundary, self.codes, self.regions = boundary, codes, regions


def _items(boundary: str) -> list[compare.Item]:
    """The units (``codes``) or regions (``regions``) asked for: known, not repeated, within the allowed number."""
    s = store()
    codes, regions = list_param("codes"), list_param("regions")
    if codes and regions:
        raise SelectionError(boundary, _("Compare units or regions, not both."), codes, regions)
    if codes:
        valid = list(s.geography.units[boundary]["code"])
        unknown = unknown_items(codes, set(valid))
        if unknown:
            raise not_found(_("Unknown unit code(s) in this boundary set: %(codes)s.", codes=unknown), valid)
        _count(boundary, codes, [], compare.MAX_UNITS)
        return compare.unit_items(codes)
    if regions:
        valid = sorted(s.geography.region_names(boundary))
        unknown = unknown_items(regions, set(valid))
        if unknown:
            raise not_found(_("Unknown region(s): %(regions)s.", regions=unknown), valid)
        _count(boundary, [], regions, compare.MAX_REGIONS)
        return compare.region_items(s, boundary, regions)
    return []


def _count(boundary: str, codes: list[str], regions: list[str], maximum: int) -> None:
    keys = codes or regions
    if not 2 <= len(keys) <= maximum:
        raise SelectionError(boundary, _("Select from 2 to %(n)s to compare; %(k)s selected.", n=maximum, k=len(keys)), codes, regions)


def item_name(boundary: str, item: compare.Item) -> str:
    return unit_name(boundary, item.key) if item.kind == "unit" else store().geography.region_names(boundary).get(item.key, item.key)


@bp.get("/compare")
def page():
    try:
        boundary, items, indicators, year, map_indicator = selection()
    except SelectionError as exc:  # the pickers again, with what was picked and why it cannot be compared
        return render(exc.boundary, [], None, None, None, locale(), (exc.codes, exc.regions, exc.message)), exc.status
    lang = locale()
    key = ("compare", boundary, tuple(items), tuple(indicators or ()), year, map_indicator, lang)
    return cached_page(key, lambda: render(boundary, items, indicators, year, map_indicator, lang))


def render(
    boundary: str,
    items: list[compare.Item],
    indicators,
    year,
    map_indicator,
    lang: str,
    refused: tuple[list[str], list[str], str] | None = None,
) -> str:
    """The comparison page; ``refused``: the codes and regions of a selection that cannot be compared, and why."""
    s = store()
    result = compare.compare(s, boundary, items, indicators, year) if items else None
    panes, legend, map_data, map_row = [], [], None, None
    if result and result.rows:
        map_row, view = map_row_of(result, boundary, map_indicator)
        if view is not None:
            map_data = choropleth.build(s, view, lang)
            legend = choropleth.legend_rows(map_data, lang)
            units = choropleth_units(map_data, boundary)
            panes = [_pane(boundary, item, units, first=i == 0) for i, item in enumerate(items)]
    programme = []
    catalogue = s.values.catalogue_rows()
    if result:
        issues: list[str] = []
        for i in range(len(items)):
            rows = [
                {"catalogue": catalogue[r.indicator], "issue": r.issue, "rank": r.cells[i].rank, "ranked": r.cells[i].ranked}
                for r in result.rows
            ]
            issues += [issue for issue in worst_issues(rows) if issue not in issues]
        programme = worst_issue_items(issues, boundary)
    names = [item_name(boundary, i) for i in items]
    texts = _catalogue_texts()
    overlay = (
        comparison_overlay(s, boundary, items, names, map_row.indicator, lang) if map_row is not None and map_data is not None else None
    )
    return render_template(
        "compare.html",
        boundary=boundary,
        items=items,
        names=names,
        result=result,
        panes=panes,
        legend=legend,
        map_data=map_data,
        programme=programme,
        issues=issue_labels(),
        boundaries=boundary_labels(),
        palette=PALETTE,
        charts=comparison_charts(result, names, lang, store().values.catalogue_rows()) if result else {},
        units=_picker(boundary),
        picked_units=set(refused[0]) if refused else {i.key for i in items if i.kind == "unit"},
        picked_regions=set(refused[1]) if refused else {i.key for i in items if i.kind == "region"},
        refused=refused[2] if refused else None,
        regions=s.geography.region_names(boundary),
        query=request.query_string.decode(),
        year=year,
        max_units=compare.MAX_UNITS,
        max_regions=compare.MAX_REGIONS,
        mapped=s.values.mapped_indicators(boundary),
        map_indicator=map_row.indicator if map_row is not None and map_data is not None else None,
        cell_html=CellWriter(lang),
        labels=texts["labels"],
        units_of=texts["units"],
        indicator_notes=texts["notes"],
        overlay=overlay,
    )


def _catalogue_texts() -> dict[str, dict[str, str]]:
    """Every indicator's label, unit and note in the page's language: {"labels": {id: text}, "units": {id: text},
    "notes": {id: text}} (once per build and language)."""
    catalogue = store().values.catalogue_rows()
    return store().memo.get(
        ("catalogue_texts", locale()),
        lambda: {
            "labels": {i: localized(row, "label") for i, row in catalogue.items()},
            "units": {i: unit_label(row["unit"]) for i, row in catalogue.items()},
            "notes": {i: localized(row, "note") for i, row in catalogue.items()},
        },
    )


class CellWriter:
    """A comparison table's cell as HTML: value, period, rank, differences, gap to target and sources, or why
    there is none. Made in Python with the texts translated once per page (a table has a few hundred cells; a
    Jinja block per cell cost half the page's time). Every text from data is escaped."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.rank, self.median, self.others = _("rank"), _("vs median"), _("vs the others")
        self.gap, self.incomplete, self.none = _("gap to target"), _("incomplete"), _("no data")
        self.at_median = _("at the median")

    def _signed(self, value: float) -> str:
        return ("+" if value >= 0 else "−") + number(abs(value), self.lang)

    def __call__(self, cell: compare.Cell, row: compare.Row) -> Markup:
        if cell.value is None:
            text = f"{escape(self.incomplete)}: {escape(cell.note)}" if cell.flag == "incomplete" else escape(self.none)
            return Markup(f'<td class="um-cell"><span class="um-note">{text}</span></td>')
        notes = []
        if cell.year != row.year or cell.period:
            notes.append(str(cell.period or cell.year))
        if cell.rank:
            notes.append(f"{self.rank} {cell.rank}/{cell.ranked}")
        if cell.diff_median is not None:
            notes.append(self.at_median if cell.diff_median == 0 else f"{self.median} {self._signed(cell.diff_median)}")
        if cell.diff_others is not None:
            notes.append(f"{self.others} {self._signed(cell.diff_others)}")
        if cell.gap:
            target = cell.gap["target"]
            notes.append(f"{self.gap} {self._signed(cell.gap['gap'])} ({localized(target, 'target')}, {target['year']})")
            if cell.gap["before"]:
                notes.append(_("value older than the target (set in %(year)s)", year=cell.gap["before"]))
        value = escape(value_label(cell.value, cell.flag, self.lang))
        html = "".join(f'<div class="um-note">{escape(n)}</div>' for n in notes)
        return Markup(
            f'<td class="um-cell"><strong class="um-num">{value}</strong>{html}<div class="um-source">{self._sources(cell.source_id)}</div></td>'
        )

    def _sources(self, source_ids: str) -> Markup:
        """The first two sources, and how many more: once per build, language and ``source_ids``."""

        def make() -> Markup:
            links = source_link(source_ids)
            more = " " + escape(_("and %(n)s more sources", n=len(links) - 2)) if len(links) > 2 else ""
            return sources(links[:2], short=True) + more

        return memoised(("cell_sources", self.lang), source_ids, make)


class PickerUnit(NamedTuple):
    """A unit of the picker (attributes: the template reads them without a failed lookup per cell)."""

    code: str
    name_vi: str
    name_en: str


def _picker(boundary: str) -> list[PickerUnit]:
    """The units of ``boundary`` to pick from: code, name_vi, name_en, in Vietnamese alphabetical order (once per
    build and set)."""

    def make() -> list[PickerUnit]:
        s = store()
        order = s.geography.name_order(boundary, "vi")
        rows = [PickerUnit(**r) for r in records(s.geography.units[boundary][["code", "name_vi", "name_en"]])]
        return sorted(rows, key=lambda r: order[r.code])

    return store().memo.get(("compare_picker", boundary), make)


def map_row_of(result: compare.Comparison, boundary: str, map_indicator: str | None) -> tuple[compare.Row | None, MapView | None]:
    """The row the comparison's map shows (``map_indicator``'s; else the highlighted row with most units mapped,
    else the first row with a value) and its national map view; (None, None) when no row has a map."""
    row = next((r for r in result.rows if r.indicator == map_indicator), None) or _default_map_row(result, boundary)
    if row is None:
        return None, None
    years = store().values.years(row.indicator, boundary)
    year = row.year if row.year in years else years[-1]
    return row, MapView(row.issue, row.indicator, year, boundary, "quantiles", 5, "value")


def _default_map_row(result: compare.Comparison, boundary: str):
    """The highlighted row with most units mapped, else the first row with a value."""
    mapped = set(store().values.mapped_indicators(boundary))
    rows = [r for r in result.rows if r.indicator in mapped and any(c.value is not None for c in r.cells)]
    return next((r for r in rows if r.highlight), rows[0] if rows else None)


def _pane(boundary: str, item: compare.Item, units: dict[str, dict], first: bool) -> dict:
    """One item's map; every pane shows the same units, sent once with the first pane."""
    bounds = bounds_of(boundary, list(item.members))
    focus = item.key if item.kind == "unit" else None
    config = map_config(boundary, units if first else {}, MISSING_COLOUR, focus=focus, highlight=list(item.members))
    config.units_id, config.units_from = ("compare", None) if first else (None, "compare")
    return {"item": item, "map": map_parts(config, bounds)}


@bp.get("/compare.<fmt>")
def download(fmt: str):
    if fmt not in ("csv", "geojson"):
        raise not_found(f"unknown format {fmt}", ["/compare.csv", "/compare.geojson"])
    boundary, items, indicators, year, _map = selection()
    if not items:
        raise bad_request(_("Select from 2 to %(n)s to compare; %(k)s selected.", n=compare.MAX_UNITS, k=0))
    key = ("compare", fmt, boundary, tuple(items), tuple(indicators or ()), year, locale())
    body = cached(key, lambda: _download(fmt, boundary, items, indicators, year))
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/geo+json"
    response = Response(body, content_type=media)
    keys = "-".join(i.key for i in items)
    response.headers["Content-Disposition"] = f'attachment; filename="urbanmap_compare_{boundary}_{keys}.{fmt}"'
    return response


def _download(fmt: str, boundary: str, items: list[compare.Item], indicators, year) -> bytes:
    result = compare.compare(store(), boundary, items, indicators, year)
    names = [item_name(boundary, i) for i in items]
    return _csv(result, names) if fmt == "csv" else _geojson(result, names)


COLUMNS = [
    "indicator",
    "issue",
    "item",
    "item_kind",
    "name",
    "value",
    "unit",
    "year",
    "period",
    "value_flag",
    "rank",
    "ranked",
    "median_of_units",
    "difference_from_median",
    "difference_from_others",
    "target",
    "gap_to_target",
    "source_id",
    "source",
    "note",
]


def _records(result: compare.Comparison, names: list[str]) -> list[dict]:
    s = store()
    out = []
    for row in result.rows:
        for item, name, cell in zip(result.items, names, row.cells):
            out.append(
                {
                    "indicator": row.indicator,
                    "issue": row.issue,
                    "item": item.key,
                    "item_kind": item.kind,
                    "name": name,
                    "value": cell.value,
                    "unit": s.values.catalogue.loc[row.indicator, "unit"],
                    "year": cell.year,
                    "period": cell.period,
                    "value_flag": cell.flag,
                    "rank": cell.rank,
                    "ranked": cell.ranked or None,
                    "median_of_units": row.median,
                    "difference_from_median": cell.diff_median,
                    "difference_from_others": cell.diff_others,
                    "target": cell.gap["target"]["target"] if cell.gap else None,
                    "gap_to_target": cell.gap["gap"] if cell.gap else None,
                    "source_id": cell.source_id,
                    "source": s.sources.titles(cell.source_id),
                    "note": cell.note if cell.note != "no_row" else "",
                }
            )
    return out


def _csv(result: compare.Comparison, names: list[str]) -> bytes:
    return rows_csv(COLUMNS, _records(result, names))


def _geojson(result: compare.Comparison, names: list[str]) -> bytes:
    """One feature per item (a region: the union of its units) with the table's values, RFC 7946 like every export."""
    s = store()
    frame = s.exports.select(Selection(result.boundary, tuple(sorted({m for i in result.items for m in i.members})), indicators=("area",)))
    geometry = dict(zip(frame["code"], frame.geometry.values))
    properties: dict[str, dict] = {}
    for record in _records(result, names):
        props = properties.setdefault(record["item"], {"code": record["item"], "kind": record["item_kind"], "name": record["name"]})
        for column in ("value", "unit", "year", "period", "value_flag", "rank", "difference_from_median", "gap_to_target", "source_id"):
            props[record["indicator"] if column == "value" else f"{record['indicator']}_{column}"] = record[column]
    rows = [properties.get(item.key, {"code": item.key, "kind": item.kind}) for item in result.items]
    shapes = [shapely.union_all([geometry[m] for m in item.members]) for item in result.items]
    table = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=shapes, crs=4326)
    return to_geojson(table, s.exports.metadata(table))
