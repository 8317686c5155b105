"""The geography of a loaded build: boundary sets, their units and names (in Vietnamese order), neighbours, boxes,
ward sets and the merger of 2025.

Layers read: ``provinces_2025``, ``provinces_2008`` (without geometry after their boxes and neighbours are made),
``boundary_sets`` and each ward-level set (schema 1.3 on), ``merger_2025``, ``unit_aliases`` (schema 1.4 on).
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from etl.geometry import focus_bounds
from etl.names import vietnamese_key
from webmap.read.memo import Memo

BOUNDARIES = ("2025", "2008")
UNIT_COLUMNS = ["code", "name_vi", "name_en", "kind", "region", "region_vi", "area_km2"]
WARD_COLUMNS = [*UNIT_COLUMNS, "full_name_vi", "full_name_en", "parent_code", "area_km2_published"]

Reader = Callable[..., pd.DataFrame]  # (layer name, **pyogrio options) -> the layer


class Geography:
    """Units of every boundary set of one build, what they are called and where they lie."""

    def __init__(self, read: Reader, layers: set[str], memo: Memo) -> None:
        """Read the units of ``layers`` (the build's layer names) with ``read``; derived values go into ``memo``."""
        self._memo = memo
        self.units: dict[str, pd.DataFrame] = {}
        self.neighbours: dict[str, dict[str, list[str]]] = {}
        self.bounds: dict[str, dict[str, list[float]]] = {}  # per unit: the box a map of it is fitted to
        self.extent: dict[str, list[float]] = {}  # per set: the box around every unit, islands included
        for boundary in BOUNDARIES:
            extra = ["unit_2025"] if boundary == "2008" else ["old_codes", "area_km2_published"]
            full = read(f"provinces_{boundary}", columns=UNIT_COLUMNS + extra)  # pyogrio skips absent columns
            if "area_km2_published" not in full:
                full["area_km2_published"] = np.nan
            self.units[boundary] = pd.DataFrame(full.drop(columns="geometry")).set_index("code", drop=False)
            self.bounds[boundary] = {c: list(np.round(focus_bounds(g), 4)) for c, g in zip(full["code"], full.geometry.values)}
            self.neighbours[boundary] = _touching(full)
            self.extent[boundary] = [round(float(v), 7) for v in shapely.total_bounds(full.geometry.values)]
        self._read_ward_sets(read, layers)
        self.merger = read("merger_2025")
        # other names of units (stores of schema 1.4 on): abbreviations and English forms, for the search
        self.aliases = read("unit_aliases") if "unit_aliases" in layers else pd.DataFrame(columns=["boundary", "code", "alias"])

    def _read_ward_sets(self, read: Reader, layers: set[str]) -> None:
        """The ward-level sets (stores of schema 1.3 on): units, children per parent (in Vietnamese name order), boxes."""
        self.sets = read("boundary_sets").set_index("set", drop=False) if "boundary_sets" in layers else pd.DataFrame()
        self.ward_sets: list[str] = [str(s) for s in self.sets.index if self.sets.loc[s, "level"] == "ward"] if len(self.sets) else []
        self.children: dict[str, dict[str, list[str]]] = {}
        for name in self.ward_sets:
            full = read(name, columns=WARD_COLUMNS)
            units = pd.DataFrame(full.drop(columns="geometry")).set_index("code", drop=False)
            self.units[name] = units
            self.bounds[name] = dict(zip(full["code"], np.round(shapely.bounds(full.geometry.values), 4).tolist()))
            self.extent[name] = [round(float(v), 7) for v in shapely.total_bounds(full.geometry.values)]
            order = sorted(zip(units["parent_code"], units["name_vi"], units["code"]), key=lambda u: (u[0], vietnamese_key(u[1]), u[2]))
            for parent, _, code in order:
                self.children.setdefault(name, {}).setdefault(str(parent), []).append(str(code))

    def parent_set(self, ward_set: str) -> str:
        """The province set a ward-level set lies in."""
        return str(self.sets.loc[ward_set, "parent_set"])

    def ward_set_in(self, boundary: str) -> str | None:
        """The (first declared) ward-level set whose parent is province set ``boundary``, or None."""
        return next((w for w in self.ward_sets if self.parent_set(w) == boundary), None)

    def names(self, boundary: str, lang: str) -> dict[str, str]:
        """Each unit's name in ``lang`` by code (once per build, set and language): the English name where there is
        one and ``lang`` is 'en', else the Vietnamese. Units of a ward-level set by full name ("Phường Cái Khế")."""

        def make() -> dict[str, str]:
            units = self.units[boundary]
            vi, en = ("full_name_vi", "full_name_en") if "full_name_vi" in units else ("name_vi", "name_en")
            chosen = units[en].where((units[en] != "") & units[en].notna(), units[vi]) if lang == "en" else units[vi]
            return dict(zip(units["code"].astype(str), chosen.astype(str)))

        return self._memo.get(("names", boundary, lang), make)

    def codes(self, boundary: str) -> list[str]:
        """The codes of the units of ``boundary`` in the store's order (once per build and set; not to be changed)."""
        return self._memo.get(("codes", boundary), lambda: [str(c) for c in self.units[boundary].index])

    def name_order(self, boundary: str, lang: str) -> dict[str, int]:
        """Each unit's position when the units of ``boundary`` are listed by name in ``lang``, in Vietnamese
        alphabetical order (a ă â b c d đ …, then tones), by code (once per build, set and language)."""

        def make() -> dict[str, int]:
            names = self.names(boundary, lang)
            return {code: i for i, code in enumerate(sorted(names, key=lambda c: (vietnamese_key(names[c]), c)))}

        return self._memo.get(("name_order", boundary, lang), make)

    def members_2025(self) -> dict[str, list[str]]:
        """The 2008 provinces each 2025 unit was formed from, by code (once per build)."""
        units = self.units["2025"]
        return self._memo.get(("members_2025",), lambda: {str(c): str(o).split(",") for c, o in zip(units["code"], units["old_codes"])})

    def region_names(self, boundary: str) -> dict[str, str]:
        """Each socio-economic region's Vietnamese name by id (once per build and set)."""

        def make() -> dict[str, str]:
            units = self.units[boundary]
            return dict(zip(units["region"].tolist(), units["region_vi"].tolist()))

        return self._memo.get(("region_names", boundary), make)


def _touching(frame: gpd.GeoDataFrame) -> dict[str, list[str]]:
    """Each unit's neighbours (units whose outlines touch or overlap its own), by code, sorted."""
    tree = shapely.STRtree(frame.geometry.values)
    left, right = tree.query(frame.geometry.values, predicate="intersects")
    codes = frame["code"].to_numpy()
    out: dict[str, list[str]] = {c: [] for c in codes}
    for a, b in zip(left, right):
        if a != b:
            out[codes[a]].append(codes[b])
    return {c: sorted(n) for c, n in out.items()}
