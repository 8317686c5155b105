"""Boundary sets: which exist (``boundaries/boundary_sets.csv``), and the sets below the provinces.

Declaration columns (one row per set): ``set`` (its id: ``2008``, ``2025``, ``wards_2025``), ``level``
(``province`` or ``ward``), ``parent_set`` (a province set, for a ward-level set), ``file`` (below
``boundaries/``), ``geometry_file`` (optional: outlines that replace the file's geometry, matched by
code), ``parent_column`` (the units' column holding their parent's code), ``published_area_column``
(optional: the area the source prints, km²), ``valid_from``/``valid_to`` (ISO dates; empty = still in
force), ``title_vi``, ``title_en``, ``attribution``, ``notice`` (a licence file that goes with the data),
``file_attribution`` (optional: the attribution of ``file`` alone, shown when ``geometry_file`` is not installed).

A file registered in ``sources.toml`` and found nowhere is *not installed*: a set whose ``file`` is not installed
is left out of the build, a set whose ``geometry_file`` is not installed keeps the geometry of its ``file`` (with
``file_attribution`` and no notice); the build says which source is missing (:mod:`etl.external.locate`).

The two province sets ``2008`` and ``2025`` must be declared (every indicator, the 63 -> 34 crosswalk and
the pages are built on them). Units of a ward-level set (:func:`validate_subdivision`), columns in:
code, name_vi, name_en, kind, the parent column (and full_name_vi, full_name_en, the published area where
present); columns out: code, name_vi, name_en, full_name_vi, full_name_en, kind, parent_code,
area_km2_published, geometry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from etl.csv_rows import read_csv
from etl.geometry import check_geometry, coverage_measures, prepare_layer
from etl.problems import WARNING, Report
from etl.sources import RawLayout

COLUMNS = ["set", "level", "parent_set", "file", "valid_from", "valid_to", "title_vi", "title_en", "attribution"]
OPTIONAL = ["geometry_file", "parent_column", "published_area_column", "notice", "file_attribution"]
LEVELS = ("province", "ward")
PROVINCE_SETS = ("2008", "2025")
SUBDIVISION_COLUMNS = ["code", "name_vi", "name_en", "full_name_vi", "full_name_en", "kind", "parent_code", "area_km2_published"]
_SET_ID = re.compile(r"^[a-z0-9_]{1,40}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A unit's computed area this many times its published area (or less than its inverse) is reported.
AREA_RATIO = 1.5
# Overlaps between two units, and parts of a unit outside its parent, smaller than this are not named one by one.
SLIVER_KM2 = 0.01


@dataclass(frozen=True)
class BoundarySet:
    """One declared boundary set."""

    name: str
    level: str
    parent: str | None
    file: Path
    geometry_file: Path | None
    parent_column: str
    published_area_column: str
    valid_from: str
    valid_to: str
    title_vi: str
    title_en: str
    attribution: str
    notice: Path | None

    def as_row(self, units: int, notice_text: str) -> dict[str, object]:
        """The set as a row of the store's ``boundary_sets`` table."""
        return {
            "set": self.name,
            "level": self.level,
            "parent_set": self.parent or "",
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "title_vi": self.title_vi,
            "title_en": self.title_en,
            "attribution": self.attribution,
            "notice": notice_text,
            "units": units,
        }


