"""Comparing 2-4 units, or 2-6 socio-economic regions, indicator by indicator. Plain functions over the store.

A region's value is aggregated from its units by the indicator's rule (the ETL's
:func:`etl.aggregate.aggregate`, the same code as the 2025 merger), and only when every unit of
the region has a value; otherwise it is missing and says how many of how many reported. For each
indicator one year is compared: the requested year, else the latest year in which every selected
item has a value, else the latest year in which any has; with ``year="latest"`` each item's
latest value, whatever its year (each cell shows its year).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from etl.catalogue import ISSUES
from webmap.read.profile import MIN_RANKED, gap
from webmap.read.store import Store
from webmap.render.choropleth import members_reported

MAX_UNITS, MAX_REGIONS = 4, 6

HIGHLIGHTED = 3  # indicators where the selected items differ most


@dataclass(frozen=True)
class Item:
    """A compared unit or region of one boundary set."""

    key: str
    kind: str  # "unit" | "region"
    members: tuple[str, ...]


@dataclass
class Cell:
    value: float | None
    flag: str
    year: int
    period: str
    source_id: str
    note: str
    rank: int | None = None
    ranked: int = 0
    diff_median: float | None = None
    diff_others: float | None = None
    gap: dict | None = None


@dataclass
class Row:
    indicator: str
    issue: str
    year: int
    median: float | None
    cells: list[Cell]
    spread: float = 0.0
    highlight: bool = False


@dataclass
class Comparison:
    boundary: str
    items: list[Item]
    rows: list[Row] = field(default_factory=list)

    def by_issue(self) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = {}
        for row in self.rows:
            out.setdefault(row.issue, []).append(row)
        return out


def unit_items(codes: list[str]) -> list[Item]:
    return [Item(code, "unit", (code,)) for code in codes]


def region_items(store: Store, boundary: str, regions: list[str]) -> list[Item]:
    """The regions as items, each with its units (grouped once per build and set)."""

    def make() -> dict[str, tuple[str, ...]]:
        units = store.geography.units[boundary]
        return {str(r): tuple(sorted(map(str, g["code"]))) for r, g in units.groupby("region")}

    members = store.memo.get(("region_members", boundary), make)
    return [Item(region, "region", members.get(region, ())) for region in regions]


def _tables(store: Store, item: Item, boundary: str) -> dict[str, dict[int, dict]]:
    """Per indicator and year, the preferred row of ``item`` (value may be NaN for an incomplete region)."""
    return store.values.latest_rows(boundary, "unit" if item.kind == "unit" else "region").get(item.key, {})


def _year(tables: list[dict[int, dict]], requested: int | str | None) -> int | None:
    if isinstance(requested, int):
        return requested
    with_value = [{y for y, r in t.items() if r["value"] == r["value"]} for t in tables]
    common = set.intersection(*with_value) if with_value else set()
    if common:
        return max(common)
    anywhere = set().union(*with_value) or set().union(*(set(t) for t in tables))  # else a year with incomplete aggregates
    return max(anywhere) if anywhere else None


def _cell(store: Store, item: Item, boundary: str, indicator: str, table: dict[int, dict], year: int) -> Cell:
    row = table.get(year)
    if row is None:
        return Cell(None, "", year, "", "", "no_row")
    value = None if row["value"] != row["value"] else float(row["value"])
    note = row["note"] or ""
    if value is None and item.kind == "region":
        note = members_reported(store, boundary, indicator, year, list(item.members))
    cell = Cell(value, row["value_flag"] or "", year, row["period"], row["source_id"] or "", note)
    if value is not None:
        ranks = store.values.rank_of(indicator, boundary, year) if item.kind == "unit" else _region_ranks(store, boundary, indicator, year)
        if len(ranks) >= MIN_RANKED:
            cell.rank = ranks.get(item.key)
            cell.ranked = len(ranks)
        cell.gap = gap(store, indicator, value, year)
    return cell


def _region_ranks(store: Store, boundary: str, indicator: str, year: int) -> dict[str, int]:
    """Rank of each region with a value (as :meth:`webmap.read.values.Values.ranks`): from :func:`region_ranks`."""
    return region_ranks(store, boundary).get((indicator, int(year)), {})


def region_ranks(store: Store, boundary: str) -> dict[tuple[str, int], dict[str, int]]:
    """Per (indicator, year): the rank of each region of ``boundary`` with a value (as :meth:`webmap.read.values.Values.ranks`: 1 = worst
    where the catalogue says which way is worse, else 1 = highest), in one pass, once per build and set."""

    def make() -> dict[tuple[str, int], dict[str, int]]:
        rows = store.values.regions(boundary)
        last = rows[rows["value"].notna()].groupby(["indicator", "year", "code"], sort=False)["value"].last()
        catalogue = store.values.catalogue_rows()
        ascending = [catalogue[i]["higher_is_worse"] == "no" for i in last.index.get_level_values("indicator")]
        ranks = last.where(ascending, -last).groupby(level=["indicator", "year"]).rank(method="min")
        out: dict[tuple[str, int], dict[str, int]] = {}
        for (indicator, year, code), rank in ranks.items():
            out.setdefault((str(indicator), int(year)), {})[str(code)] = int(rank)
        return out

    return store.memo.get(("region_ranks", boundary), make)


def _candidates(store: Store) -> list[str]:
    """Every indicator of the catalogue, by issue, then id (once per build)."""
    catalogue = store.values.catalogue_rows()
    return store.memo.get(("compare_candidates",), lambda: sorted(catalogue, key=lambda i: (ISSUES.index(catalogue[i]["issue"]), i)))


def compare(
    store: Store, boundary: str, items: list[Item], indicators: list[str] | None = None, year: int | str | None = None
) -> Comparison:
    """The comparison table of ``items`` (see module docstring for the year rule)."""
    result = Comparison(boundary, items)
    catalogue = store.values.catalogue_rows()
    per_item = [_tables(store, item, boundary) for item in items]
    for indicator in indicators or _candidates(store):
        tables = [found.get(indicator, {}) for found in per_item]
        chosen = _year(tables, year)
        if chosen is None:
            continue
        if year == "latest":
            cells = [_cell(store, item, boundary, indicator, table, _year([table], None) or chosen) for item, table in zip(items, tables)]
        else:
            cells = [_cell(store, item, boundary, indicator, table, chosen) for item, table in zip(items, tables)]
        enough = len(store.values.rank_of(indicator, boundary, chosen)) >= MIN_RANKED
        median = store.values.median(indicator, boundary, chosen) if enough else None  # of fewer units it says nothing
        _differences(cells, median)
        result.rows.append(Row(indicator, catalogue[indicator]["issue"], chosen, median, cells))
    _highlight(result.rows)
    return result


def _differences(cells: list[Cell], median: float | None) -> None:
    """Each value's difference from the median of all units and from the mean of the other selected items."""
    for cell in cells:
        if cell.value is None:
            continue
        if median is not None:
            cell.diff_median = cell.value - median
        others = [c.value for c in cells if c is not cell and c.value is not None]
        if others:
            cell.diff_others = cell.value - sum(others) / len(others)


def _highlight(rows: list[Row]) -> None:
    """Mark the indicators where the items differ most: (max - min) relative to the median of units (or the largest value)."""
    for row in rows:
        values = [c.value for c in row.cells if c.value is not None]
        if len(values) < 2:
            continue
        scale = abs(row.median) if row.median else max(abs(v) for v in values)
        row.spread = (max(values) - min(values)) / scale if scale else 0.0
    for row in sorted((r for r in rows if r.spread > 0), key=lambda r: -r.spread)[:HIGHLIGHTED]:
        row.highlight = True


def chart_positions(row: Row) -> dict:
    """Positions (0-100 %) of each item's value and of the median on one scale from 0 (or the minimum) to the maximum."""
    values = [c.value for c in row.cells if c.value is not None] + ([row.median] if row.median is not None else [])
    if not values:
        return {"items": [None for _ in row.cells], "median": None}
    low, high = min(0.0, min(values)), max(values)
    span = (high - low) or 1.0

    def pos(v: float | None) -> float | None:
        return None if v is None or math.isnan(v) else round(100 * (v - low) / span, 2)

    return {"items": [pos(c.value) for c in row.cells], "median": pos(row.median)}
