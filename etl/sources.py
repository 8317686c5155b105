"""Reading the inputs of ``geodata/raw`` -- I/O only, no transformation.

Layout of a raw directory (see README, "Inputs")::

    boundaries/boundary_sets.csv         the boundary sets: level, parent, file, validity, attribution
    boundaries/vn_provinces_63.geojson   63 provinces, 2008-08-01 .. 2025-06-30
    boundaries/vn_provinces_34.geojson   34 units from 2025-07-01
    boundaries/wards_2025/               3,321 wards and communes (set wards_2025), the 34 outlines dissolved from them
    boundaries/vn_archipelagos.geojson   Hoàng Sa and Trường Sa
    boundaries/province_merger_2025.csv  63 -> 34 crosswalk
    basemap/land-50m.json                Natural Earth land (TopoJSON), the web map's background
    indicators/*.csv                     tidy indicator values (all but the two below)
    indicators/province_units.csv        second copy of the crosswalk (cross-checked)
    indicators/undated.csv               rows without a date: kept out of the store
    catalogue/indicators.csv, catalogue/units.csv
    names/province_aliases.csv, names/aggregate_labels.csv
    program/*.csv                        groups, directions, tasks, targets, sources
    sources.toml                         files published by others, read from outside the repository

A file registered in ``sources.toml`` (:mod:`etl.external`) is read from where it was found and verified (its
sources folder), as if it were at its registered place below the raw directory: :meth:`RawLayout.file` gives the
path to read for a path below the raw directory, whoever published it.
"""

from __future__ import annotations

import csv
import functools
import logging
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from etl.csv_rows import CsvRow, read_csv
from etl.external.locate import Located, locate, places
from etl.external.registry import Registry, RegistryError, Source, load_registry
from etl.names import Former, ProvinceResolver, UnitName
from etl.problems import WARNING, Problem, Report

log = logging.getLogger(__name__)

NOT_VALUES = {"province_units.csv", "undated.csv"}


@dataclass(frozen=True)
class RawLayout:
    """Paths of every input below one raw directory; ``sources``: the folder given with ``--sources`` (None: the
    other places of :func:`etl.external.locate.places`)."""

    root: Path
    sources: Path | None = None

    @functools.cached_property
    def located(self) -> Located:
        """The registered files published by others, looked up and verified once (a registry that cannot be read
        counts as empty: its problems are in :meth:`Located.problems`)."""
        problems: tuple[Problem, ...] = ()
        try:
            registry = load_registry(self.root)
        except RegistryError as exc:
            registry, problems = Registry(), tuple(exc.problems)
        return locate(registry, places(self.sources), problems)

    def file(self, relative: str | PurePosixPath) -> Path:
        """The path to read for ``relative`` (posix, below the raw directory): the verified copy of a registered file
        where it was found, else the file below the raw directory."""
        key = PurePosixPath(relative).as_posix()
        return self.located.files.get(key, self.root / key)

    def uninstalled(self, relative: str | PurePosixPath) -> Source | None:
        """The source of a registered file that was found nowhere (the build goes on without it), else None."""
        key = PurePosixPath(relative).as_posix()
        return None if key in self.located.files else self.located.source_of(key)

    def name_of(self, path: Path) -> str:
        """A file's name among the inputs: its path below the raw directory, a registered file's wherever it lies."""
        outside = {p: target for target, p in self.located.files.items()}
        return outside.get(path) or path.relative_to(self.root).as_posix()

    @property
    def boundary_sets(self) -> Path:
        return self.root / "boundaries/boundary_sets.csv"

    def declared(self) -> list[dict[str, str]]:
        """Rows of the boundary-set declaration as written (checked by :func:`etl.boundary_sets.read_sets`); [] if unreadable."""
        try:
            with self.boundary_sets.open(encoding="utf-8-sig", newline="") as f:
                return [{k.strip(): (v or "").strip() for k, v in r.items() if k} for r in csv.DictReader(f)]
        except (OSError, UnicodeDecodeError, csv.Error):
            return []

    @property
    def boundary_files(self) -> dict[str, Path]:
        """The two province sets' files: as declared, else their conventional names."""
        files = {"2008": self.root / "boundaries/vn_provinces_63.geojson", "2025": self.root / "boundaries/vn_provinces_34.geojson"}
        for r in self.declared():
            if r.get("set") in files and r.get("file"):
                files[r["set"]] = self.boundary(r["file"])
        return files

    def boundary(self, name: str) -> Path:
        """A file the boundary-set declaration names (relative to ``boundaries/``), as :meth:`file` finds it."""
        return self.file(f"boundaries/{name}")

    def declared_files(self) -> list[Path]:
        """Every file the declaration names (layers, replacement outlines, notices)."""
        return [self.boundary(r[c]) for r in self.declared() for c in ("file", "geometry_file", "notice") if r.get(c)]

    @property
    def archipelagos(self) -> Path:
        return self.root / "boundaries/vn_archipelagos.geojson"

    @property
    def basemap(self) -> Path:
        return self.root / "basemap/land-50m.json"

    @property
    def crosswalk(self) -> Path:
        return self.root / "boundaries/province_merger_2025.csv"

    @property
    def crosswalk_copy(self) -> Path:
        return self.root / "indicators/province_units.csv"

    @property
    def catalogue(self) -> Path:
        return self.root / "catalogue/indicators.csv"

    @property
    def units(self) -> Path:
        return self.root / "catalogue/units.csv"

    @property
    def unit_labels(self) -> Path:
        return self.root / "catalogue/unit_labels.csv"

    @property
    def aliases(self) -> Path:
        return self.root / "names/province_aliases.csv"

    @property
    def aggregate_labels(self) -> Path:
        return self.root / "names/aggregate_labels.csv"

    @property
    def former_units(self) -> Path:
        return self.root / "names/former_units.csv"

    def program(self, name: str) -> Path:
        return self.root / "program" / name

    def value_files(self) -> list[Path]:
        """The tidy indicator CSVs, sorted by name."""
        folder = self.root / "indicators"
        return sorted(p for p in folder.glob("*.csv") if p.name not in NOT_VALUES)

    def fixed_files(self) -> list[Path]:
        """The inputs with a fixed name (boundaries, crosswalks, catalogue, names); programme files: :data:`etl.program.FILES`."""
        return [
            self.boundary_sets,
            *self.boundary_files.values(),
            *self.declared_files(),
            self.archipelagos,
            self.basemap,
            self.crosswalk,
            self.crosswalk_copy,
            self.catalogue,
            self.units,
            self.unit_labels,
            self.aliases,
            self.aggregate_labels,
            self.former_units,
        ]

    def links_outside(self) -> list[tuple[Path, Path]]:
        """(link, target) of every symbolic link below the raw directory that leads outside it (never read, never hashed)."""
        root = self.root.resolve()
        found = []
        for folder, dirs, files in os.walk(self.root):
            for entry in [*dirs, *files]:
                path = Path(folder) / entry
                if path.is_symlink() and not path.resolve().is_relative_to(root):
                    found.append((path, path.resolve()))
        return sorted(found)

    def display(self, path: Path) -> str:
        """``path`` relative to the raw directory's parent, as messages show it."""
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)


