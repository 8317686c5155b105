"""The provinces of a published table against the publisher's own national table (``[[national]]`` in a mapping).

A province table may cover less than the whole country (GSO's health tables count only establishments under
provincial departments of health: central hospitals are not in them), or a slightly different scope (road
passengers). For each national figure a mapping names, the provinces' sum of every year in which the table gives
all the units of the set is compared with the national table's figure of that year: the build logs the share
(the sum as a percentage of the national figure, its range over the years) and warns where the provinces sum to
more than the whole country by more than rounding (:data:`TOLERANCE` of the figure plus half its last printed
digit), which a part of the country cannot.

National tables come in two layouts: years as header columns and the figure in the row whose label cells
are ``row`` ("Number (Thous. Beds)", "TOTAL"); or years as rows (a "Year" column) and the figure in ``column``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from etl.catalogue import Catalogue
from etl.csv_rows import CsvRow
from etl.importer.labels import clean_text, read_label
from etl.importer.numbers import NumberError, parse_number
from etl.importer.spec import NationalFigure
from etl.importer.tables import Cell, TableError, read_grid
from etl.messages import Message
from etl.names import fold
from etl.problems import WARNING, Report

TOLERANCE = 0.005
_YEAR_HEADINGS = {"year", "years", "nam"}


@dataclass(frozen=True)
class NationalCheck:
    """One national figure to check: the mapped table (its display name), the national table's path, what to read."""

    table: str
    path: Path
    figure: NationalFigure


def check_national(
    checks: list[NationalCheck], rows: dict[str, list[CsvRow]], catalogue: Catalogue, units: int, report: Report
) -> list[str]:
    """One line per national figure saying how the provinces' sums compare with it; warnings in ``report``."""
    lines = []
    for check in checks:
        figure = check.figure
        factor = catalogue.factor(figure.indicator, figure.unit) if figure.indicator in catalogue.indicators else None
        if factor is None:
            report.add(
                check.table,
                None,
                "national",
                f'unit "{figure.unit}" of the national figure cannot be converted to the catalogue unit of "{figure.indicator}"',
                "correct the unit or the indicator, or add the conversion to catalogue/units.csv",
            )
            continue
        try:
            national = national_series(check.path, figure)
        except TableError as exc:
            report.add(check.path.name, None, None, str(exc.message), str(exc.fix))
            continue
        sums = _province_sums(rows.get(check.table, []), figure.indicator, units)
        years = sorted(set(sums) & set(national))
        if not years:
            lines.append(f"{check.table}: {figure.indicator}: no year in which every unit and {check.path.name} have a figure")
            continue
        shares = {}
        for year in years:
            whole, decimals = national[year]
            whole_value = float(whole * factor)
            shares[year] = sums[year] / whole_value
            slack = TOLERANCE * whole_value + 0.5 * 10.0**-decimals * float(factor)
            if sums[year] > whole_value + slack:
                report.add(
                    check.table,
                    None,
                    figure.indicator,
                    f"the {units} provinces sum to {sums[year]:,.6g} for {year}, more than the whole country in "
                    f"{check.path.name} ({whole_value:,.6g}, {' / '.join(figure.row)}{' / ' + figure.column if figure.column else ''})",
                    "check both tables: a part of the country cannot exceed the whole",
                    WARNING,
                )
        last = years[-1]
        lines.append(
            f"{check.table}: {figure.indicator}: the provinces sum to {shares[last]:.1%} of {check.path.name} in {last} "
            f"({sums[last]:,.0f} against {float(national[last][0] * factor):,.0f}); {years[0]}–{last}: "
            f"{min(shares.values()):.1%}–{max(shares.values()):.1%}"
        )
    return lines


def _province_sums(rows: list[CsvRow], indicator: str, units: int) -> dict[int, float]:
    """year -> the sum of the table's province values of ``indicator`` (set 2008), for years giving all ``units``."""
    by_year: dict[int, dict[str, float]] = defaultdict(dict)
    for _number, r in rows:
        if r["indicator"] == indicator and r["boundary"] == "2008":
            by_year[int(r["year"])][r["province_code"]] = float(r["value"])
    return {year: sum(values.values()) for year, values in by_year.items() if len(values) >= units}


def national_series(path: Path, figure: NationalFigure) -> dict[int, tuple[Decimal, int]]:
    """year -> (figure as printed, its decimals) from the national table at ``path``; TableError if it is not there."""
    grid = read_grid(path).rows
    header_at = next((i for i, row in enumerate(grid) if _years_of(row) or _year_column(row) is not None), None)
    if header_at is None:
        raise TableError(Message("{name}: no header with years or a Year column", name=path.name), Message("check the national table"))
    header, wanted = grid[header_at], tuple(_key(t) for t in figure.row)
    found: dict[int, tuple[Decimal, int]] = {}
    year_column = _year_column(header)
    if figure.column is None:
        years = _years_of(header)
        first = min(years)
        for row in grid[header_at + 1 :]:
            if tuple(_key(str(c)) for c in row[:first] if str(c).strip()) == wanted:
                found = {year: value for j, year in years.items() if (value := _number(row[j])) is not None}
                break
    elif year_column is not None:
        value_column = next((j for j, c in enumerate(header) if _key(str(c)) == _key(figure.column)), None)
        if value_column is None:
            raise TableError(
                Message('{name}: no column "{column}"', name=path.name, column=figure.column), Message("name a column of its header")
            )
        for row in grid[header_at + 1 :]:
            labels = tuple(_key(str(c)) for j, c in enumerate(row[: min(year_column, value_column)]) if str(c).strip())
            year = read_label(str(row[year_column]), {}).year
            if labels == wanted and year is not None and (value := _number(row[value_column])) is not None:
                found[year] = value
    if not found:
        raise TableError(
            Message('{name}: no figure in the row "{row}"', name=path.name, row=" / ".join(figure.row)),
            Message("give the row's label cells as printed"),
        )
    return found


def _years_of(row: list[Cell]) -> dict[int, int]:
    """column -> year for the header cells that are years only ("2015", "Prel. 2016"); empty unless at least two."""
    years = {}
    for j, cell in enumerate(row):
        info = read_label(str(cell), {})
        if info.year is not None and not info.text:
            years[j] = info.year
    return years if len(years) >= 2 else {}


def _year_column(row: list[Cell]) -> int | None:
    return next((j for j, c in enumerate(row) if _key(str(c)) in _YEAR_HEADINGS), None)


def _number(cell: Cell) -> tuple[Decimal, int] | None:
    try:
        parsed = parse_number(cell, ".")
    except NumberError:
        return None
    if parsed is None:
        return None
    text = clean_text(str(cell))
    return parsed.value, len(text.split(".")[1]) if "." in text else 0


def _key(text: str) -> str:
    return " ".join(fold(clean_text(text)).split())
