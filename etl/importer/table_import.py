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

import logging
from collections import Counter

from etl.catalogue import Catalogue
from etl.importer.labels import LabelInfo, clean_text, find_unit, read_label, title_item, year_in_title
from etl.importer.layout import Layout, read_layout
from etl.importer.numbers import NumberError, infer_decimal_mark, parse_number
from etl.importer.results import ImportResult, TotalRow, ValueColumn
from etl.importer.row_reader import RowReader
from etl.importer.spec import ColumnSpec, ImportSpec
from etl.importer.tables import Cell, Grid
from etl.importer.unit_columns import codes_agree, unit_columns
from etl.links import source_named
from etl.messages import Message
from etl.names import Aggregate, ProvinceResolver, UnresolvedName, fold
from etl.problems import InputError, Problem, Report

log = logging.getLogger(__name__)


def _key(text: str) -> str:
    return " ".join(fold(text).split())


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
        self.places: list[tuple[str, str]] = []  # (value column, unit column) of each record, once read
        for line, encoding in grid.mended:  # said, not refused: the cell may still be right
            self.notes.append(f"line {line} is not UTF-8 like the rest of the file: read as {encoding}; check its text")
        if grid.computed:
            self.notes.append(f"cells {', '.join(grid.computed)} hold sums saved without their value: computed from the cells they name")
        if grid.uncomputed:
            self.notes.append(f"cells {', '.join(grid.uncomputed)} hold formulas saved without their value: read as empty")

    # --- what the table says about every column -----------------------------
    def table_year(self) -> int | None:
        """The year of the whole table: from its title, else the mapping; a disagreement is an error."""
        printed = year_in_title(self.title) if self.title else None
        if printed and self.spec.year and printed != self.spec.year:
            self.report.add(
                self.name,
                self.layout.header_start,
                None,
                Message(
                    'the mapping says year {year}, the table\'s title says {printed} ("{title}")',
                    year=str(self.spec.year),
                    printed=str(printed),
                    title=self.title,
                ),
                Message("correct or remove year in the mapping"),
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
        self.unit_from_mapping: list[str] = []
        for key, column in self.spec.columns.items():
            wanted = read_label(key, self.units)
            matches = [j for j in range(len(infos)) if self._matches(key, wanted, infos[j], parts[j], j)]
            if not matches:
                self.report.add(
                    self.name,
                    self.layout.data_start,
                    key,
                    Message('no column is labelled "{key}"', key=key),
                    Message("use one of: {labels}", labels=self._label_list(infos)),
                )
            for j in matches:
                made = self._value_column(j, key, column, wanted, infos[j], table_unit, table_year)
                if made:
                    found.append(made)
        if self.unit_from_mapping:
            self.notes.append(f"the table prints no unit for {'; '.join(self.unit_from_mapping)}: the mapping's unit is used")
        return sorted(found, key=lambda c: c.index)

    def _matches(self, key: str, wanted: LabelInfo, info: LabelInfo, parts: list[LabelInfo], j: int) -> bool:
        if j == 0 and not self.spec.province:
            return False
        full = [self.layout.label(j), " ".join(self.layout.labels[j]), *self.layout.labels[j]]
        if _key(key) in {_key(t) for t in full}:
            return True
        texts = {_key(info.text)} | {_key(p.text) for p in parts}
        if not info.text and info.year:  # a column headed by its year only counts what the title names
            texts.add(_key(title_item(self.title)))
        return bool(wanted.text) and _key(wanted.text) in texts

    def _label_list(self, infos: list[LabelInfo]) -> str:
        labels = dict.fromkeys(i.text if i.text else title_item(self.title) for i in infos[1:] if i.text or i.year)
        return "; ".join(label for label in labels if label) or Message("(the table has no column labels)")

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
                self.name,
                None,
                key,
                Message('unknown indicator "{indicator}" in the mapping', indicator=column.indicator),
                self.catalogue.suggest(column.indicator),
            )
            return None
        printed = (info.unit, info.printed_unit) if info.unit else table_unit
        mapped = [u for u in (column.unit, wanted.unit) if u]
        unit = printed[0] if printed else (mapped[0] if mapped else None)
        if not printed and unit and f"{key} ({unit})" not in self.unit_from_mapping:
            self.unit_from_mapping.append(f"{key} ({unit})")
        for other in mapped:
            if printed and other != printed[0]:
                self.report.add(
                    self.name,
                    self.layout.data_start,
                    label,
                    Message(
                        'the mapping says unit "{other}", the table prints "{printed}" ({unit})',
                        other=other,
                        printed=printed[1] or printed[0],
                        unit=printed[0],
                    ),
                    Message("correct or remove the unit in the mapping"),
                )
                return None
        if unit is None:
            self.report.add(
                self.name,
                self.layout.data_start,
                label,
                Message("the table prints no unit for this column"),
                Message(
                    'give it in the mapping: "{key}" = {{ indicator = "{indicator}", unit = "…" }}', key=key, indicator=column.indicator
                ),
            )
            return None
        factor = self.catalogue.factor(column.indicator, unit)
        if factor is None:
            self.report.add(
                self.name,
                self.layout.data_start,
                label,
                Message(
                    'unit "{unit}" cannot be converted to "{target}", the catalogue unit of {indicator}',
                    unit=unit,
                    target=indicator.unit,
                    indicator=column.indicator,
                ),
                Message("add the conversion to catalogue/units.csv, or correct the unit"),
            )
            return None
        if info.year and self.spec.year and info.year != self.spec.year and not info.years_named > 1:
            self.report.add(
                self.name,
                self.layout.data_start,
                label,
                Message("the mapping says year {year}, the column header says {printed}", year=str(self.spec.year), printed=str(info.year)),
                Message("remove year from the mapping: the table gives it"),
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
                [
                    Problem(
                        self.name,
                        None,
                        None,
                        Message("the table has {blocks} block(s), not {block}", blocks=len(blocks), block=str(self.spec.block)),
                        Message("choose block 1..N"),
                    )
                ]
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
                    Message('cannot tell whether "{text}" uses "." or "," as decimal mark', text=text),
                    Message("give the decimal mark: --decimal , (Vietnamese 1.234,5) or --decimal . (1,234.5)"),
                )
                return "."
        return "."

    def province_column(self, rows: list[tuple[int, list[Cell]]]) -> tuple[int, int | None]:
        """(the column the rows' units are read from, a code column checked against it or None).

        A serial-number column (``STT``, ``TT``, ``No.``) is never read as codes. A column is read as codes
        where its header says so (``Mã``, ``Mã tỉnh``, ``Mã số``, ``code``); where the table also has a name
        column, the names are read and the codes checked against them row by row (:meth:`check_codes`).
        """
        if self.spec.province_column:
            found = self._column_named(self.spec.province_column)
            if found is not None:
                return found, None
            raise InputError(
                [
                    Problem(
                        self.name,
                        self.layout.data_start,
                        self.spec.province_column,
                        Message('no province column "{column}"', column=self.spec.province_column),
                        Message("use one of: {labels}", labels="; ".join(self.layout.label(j) for j in range(len(self.layout.labels)))),
                    )
                ]
            )
        return unit_columns(self.layout, rows, self.resolver, self.name)

    def records(self) -> list[tuple[int, dict[str, str]]]:
        """(spreadsheet row, tidy row) of the chosen block; problems go to the report."""
        rows = self.data_rows()
        columns = self.value_columns()
        if not self.spec.columns:
            self.report.add(
                self.name,
                self.layout.data_start,
                None,
                Message("no value column is named"),
                Message("name one with --value-column and --indicator, or in the mapping file"),
            )
        if not columns or not rows:
            return []
        year_column = self._year_column()
        province_column, code_column = (None, None) if self.spec.province else self.province_column(rows)
        decimal = self.decimal_mark([(n, c.index, cell) for n, row in rows for c in columns if isinstance(cell := row[c.index], str)])
        reader = RowReader(self, columns, decimal)
        for number, row in rows:
            row_year = self._row_year(number, row, year_column)
            label = self.spec.province or str(row[province_column or 0])
            year = row_year.year if row_year else columns[0].year
            if (
                code_column is not None
                and province_column is not None
                and not codes_agree(self, number, row, province_column, code_column, year)
            ):
                continue
            reader.read(number, row, label, row_year, province_column)
        reader.finish()
        self.places = reader.places
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
            self.report.add(
                self.name,
                self.layout.data_start,
                self.spec.year_column,
                Message("no such year column"),
                Message("name a column of the header"),
            )
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
                Message('"{text}" is not a year', text=str(row[year_column])),
                Message("correct the year cell, or set header_rows / block"),
            )
            return None
        return info


def import_table(grid: Grid, spec: ImportSpec, resolver: ProvinceResolver, catalogue: Catalogue, name: str) -> ImportResult:
    """Tidy rows, notes and totals of one table; raises InputError with every problem found."""
    report = Report()
    if (problem := source_named(spec.source_title, spec.source_url, spec.source_document)) is not None:
        report.add(name, None, *problem)
    importer = TableImporter(grid, spec, resolver, catalogue, name, report)
    numbered = importer.records()
    report.raise_if_errors()
    missing = sum(importer.missing.values())
    if missing:
        importer.notes.append(f"{missing} cell(s) with a no-figure mark (blank, '..', '-') gave no value")
    return ImportResult(numbered, importer.notes, importer.totals, importer.missing, importer.places)
