"""Exports of the store: a boundary set, filtered, as GeoJSON (RFC 7946), CSV or GeoPackage.

The command line (``urbanmap export``) and the web app's downloads use these
functions. Source: the build output (``urban.gpkg``). Columns out: code,
name_vi, name_en, kind, region, area_km2 (for a ward-level set also full_name_vi, full_name_en,
parent_code, area_km2_published), and for each selected indicator
``<id>`` (value), ``<id>_unit``, ``<id>_year``, ``<id>_flag``, ``<id>_source``, and where the catalogue notes what
the indicator's values leave out, ``<id>_note_vi`` and ``<id>_note_en``.
GeoJSON and CSV are also written in chunks (:func:`geojson_chunks`, :func:`csv_chunks`), so that a large set is
sent without a second whole copy in memory.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from etl.geometry import oriented
from etl.spreadsheet import frame_csv
from etl.store import STORE_NAME, Layer, read_manifest, write_geopackage

BASE = ["code", "name_vi", "name_en", "kind", "region", "area_km2"]
WARD_BASE = [*BASE, "full_name_vi", "full_name_en", "parent_code", "area_km2_published"]
LAYERS = {"2008": "provinces_2008", "2025": "provinces_2025"}
PRECISION = 7
CHUNK = 200  # features or rows per chunk of a streamed export


class ExportError(ValueError):
    """An export request naming something the store does not have (``missing``: a unit or indicator that does not exist)."""

    def __init__(self, message: str, fix: str, missing: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.missing = missing


@dataclass(frozen=True)
class Selection:
    """What to export: boundary set, optional filters, year (None = latest value of each unit)."""

    boundary: str = "2025"
    codes: tuple[str, ...] = ()
    region: str | None = None
    issue: str | None = None
    indicators: tuple[str, ...] = ()
    year: int | None = None
    province: str | None = None  # the parent unit of a ward-level set's units


def _quote(values: list[str]) -> str:
    return ",".join("'" + v.replace("'", "''") + "'" for v in values)


def ward_sets(store: Path) -> dict[str, str]:
    """The store's ward-level sets and their parent sets (none in stores before schema 1.3)."""
    if "boundary_sets" not in {name for name, _ in pyogrio.list_layers(store)}:
        return {}
    sets = pyogrio.read_dataframe(store, layer="boundary_sets", columns=["set", "level", "parent_set"])
    return {s: p for s, level, p in zip(sets["set"], sets["level"], sets["parent_set"]) if level == "ward"}


def _units(store: Path, selection: Selection) -> gpd.GeoDataFrame:
    """The units of the selection's boundary set (of one province, for a ward-level set with ``province``)."""
    if selection.boundary in LAYERS:
        if selection.province:
            raise ExportError("province selects the units of a ward-level set", "drop province, or choose a ward-level set")
        return pyogrio.read_dataframe(store, layer=LAYERS[selection.boundary], columns=BASE)
    wards = ward_sets(store)
    if selection.boundary not in wards:
        raise ExportError(f'unknown boundary set "{selection.boundary}"', f"use one of {', '.join(['2008', '2025', *wards])}")
    if selection.province is None:
        return pyogrio.read_dataframe(store, layer=selection.boundary, columns=WARD_BASE)
    units = pyogrio.read_dataframe(
        store, layer=selection.boundary, columns=WARD_BASE, where=f"parent_code = {_quote([selection.province])}"
    )
    if units.empty:
        raise ExportError(
            f"no unit of {selection.boundary} lies in {selection.province}",
            f"use a code of set {wards[selection.boundary]}, e.g. 92",
            missing=True,
        )
    return units


