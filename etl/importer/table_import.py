"""Published tables -> tidy indicator rows (the schema of ``indicators/*.csv``).

What the table says itself, the importer reads: the year from the title,
a column header or a row label (:mod:`etl.importer.labels`), a preliminary mark
("Prel. 2016"), the unit from a header, the title or a unit row, region and
whole-country rows (recognised, never taken for provinces, and kept to check the
provinces' sum against), region sub-headings (a table split by them imports in
one run), and the "no figure" marks of :data:`etl.importer.numbers.MISSING_MARKS`. What
it does not say comes from an :class:`ImportSpec` (CLI options or a TOML mapping
file): indicator per column, and year, unit, boundary set or source where the
table prints none. Where the mapping and the table disagree, that is an error
naming both.

Values are converted to the catalogue unit; the printed value and unit are
recorded in ``note``. Every problem is reported (file, row, column, what, how to
fix); nothing is returned when there is one. Columns out:
:data:`etl.indicators.TIDY_COLUMNS` plus ``preliminary`` and ``source_document``.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from etl.catalogue import Catalogue
from etl.importer.labels import LabelInfo, clean_text, find_unit, read_label, year_in_title
from etl.importer.layout import Layout, read_layout
from etl.importer.numbers import NumberError, infer_decimal_mark, parse_number
from etl.importer.spec import ColumnSpec, ImportSpec
from etl.importer.tables import Cell, Grid
from etl.indicators import FIRST_YEAR, OPTIONAL_COLUMNS, TIDY_COLUMNS, YEAR_RANGE
from etl.links import SOURCE_FIX, source_problem
from etl.names import Aggregate, Former, Match, ProvinceResolver, UnresolvedName, fold
from etl.problems import InputError, Problem, Report

log = logging.getLogger(__name__)
OUT_COLUMNS = [*TIDY_COLUMNS, *OPTIONAL_COLUMNS]


def _key(text: str) -> str:
    return " ".join(fold(text).split())


@dataclass(frozen=True)
class ValueColumn:
    """A column of values: where it is, what it holds, the year and unit its header or the table gives."""

    index: int
    label: str
    indicator: str
    year: int | None
    preliminary: bool
    unit: str
    factor: Decimal


@dataclass(frozen=True)
class TotalRow:
    """A whole-country or region row's value, kept to check the provinces' sum (or mean) against.

    ``members``: codes of the provinces the row covers (all provinces of the table for the whole
    country; the provinces listed under a region row). ``decimals``: decimals printed (rounding).
    """

    file: str
    row: int
    column: str
    label: str
    kind: str
    indicator: str
    year: int
    value: Decimal
    members: tuple[str, ...]
    decimals: int
    factor: Decimal


@dataclass
class ImportResult:
    """Tidy rows of one table with their spreadsheet row numbers, notes for the report, total rows to check,
    and counts of no-figure cells."""

    numbered: list[tuple[int, dict[str, str]]]
    notes: list[str]
    totals: list[TotalRow] = field(default_factory=list)
    missing: Counter = field(default_factory=Counter)

    @property
    def rows(self) -> list[dict[str, str]]:
        return [record for _, record in self.numbered]


class TableImporter:
    """Turns one grid into tidy rows; problems go to ``report`` (file, row, column)."""

    def __init__(self, grid: Grid, spec: ImportSpec, resolver: ProvinceResolver, catalogue: Catalogue, name: str, report: Report) -> None:
        self.grid, self.spec, self.resolver, self.catalogue, self.name, self.report = grid, spec, resolver, catalogue, name, report
        self.layout: Layout = read_layout(grid, spec.header_rows, None if spec.province else resolver.knows)
        self.units = catalogue.unit_labels
        self.title = " ".join(self.layout.title)
        self.notes: list[str] = []
        self.missing: Counter = Counter()
        self.totals: list[TotalRow] = []

    # --- what the table says about every column -----------------------------
    def table_year(self) -> int | None:
        """The year of the whole table: from its title, else the mapping; a disagreement is an error."""
        printed = year_in_title(self.title) if self.title else None
        if printed and self.spec.year and printed != self.spec.year:
            self.report.add(
                self.name,
                self.layout.header_start,
                None,
                f'the mapping says year {self.spec.year}, the table\'s title says {printed} ("{self.title}")',
                "correct or remove year in the mapping",
            )
        return printed or self.spec.year

    def table_unit(self) -> tuple[str, str] | None:
        """(unit, printed form) given for every column by a unit row or the title."""
        for text in (*self.layout.unit_rows, self.title):
            found = find_unit(text, self.units) if text else None
            if found:
                return found
        return None

    def value_columns(self) -> list[ValueColumn]:
        """The columns the mapping names, with year, unit and conversion factor; problems reported."""
        infos = [read_label(" ".join(parts), self.units) for parts in self.layout.labels]
        parts = [[read_label(p, self.units) for p in labels] for labels in self.layout.labels]
        table_unit, table_year = self.table_unit(), self.table_year()
        found: list[ValueColumn] = []
        for key, column in self.spec.columns.items():
            wanted = read_label(key, self.units)
            matches = [j for j in range(len(infos)) if self._matches(key, wanted, infos[j], parts[j], j)]
            if not matches:
                self.report.add(
                    self.name, self.layout.data_start, key, f'no column is labelled "{key}"', f"use one of: {self._label_list(infos)}"
                )
            for j in matches:
                made = self._value_column(j, key, column, wanted, infos[j], table_unit, table_year)
                if made:
                    found.append(made)
        return sorted(found, key=lambda c: c.index)

    def _matches(self, key: str, wanted: LabelInfo, info: LabelInfo, parts: list[LabelInfo], j: int) -> bool:
        if j == 0 and not self.spec.province:
            return False
        full = [self.layout.label(j), " ".join(self.layout.labels[j]), *self.layout.labels[j]]
        if _key(key) in {_key(t) for t in full}:
            return True
        texts = {_key(info.text)} | {_key(p.text) for p in parts}
        return bool(wanted.text) and _key(wanted.text) in texts

    def _label_list(self, infos: list[LabelInfo]) -> str:
        labels = dict.fromkeys(i.text for i in infos[1:] if i.text)
        return "; ".join(labels) or "(the table has no column labels)"

    def _value_column(
        self,
        j: int,
        key: str,
        column: ColumnSpec,
        wanted: LabelInfo,
        info: LabelInfo,
        table_unit: tuple[str, str] | None,
        table_year: int | None,
    ) -> ValueColumn | None:
        label = self.layout.label(j)
        indicator = self.catalogue.indicators.get(column.indicator)
        if indicator is None:
            self.report.add(
                self.name, None, key, f'unknown indicator "{column.indicator}" in the mapping', self.catalogue.suggest(column.indicator)
            )
            return None
        printed = (info.unit, info.printed_unit) if info.unit else table_unit
        mapped = [u for u in (column.unit, wanted.unit) if u]
        unit = printed[0] if printed else (mapped[0] if mapped else None)
        for other in mapped:
            if printed and other != printed[0]:
                self.report.add(
                    self.name,
                    self.layout.data_start,
                    label,
                    f'the mapping says unit "{other}", the table prints "{printed[1]}" ({printed[0]})',
                    "correct or remove the unit in the mapping",
                )
                return None
        if unit is None:
            self.report.add(
                self.name,
                self.layout.data_start,
                label,
                "the table prints no unit for this column",
                f'give it in the mapping: "{key}" = {{ indicator = "{column.indicator}", unit = "…" }}',
            )
            return None
        factor = self.catalogue.factor(column.indicator, unit)
        if factor is None:
            self.report.add(
                self.name,
                self.layout.data_start,
                label,
                f'unit "{unit}" cannot be converted to "{indicator.unit}", the catalogue unit of {column.indicator}',
                "add the conversion to catalogue/units.csv, or correct the unit",
            )
            return None
        if info.year and self.spec.year and info.year != self.spec.year and not info.years_named > 1:
            self.report.add(
                self.name,
                self.layout.data_start,
                label,
                f"the mapping says year {self.spec.year}, the column header says {info.year}",
                "remove year from the mapping: the table gives it",
            )
        return ValueColumn(j, label, column.indicator, info.year or table_year, info.preliminary, unit, factor)

    # --- rows -------------------------------------------------------------
    def data_rows(self) -> list[tuple[int, list[Cell]]]:
        """(spreadsheet row number, cells) of the chosen block.

        A label-only row that names a region or the country is a sub-heading (the
        table goes on); one that names a province is that province without figures;
        any other label-only row ("Tỷ lệ tăng - Growth rate") starts a new block, of
        which only ``block`` is read (the others are noted).
        """
        blocks: list[list[tuple[int, list[Cell]]]] = [[]]
        labels = ["(first)"]
        for i in range(self.layout.data_start, len(self.grid.rows)):
            row = self.grid.rows[i]
            first = clean_text(row[0])
            if first and all(clean_text(c) == "" for c in row[1:]):
                if self._is_heading(first):
                    continue
                if self.spec.province or not self.resolver.knows(first):
                    if blocks[-1]:
                        blocks.append([])
                        labels.append(first)
                    continue
            if any(clean_text(c) for c in row):
                blocks[-1].append((i + 1, row))
        if not 1 <= self.spec.block <= len(blocks):
            raise InputError(
                [Problem(self.name, None, None, f"the table has {len(blocks)} block(s), not {self.spec.block}", "choose block 1..N")]
            )
        for number, (label, block) in enumerate(zip(labels, blocks), start=1):
            if number != self.spec.block and block:
                self.notes.append(
                    f'rows {block[0][0]}-{block[-1][0]} (block {number}, "{label}") were not imported; choose them with block = {number}'
                )
        return blocks[self.spec.block - 1]

    def _is_heading(self, text: str) -> bool:
        if self.spec.province:
            return False
        try:
            return isinstance(self.resolver.resolve(text, self.spec.boundary), Aggregate)
        except UnresolvedName:
            return False

    def decimal_mark(self, cells: list[tuple[int, int, str]]) -> str:
        if self.spec.decimal:
            return self.spec.decimal
        mark = infer_decimal_mark(text for _, _, text in cells)
        if mark:
            return mark
        for row, j, text in cells:
            try:
                readings = parse_number(text, "."), parse_number(text, ",")
            except NumberError:
                continue
            if readings[0] != readings[1]:
                self.report.add(
                    self.name,
                    row,
                    self.layout.label(j),
                    f'cannot tell whether "{text}" uses "." or "," as decimal mark',
                    "give the decimal mark: --decimal , (Vietnamese 1.234,5) or --decimal . (1,234.5)",
                )
                return "."
        return "."

    def province_column(self, rows: list[tuple[int, list[Cell]]]) -> int:
        if self.spec.province_column:
            found = self._column_named(self.spec.province_column)
            if found is not None:
                return found
            raise InputError(
                [
                    Problem(
                        self.name,
                        self.layout.data_start,
                        self.spec.province_column,
                        f'no province column "{self.spec.province_column}"',
                        f"use one of: {'; '.join(self.layout.label(j) for j in range(len(self.layout.labels)))}",
                    )
                ]
            )
        scores = [sum(1 for _, row in rows if self.resolver.knows(str(row[j]))) for j in range(len(self.layout.labels))]
        best = max(range(len(scores)), key=lambda j: (scores[j], -j))
        if scores[best] * 2 < len(rows):
            raise InputError(
                [
                    Problem(
                        self.name,
                        None,
                        None,
                        "no column holds province names or codes",
                        "name the province column (--province-column), or the province of a single-province table (--province)",
                    )
                ]
            )
        return best

    def records(self) -> list[tuple[int, dict[str, str]]]:
        """(spreadsheet row, tidy row) of the chosen block; problems go to the report."""
        rows = self.data_rows()
        columns = self.value_columns()
        if not self.spec.columns:
            self.report.add(
                self.name,
                self.layout.data_start,
                None,
                "no value column is named",
                "name one with --value-column and --indicator, or in the mapping file",
            )
        if not columns or not rows:
            return []
        year_column = self._year_column()
        province_column = None if self.spec.province else self.province_column(rows)
        decimal = self.decimal_mark([(n, c.index, cell) for n, row in rows for c in columns if isinstance(cell := row[c.index], str)])
        reader = _RowReader(self, columns, decimal)
        for number, row in rows:
            row_year = self._row_year(number, row, year_column)
            label = self.spec.province or str(row[province_column or 0])
            reader.read(number, row, label, row_year, province_column)
        reader.finish()
        return reader.out

    def _column_named(self, label: str) -> int | None:
        """The column whose header (whole, or one of its parts) is ``label``, or None."""
        key = _key(label)
        for j, parts in enumerate(self.layout.labels):
            if key in {_key(self.layout.label(j)), *(_key(p) for p in parts)}:
                return j
        return None

    def _year_column(self) -> int | None:
        if self.spec.year_column:
            found = self._column_named(self.spec.year_column)
            if found is not None:
                return found
            self.report.add(self.name, self.layout.data_start, self.spec.year_column, "no such year column", "name a column of the header")
            return None
        return 0 if self.spec.province else None

    def _row_year(self, number: int, row: list[Cell], year_column: int | None) -> LabelInfo | None:
        if year_column is None:
            return None
        info = read_label(str(row[year_column]), self.units)
        if info.year is None:
            self.report.add(
                self.name,
                number,
                self.layout.label(year_column),
                f'"{row[year_column]}" is not a year',
                "correct the year cell, or set header_rows / block",
            )
            return None
        return info


class _RowReader:
    """Reads the value cells of data rows: resolves the row's unit, parses, checks and converts each value."""

    def __init__(self, importer: TableImporter, columns: list[ValueColumn], decimal: str) -> None:
        self.t = importer
        self.columns = columns
        self.decimal = decimal
        self.out: list[tuple[int, dict[str, str]]] = []
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
                        t.name, number, column.label, "the value has no year", "give --year, --year-column, or years in the header"
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
            t.report.add(t.name, number, column.label, f'"{cell}": {problem}', "check the cell and the unit of the column")
            return
        key = (match.boundary, match.code, column.indicator, year, t.spec.period)
        if key in self.seen:
            if self.seen[key][1] != value:
                t.report.add(
                    t.name,
                    number,
                    column.label,
                    f"{column.indicator} {year} of {match.name_vi} is also in row {self.seen[key][0]} with a different value",
                    "remove one of the rows, or import them as separate files with different sources",
                )
            return
        self.seen[key] = (number, value)
        preliminary = column.preliminary or bool(row_year and row_year.preliminary)
        self.out.append((number, self._record(number, column, cell, match, year, value, parsed.flag, preliminary)))

    def _parse(self, number: int, column: ValueColumn, cell: Cell):
        try:
            parsed = parse_number(cell, self.decimal)
        except NumberError as exc:
            self.t.report.add(
                self.t.name,
                number,
                column.label,
                f"{exc}: a value cell holds text",
                "write the number, or one of the table's no-figure marks (blank, '..', '-') for a missing value",
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
                f'"{label}" was no longer a province in {min(taken)} (its last year is {former.last_year - 1}), '
                "but the row has a value for that year",
                "check the row; limit the years taken (years = ...) to those of the boundary set",
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
                f"values of {_years(years)} are outside the years of boundary set {boundary} (from {FIRST_YEAR.get(boundary)})",
                'say which years to take in the mapping (e.g. years = "2008-2016"); the series is not back-cast',
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


def import_table(grid: Grid, spec: ImportSpec, resolver: ProvinceResolver, catalogue: Catalogue, name: str) -> ImportResult:
    """Tidy rows, notes and totals of one table; raises InputError with every problem found."""
    report = Report()
    if (problem := source_problem(spec.source_title, spec.source_url, spec.source_document)) is not None:
        report.add(name, None, problem[0], f"the source is not named well enough: {problem[1]}", SOURCE_FIX)
    importer = TableImporter(grid, spec, resolver, catalogue, name, report)
    numbered = importer.records()
    report.raise_if_errors()
    missing = sum(importer.missing.values())
    if missing:
        importer.notes.append(f"{missing} cell(s) with a no-figure mark (blank, '..', '-') gave no value")
    return ImportResult(numbered, importer.notes, importer.totals, importer.missing)


def tidy_text(rows: list[dict[str, str]]) -> str:
    """Tidy rows as CSV text (the columns of :data:`OUT_COLUMNS`)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OUT_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_tidy(path: Path, rows: list[dict[str, str]]) -> None:
    """Write tidy rows as UTF-8 CSV, atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(tidy_text(rows))
    os.replace(tmp, path)