def read_boundary_file(path: Path, report: Report, name: str) -> gpd.GeoDataFrame | None:
    """A boundary layer (GeoJSON, GeoPackage, Shapefile) in EPSG:4326.

    A layer in a projected CRS is reprojected with a warning; a layer with no
    CRS whose coordinates are not longitudes/latitudes is rejected.
    """
    if not path.exists():
        report.add(name, None, None, "the boundary file is missing", "restore it from ../shared/data/boundaries")
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gdf = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio raises several error types for unreadable files
        report.add(name, None, None, f"cannot read the boundary file: {exc}", "check that it is valid GeoJSON/GeoPackage")
        return None
    if len(gdf) == 0:
        report.add(name, None, None, "the boundary file has no features", "restore the features")
        return None
    if gdf.crs is None:
        gdf = gdf.set_crs(4326)  # checked below: coordinates must then be longitudes and latitudes
    elif gdf.crs.to_epsg() != 4326:
        report.add(
            name,
            None,
            None,
            f"the layer is in {gdf.crs.name} (projected); it was reprojected to EPSG:4326",
            "write boundaries in EPSG:4326 to avoid reprojection",
            severity=WARNING,
        )
        gdf = gdf.to_crs(4326)
    return gdf if _in_lon_lat(gdf, report, name) else None


def _in_lon_lat(gdf: gpd.GeoDataFrame, report: Report, name: str) -> bool:
    """Whether every feature lies within longitude -180..180 and latitude -90..90; an error per feature that does not
    (GeoJSON has no CRS member for metres: a file in metres reads as "EPSG:4326" with coordinates in the millions)."""
    bounds = shapely.bounds(gdf.geometry.values)
    outside = ~np.isnan(bounds[:, 0]) & (
        (bounds[:, 0] < -180) | (bounds[:, 2] > 180) | (bounds[:, 1] < -90) | (bounds[:, 3] > 90) | ~np.isfinite(bounds).all(axis=1)
    )
    codes = list(gdf["code"].astype(str)) if "code" in gdf else [""] * len(gdf)
    for number in np.flatnonzero(outside):
        minx, miny, maxx, maxy = (round(float(v), 1) for v in bounds[number])
        report.add(
            name,
            int(number) + 1,
            "geometry",
            f"feature {number + 1}{f' (code {codes[number]})' if codes[number] else ''} has coordinates outside longitude/latitude ({minx}, {miny} .. {maxx}, {maxy})",
            "write the layer in EPSG:4326 (lon/lat), or declare its CRS so that it is reprojected",
        )
    return not outside.any()