def select(store: Path, selection: Selection) -> gpd.GeoDataFrame:
    """The units and values of ``selection`` (see module docstring for columns)."""
    units = _units(store, selection)
    if selection.codes:
        unknown = sorted(set(selection.codes) - set(units["code"]))
        if unknown:
            raise ExportError(
                f"unknown code(s) {', '.join(unknown)} in boundary set {selection.boundary}",
                f"use codes of that set, e.g. {', '.join(units['code'][:3])}",
                missing=True,
            )
        units = units[units["code"].isin(selection.codes)]
    if selection.region:
        if selection.region not in set(units["region"]):
            raise ExportError(f'unknown region "{selection.region}"', f"use one of {', '.join(sorted(set(units['region'])))}")
        units = units[units["region"] == selection.region]
    indicators = _indicators(store, selection)
    values = _values(store, selection, indicators)
    notes = _notes(store, indicators)
    out = units.reset_index(drop=True)
    columns: dict[str, pd.Series] = {}
    for indicator in indicators:
        part = values[values["indicator"] == indicator].set_index("code")
        columns[indicator] = out["code"].map(part["value"]).astype("float64")
        for suffix, column in (("unit", "unit"), ("year", "year"), ("flag", "value_flag"), ("source", "source_id")):
            columns[f"{indicator}_{suffix}"] = out["code"].map(part[column])
        if "preliminary" in part:
            columns[f"{indicator}_preliminary"] = out["code"].map(part["preliminary"].astype(bool)).astype("boolean")
        for lang, note in notes.get(indicator, {}).items():
            columns[f"{indicator}_note_{lang}"] = pd.Series(note, index=out.index, dtype="object")
    if columns:
        out = gpd.GeoDataFrame(pd.concat([pd.DataFrame(out), pd.DataFrame(columns)], axis=1), geometry="geometry", crs=units.crs)
    return out


def _notes(store: Path, indicators: list[str]) -> dict[str, dict[str, str]]:
    """indicator -> {"vi": note, "en": note} for those of ``indicators`` the catalogue notes (a store built before
    notes existed has none)."""
    catalogue = pyogrio.read_dataframe(store, layer="indicators", read_geometry=False)
    if "note_vi" not in catalogue.columns:
        return {}
    rows = catalogue[catalogue["indicator"].isin(indicators) & (catalogue["note_vi"].fillna("") != "")]
    return {i: {"vi": vi, "en": en} for i, vi, en in zip(rows["indicator"], rows["note_vi"], rows["note_en"])}


def _indicators(store: Path, selection: Selection) -> list[str]:
    catalogue = pyogrio.read_dataframe(store, layer="indicators", columns=["indicator", "issue"])
    if selection.indicators:
        unknown = sorted(set(selection.indicators) - set(catalogue["indicator"]))
        if unknown:
            raise ExportError(f"unknown indicator(s) {', '.join(unknown)}", "use ids of the indicators table of the store", missing=True)
        return list(selection.indicators)
    if selection.issue:
        if selection.issue not in set(catalogue["issue"]):
            raise ExportError(f'unknown issue "{selection.issue}"', f"use one of {', '.join(sorted(set(catalogue['issue'])))}")
        return sorted(catalogue.loc[catalogue["issue"] == selection.issue, "indicator"])
    # every indicator with a value in the set: not 86 empty columns for the wards, which have none yet
    cover = pyogrio.read_dataframe(store, layer="coverage", columns=["boundary", "indicator", "units_with_value"])
    return sorted(set(cover.loc[(cover["boundary"] == selection.boundary) & (cover["units_with_value"] > 0), "indicator"]))


def _values(store: Path, selection: Selection, indicators: list[str]) -> pd.DataFrame:
    where = f"boundary = '{selection.boundary}' AND preferred = 1 AND value IS NOT NULL"
    if selection.year is not None:
        where += f" AND year = {int(selection.year)}"
    if indicators:
        where += f" AND indicator IN ({_quote(indicators)})"
    values = pyogrio.read_dataframe(store, layer="indicator_values", where=where)
    values["_no_period"] = values["period"] == ""
    values = values.sort_values(["indicator", "code", "year", "_no_period", "period"])
    return values.groupby(["indicator", "code"]).tail(1)


