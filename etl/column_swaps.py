"""Columns of a published table that look swapped in one year: reported, never corrected.

A statistics office's export sometimes puts two columns of one year in each
other's place (GSO's health-establishments table, 2016: the polyclinics of
2015 appear under sanatoria and the reverse). For two indicators of the same
table and unit, a province "looks swapped" in year y when its pair of values
(a_y, b_y) lies nearer to the previous year's pair reversed (b_{y-1}, a_{y-1})
than to that pair as it was. When most of the provinces whose two values
differ look so (at least :data:`MIN_PROVINCES` and :data:`SHARE` of them), the
build warns, naming the table, the year and both columns; the values stay as
published.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from etl.csv_rows import CsvRow
from etl.problems import WARNING, Report

MIN_PROVINCES = 5
SHARE = 0.6


def check_swaps(rows: dict[str, list[CsvRow]], report: Report) -> int:
    """Warn for every table, year and pair of columns that look swapped against the year before; return how many.

    ``rows``: table name -> spreadsheet-numbered tidy rows (indicator, province_code, year, value, unit, note).
    """
    found = 0
    for name, numbered in sorted(rows.items()):
        series: dict[str, dict[tuple[str, int], float]] = defaultdict(dict)
        units: dict[str, str] = {}
        columns: dict[tuple[str, int], str] = {}
        names: dict[str, str] = {}
        for _number, r in numbered:
            names[r["province_code"]] = r["province_name_vi"]
            series[r["indicator"]][(r["province_code"], int(r["year"]))] = float(r["value"])
            units[r["indicator"]] = r["unit"]
            columns.setdefault((r["indicator"], int(r["year"])), _column_of(r["note"]))
        for a, b in combinations(sorted(series), 2):
            if units[a] != units[b]:
                continue
            for year in sorted({y for _, y in series[a]}):
                swapped, compared = _swapped(series[a], series[b], year)
                if compared >= MIN_PROVINCES and len(swapped) >= SHARE * compared:
                    found += 1
                    report.add(
                        name,
                        None,
                        f"{columns.get((a, year), a)} / {columns.get((b, year), b)}",
                        f"in {year} the columns of {a} and {b} look swapped: {len(swapped)} of {compared} provinces give "
                        f"{year - 1}'s values of each in the other's column (e.g. {', '.join(names[c] for c in swapped[:3])}); imported as published",
                        "check the table against its publisher's yearbook; correct it at the source, not here",
                        WARNING,
                    )
    return found


def _swapped(a: dict[tuple[str, int], float], b: dict[tuple[str, int], float], year: int) -> tuple[list[str], int]:
    """(provinces that look swapped in ``year``, provinces compared: with both values in both years, differing)."""
    swapped, compared = [], 0
    for code in sorted({c for c, y in a if y == year}):
        keys = [(code, year), (code, year - 1)]
        if any(k not in a or k not in b for k in keys) or a[keys[1]] == b[keys[1]]:
            continue
        (a_now, b_now), (a_before, b_before) = [(a[k], b[k]) for k in keys]
        compared += 1
        kept = abs(a_now - a_before) + abs(b_now - b_before)
        crossed = abs(a_now - b_before) + abs(b_now - a_before)
        if crossed < kept:
            swapped.append(code)
    return swapped, compared


def _column_of(note: str) -> str:
    """The column an imported row's note names ('… column "2016 Regional polyclinic"'), or ""."""
    head, sep, tail = note.partition(', column "')
    return tail.split('"', 1)[0] if sep else ""