def read_unit_names(layout: RawLayout) -> list[UnitName]:
    """Code and names of every unit of both boundary sets (no geometry read)."""
    units = []
    for boundary, path in layout.boundary_files.items():
        table = pyogrio.read_dataframe(path, read_geometry=False, columns=["code", "name_vi", "name_en"])
        units += [UnitName(boundary, str(r.code), str(r.name_vi), str(r.name_en)) for r in table.itertuples()]
    return units


def read_merger_rows(layout: RawLayout, report: Report) -> list[CsvRow]:
    """Rows of the 63 -> 34 crosswalk, cross-checked against ``indicators/province_units.csv``."""
    name = layout.display(layout.crosswalk)
    rows = read_csv(layout.crosswalk, ["old_code", "old_name_vi", "new_code", "new_name_vi"], report, name)
    seen: dict[str, str] = {}
    for row, r in rows:
        if r["old_code"] in seen:
            report.add(
                name, row, "old_code", f"province {r['old_code']} is mapped twice", "map every 2008 province to exactly one 2025 unit"
            )
        seen[r["old_code"]] = r["new_code"]
    copy_name = layout.display(layout.crosswalk_copy)
    if rows and layout.crosswalk_copy.exists():  # an empty crosswalk is the root cause: no row-by-row disagreement
        for row, r in read_csv(layout.crosswalk_copy, ["province_code_pre2025", "province_code_2025"], report, copy_name):
            if seen.get(r["province_code_pre2025"]) != r["province_code_2025"]:
                report.add(
                    copy_name,
                    row,
                    "province_code_2025",
                    f"maps {r['province_code_pre2025']} to {r['province_code_2025']}, the crosswalk to {seen.get(r['province_code_pre2025'])}",
                    "make the two crosswalk files agree (Resolution 202/2025/QH15)",
                )
    return rows


def read_subunit_names(layout: RawLayout) -> list[UnitName]:
    """Code and names of the units of every declared ward-level set (no geometry read; unreadable layers are skipped:
    the build reports them)."""
    units = []
    for r in layout.declared():
        path = layout.boundary(r.get("file", ""))
        if r.get("level") != "ward" or not path.is_file():
            continue
        try:
            table = pyogrio.read_dataframe(path, read_geometry=False, columns=["code", "name_vi", "name_en"])
        except Exception:  # noqa: BLE001 - pyogrio raises several error types; the build reports the file
            continue
        units += [UnitName(r["set"], str(c), str(v), str(e)) for c, v, e in zip(table["code"], table["name_vi"], table["name_en"])]
    return units


def read_resolver(
    layout: RawLayout,
    report: Report | None = None,
    units: list[UnitName] | None = None,
    crosswalk: list[CsvRow] | None = None,
    subunits: list[UnitName] | None = None,
) -> ProvinceResolver:
    """The province resolver for the units (read from the boundary files unless given), aliases and aggregate labels;
    ``subunits``: the units of ward-level sets (read from the declared layers unless given).

    Problems go to ``report``; without one, they raise :class:`InputError`.
    """
    own = report is None
    report = report or Report()
    units = read_unit_names(layout) if units is None else units
    known = {(u.boundary, u.code) for u in units}
    aliases = []
    name = layout.display(layout.aliases)
    for row, r in read_csv(layout.aliases, ["boundary", "code", "alias"], report, name, allow_empty=True):
        if (r["boundary"], r["code"]) not in known:
            report.add(
                name,
                row,
                "code",
                f'alias "{r["alias"]}" names unit {r["code"]}, which is not in boundary set {r["boundary"]}',
                "correct the boundary or code",
            )
            continue
        aliases.append((r["boundary"], r["code"], r["alias"]))
    labels = [(r["label"], r["kind"]) for _, r in read_csv(layout.aggregate_labels, ["label", "kind"], report)]
    former = []
    if layout.former_units.exists():
        former_name = layout.display(layout.former_units)
        for row, r in read_csv(layout.former_units, ["label", "last_year", "successor_code"], report, former_name):
            if not re.fullmatch(r"\d{4}", r["last_year"]):
                report.add(former_name, row, "last_year", f'"{r["last_year"]}" is not a year', "write the last year of the unit")
                continue
            former.append(Former(r["label"], int(r["last_year"]), r["successor_code"]))
    crosswalk = read_merger_rows(layout, report) if crosswalk is None else crosswalk
    if own:
        report.raise_if_errors()
    members: dict[str, list[str]] = {}
    for _, r in crosswalk:
        members.setdefault(r["new_code"], []).append(r["old_code"])
    unchanged = [new for new, old in members.items() if old == [new]]
    subunits = read_subunit_names(layout) if subunits is None else subunits
    return ProvinceResolver(units, aliases, labels, unchanged, former, subunits)