def _clean(value: object) -> object:
    """A JSON-ready property: numpy scalars as Python values, NaN and NA as null."""
    if hasattr(value, "item"):
        value = value.item()
    if value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def feature_bytes(frame: gpd.GeoDataFrame, precision: int | None = PRECISION, id_column: str = "code") -> Iterator[bytes]:
    """Each unit of ``frame`` as one GeoJSON Feature (UTF-8), its ``id_column`` as id: lon/lat, counter-clockwise
    exteriors, coordinates rounded to ``precision`` decimals (None: as they are)."""
    props = frame.drop(columns=frame.geometry.name)
    for start in range(0, len(frame), CHUNK):
        geoms = frame.geometry.values[start : start + CHUNK]
        geoms = oriented(geoms if precision is None else shapely.set_precision(oriented(geoms), 10**-precision))
        for geom, record in zip(geoms, props.iloc[start : start + CHUNK].to_dict("records")):
            head = {"type": "Feature", "id": record.get(id_column), "properties": {k: _clean(v) for k, v in record.items()}}
            # allow_nan=False: an infinite value would be invalid JSON ("Infinity"); the build refuses them, this makes sure
            text = json.dumps(head, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
            # GEOS writes 17 significant digits (105.75212929999999); Python's shortest repr is the grid value (105.7521293)
            geometry = json.dumps(json.loads(shapely.to_geojson(geom)), separators=(",", ":")) if geom is not None else "null"
            yield (text[:-1] + ',"geometry":' + geometry + "}").encode("utf-8")


def geojson_chunks(frame: gpd.GeoDataFrame, meta: dict | None = None) -> Iterator[bytes]:
    """RFC 7946 FeatureCollection (no ``crs``), in pieces of :data:`CHUNK` features."""
    head = json.dumps({"type": "FeatureCollection", **(meta or {})}, ensure_ascii=False, separators=(",", ":"))
    yield (head[:-1] + ',"features":[').encode("utf-8")
    batch: list[bytes] = []
    first = True
    for feature in feature_bytes(frame):
        batch.append(feature)
        if len(batch) == CHUNK:
            yield (b"" if first else b",") + b",".join(batch)
            batch, first = [], False
    if batch:
        yield (b"" if first else b",") + b",".join(batch)
    yield b"]}"


def to_geojson(frame: gpd.GeoDataFrame, meta: dict | None = None) -> bytes:
    """:func:`geojson_chunks` as one document."""
    return b"".join(geojson_chunks(frame, meta))


def csv_chunks(frame: gpd.GeoDataFrame, wkt: bool = False) -> Iterator[bytes]:
    """One row per unit, UTF-8 with BOM (so Excel shows Vietnamese), text that a spreadsheet would run as a formula
    neutralised (:mod:`etl.spreadsheet`); optional WKT geometry column; in pieces of :data:`CHUNK` rows."""
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    for start in range(0, max(len(table), 1), CHUNK):
        part = table.iloc[start : start + CHUNK].copy()
        if wkt:
            part["wkt"] = shapely.to_wkt(frame.geometry.values[start : start + CHUNK], rounding_precision=PRECISION)
        yield frame_csv(part, header=start == 0, bom=start == 0)


def to_csv(frame: gpd.GeoDataFrame, wkt: bool = False) -> bytes:
    """:func:`csv_chunks` as one file."""
    return b"".join(csv_chunks(frame, wkt))


def to_long_csv(store: Path, frame: gpd.GeoDataFrame, selection: Selection) -> bytes:
    """One row per value (every year, preferred and not) of the selected units, with its source title."""
    indicators = _indicators(store, selection)
    where = f"boundary = '{selection.boundary}' AND code IN ({_quote(list(frame['code']))}) AND indicator IN ({_quote(indicators)})"
    if selection.year is not None:
        where += f" AND year = {int(selection.year)}"
    values = pyogrio.read_dataframe(store, layer="indicator_values", where=where)
    sources = pyogrio.read_dataframe(store, layer="sources", columns=["source_id", "title", "url"])
    first_source = values["source_id"].str.split(";").str[0]
    values = values.assign(
        source_title=first_source.map(sources.set_index("source_id")["title"]),
        source_url=first_source.map(sources.set_index("source_id")["url"]),
    )
    return frame_csv(values)


def to_gpkg(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    """One QGIS-ready layer with the same attributes."""
    write_geopackage(path, [Layer(layer, frame, f"urbanmap export: {layer}")])


def metadata(data_dir: Path) -> dict:
    """Build id and attribution for exported collections."""
    manifest = read_manifest(data_dir)
    return {"urbanmap": {"build_id": manifest["build_id"], "attribution": manifest["attribution"], "store": STORE_NAME}}


def file_stem(selection: Selection, today: str) -> str:
    """A file name that says what is inside: urbanmap_2025_flooding_codes-01-79_2024_<date>."""
    parts = ["urbanmap", selection.boundary]
    if selection.province:
        parts.append(f"province-{selection.province}")
    if selection.region:
        parts.append(selection.region)
    if selection.issue:
        parts.append(selection.issue)
    if selection.indicators:
        parts.append("-".join(selection.indicators)[:60])
    if selection.codes:
        parts.append("codes-" + "-".join(selection.codes)[:40])
    if selection.year:
        parts.append(str(selection.year))
    parts.append(today)
    return "_".join(parts)


__all__ = [
    "ExportError",
    "Selection",
    "csv_chunks",
    "feature_bytes",
    "file_stem",
    "geojson_chunks",
    "metadata",
    "select",
    "to_csv",
    "to_geojson",
    "to_gpkg",
    "to_long_csv",
    "ward_sets",
]
