"""The value cells of a table's data rows: each row's unit resolved, each value parsed, checked against the
catalogue and the boundary set's years, and converted to the catalogue's unit (for :class:`TableImporter`)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from etl.importer.labels import LabelInfo, clean_text
from etl.importer.numbers import NumberError, parse_number
from etl.importer.results import TotalRow, ValueColumn
from etl.importer.tables import Cell
from etl.indicators import FIRST_YEAR, YEAR_RANGE
from etl.messages import Message, message_of
from etl.names import Aggregate, Former, Match, UnresolvedName

if TYPE_CHECKING:
    from etl.importer.table_import import TableImporter


class RowReader:
    """Reads the value cells of data rows: resolves the row's unit, parses, checks and converts each value."""

    def __init__(self, importer: TableImporter, columns: list[ValueColumn], decimal: str) -> None:
        self.t = importer
        self.columns = columns
        self.decimal = decimal
        self.out: list[tuple[int, dict[str, str]]] = []
        self.places: list[tuple[str, str]] = []  # (value column, unit column) of each row of out, as the table labels them
        self._where = ""
        self.seen: dict[tuple, tuple[int, Decimal]] = {}
        self.provinces: list[str] = []
        self.region: tuple[int, list[Cell], str, str] | None = None
        self.region_members: list[str] = []
        self.national: list[tuple[int, list[Cell], str, str]] = []
        self.outside: dict[str, set[int]] = {}
        self.no_year: set[str] = set()

    def read(self, number: int, row: list[Cell], label: str, row_year: LabelInfo | None, province_column: int | None) -> None:
        t = self.t
        years = [self._year(c, row_year) for c in self.columns]
        known = [y for y in years if y is not None]
        where = t.layout.label(province_column) if province_column is not None else "--province"
        self._where = where if province_column is not None else ""
        several = len(set(known)) > 1  # then the name is resolved for each year (it may mean another unit after 2025)
        try:
            match = t.resolver.resolve(label, t.spec.boundary, None if several else (known[0] if known else None))
        except UnresolvedName as exc:
            if not several:
                t.report.add(t.name, number, where, exc.message, exc.fix)
            match = None
        if isinstance(match, Aggregate):
            self._aggregate_row(number, row, match)
            return
        if isinstance(match, Former):
            self._former_row(number, row, clean_text(label), match, years, where)
            return
        for column, year in zip(self.columns, years):
            if year is None:
                if column.label not in self.no_year:
                    self.no_year.add(column.label)
                    t.report.add(
                        t.name,
                        number,
                        column.label,
                        Message("the value has no year"),
                        Message("give --year, --year-column, or years in the header"),
                    )
                continue
            if not t.spec.takes(year):
                continue
            resolved = self._resolve_for(number, label, year, where) if several else match
            if isinstance(resolved, Match):
                self._value(number, row, column, resolved, year, row_year)
                match = resolved
        if isinstance(match, Match) and match.code not in self.provinces:
            self.provinces.append(match.code)
            if self.region is not None:
                self.region_members.append(match.code)

    def _year(self, column: ValueColumn, row_year: LabelInfo | None) -> int | None:
        return column.year or (row_year.year if row_year else None)

    def _resolve_for(self, number: int, label: str, year: int, where: str) -> Match | None:
        try:
            match = self.t.resolver.resolve(label, self.t.spec.boundary, year)
        except UnresolvedName as exc:
            self.t.report.add(self.t.name, number, where, exc.message, exc.fix)
            return None
        return match if isinstance(match, Match) else None

    def _value(self, number: int, row: list[Cell], column: ValueColumn, match: Match, year: int, row_year: LabelInfo | None) -> None:
        t = self.t
        cell = row[column.index]
        parsed = self._parse(number, column, cell)
        if parsed is None:
            return
        first, last = FIRST_YEAR.get(match.boundary, YEAR_RANGE[0]), YEAR_RANGE[1]
        if not first <= year <= last:
            self.outside.setdefault(column.label, set()).add(year)
            return
        value = parsed.value * column.factor
        problem = t.catalogue.indicators[column.indicator].out_of_range(value)
        if problem:
            t.report.add(
                t.name,
                number,
                column.label,
                Message('"{cell}": {problem}', cell=str(cell), problem=problem),
                Message("check the cell and the unit of the column"),
            )
            return
        key = (match.boundary, match.code, column.indicator, year, t.spec.period)
        if key in self.seen:
            if self.seen[key][1] != value:
                t.report.add(
                    t.name,
                    number,
                    column.label,
                    Message(
                        "{indicator} {year} of {unit} is also in row {row} with a different value",
                        indicator=column.indicator,
                        year=str(year),
                        unit=match.name_vi,
                        row=str(self.seen[key][0]),
                    ),
                    Message("remove one of the rows, or import them as separate files with different sources"),
                )
            return
        self.seen[key] = (number, value)
        preliminary = column.preliminary or bool(row_year and row_year.preliminary)
        self.out.append((number, self._record(number, column, cell, match, year, value, parsed.flag, preliminary)))
        self.places.append((column.label, self._where))

    def _parse(self, number: int, column: ValueColumn, cell: Cell):
        try:
            parsed = parse_number(cell, self.decimal)
        except NumberError as exc:
            self.t.report.add(
                self.t.name,
                number,
                column.label,
                Message("{reason}: a value cell holds text", reason=message_of(exc)),
                Message("write the number, or one of the table's no-figure marks (blank, '..', '-') for a missing value"),
            )
            return None
        if parsed is None:
            self.t.missing[column.indicator] += 1
        return parsed

    def _record(
        self, number: int, column: ValueColumn, cell: Cell, match: Match, year: int, value: Decimal, flag: str, preliminary: bool
    ) -> dict[str, str]:
        t = self.t
        note = f'Imported by urbanmap from {Path(t.name).name}, row {number}, column "{column.label}"'
        printed = clean_text(cell)
        if printed != format(value, "f") or column.factor != 1:
            note += f'; printed as "{printed}" {column.unit}'
        if t.spec.note:
            note += f". {t.spec.note}"
        return {
            "boundary": match.boundary,
            "province_code": match.code,
            "province_name_vi": match.name_vi,
            "indicator": column.indicator,
            "year": str(year),
            "period": t.spec.period,
            "value": _plain(value),
            "unit": t.catalogue.indicators[column.indicator].unit,
            "value_flag": flag,
            "preferred": "yes",
            "source_title": t.spec.source_title,
            "source_url": t.spec.source_url,
            "note": note,
            "preliminary": "yes" if preliminary else "",
            "source_document": t.spec.source_document,
        }

    # --- rows that are not provinces ----------------------------------------
    def _aggregate_row(self, number: int, row: list[Cell], match: Aggregate) -> None:
        t = self.t
        note = f'row {number} "{clean_text(match.label)}" is a {match.kind} row, not a province: checked, not mapped'
        if note not in t.notes:
            t.notes.append(note)
        self._close_region()
        entry = (number, row, match.kind, clean_text(row[0]))
        if match.kind == "region":
            self.region = entry
        elif match.kind == "unallocated":
            self.provinces.append(f"unallocated:{number}")
            self._total(entry, (f"unallocated:{number}",))
        else:
            self.national.append(entry)

    def _close_region(self) -> None:
        if self.region is not None:
            self._total(self.region, tuple(self.region_members))
        self.region, self.region_members = None, []

    def _total(self, entry: tuple[int, list[Cell], str, str], members: tuple[str, ...]) -> None:
        number, row, kind, label = entry
        for column in self.columns:
            year = self._year(column, None)
            if year is None or not self.t.spec.takes(year):
                continue
            try:
                parsed = parse_number(row[column.index], self.decimal)
            except NumberError:
                continue
            if parsed is None:
                continue
            decimals = _decimals(clean_text(row[column.index]), self.decimal)
            self.t.totals.append(
                TotalRow(
                    self.t.name,
                    number,
                    column.label,
                    label,
                    kind,
                    column.indicator,
                    year,
                    parsed.value * column.factor,
                    members,
                    decimals,
                    column.factor,
                )
            )

    def _former_row(self, number: int, row: list[Cell], label: str, former: Former, years: list[int | None], where: str) -> None:
        t = self.t
        taken = []
        for column, year in zip(self.columns, years):
            if year is None or not t.spec.takes(year):
                continue
            try:
                if parse_number(row[column.index], self.decimal) is not None:
                    taken.append(year)
            except NumberError:
                taken.append(year)
        if taken:
            t.report.add(
                t.name,
                number,
                where,
                Message(
                    '"{label}" was no longer a province in {year} (its last year is {last}), but the row has a value for that year',
                    label=label,
                    year=str(min(taken)),
                    last=str(former.last_year - 1),
                ),
                Message("check the row; limit the years taken (years = ...) to those of the boundary set"),
            )
            return
        t.notes.append(f'row {number} "{label}" (a former province) has no value in the years taken: skipped')

    def finish(self) -> None:
        """Close the last region, turn whole-country rows into totals over every province, report years outside the set."""
        self._close_region()
        for entry in self.national:
            self._total(entry, tuple(self.provinces))
        for label, years in self.outside.items():
            boundary = self.t.spec.boundary or "2008"
            self.t.report.add(
                self.t.name,
                self.t.layout.data_start,
                label,
                Message(
                    "values of {years} are outside the years of boundary set {boundary} (from {first})",
                    years=_years(years),
                    boundary=boundary,
                    first=str(FIRST_YEAR.get(boundary)),
                ),
                Message('say which years to take in the mapping (e.g. years = "2008-2016"); the series is not back-cast'),
            )


def _decimals(text: str, mark: str) -> int:
    """Decimals a printed figure was rounded to: "952.4" -> 1; "983.0" -> 0 (a whole number printed with ".0")."""
    fraction = text.rsplit(mark, 1)[1] if mark in text else ""
    return len(fraction) if fraction.strip("0") else 0


def _years(years: set[int]) -> str:
    ordered = sorted(years)
    return f"{ordered[0]}–{ordered[-1]}" if len(ordered) > 1 else str(ordered[0])


def _plain(value: Decimal) -> str:
    """``value`` without exponent or trailing zeros after the point ("6761300", "12.5")."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
