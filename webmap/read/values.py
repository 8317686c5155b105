"""The values of a loaded build: the indicator catalogue, every value, and what pages ask of them -- years with data,
snapshots, ranks and medians, national rows, each unit's history and latest rows, regional aggregates.

Layers read: ``indicator_values`` (long form, one preferred row per key), ``indicators`` (the catalogue).
A *snapshot* is the preferred values of one indicator, boundary set and year, one row per unit.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pyogrio

from etl.aggregate import Groups, aggregate
from etl.catalogue import Ratio
from etl.store import open_build
from etl.value_keys import KEY
from webmap.read import work
from webmap.read.geography import BOUNDARIES, Geography, Reader
from webmap.read.memo import Memo, records

SNAPSHOT_COLUMNS = ["value", "value_flag", "source_id", "period", "note", "derivation", "preliminary"]
SnapshotKey = tuple[str, str, int]  # (indicator, boundary set, year)


def preferred_values(data_dir: Path) -> pd.Series:
    """The preferred values of the build ``data_dir`` stands for (a build folder, or an output directory's
    ``current``), verified as a :class:`~webmap.read.store.Store` is, indexed by the value key (boundary, code,
    indicator, year, period); NaN where a value is missing. Only the ``indicator_values`` layer is read: what a
    publication changed is the difference of two of these (about 0.05 s for 10,000 values)."""
    found = open_build(data_dir)
    frame = pyogrio.read_dataframe(found.store, layer="indicator_values", columns=[*KEY, "value", "preferred"], read_geometry=False)
    return preferred_series(frame)


def preferred_series(frame: pd.DataFrame) -> pd.Series:
    """``value`` of the preferred rows of an ``indicator_values`` frame, indexed by the value key (the first row of
    a key where a damaged build would hold two)."""
    preferred = frame[frame["preferred"].astype(bool)].copy()
    preferred["year"] = preferred["year"].astype(int)
    values = preferred.set_index(KEY)["value"].astype(float)
    return values[~values.index.duplicated()]


class SnapshotRow(NamedTuple):
    """One unit's row of a snapshot as plain Python (:meth:`Values.snapshot_rows`); texts are "" where empty."""

    value: float  # NaN: an aggregate with missing members
    flag: str
    source_id: str
    period: str
    derivation: str
    preliminary: bool