def read_sets(layout: RawLayout, report: Report) -> dict[str, BoundarySet]:
    """The declared sets, in file order; problems (unknown level or parent, missing file, bad date) go to ``report``."""
    name = layout.display(layout.boundary_sets)
    found: dict[str, BoundarySet] = {}
    attempted: set[str] = set()
    rows = read_csv(layout.boundary_sets, COLUMNS, report, name)
    for row, r in rows:
        set_id = r["set"]
        attempted.add(set_id)
        problems = []
        if not _SET_ID.match(set_id):
            problems.append(("set", f'"{set_id}" is not a set id', "use lower-case letters, digits and _ (e.g. wards_2025)"))
        elif set_id in found:
            problems.append(("set", f"set {set_id} is declared twice", "keep one row per set"))
        if r["level"] not in LEVELS:
            problems.append(("level", f'unknown level "{r["level"]}"', f"use one of {', '.join(LEVELS)}"))
        parent = r["parent_set"] or None
        if r["level"] == "ward" and (parent not in found or found[parent].level != "province"):
            problems.append(("parent_set", f'"{parent or ""}" is not a province set declared above', "name a province set (e.g. 2025)"))
        if r["level"] == "ward" and not r.get("parent_column"):
            problems.append(("parent_column", "a ward-level set needs the column of its units' parent code", "e.g. province_code"))
        for column in ("valid_from", "valid_to"):
            if r[column] and not _DATE.match(r[column]):
                problems.append((column, f'"{r[column]}" is not a date', "write YYYY-MM-DD (valid_to empty: still in force)"))
        paths = {c: layout.boundary(r[c]) for c in ("file", "geometry_file", "notice") if r.get(c)}
        uninstalled = {c for c in paths if layout.uninstalled(f"boundaries/{r[c]}")}
        if "file" in uninstalled:
            continue  # the missing source is reported once, by the layout
        attribution = r["attribution"]
        if "geometry_file" in uninstalled:
            paths.pop("geometry_file")
            paths.pop("notice", None)
            attribution = r.get("file_attribution") or attribution
        for column, path in paths.items():
            if not path.is_file():
                problems.append((column, f"{r[column]} does not exist", "restore it from ../shared/data/boundaries, or correct the path"))
        for column, message, fix in problems:
            report.add(name, row, column, message, fix)
        if problems:
            continue
        found[set_id] = BoundarySet(
            set_id,
            r["level"],
            parent,
            paths["file"],
            paths.get("geometry_file"),
            r.get("parent_column", ""),
            r.get("published_area_column", ""),
            r["valid_from"],
            r["valid_to"],
            r["title_vi"],
            r["title_en"],
            attribution,
            paths.get("notice"),
        )
    for set_id in PROVINCE_SETS:
        if rows and set_id not in attempted:
            report.add(name, None, "set", f"province set {set_id} is not declared", "declare both province sets, 2008 and 2025")
    return found


def replace_outlines(
    gdf: gpd.GeoDataFrame, outlines: gpd.GeoDataFrame, declared: BoundarySet, name: str, report: Report
) -> gpd.GeoDataFrame:
    """``gdf`` with each unit's geometry taken from ``outlines`` (same codes), and ``area_km2_published`` from the
    declared published-area column of ``outlines`` (NaN without one). Codes in one file and not the other are errors."""
    if "code" not in outlines:
        report.add(name, None, "code", 'the outline layer has no "code" property', 'add "code" to every feature')
        return gdf
    by_code = outlines.assign(code=outlines["code"].astype(str)).drop_duplicates("code").set_index("code")
    mine, theirs = set(gdf["code"]), set(by_code.index)
    for code in sorted(mine - theirs):
        report.add(
            name, None, "code", f"unit {code} has no outline in this file", "add its outline, or remove geometry_file from the declaration"
        )
    for code in sorted(theirs - mine):
        report.add(name, None, "code", f"outline {code} is not a unit of set {declared.name}", "correct the code")
    if mine != theirs:
        return gdf
    out = gdf.copy()
    out["geometry"] = gpd.GeoSeries(by_code.loc[gdf["code"], "geometry"].to_numpy(), crs=gdf.crs, index=gdf.index)
    column = declared.published_area_column
    out["area_km2_published"] = by_code.loc[gdf["code"], column].astype("float64").to_numpy() if column in by_code else np.nan
    return out


