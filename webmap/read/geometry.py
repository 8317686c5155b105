"""The web geometry of a loaded build, ready to send: each province set's simplified outlines with label points,
the background land, the archipelagos, and each ward-level set's outlines per province and level of detail.

Layers read: ``web_provinces_<set>``, ``basemap_land``, ``archipelagos``, ``web_<ward set>_<level>``.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from etl import export
from webmap.read.geography import BOUNDARIES, Geography, Reader
from webmap.read.memo import Memo

LEVELS = ("coarse", "fine")  # levels of detail of a ward-level set's web geometry (etl.geometry.WARD_WEB_TOLERANCES)


@dataclass(frozen=True)
class GeoJSONAsset:
    """A GeoJSON document ready to send: bytes, gzip bytes and a strong ETag."""

    body: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, frame: gpd.GeoDataFrame, properties: list[str], precision: int | None = 5) -> GeoJSONAsset:
        """A FeatureCollection of ``frame`` with ``properties`` (and the unit's ``code`` as feature id, where it is
        one of them); coordinates rounded to ``precision`` decimals (None: as stored)."""
        features = export.feature_bytes(frame[[*properties, frame.geometry.name]], precision)
        body = b'{"type":"FeatureCollection","features":[' + b",".join(features) + b"]}"
        return cls(body, gzip.compress(body, compresslevel=6, mtime=0), '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


class WebGeometry:
    """The documents of one build's web geometry, by name: a province set's id (``2025``, ``2008``), ``land`` or
    ``archipelagos``; and a ward-level set's, per province and level (:meth:`wards`)."""

    def __init__(self, read: Reader, geography: Geography, memo: Memo) -> None:
        self._memo = memo
        self._documents: dict[str, GeoJSONAsset] = {}
        for boundary in BOUNDARIES:
            self._documents[boundary] = GeoJSONAsset.of(_with_label_points(read(f"web_provinces_{boundary}")), ["code", "lx", "ly"])
        self._ward_web: dict[tuple[str, str, str], gpd.GeoDataFrame] = {}
        for name in geography.ward_sets:
            names = geography.units[name][["name_vi", "name_en", "full_name_vi", "full_name_en"]]
            for level in LEVELS:
                web = read(f"web_{name}_{level}").merge(names, left_on="code", right_index=True)
                self._ward_web.update({(name, level, str(parent)): part for parent, part in web.groupby("parent_code")})
        islands = read("archipelagos")
        self._documents["archipelagos"] = GeoJSONAsset.of(
            islands, [c for c in ("name_vi", "name_en", "label_lon", "label_lat") if c in islands]
        )
        self._documents["land"] = GeoJSONAsset.of(read("basemap_land"), [])

    def __getitem__(self, name: str) -> GeoJSONAsset:
        return self._documents[name]

    def __contains__(self, name: object) -> bool:
        return name in self._documents

    def wards(self, ward_set: str, level: str, parent: str) -> GeoJSONAsset | None:
        """The units of ``ward_set`` in ``parent`` at a level of detail (code, full names, simplified geometry);
        serialised on first use and kept with the build (at most one per parent and level). None if there is none."""
        key = (ward_set, level, parent)
        if key not in self._ward_web:
            return None
        return self._memo.get(
            ("ward_geometry", *key), lambda: GeoJSONAsset.of(self._ward_web[key], ["code", "full_name_vi", "full_name_en"], precision=None)
        )


def _with_label_points(web: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``web`` with ``lx``, ``ly``: where the map writes a unit's name, a point inside its largest part (a unit's
    box centre may lie outside it, or in the sea between its islands)."""
    largest = [max(shapely.get_parts(g), key=shapely.area) for g in web.geometry.values]
    points = shapely.point_on_surface(np.array(largest, dtype=object))
    return web.assign(lx=np.round(shapely.get_x(points), 4), ly=np.round(shapely.get_y(points), 4))