class Values:
    """The catalogue and every value of one build, and the tables derived from them (each made once per build)."""

    def __init__(self, read: Reader, geography: Geography, memo: Memo) -> None:
        self._geography = geography
        self._memo = memo
        self.frame = read("indicator_values")
        self.frame["year"] = self.frame["year"].astype(int)
        if "preliminary" not in self.frame:  # stores of schema 1.0 have no preliminary marker
            self.frame["preliminary"] = False
        self.frame["preliminary"] = self.frame["preliminary"].astype(bool)
        self.catalogue = read("indicators").set_index("indicator", drop=False)
        self._preferred = self.frame[self.frame["preferred"].astype(bool)]
        with_value = self._preferred[self._preferred["value"].notna()]
        self._years = {(str(i), str(b)): sorted({int(y) for y in g["year"]}) for (i, b), g in with_value.groupby(["indicator", "boundary"])}
        self._regions: dict[str, pd.DataFrame] = {}

    def prepare(self) -> None:
        """Make what most views use at once: every snapshot, unit history, latest row, ranks and medians, national
        rows and the catalogue rows."""
        self._snapshots()
        self._snapshot_rows()
        self._histories()
        self._national_rows()
        self._ranks_and_medians()
        self.catalogue_rows()
        for boundary in BOUNDARIES:
            for kind in ("unit", "region"):
                self.latest_rows(boundary, kind)

    # --- catalogue -------------------------------------------------------
    def catalogue_rows(self) -> dict[str, dict]:
        """The catalogue as plain rows by indicator id (made once per build): lookups without pandas per request."""
        return self._memo.get(("catalogue_rows",), lambda: {r["indicator"]: r for r in records(self.catalogue)})

    def indicators(self, issue: str | None = None) -> pd.DataFrame:
        """The catalogue's rows of ``issue`` (every row without one)."""
        cat = self.catalogue
        return cat[cat["issue"] == issue] if issue else cat

    def mapped_indicators(self, boundary: str) -> list[str]:
        """Indicators with at least one unit value in ``boundary`` (the ones worth a map); once per build and set."""
        return self._memo.get(("mapped_indicators", boundary), lambda: sorted(i for i, b in self._years if b == boundary))

    def years_of(self, boundary: str) -> dict[str, list[int]]:
        """Per indicator with a value in ``boundary``: its years (as :meth:`years`)."""
        return self._memo.get(("years_of", boundary), lambda: {i: y for (i, b), y in self._years.items() if b == boundary})

    def preferred(self) -> pd.Series:
        """Every preferred value, indexed by the value key (:func:`preferred_series`): what a submission is
        compared with."""
        return self._memo.get(("preferred_series",), lambda: preferred_series(self.frame))

    def years(self, indicator: str, boundary: str) -> list[int]:
        """Years in which some unit of ``boundary`` has a preferred value of ``indicator``."""
        return self._years.get((indicator, boundary), [])

    # --- snapshots -------------------------------------------------------
    def snapshot(self, indicator: str, boundary: str, year: int) -> pd.DataFrame:
        """Preferred values of one indicator and year, one row per unit (index: code).

        Columns: value, value_flag, source_id, period, note, derivation, preliminary. Units
        with an incomplete aggregate are included with value NaN; where one
        year has several periods, the row without period wins, else the latest.
        """
        found = self._snapshots().get((indicator, boundary, int(year)))
        if found is None:
            found = self._preferred.iloc[0:0].set_index("code")[SNAPSHOT_COLUMNS]
        work.charge(len(found))
        return found

    def snapshot_rows(self, indicator: str, boundary: str, year: int) -> dict[str, SnapshotRow]:
        """:meth:`snapshot` as {code: row}, made once per build: a map view reads these, never the frame (slicing
        a frame of the store costs more than the view's own work, and leaves weak references behind it)."""
        found = self._snapshot_rows().get((indicator, boundary, int(year)), {})
        work.charge(len(found))
        return found

    def _latest_preferred(self) -> pd.DataFrame:
        """The preferred row of each unit, indicator, set and year (of several periods in one year, the row without
        period, else the latest), sorted by indicator, set, year, code."""

        def make() -> pd.DataFrame:
            rows = self._preferred.assign(_no_period=self._preferred["period"] == "")
            rows = rows.sort_values(["indicator", "boundary", "year", "code", "_no_period", "period"])
            return rows.groupby(["indicator", "boundary", "year", "code"], sort=False).tail(1)

        return self._memo.get(("latest_preferred",), make)

    def _snapshots(self) -> dict[SnapshotKey, pd.DataFrame]:
        """:meth:`snapshot` of every indicator, set and year, made in one pass over the preferred rows (one at a
        time cost a scan of every row each: 7 ms per map view never seen before)."""

        def make() -> dict[SnapshotKey, pd.DataFrame]:
            latest = self._latest_preferred().set_index("code")
            return {
                (str(i), str(b), int(y)): part[SNAPSHOT_COLUMNS]
                for (i, b, y), part in latest.groupby(["indicator", "boundary", "year"], sort=False)
            }

        return self._memo.get(("snapshots",), make)

    def _snapshot_rows(self) -> dict[SnapshotKey, dict[str, SnapshotRow]]:
        def text(x: object) -> str:
            return x if isinstance(x, str) else ""

        def make() -> dict[SnapshotKey, dict[str, SnapshotRow]]:
            out = {}
            for key, snap in self._snapshots().items():
                columns = (snap[c].tolist() for c in ("value", "value_flag", "source_id", "period", "derivation", "preliminary"))
                out[key] = {
                    str(code): SnapshotRow(float(v), text(f), text(s), text(p), text(d), bool(pre) if pre == pre else False)
                    for code, v, f, s, p, d, pre in zip(snap.index.tolist(), *columns)
                }
            return out

        return self._memo.get(("snapshot_rows",), make)

    # --- ranks and medians -----------------------------------------------
    def _ranks_and_medians(self) -> tuple[dict[SnapshotKey, dict[str, int]], dict[SnapshotKey, float]]:
        """Every snapshot's ranks among all units (as :meth:`ranks`) and median, by (indicator, set, year), in
        one pass: made one at a time, they cost a few ms per province page never seen before."""

        def make() -> tuple[dict[SnapshotKey, dict[str, int]], dict[SnapshotKey, float]]:
            latest = self._latest_preferred()
            latest = latest[latest["value"].notna()]
            keys = ["indicator", "boundary", "year"]
            groups = latest.groupby(keys, sort=False)["value"]
            catalogue = self.catalogue
            low_is_worse = latest["indicator"].map(dict(zip(catalogue["indicator"], catalogue["higher_is_worse"] == "no")))
            rank = groups.rank(ascending=True, method="min").where(low_is_worse.astype(bool), groups.rank(ascending=False, method="min"))
            ranks: dict[SnapshotKey, dict[str, int]] = {}
            for i, b, y, code, r in zip(latest["indicator"], latest["boundary"], latest["year"], latest["code"], rank.astype(int)):
                ranks.setdefault((str(i), str(b), int(y)), {})[str(code)] = int(r)
            medians = {(str(i), str(b), int(y)): float(m) for (i, b, y), m in groups.median().items()}
            return ranks, medians

        return self._memo.get(("ranks_and_medians",), make)

    def _values_among(self, indicator: str, boundary: str, year: int, among: list[str] | None) -> pd.Series:
        values = self.snapshot(indicator, boundary, year)["value"].dropna()
        return values if among is None else values[values.index.isin(among)]

    def median(self, indicator: str, boundary: str, year: int, among: list[str] | None = None) -> float | None:
        """Median of the units' values (of the units ``among``, when given; once per build, indicator, set and year
        when among every unit)."""
        if among is None:
            return self._ranks_and_medians()[1].get((indicator, boundary, int(year)))
        values = self._values_among(indicator, boundary, year, among)
        return float(values.median()) if len(values) else None

    def rank_of(self, indicator: str, boundary: str, year: int, among: list[str] | None = None) -> dict[str, int]:
        """:meth:`ranks` as a dict (among every unit: from :meth:`_ranks_and_medians`, made once per build)."""
        if among is None:
            return self._ranks_and_medians()[0].get((indicator, boundary, int(year)), {})
        return {str(c): int(r) for c, r in self.ranks(indicator, boundary, year, among).items()}

    def ranks(self, indicator: str, boundary: str, year: int, among: list[str] | None = None) -> pd.Series:
        """Rank of each unit with a value (of the units ``among``, when given), 1 = worst where the catalogue says
        which way is worse, else 1 = highest."""
        values = self._values_among(indicator, boundary, year, among)
        worse = self.catalogue.loc[indicator, "higher_is_worse"]
        ascending = worse == "no"
        return values.rank(ascending=ascending, method="min").astype(int)

    # --- national rows, histories, latest rows, regions ------------------
    def national(self, indicator: str) -> list[dict]:
        """National rows (boundary 'national') of an indicator, by year and period, as dicts (made once per build)."""
        return self._national_rows().get(indicator, [])

    def _national_rows(self) -> dict[str, list[dict]]:
        def make() -> dict[str, list[dict]]:
            national = self.frame[self.frame["boundary"] == "national"]
            return {str(i): records(g.sort_values(["year", "period"])) for i, g in national.groupby("indicator")}

        return self._memo.get(("national_rows",), make)

    def history(self, boundary: str, code: str) -> pd.DataFrame:
        """Every row (preferred first) of one unit, sorted by indicator, year, period (grouped once per build)."""
        rows = self._histories().get((boundary, code), self.frame.iloc[0:0])
        work.charge(len(rows))
        return rows

    def _histories(self) -> dict[tuple[str, str], pd.DataFrame]:
        def make() -> dict[tuple[str, str], pd.DataFrame]:
            ordered = self.frame.sort_values(["indicator", "year", "period", "preferred"], ascending=[True, True, True, False])
            return {(str(b), str(c)): rows for (b, c), rows in ordered.groupby(["boundary", "code"], sort=False)}

        return self._memo.get(("history",), make)

    def latest_rows(self, boundary: str, kind: str) -> dict[str, dict[str, dict[int, dict]]]:
        """Per unit (``kind`` 'unit') or socio-economic region ('region') of ``boundary``, per indicator and year, its
        preferred row (value NaN for an incomplete region): of several periods in a year, the row without period,
        else the latest. Plain dicts with value, value_flag, period, source_id, note; made in one pass for every
        unit or region of the set, once per build (a comparison reads them)."""

        def make() -> dict[str, dict[str, dict[int, dict]]]:
            if kind == "unit":
                rows = self._latest_preferred()
                rows = rows[rows["boundary"] == boundary]
            else:
                rows = self.regions(boundary)
                rows = rows.assign(_no_period=rows["period"] == "").sort_values(["code", "indicator", "year", "_no_period", "period"])
            out: dict[str, dict[str, dict[int, dict]]] = {}
            for row in records(rows[["code", "indicator", "year", "value", "value_flag", "period", "source_id", "note"]]):
                out.setdefault(str(row["code"]), {}).setdefault(str(row["indicator"]), {})[int(row["year"])] = row  # the last wins
            return out

        return self._memo.get(("latest_rows", boundary, kind), make)

    def yearly_series(self, indicator: str, boundary: str, kind: str = "unit") -> dict[str, list[tuple[int, float, bool]]]:
        """Per unit (``kind`` "unit") or region ("region") of ``boundary``: its preferred yearly values of ``indicator``
        (no period) as (year, value, preliminary), by year; made once per build, indicator, set and kind."""

        def make() -> dict[str, list[tuple[int, float, bool]]]:
            frame = self.frame[self.frame["boundary"] == boundary] if kind == "unit" else self.regions(boundary)
            rows = frame[(frame["indicator"] == indicator) & (frame["period"] == "") & frame["value"].notna()]
            if kind == "unit":
                rows = rows[rows["preferred"].astype(bool)]
            out: dict[str, list[tuple[int, float, bool]]] = {}
            for code, year, value, preliminary in zip(rows["code"], rows["year"], rows["value"], rows["preliminary"]):
                out.setdefault(str(code), []).append((int(year), float(value), bool(preliminary)))
            return {code: sorted(points) for code, points in out.items()}

        return self._memo.get(("yearly_series", indicator, boundary, kind), make)

    def regions(self, boundary: str) -> pd.DataFrame:
        """Every indicator aggregated to the socio-economic regions of ``boundary`` by its rule (the ETL's
        aggregation: a region has a value for a year only when all its units have one). Columns as
        indicator_values; ``code`` is the region id."""
        if boundary not in self._regions:
            units = self._geography.units[boundary]
            groups = Groups({r: tuple(sorted(g["code"])) for r, g in units.groupby("region")}, dict(zip(units["code"], units["name_vi"])))
            rules = dict(zip(self.catalogue["indicator"], self.catalogue["aggregation"]))
            weights = {i: w for i, w in zip(self.catalogue["indicator"], self.catalogue.get("weight", pd.Series(dtype=str))) if w}
            formulas = zip(self.catalogue["indicator"], self.catalogue.get("derive", pd.Series(dtype=str)))
            ratios = {i: ratio for i, text in formulas if text and (ratio := Ratio.parse(str(text))) is not None}
            values = self.frame[self.frame["boundary"] == boundary]
            area = dict(zip(units["code"], units["area_km2"]))
            self._regions[boundary] = aggregate(values, groups, rules, area, "region", weights, ratios)
        work.charge(len(self._regions[boundary]))
        return self._regions[boundary]