def validate_subdivision(
    gdf: gpd.GeoDataFrame, declared: BoundarySet, parents: set[str], name: str, report: Report, repair: bool = False
) -> gpd.GeoDataFrame | None:
    """The units of a ward-level set, checked (codes unique, every parent code a unit of the parent set, geometry
    polygonal and valid), with the columns of :data:`SUBDIVISION_COLUMNS`; None when a required column is missing."""
    required = ["code", "name_vi", "name_en", "kind", declared.parent_column]
    missing = [c for c in required if c not in gdf.columns]
    for column in missing:
        report.add(name, None, column, f'the layer has no "{column}" column', f'add "{column}" to every unit')
    if missing:
        return None
    out = pd.DataFrame(
        {
            "code": gdf["code"].astype(str),
            "name_vi": gdf["name_vi"].astype(str),
            "name_en": gdf["name_en"].astype(str),
            "full_name_vi": gdf["full_name_vi"].astype(str) if "full_name_vi" in gdf else gdf["name_vi"].astype(str),
            "full_name_en": gdf["full_name_en"].astype(str) if "full_name_en" in gdf else gdf["name_en"].astype(str),
            "kind": gdf["kind"].astype(str),
            "parent_code": gdf[declared.parent_column].astype(str),
            "area_km2_published": gdf[declared.published_area_column].astype("float64")
            if declared.published_area_column in gdf
            else np.nan,
        }
    )
    seen: set[str] = set()
    for number, (code, parent) in enumerate(zip(out["code"], out["parent_code"]), start=1):
        if not code or code in seen:
            report.add(name, number, "code", f'code "{code}" is empty or repeated', "give every unit its own code")
        seen.add(code)
        if parent not in parents:
            report.add(
                name,
                number,
                declared.parent_column,
                f"unit {code} names parent {parent}, which is not a unit of set {declared.parent}",
                f"use a code of set {declared.parent}",
            )
    geometry = check_geometry(gpd.GeoDataFrame(out, geometry=gdf.geometry.values, crs=gdf.crs), name, report, repair)
    return gpd.GeoDataFrame(out, geometry=geometry.values, crs=gdf.crs).sort_values("code").reset_index(drop=True)


def prepare_subdivision(units: gpd.GeoDataFrame, parents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``units`` with ``area_km2`` (equal-area CRS) and their parent's ``region`` and ``region_vi``; rings oriented."""
    out = prepare_layer(units)
    regions = parents.set_index("code")
    out["region"] = out["parent_code"].map(regions["region"])
    out["region_vi"] = out["parent_code"].map(regions["region_vi"])
    return out


def report_coverage(units: gpd.GeoDataFrame, parents: gpd.GeoDataFrame, name: str, report: Report) -> dict[str, float]:
    """Warnings, naming the units, for overlaps between units, gaps inside a parent, parts of a unit outside its
    parent and computed areas far from the published ones (``units`` with area_km2 computed). Returns the totals (km²)."""
    measures = coverage_measures(units, parents)
    label = dict(zip(units["code"], units["full_name_vi"] + " (" + units["code"] + ")"))
    for a, b, area in measures.overlaps:
        if area >= SLIVER_KM2:
            report.add(name, None, "geometry", f"{label[a]} and {label[b]} overlap by {area:.2f} km²", "correct the shared border", WARNING)
    for parent, area in measures.gaps.items():
        if area >= SLIVER_KM2:
            report.add(
                name, None, "geometry", f"{area:.2f} km² of parent unit {parent} are covered by none of its units", "close the gap", WARNING
            )
    for code, area in measures.outside.items():
        if area >= SLIVER_KM2:
            report.add(
                name, None, "geometry", f"{area:.2f} km² of {label[code]} lie outside its parent unit", "correct the outline", WARNING
            )
    published = units["area_km2_published"]
    ratio = units["area_km2"] / published
    far = published.notna() & (published > 0) & ((ratio > AREA_RATIO) | (ratio < 1 / AREA_RATIO))
    for code, computed, official in zip(units.loc[far, "code"], units.loc[far, "area_km2"], published[far]):
        report.add(
            name,
            None,
            "area_km2_published",
            f"{label[code]}: the outline measures {computed:,.1f} km², the published area is {official:,.2f} km²",
            "pages show the published area; check the outline against the official map",
            WARNING,
        )
    totals = {
        "overlap_km2": round(sum(a for _, _, a in measures.overlaps), 2),
        "gap_km2": round(sum(measures.gaps.values()), 2),
        "outside_km2": round(sum(measures.outside.values()), 2),
        "area_far_from_published": int(far.sum()),
    }
    if any(totals.values()):
        report.add(
            name,
            None,
            None,
            f"{len(units)} units: {totals['overlap_km2']} km² of overlaps, {totals['gap_km2']} km² of gaps, "
            f"{totals['outside_km2']} km² outside their parents, {totals['area_far_from_published']} areas far from the published",
            "the warnings above name the units",
            WARNING,
        )
    return totals
