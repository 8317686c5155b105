"""Boundary layers: validation, optional repair, equal-area areas, web geometry.

Columns read from each boundary layer: code, name_vi, name_en, kind, region
(and region_vi, note, old_codes where present). Columns out of
:func:`prepare_layer`: code, name_vi, name_en, kind, region, region_vi,
area_km2, geometry (EPSG:4326, counter-clockwise exteriors).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.polygon import orient

from etl.problems import WARNING, Report

# Albers equal-area conic for Việt Nam (as in geodata/raw/boundaries/README.md).
EQUAL_AREA = "+proj=aea +lat_1=10 +lat_2=20 +lat_0=0 +lon_0=106 +datum=WGS84 +units=m +no_defs"
REQUIRED = ["code", "name_vi", "name_en", "kind", "region"]
OPTIONAL = ["region_vi", "note", "old_codes"]
POLYGONAL = ("Polygon", "MultiPolygon")
# Tolerance of the web geometry in degrees (~1 km): 34 units -> a few thousand vertices.
WEB_TOLERANCE = 0.01
# Levels of detail of ward-level sets (degrees): a province's wards at province zoom, and closer in.
WARD_WEB_TOLERANCES = {"coarse": 0.002, "fine": 0.001}


def validate_layer(gdf: gpd.GeoDataFrame, name: str, expected: set[str], report: Report, repair: bool = False) -> gpd.GeoDataFrame:
    """Check columns, codes and geometry; return the layer with string codes, sorted by code.

    ``expected`` are the codes the crosswalk says this set has; codes missing
    from the layer, unknown or repeated are errors. Invalid geometry is an error
    unless ``repair`` is set, when it is repaired with ``make_valid`` and a warning.
    Feature numbers in messages count from 1 in file order.
    """
    missing = [c for c in REQUIRED if c not in gdf.columns]
    for column in missing:
        report.add(name, None, column, f'boundary layer has no "{column}" property', f'add "{column}" to every feature')
    if missing:
        return gdf
    gdf = gdf.copy()
    gdf["code"] = gdf["code"].astype(str)
    _check_codes(gdf, name, expected, report)
    gdf["geometry"] = check_geometry(gdf, name, report, repair)
    for column in OPTIONAL:
        if column not in gdf.columns:
            gdf[column] = None
    return gdf[REQUIRED + OPTIONAL + ["geometry"]].sort_values("code").reset_index(drop=True)


def _check_codes(gdf: gpd.GeoDataFrame, name: str, expected: set[str], report: Report) -> None:
    seen: set[str] = set()
    for number, code in enumerate(gdf["code"], start=1):
        if code in seen:
            report.add(name, number, "code", f"code {code} appears in more than one feature", "dissolve the features of one unit into one")
        elif code not in expected:
            report.add(
                name, number, "code", f"code {code} is not in the crosswalk for this boundary set", "correct the code or the crosswalk"
            )
        seen.add(code)
    for code in sorted(expected - seen):
        report.add(
            name,
            None,
            "code",
            f"unit {code} is missing from the boundary layer",
            "restore its feature: every unit of the set must be present",
        )


def check_geometry(gdf: gpd.GeoDataFrame, name: str, report: Report, repair: bool) -> gpd.GeoSeries:
    """Each unit's geometry: a valid (multi)polygon, or an error naming the feature (repaired, with a warning, when ``repair``)."""
    geoms = gdf.geometry.values
    fixed = list(geoms)
    for number, (code, geom) in enumerate(zip(gdf["code"], geoms), start=1):
        if geom is None or geom.is_empty:
            report.add(name, number, "geometry", f"unit {code} has no geometry", "restore the polygon")
            continue
        if geom.geom_type not in POLYGONAL:
            report.add(name, number, "geometry", f"unit {code} is a {geom.geom_type}, not a polygon", "give the unit a (multi)polygon")
            continue
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            if not repair:
                report.add(
                    name,
                    number,
                    "geometry",
                    f"unit {code} has invalid geometry ({reason})",
                    "repair it (QGIS 'Fix geometries', shapely make_valid) or build with --repair-geometry",
                )
                continue
            fixed[number - 1] = _polygonal(shapely.make_valid(geom))
            report.add(name, number, "geometry", f"unit {code} had invalid geometry ({reason}); repaired with make_valid", severity=WARNING)
    return gpd.GeoSeries(fixed, crs=gdf.crs, index=gdf.index)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Only the polygon parts of ``geom`` (make_valid and unions may add lines or points)."""
    if geom.geom_type in POLYGONAL:
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in POLYGONAL and g.area > 0]
    return shapely.unary_union(parts) if parts else shapely.Polygon()


def oriented(geoms: np.ndarray) -> np.ndarray:
    """RFC 7946 ring orientation: exteriors counter-clockwise, holes clockwise."""
    return np.array([orient(g, 1.0) if g is not None and not g.is_empty else g for g in geoms], dtype=object)


def prepare_layer(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``area_km2`` (equal-area CRS, 0.01 km²) and orient rings; geometry stays in EPSG:4326."""
    out = gdf.copy()
    out["area_km2"] = np.round(gdf.geometry.to_crs(EQUAL_AREA).area.to_numpy() / 1e6, 2)
    out["geometry"] = gpd.GeoSeries(oriented(gdf.geometry.values), crs=gdf.crs, index=gdf.index)
    return out


