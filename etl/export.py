"""Exports of the store: a boundary set, filtered, as GeoJSON (RFC 7946), CSV or GeoPackage.

The command line (``urbanmap export``) and the web app's downloads use these
functions. Source: the build output (``urban.gpkg``). Columns out: code,
name_vi, name_en, kind, region, area_km2, and for each selected indicator
``<id>`` (value), ``<id>_unit``, ``<id>_year``, ``<id>_flag``, ``<id>_source``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from .geometry import oriented
from .store import STORE_NAME, Layer, read_manifest, write_geopackage

BASE = ["code", "name_vi", "name_en", "kind", "region", "area_km2"]
LAYERS = {"2008": "provinces_2008", "2025": "provinces_2025"}
PRECISION = 7


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


def _quote(values: list[str]) -> str:
    return ",".join("'" + v.replace("'", "''") + "'" for v in values)


def select(store: Path, selection: Selection) -> gpd.GeoDataFrame:
    """The units and values of ``selection`` (see module docstring for columns)."""
    if selection.boundary not in LAYERS:
        raise ExportError(f'unknown boundary set "{selection.boundary}"', "use 2008 or 2025")
    units = pyogrio.read_dataframe(store, layer=LAYERS[selection.boundary], columns=BASE)
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
    out = units.reset_index(drop=True)
    columns: dict[str, pd.Series] = {}
    for indicator in indicators:
        part = values[values["indicator"] == indicator].set_index("code")
        columns[indicator] = out["code"].map(part["value"]).astype("float64")
        for suffix, column in (("unit", "unit"), ("year", "year"), ("flag", "value_flag"), ("source", "source_id")):
            columns[f"{indicator}_{suffix}"] = out["code"].map(part[column])
        if "preliminary" in part:
            columns[f"{indicator}_preliminary"] = out["code"].map(part["preliminary"].astype(bool)).astype("boolean")
    if columns:
        out = gpd.GeoDataFrame(pd.concat([pd.DataFrame(out), pd.DataFrame(columns)], axis=1), geometry="geometry", crs=units.crs)
    return out


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
    return sorted(catalogue["indicator"])


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


def to_geojson(frame: gpd.GeoDataFrame, meta: dict | None = None) -> bytes:
    """RFC 7946 FeatureCollection: lon/lat, counter-clockwise exteriors, no ``crs``, <= 7 decimals."""
    geoms = shapely.set_precision(oriented(frame.geometry.values), 10**-PRECISION)
    props = frame.drop(columns=frame.geometry.name)
    features = []
    for geom, record in zip(oriented(geoms), props.to_dict("records")):
        features.append(
            {
                "type": "Feature",
                "id": record.get("code"),
                "properties": {k: _clean(v) for k, v in record.items()},
                "geometry": json.loads(shapely.to_geojson(geom)) if geom is not None else None,
            }
        )
    collection = {"type": "FeatureCollection", **(meta or {}), "features": features}
    # allow_nan=False: an infinite value would be invalid JSON ("Infinity"); the build refuses them, this makes sure
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def to_csv(frame: gpd.GeoDataFrame, wkt: bool = False) -> bytes:
    """One row per unit, UTF-8 with BOM (so Excel shows Vietnamese); optional WKT geometry column."""
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    if wkt:
        table["wkt"] = shapely.to_wkt(frame.geometry.values, rounding_precision=PRECISION)
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


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
    return values.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


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


__all__ = ["ExportError", "Selection", "file_stem", "metadata", "select", "to_csv", "to_geojson", "to_gpkg", "to_long_csv"]
