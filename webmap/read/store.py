"""The only reader of the build output (``builds/<build_id>/urban.gpkg`` + ``manifest.json``).

Loads one verified build (:func:`etl.store.open_build`) once -- units, values, catalogue, programme,
and the web geometry serialised as GeoJSON (plain and gzip, with an ETag) --
and answers the questions pages ask: which years an indicator has, the
values of one indicator, year and boundary set, ranks and medians, a unit's
history, its neighbours, and the programme items linked to an issue.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from etl import export
from etl.aggregate import Groups, aggregate
from etl.catalogue import ISSUES as ISSUES  # re-exported: the issues every page offers
from etl.export import Selection
from etl.geometry import focus_bounds
from etl.names import vietnamese_key
from etl.store import StoreError as StoreError  # re-exported: no build, a damaged one, or one of another schema
from etl.store import open_build, resolve_build
from webmap.read import work

__all__ = ["ISSUES", "BOUNDARIES", "LEVELS", "Store", "StoreError", "resolve_build"]

log = logging.getLogger(__name__)
T = TypeVar("T")

SUPPORTED_SCHEMA = 1
BOUNDARIES = ("2025", "2008")
UNIT_COLUMNS = ["code", "name_vi", "name_en", "kind", "region", "region_vi", "area_km2"]
WARD_COLUMNS = [*UNIT_COLUMNS, "full_name_vi", "full_name_en", "parent_code", "area_km2_published"]
_MISSING = object()  # a derived value not made yet
SNAPSHOT_COLUMNS = ["value", "value_flag", "source_id", "period", "note", "derivation", "preliminary"]


class SnapshotRow(NamedTuple):
    """One unit's row of a snapshot as plain Python (:meth:`Store.snapshot_rows`); texts are "" where empty."""

    value: float  # NaN: an aggregate with missing members
    flag: str
    source_id: str
    period: str
    derivation: str
    preliminary: bool


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