# The background's box: wide enough that no map of the site shows its straight edges (maps may not be zoomed out
# or panned beyond it, see MapConfig.land_bounds); simplified to about 2 km, the land being background only.
BASEMAP_BOUNDS = (80.0, -5.0, 140.0, 35.0)
BASEMAP_TOLERANCE = 0.02


def basemap_land(land: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Land polygons clipped to the region around Việt Nam (``BASEMAP_BOUNDS``) and simplified
    (``BASEMAP_TOLERANCE``), one feature per part."""
    clipped = shapely.make_valid(shapely.simplify(shapely.clip_by_rect(land.geometry.values, *BASEMAP_BOUNDS), BASEMAP_TOLERANCE))
    parts = [p for g in clipped for p in shapely.get_parts(_polygonal(g)) if p.area > 0]
    return gpd.GeoDataFrame({"kind": ["land"] * len(parts)}, geometry=oriented(np.array(parts, dtype=object)), crs=4326)


def web_geometry(gdf: gpd.GeoDataFrame, tolerance: float = WEB_TOLERANCE) -> gpd.GeoDataFrame:
    """Coverage-simplified copy (code + geometry) whose neighbours keep their shared borders.

    ``shapely.coverage_simplify`` simplifies each shared edge once, so no gaps
    or overlaps open between units; coordinates are rounded to 1e-5° (~1 m).
    Islets smaller than ``tolerance``² (a dot at the zoom the tolerance is for) that touch no other unit are
    left out: at 0.01° that drops 1,539 of the 34 provinces' parts and 6,156 of their 15,855 vertices.
    """
    simplified = shapely.coverage_simplify(gdf.geometry.values, tolerance, simplify_boundary=True)
    simplified = shapely.set_precision(simplified, 1e-5, mode="pointwise")
    simplified = np.array([_polygonal(g) if g.is_valid else _polygonal(shapely.make_valid(g)) for g in simplified], dtype=object)
    return gpd.GeoDataFrame({"code": gdf["code"].to_numpy()}, geometry=oriented(_without_islets(simplified, tolerance**2)), crs=gdf.crs)


def _without_islets(geoms: np.ndarray, min_area: float) -> np.ndarray:
    """``geoms`` without the polygon parts smaller than ``min_area`` (degrees²) that touch no other unit; a unit
    made only of such parts keeps them."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    small = shapely.area(parts) < min_area
    if not small.any():
        return geoms
    left, right = shapely.STRtree(geoms).query(parts[small], predicate="intersects")
    touching = np.zeros(len(parts), dtype=bool)
    small_index = np.flatnonzero(small)
    touching[small_index[left[owner[small_index[left]] != right]]] = True
    keep = ~small | touching
    out = []
    for unit, geom in enumerate(geoms):
        mine = parts[(owner == unit) & keep]
        out.append(geom if len(mine) == 0 else shapely.multipolygons(mine) if len(mine) > 1 else mine[0])
    return np.array(out, dtype=object)


# Parts of a unit farther than this (degrees) from its largest part are left out of the box a map is fitted to:
# Đặc khu Hoàng Sa (Đà Nẵng) and Trường Sa (Khánh Hòa) lie 3-6° out at sea, and are shown on every map anyway.
FOCUS_DISTANCE = 1.0


def focus_bounds(geom: shapely.Geometry) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) of the parts of ``geom`` within :data:`FOCUS_DISTANCE` of its largest part."""
    parts = shapely.get_parts(geom)
    if len(parts) <= 1:
        return tuple(float(v) for v in shapely.bounds(geom))  # type: ignore[return-value]
    largest = parts[int(np.argmax(shapely.area(parts)))]
    near = parts[shapely.distance(parts, largest) <= FOCUS_DISTANCE]
    return tuple(float(v) for v in shapely.total_bounds(near))  # type: ignore[return-value]


@dataclass(frozen=True)
class CoverageMeasures:
    """How far a set of units is from a clean partition of its parents (areas in km², equal-area CRS)."""

    overlaps: list[tuple[str, str, float]]  # (code, code, area) of every pair of units that overlap
    gaps: dict[str, float]  # parent code -> area of the parent covered by none of its units
    outside: dict[str, float]  # unit code -> area outside its parent (counted where its parent has any)


def coverage_measures(units: gpd.GeoDataFrame, parents: gpd.GeoDataFrame) -> CoverageMeasures:
    """Overlaps, gaps and parts outside the parent of ``units`` (columns code, parent_code, geometry) within
    ``parents`` (code, geometry), both EPSG:4326. The overlays are computed in longitude/latitude, where the
    outlines are defined (projected first, a shared edge drawn with more vertices on one side than on the
    other would bend apart), and the pieces they leave are measured in the equal-area CRS."""
    geoms = units.geometry.to_numpy()
    codes = units["code"].to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pair = left < right
    left, right = left[pair], right[pair]
    shared = _km2(shapely.intersection(geoms[left], geoms[right]))
    overlaps = [(str(codes[a]), str(codes[b]), round(float(x), 4)) for a, b, x in zip(left, right, shared) if x > 0]
    outlines = dict(zip(parents["code"], parents.geometry.to_numpy()))
    gaps: dict[str, float] = {}
    outside: dict[str, float] = {}
    for parent, rows in units.groupby("parent_code").indices.items():
        if parent not in outlines:  # an error already (a parent that does not exist): nothing to measure against
            continue
        union = shapely.union_all(geoms[rows])
        gaps[str(parent)] = round(float(_km2(np.array([shapely.difference(outlines[parent], union)]))[0]), 4)
        beyond = shapely.difference(union, outlines[parent])
        if not beyond.is_empty:
            areas = _km2(shapely.intersection(geoms[rows], beyond))
            outside.update({str(codes[i]): round(float(a), 4) for i, a in zip(rows, areas) if a > 0})
    return CoverageMeasures(overlaps, gaps, outside)


def _km2(geoms: np.ndarray) -> np.ndarray:
    """Areas in km² (equal-area CRS) of lon/lat geometries; lines and points (touching edges) measure 0."""
    if len(geoms) == 0:
        return np.zeros(0)
    return gpd.GeoSeries(geoms, crs=4326).to_crs(EQUAL_AREA).area.to_numpy() / 1e6