def _with_label_points(web: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``web`` with ``lx``, ``ly``: where the map writes a unit's name, a point inside its largest part (a unit's
    box centre may lie outside it, or in the sea between its islands)."""
    largest = [max(shapely.get_parts(g), key=shapely.area) for g in web.geometry.values]
    points = shapely.point_on_surface(np.array(largest, dtype=object))
    return web.assign(lx=np.round(shapely.get_x(points), 4), ly=np.round(shapely.get_y(points), 4))


def records(frame: pd.DataFrame) -> list[dict]:
    """The rows of ``frame`` as dicts (as ``to_dict("records")``, without its per-call overhead on small frames)."""
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, row)) for row in zip(*(frame[c].tolist() for c in frame.columns))] if len(frame) else []


class Store:
    """Everything the web app shows, loaded from one build directory."""

    def __init__(self, data_dir: Path) -> None:
        """Load the build ``data_dir`` stands for (its ``current``, or one build folder); StoreError when there is
        none, its checksum does not match, or its schema is not one this app reads."""
        found = open_build(data_dir)
        self.manifest = found.manifest
        major = int(str(self.manifest.get("schema_version", "0")).split(".")[0])
        if major != SUPPORTED_SCHEMA:
            raise StoreError(
                f"the store has schema {self.manifest.get('schema_version')}; this app reads schema {SUPPORTED_SCHEMA}.x: rebuild the data"
            )
        self.build_id: str = found.build_id
        self.path = found.store
        self.folder = found.folder
        self._derived: dict[tuple, object] = {}
        self._key_locks: dict[tuple, threading.Lock] = {}  # one per derived key (see derived)
        self._derived_lock = threading.Lock()  # guards _key_locks
        self._load(self.path)
        self._prepare()
        log.info("store %s loaded from %s", self.build_id, self.path)

    def _read(self, path: Path, layer: str, **kwargs) -> pd.DataFrame:
        return pyogrio.read_dataframe(path, layer=layer, **kwargs)

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """Layer ``name`` of this build's store, read again (for what is made once per build from it: map sheets)."""
        return self._read(self.path, name)

    def _load(self, path: Path) -> None:
        self._layers = {name for name, _ in pyogrio.list_layers(path)}  # optional layers of newer schemas
        self.units: dict[str, pd.DataFrame] = {}
        self.geometry: dict[str, GeoJSONAsset] = {}
        self.neighbours: dict[str, dict[str, list[str]]] = {}
        self.bounds: dict[str, dict[str, list[float]]] = {}  # per unit: the box a map of it is fitted to
        self.extent: dict[str, list[float]] = {}  # per set: the box around every unit, islands included
        for boundary in BOUNDARIES:
            extra = ["unit_2025"] if boundary == "2008" else ["old_codes", "area_km2_published"]
            full = self._read(path, f"provinces_{boundary}", columns=UNIT_COLUMNS + extra)  # pyogrio skips absent columns
            if "area_km2_published" not in full:
                full["area_km2_published"] = np.nan
            self.units[boundary] = pd.DataFrame(full.drop(columns="geometry")).set_index("code", drop=False)
            self.bounds[boundary] = {c: list(np.round(focus_bounds(g), 4)) for c, g in zip(full["code"], full.geometry.values)}
            self.neighbours[boundary] = self._touching(full)
            self.extent[boundary] = [round(float(v), 7) for v in shapely.total_bounds(full.geometry.values)]
            web = self._read(path, f"web_provinces_{boundary}")
            self.geometry[boundary] = GeoJSONAsset.of(_with_label_points(web), ["code", "lx", "ly"])
        self._load_ward_sets(path)
        islands = self._read(path, "archipelagos")
        self.geometry["archipelagos"] = GeoJSONAsset.of(
            islands, [c for c in ("name_vi", "name_en", "label_lon", "label_lat") if c in islands]
        )
        self.geometry["land"] = GeoJSONAsset.of(self._read(path, "basemap_land"), [])
        self.values = self._read(path, "indicator_values")
        self.values["year"] = self.values["year"].astype(int)
        if "preliminary" not in self.values:  # stores of schema 1.0 have no preliminary marker
            self.values["preliminary"] = False
        self.values["preliminary"] = self.values["preliminary"].astype(bool)
        self.catalogue = self._read(path, "indicators").set_index("indicator", drop=False)
        self.sources = self._read(path, "sources").set_index("source_id", drop=False)
        # id -> (title, url): what every value's source link needs, without a pandas lookup per row
        self.source_index: dict[str, tuple[str, str]] = dict(
            zip(self.sources["source_id"], zip(self.sources["title"], self.sources["url"]))
        )
        self.program = {
            name: self._read(path, name)
            for name in (
                "program_groups",
                "program_directions",
                "program_tasks",
                "program_targets",
                "program_sources",
                "program_sections",
                "indicator_links",
                "issue_directions",
            )
        }
        self.merger = self._read(path, "merger_2025")
        # other names of units (stores of schema 1.4 on): abbreviations and English forms, for the search
        self.aliases = (
            self._read(path, "unit_aliases") if "unit_aliases" in self._layers else pd.DataFrame(columns=["boundary", "code", "alias"])
        )
        self._preferred = self.values[self.values["preferred"].astype(bool)]
        with_value = self._preferred[self._preferred["value"].notna()]
        self._years = {(str(i), str(b)): sorted({int(y) for y in g["year"]}) for (i, b), g in with_value.groupby(["indicator", "boundary"])}
        self._regions: dict[str, pd.DataFrame] = {}

    def _load_ward_sets(self, path: Path) -> None:
        """The ward-level sets (stores of schema 1.3 on): units, children per parent (in Vietnamese name order),
        bounds, and their web geometry per level of detail and parent (served by :meth:`ward_geometry`)."""
        self.sets = self._read(path, "boundary_sets").set_index("set", drop=False) if "boundary_sets" in self._layers else pd.DataFrame()
        self.ward_sets: list[str] = [str(s) for s in self.sets.index if self.sets.loc[s, "level"] == "ward"] if len(self.sets) else []
        self.children: dict[str, dict[str, list[str]]] = {}
        self._ward_web: dict[tuple[str, str, str], gpd.GeoDataFrame] = {}
        for name in self.ward_sets:
            full = self._read(path, name, columns=WARD_COLUMNS)
            units = pd.DataFrame(full.drop(columns="geometry")).set_index("code", drop=False)
            self.units[name] = units
            self.bounds[name] = dict(zip(full["code"], np.round(shapely.bounds(full.geometry.values), 4).tolist()))
            self.extent[name] = [round(float(v), 7) for v in shapely.total_bounds(full.geometry.values)]
            order = sorted(zip(units["parent_code"], units["name_vi"], units["code"]), key=lambda u: (u[0], vietnamese_key(u[1]), u[2]))
            for parent, _, code in order:
                self.children.setdefault(name, {}).setdefault(str(parent), []).append(str(code))
            names = units[["name_vi", "name_en", "full_name_vi", "full_name_en"]]
            for level in LEVELS:
                web = self._read(path, f"web_{name}_{level}").merge(names, left_on="code", right_index=True)
                self._ward_web.update({(name, level, str(parent)): part for parent, part in web.groupby("parent_code")})

    def ward_geometry(self, ward_set: str, level: str, parent: str) -> GeoJSONAsset | None:
        """The units of ``ward_set`` in ``parent`` at a level of detail (code, full names, simplified geometry);
        serialised on first use and kept with the store (at most one per parent and level). None if there is none."""
        key = (ward_set, level, parent)
        if key not in self._ward_web:
            return None
        return self.derived(
            ("ward_geometry", *key), lambda s: GeoJSONAsset.of(s._ward_web[key], ["code", "full_name_vi", "full_name_en"], precision=None)
        )

    def parent_set(self, ward_set: str) -> str:
        """The province set a ward-level set lies in."""
        return str(self.sets.loc[ward_set, "parent_set"])

    def ward_set_in(self, boundary: str) -> str | None:
        """The (first declared) ward-level set whose parent is province set ``boundary``, or None."""
        return next((w for w in self.ward_sets if self.parent_set(w) == boundary), None)

    def catalogue_rows(self) -> dict[str, dict]:
        """The catalogue as plain rows by indicator id (made once per build): lookups without pandas per request."""
        return self.derived(("catalogue_rows",), lambda s: {r["indicator"]: r for r in records(s.catalogue)})

    def names(self, boundary: str, lang: str) -> dict[str, str]:
        """Each unit's name in ``lang`` by code (once per build, set and language): the English name where there is
        one and ``lang`` is 'en', else the Vietnamese. Units of a ward-level set by full name ("Phường Cái Khế")."""

        def make(store: Store) -> dict[str, str]:
            units = store.units[boundary]
            vi, en = ("full_name_vi", "full_name_en") if "full_name_vi" in units else ("name_vi", "name_en")
            chosen = units[en].where((units[en] != "") & units[en].notna(), units[vi]) if lang == "en" else units[vi]
            return dict(zip(units["code"].astype(str), chosen.astype(str)))

        return self.derived(("names", boundary, lang), make)

    def codes(self, boundary: str) -> list[str]:
        """The codes of the units of ``boundary`` in the store's order (once per build and set; not to be changed)."""
        return self.derived(("codes", boundary), lambda s: [str(c) for c in s.units[boundary].index])

    def name_order(self, boundary: str, lang: str) -> dict[str, int]:
        """Each unit's position when the units of ``boundary`` are listed by name in ``lang``, in Vietnamese
        alphabetical order (a ă â b c d đ …, then tones), by code (once per build, set and language)."""

        def make(store: Store) -> dict[str, int]:
            names = store.names(boundary, lang)
            return {code: i for i, code in enumerate(sorted(names, key=lambda c: (vietnamese_key(names[c]), c)))}

        return self.derived(("name_order", boundary, lang), make)

    def derived(self, key: tuple, make: Callable[[Store], T]) -> T:
        """``make(self)``, computed once per store and key (the default indicators, the OGC collections):
        whatever is derived from a build lives and dies with it. Made under a lock of its own key, so a slow one
        (an OGC collection of 3,321 wards: seconds) holds up only the requests that need that very value; a value
        made already is returned without a lock, and its lock is let go (the classes of every valid map view, 8,650,
        weigh 4.4 MiB; one lock kept per key would have added 1 MiB)."""
        found = self._derived.get(key, _MISSING)
        if found is _MISSING:
            with self._derived_lock:
                lock = self._key_locks.setdefault(key, threading.Lock())
            with lock:
                found = self._derived.get(key, _MISSING)
                if found is _MISSING:
                    found = self._derived[key] = make(self)
            with self._derived_lock:
                self._key_locks.pop(key, None)
        return cast(T, found)

    def _prepare(self) -> None:
        """Make, while the build loads, what most views use at once: every snapshot, unit history, regional
        aggregate and latest row, ranks and medians, targets, the catalogue rows and unit names in order (about
        0.5 s; the first views then cost what later ones do)."""
        self.derived(("snapshots",), Store._snapshots_of)
        self.derived(("snapshot_rows",), Store._snapshot_rows_of)
        self.derived(("history",), Store._histories)
        self.derived(("national_rows",), Store._national_rows)
        self.derived(("targets_by_indicator",), Store._targets_by_indicator)
        self.derived(("ranks_and_medians",), Store._ranks_and_medians)
        self.catalogue_rows()
        for boundary in BOUNDARIES:
            for kind in ("unit", "region"):
                self.latest_rows(boundary, kind)
        for boundary in self.units:
            for lang in ("vi", "en"):
                self.name_order(boundary, lang)

    @staticmethod
    def _touching(frame: gpd.GeoDataFrame) -> dict[str, list[str]]:
        tree = shapely.STRtree(frame.geometry.values)
        left, right = tree.query(frame.geometry.values, predicate="intersects")
        codes = frame["code"].to_numpy()
        out: dict[str, list[str]] = {c: [] for c in codes}
        for a, b in zip(left, right):
            if a != b:
                out[codes[a]].append(codes[b])
        return {c: sorted(n) for c, n in out.items()}

    # --- exports (the ETL's export functions over this store) ------------
    def export(self, selection: Selection) -> gpd.GeoDataFrame:
        """Units and values of ``selection`` (columns: see :mod:`etl.export`)."""
        frame = export.select(self.path, selection)
        work.charge(frame.shape[0] * frame.shape[1])
        return frame

    def export_long(self, frame: gpd.GeoDataFrame, selection: Selection) -> bytes:
        body = export.to_long_csv(self.path, frame, selection)
        work.charge(body.count(b"\n"))
        return body

    def source_titles(self, ids: object) -> str:
        """The titles of the sources ``ids`` (";"-separated) names, "; "-separated: what a table shows, not the id."""
        return "; ".join(self.source_index[i][0] for i in str(ids or "").split(";") if i in self.source_index)

    def with_source_titles(self, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """``frame`` with a ``<indicator>_source_title`` column after each ``<indicator>_source`` (a CSV names its
        sources by title; GeoJSON lists them once, see :meth:`export_metadata`)."""
        out = frame.copy()
        for column in [c for c in frame.columns if str(c).endswith("_source")]:
            titles = [self.source_titles(v) if isinstance(v, str) else "" for v in frame[column]]
            out.insert(out.columns.get_loc(column) + 1, f"{column}_title", titles)
        return out

    def export_metadata(self, frame: pd.DataFrame | None = None) -> dict:
        """Build id and attribution of an exported collection; with ``frame``, also the sources its values cite
        (the ids of every ``*_source`` and ``*_source_id`` column): {id: {title, url}}, so that a download names its sources without the site."""
        meta = export.metadata(self.folder)
        if frame is not None:
            cited = {
                i
                for c in frame.columns
                if str(c).endswith(("_source", "_source_id"))
                for ids in frame[c].dropna()
                for i in str(ids).split(";")
                if i
            }
            meta["urbanmap"]["sources"] = {
                i: {"title": self.source_index[i][0], "url": self.source_index[i][1]} for i in sorted(cited) if i in self.source_index
            }
        return meta

    # --- catalogue -------------------------------------------------------
    def indicators(self, issue: str | None = None) -> pd.DataFrame:
        cat = self.catalogue
        return cat[cat["issue"] == issue] if issue else cat

    def mapped_indicators(self, boundary: str) -> list[str]:
        """Indicators with at least one unit value in ``boundary`` (the ones worth a map); once per build and set."""
        return self.derived(("mapped_indicators", boundary), lambda s: sorted(i for i, b in s._years if b == boundary))

    def years_of(self, boundary: str) -> dict[str, list[int]]:
        """Per indicator with a value in ``boundary``: its years (as :meth:`years`)."""
        return self.derived(("years_of", boundary), lambda s: {i: y for (i, b), y in s._years.items() if b == boundary})

    def years(self, indicator: str, boundary: str) -> list[int]:
        """Years in which some unit of ``boundary`` has a preferred value of ``indicator``."""
        return self._years.get((indicator, boundary), [])

    # --- values ----------------------------------------------------------
    def snapshot(self, indicator: str, boundary: str, year: int) -> pd.DataFrame:
        """Preferred values of one indicator and year, one row per unit (index: code).

        Columns: value, value_flag, source_id, period, note, derivation, preliminary. Units
        with an incomplete aggregate are included with value NaN; where one
        year has several periods, the row without period wins, else the latest.
        """
        snapshots = self.derived(("snapshots",), Store._snapshots_of)
        found = snapshots.get((indicator, boundary, int(year)))
        if found is None:
            found = self._preferred.iloc[0:0].set_index("code")[SNAPSHOT_COLUMNS]
        work.charge(len(found))
        return found

    @staticmethod
    def _latest_preferred(store: Store) -> pd.DataFrame:
        """The preferred row of each unit, indicator, set and year (of several periods in one year, the row without
        period, else the latest), sorted by indicator, set, year, code."""
        rows = store._preferred.assign(_no_period=store._preferred["period"] == "")
        rows = rows.sort_values(["indicator", "boundary", "year", "code", "_no_period", "period"])
        return rows.groupby(["indicator", "boundary", "year", "code"], sort=False).tail(1)

    def snapshot_rows(self, indicator: str, boundary: str, year: int) -> dict[str, SnapshotRow]:
        """:meth:`snapshot` as {code: row}, made once per build: a map view reads these, never the frame (slicing
        a frame of the store costs more than the view's own work, and leaves weak references behind it)."""
        found = self.derived(("snapshot_rows",), Store._snapshot_rows_of).get((indicator, boundary, int(year)), {})
        work.charge(len(found))
        return found

    @staticmethod
    def _snapshot_rows_of(store: Store) -> dict[tuple[str, str, int], dict[str, SnapshotRow]]:
        def text(x: object) -> str:
            return x if isinstance(x, str) else ""

        out = {}
        for key, snap in store.derived(("snapshots",), Store._snapshots_of).items():
            columns = (snap[c].tolist() for c in ("value", "value_flag", "source_id", "period", "derivation", "preliminary"))
            out[key] = {
                str(code): SnapshotRow(float(v), text(f), text(s), text(p), text(d), bool(pre) if pre == pre else False)
                for code, v, f, s, p, d, pre in zip(snap.index.tolist(), *columns)
            }
        return out

    @staticmethod
    def _snapshots_of(store: Store) -> dict[tuple[str, str, int], pd.DataFrame]:
        """:meth:`snapshot` of every indicator, set and year, made in one pass over the preferred rows (one at a
        time cost a scan of every row each: 7 ms per map view never seen before)."""
        latest = store.derived(("latest_preferred",), Store._latest_preferred).set_index("code")
        return {
            (str(i), str(b), int(y)): part[SNAPSHOT_COLUMNS]
            for (i, b, y), part in latest.groupby(["indicator", "boundary", "year"], sort=False)
        }

    @staticmethod
    def _ranks_and_medians(store: Store) -> tuple[dict[tuple[str, str, int], dict[str, int]], dict[tuple[str, str, int], float]]:
        """Every snapshot's ranks among all units (as :meth:`ranks`) and median, by (indicator, set, year), in
        one pass: made one at a time, they cost a few ms per province page never seen before."""
        latest = store.derived(("latest_preferred",), Store._latest_preferred)
        latest = latest[latest["value"].notna()]
        keys = ["indicator", "boundary", "year"]
        groups = latest.groupby(keys, sort=False)["value"]
        low_is_worse = latest["indicator"].map(dict(zip(store.catalogue["indicator"], store.catalogue["higher_is_worse"] == "no")))
        rank = groups.rank(ascending=True, method="min").where(low_is_worse.astype(bool), groups.rank(ascending=False, method="min"))
        ranks: dict[tuple[str, str, int], dict[str, int]] = {}
        for i, b, y, code, r in zip(latest["indicator"], latest["boundary"], latest["year"], latest["code"], rank.astype(int)):
            ranks.setdefault((str(i), str(b), int(y)), {})[str(code)] = int(r)
        medians = {(str(i), str(b), int(y)): float(m) for (i, b, y), m in groups.median().items()}
        return ranks, medians

    def national(self, indicator: str) -> list[dict]:
        """National rows (boundary 'national') of an indicator, by year and period, as dicts (made once per store)."""
        return self.derived(("national_rows",), Store._national_rows).get(indicator, [])

    @staticmethod
    def _national_rows(store: Store) -> dict[str, list[dict]]:
        national = store.values[store.values["boundary"] == "national"]
        return {str(i): records(g.sort_values(["year", "period"])) for i, g in national.groupby("indicator")}

    def history(self, boundary: str, code: str) -> pd.DataFrame:
        """Every row (preferred first) of one unit, sorted by indicator, year, period (grouped once per store)."""
        by_unit = self.derived(("history",), Store._histories)
        rows = by_unit.get((boundary, code), self.values.iloc[0:0])
        work.charge(len(rows))
        return rows

    @staticmethod
    def _histories(store: Store) -> dict[tuple[str, str], pd.DataFrame]:
        ordered = store.values.sort_values(["indicator", "year", "period", "preferred"], ascending=[True, True, True, False])
        return {(str(b), str(c)): rows for (b, c), rows in ordered.groupby(["boundary", "code"], sort=False)}

    def latest_rows(self, boundary: str, kind: str) -> dict[str, dict[str, dict[int, dict]]]:
        """Per unit (``kind`` 'unit') or socio-economic region ('region') of ``boundary``, per indicator and year, its
        preferred row (value NaN for an incomplete region): of several periods in a year, the row without period,
        else the latest. Plain dicts with value, value_flag, period, source_id, note; made in one pass for every
        unit or region of the set, once per build (a comparison reads them)."""

        def make(store: Store) -> dict[str, dict[str, dict[int, dict]]]:
            if kind == "unit":
                rows = store.derived(("latest_preferred",), Store._latest_preferred)
                rows = rows[rows["boundary"] == boundary]
            else:
                rows = store.regions(boundary)
                rows = rows.assign(_no_period=rows["period"] == "").sort_values(["code", "indicator", "year", "_no_period", "period"])
            out: dict[str, dict[str, dict[int, dict]]] = {}
            for row in records(rows[["code", "indicator", "year", "value", "value_flag", "period", "source_id", "note"]]):
                out.setdefault(str(row["code"]), {}).setdefault(str(row["indicator"]), {})[int(row["year"])] = row  # the last wins
            return out

        return self.derived(("latest_rows", boundary, kind), make)

    def _values_among(self, indicator: str, boundary: str, year: int, among: list[str] | None) -> pd.Series:
        values = self.snapshot(indicator, boundary, year)["value"].dropna()
        return values if among is None else values[values.index.isin(among)]

    def members_2025(self) -> dict[str, list[str]]:
        """The 2008 provinces each 2025 unit was formed from, by code (once per build)."""
        units = self.units["2025"]
        return self.derived(("members_2025",), lambda s: {str(c): str(o).split(",") for c, o in zip(units["code"], units["old_codes"])})

    def median(self, indicator: str, boundary: str, year: int, among: list[str] | None = None) -> float | None:
        """Median of the units' values (of the units ``among``, when given; once per build, indicator, set and year
        when among every unit)."""
        if among is None:
            return self.derived(("ranks_and_medians",), Store._ranks_and_medians)[1].get((indicator, boundary, int(year)))
        values = self._values_among(indicator, boundary, year, among)
        return float(values.median()) if len(values) else None

    def rank_of(self, indicator: str, boundary: str, year: int, among: list[str] | None = None) -> dict[str, int]:
        """:meth:`ranks` as a dict (among every unit: from :meth:`_ranks_and_medians`, made once per build)."""
        if among is None:
            return self.derived(("ranks_and_medians",), Store._ranks_and_medians)[0].get((indicator, boundary, int(year)), {})
        return {str(c): int(r) for c, r in self.ranks(indicator, boundary, year, among).items()}

    def ranks(self, indicator: str, boundary: str, year: int, among: list[str] | None = None) -> pd.Series:
        """Rank of each unit with a value (of the units ``among``, when given), 1 = worst where the catalogue says
        which way is worse, else 1 = highest."""
        values = self._values_among(indicator, boundary, year, among)
        worse = self.catalogue.loc[indicator, "higher_is_worse"]
        ascending = worse == "no"
        return values.rank(ascending=ascending, method="min").astype(int)

    def regions(self, boundary: str) -> pd.DataFrame:
        """Every indicator aggregated to the socio-economic regions of ``boundary`` by its rule (the ETL's
        aggregation: a region has a value for a year only when all its units have one). Columns as
        indicator_values; ``code`` is the region id."""
        if boundary not in self._regions:
            units = self.units[boundary]
            groups = Groups({r: tuple(sorted(g["code"])) for r, g in units.groupby("region")}, dict(zip(units["code"], units["name_vi"])))
            rules = dict(zip(self.catalogue["indicator"], self.catalogue["aggregation"]))
            weights = {i: w for i, w in zip(self.catalogue["indicator"], self.catalogue.get("weight", pd.Series(dtype=str))) if w}
            values = self.values[self.values["boundary"] == boundary]
            area = dict(zip(units["code"], units["area_km2"]))
            self._regions[boundary] = aggregate(values, groups, rules, area, "region", weights)
        work.charge(len(self._regions[boundary]))
        return self._regions[boundary]

    def region_names(self, boundary: str) -> dict[str, str]:
        """Each socio-economic region's Vietnamese name by id (once per build and set)."""

        def make(store: Store) -> dict[str, str]:
            units = store.units[boundary]
            return dict(zip(units["region"].tolist(), units["region_vi"].tolist()))

        return self.derived(("region_names", boundary), make)

    # --- programme -------------------------------------------------------
    def directions_for(self, issue: str) -> pd.DataFrame:
        links = self.program["issue_directions"]
        ids = set(links.loc[links["issue"] == issue, "direction_id"])
        directions = self.program["program_directions"]
        return directions[directions["direction_id"].isin(ids)]

    def targets_for(self, indicator: str) -> pd.DataFrame:
        """The national targets linked to ``indicator``, by year and document (every indicator's made in one pass,
        once per build)."""
        return self.derived(("targets_by_indicator",), Store._targets_by_indicator).get(indicator, self._no_targets())

    def target_rows(self, indicator: str) -> list[dict]:
        """:meth:`targets_for` as plain rows (once per build and indicator)."""
        return self.derived(("target_rows", indicator), lambda s: records(s.targets_for(indicator)))

    def _no_targets(self) -> pd.DataFrame:
        return self.program["program_targets"].iloc[0:0]

    @staticmethod
    def _targets_by_indicator(store: Store) -> dict[str, pd.DataFrame]:
        links = store.program["indicator_links"]
        links = links[links["item_kind"] == "target"][["indicator", "item_id"]].drop_duplicates()
        targets = store.program["program_targets"].sort_values(["year", "document"], kind="stable")
        joined = links.merge(targets, left_on="item_id", right_on="target_key")
        return {
            str(indicator): targets[targets["target_key"].isin(set(part["target_key"]))] for indicator, part in joined.groupby("indicator")
        }

    def targets_for_issue(self, issue: str) -> pd.DataFrame:
        keys = set()
        for indicator in self.indicators(issue)["indicator"]:
            keys |= set(self.targets_for(indicator)["target_key"])
        targets = self.program["program_targets"]
        return targets[targets["target_key"].isin(keys)].sort_values(["year", "document"])

    def tasks_for_groups(self, groups: set[str]) -> pd.DataFrame:
        tasks = self.program["program_tasks"]
        return tasks[tasks["group_id"].isin(groups)]

    def source_refs(self, text: str) -> list[pd.Series]:
        """The programme sources (S1 ..., and E1 ... of edits made in the browser) a source_ref text cites, in order."""
        ids = dict.fromkeys(re.findall(r"\b[SE]\d+\b", text or ""))
        return [self.sources.loc[i] for i in ids if i in self.sources.index]
