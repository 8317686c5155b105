"""Published tables -> tidy indicator rows (the schema of ``indicators/*.csv``).

Handles one- or multi-row headers (group headers are carried right), a year in
the header (GSO PX-Web's year x variable tables), a year column, rows of years
for one province (a provincial yearbook: ``province`` given), province columns
holding names in any spelling or ISO 3166-2 codes, national/region/total rows
(skipped with a note), blocks separated by a label-only row (only ``block`` is
read), and every number format of :mod:`etl.numbers`.

What the file cannot tell comes from an :class:`ImportSpec` (CLI options or a
TOML mapping file): indicator and unit per column, year, boundary set, source.
Columns out: :data:`etl.indicators.TIDY_COLUMNS`.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import tempfile
from decimal import Decimal
from pathlib import Path

from .import_spec import ColumnSpec, ImportSpec
from .indicators import TIDY_COLUMNS
from .names import Aggregate, Match, ProvinceResolver, UnresolvedName, fold
from .numbers import NumberError, infer_decimal_mark, parse_number
from .problems import InputError, Problem, Report
from .tables import Cell, Grid

log = logging.getLogger(__name__)
_YEAR_LABEL = re.compile(r"^(?:\D*\s)?((?:19|20)\d{2})\s*(?:\(\*+\)|\*+)?$")
_AMBIGUOUS = re.compile(r"^[<>≥≤~]?\s*\d{1,3}([.,])\d{3}$")


def _label_key(text: str) -> str:
    return " ".join(fold(text).split())


def _header_rows(grid: Grid) -> int:
    """Leading rows before the first row with a label in column 0 and a number elsewhere."""
    for i, row in enumerate(grid.rows):
        if str(row[0]).strip() and any(_is_number(c) for c in row[1:]):
            return i
    return 1


def _is_number(cell: Cell) -> bool:
    """Whether ``cell`` is a number with either decimal mark (a blank or a dash is not)."""
    if isinstance(cell, Decimal):
        return True
    for mark in (".", ","):
        try:
            if parse_number(cell, mark) is not None:
                return True
        except NumberError:
            continue
    return False


def column_labels(grid: Grid, header_rows: int) -> list[tuple[str, ...]]:
    """Header parts of each column; a group header (upper rows) is carried right over empty cells."""
    width = len(grid.rows[0])
    labels: list[list[str]] = [[] for _ in range(width)]
    for i in range(header_rows):
        carried = ""
        for j in range(width):
            text = str(grid.rows[i][j]).strip()
            if i < header_rows - 1 and j > 0:
                carried = text or carried
                text = carried
            if text and (not labels[j] or labels[j][-1] != text):
                labels[j].append(text)
    return [tuple(parts) for parts in labels]


def year_of_label(parts: tuple[str, ...] | str) -> int | None:
    """The year a label names ("2016 (*)", "Sơ bộ - Prel. 2023"), or None."""
    for part in (parts,) if isinstance(parts, str) else parts:
        m = _YEAR_LABEL.match(str(part).strip())
        if m:
            return int(m.group(1))
    return None


class TableImporter:
    """Turns one grid into tidy rows; problems go to ``report`` (file, row, column)."""

    def __init__(self, grid: Grid, spec: ImportSpec, resolver: ProvinceResolver, name: str, report: Report) -> None:
        self.grid, self.spec, self.resolver, self.name, self.report = grid, spec, resolver, name, report
        self.header = spec.header_rows if spec.header_rows is not None else _header_rows(grid)
        self.labels = column_labels(grid, self.header)
        self.notes: list[str] = []

    def column_index(self, label: str, role: str) -> int:
        key = _label_key(label)
        for j, parts in enumerate(self.labels):
            if key == _label_key(" / ".join(parts)) or key in (_label_key(p) for p in parts):
                return j
        raise InputError([Problem(self.name, self.header, label, f'no {role} column "{label}"', f"use one of: {self._label_list()}")])

    def _label_list(self) -> str:
        return "; ".join(" / ".join(p) for p in self.labels if p)

    def value_columns(self) -> list[tuple[int, ColumnSpec]]:
        found = []
        for label, column in self.spec.columns.items():
            key = _label_key(label)
            matches = [
                j for j, parts in enumerate(self.labels) if key == _label_key(" / ".join(parts)) or key in (_label_key(p) for p in parts)
            ]
            if not matches:
                self.report.add(self.name, self.header, label, f'no column is labelled "{label}"', f"use one of: {self._label_list()}")
            found += [(j, column) for j in matches]
        return sorted(found, key=lambda x: x[0])

    def data_rows(self) -> list[tuple[int, list[Cell]]]:
        """(spreadsheet row number, cells) of the chosen block; other blocks are noted."""
        blocks: list[list[tuple[int, list[Cell]]]] = [[]]
        labels = ["(first)"]
        for i in range(self.header, len(self.grid.rows)):
            row = self.grid.rows[i]
            if str(row[0]).strip() and all(str(c).strip() == "" for c in row[1:]):
                if blocks[-1]:
                    blocks.append([])
                    labels.append(str(row[0]).strip())
                continue
            if any(str(c).strip() for c in row):
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

    def decimal_mark(self, cells: list[tuple[int, int, str]]) -> str:
        if self.spec.decimal:
            return self.spec.decimal
        mark = infer_decimal_mark(text for _, _, text in cells)
        if mark:
            return mark
        for row, j, text in cells:
            if _AMBIGUOUS.match(text.strip()):
                self.report.add(
                    self.name,
                    row,
                    " / ".join(self.labels[j]),
                    f'cannot tell whether "{text}" uses "." or "," as decimal mark',
                    "give the decimal mark: --decimal , (Vietnamese 1.234,5) or --decimal . (1,234.5)",
                )
                return "."
        return "."

    def province_column(self, rows: list[tuple[int, list[Cell]]]) -> int:
        if self.spec.province_column:
            return self.column_index(self.spec.province_column, "province")
        scores = []
        for j in range(len(self.labels)):
            hits = sum(1 for _, row in rows if self._resolves(str(row[j])))
            scores.append(hits)
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

    def _resolves(self, text: str) -> bool:
        try:
            self.resolver.resolve(text, self.spec.boundary, self.spec.year)
            return True
        except UnresolvedName as exc:
            return "names different areas" in exc.message

    def records(self) -> list[dict[str, str]]:
        """Tidy rows of the chosen block; problems go to the report."""
        rows = self.data_rows()
        columns = self.value_columns()
        if not columns and not self.report.errors:
            self.report.add(
                self.name,
                self.header,
                None,
                "no value column is named",
                "name one with --value-column and --indicator, or in the mapping file",
            )
        if not columns:
            return []
        year_column = self.column_index(self.spec.year_column, "year") if self.spec.year_column else None
        if self.spec.province and year_column is None:
            year_column = 0
        province_column = None if self.spec.province else self.province_column(rows)
        decimal = self.decimal_mark([(n, j, cell) for n, row in rows for j, _ in columns if isinstance(cell := row[j], str)])
        out: list[dict[str, str]] = []
        seen: dict[tuple, tuple[int, Decimal]] = {}
        for number, row in rows:
            row_year = self._row_year(number, row, year_column)
            province = self.spec.province or str(row[province_column or 0])
            for j, column in columns:
                year = year_of_label(self.labels[j]) or row_year or self.spec.year
                if year is None:
                    self.report.add(
                        self.name, number, self._label(j), "the value has no year", "give --year, --year-column, or years in the header"
                    )
                    break
                match = self._resolve(number, province, year, province_column)
                if match is None:
                    break
                record = self._record(number, j, row[j], column, match, year, decimal, seen)
                if record:
                    out.append(record)
        return out

    def _label(self, j: int) -> str:
        return " / ".join(self.labels[j]) or f"column {j + 1}"

    def _row_year(self, number: int, row: list[Cell], year_column: int | None) -> int | None:
        if year_column is None:
            return None
        year = year_of_label(str(row[year_column]))
        if year is None:
            self.report.add(
                self.name,
                number,
                self._label(year_column),
                f'"{row[year_column]}" is not a year',
                "correct the year cell, or set header_rows / block",
            )
        return year

    def _resolve(self, number: int, province: str, year: int, province_column: int | None) -> Match | None:
        column = self._label(province_column) if province_column is not None else "--province"
        try:
            match = self.resolver.resolve(province, self.spec.boundary, year)
        except UnresolvedName as exc:
            self.report.add(self.name, number, column, exc.message, exc.fix)
            return None
        if isinstance(match, Aggregate):
            note = f'row {number} "{province}" is a {match.kind} row, not a province: skipped'
            if note not in self.notes:
                self.notes.append(note)
            return None
        return match

    def _record(
        self,
        number: int,
        j: int,
        cell: Cell,
        column: ColumnSpec,
        match: Match,
        year: int,
        decimal: str,
        seen: dict[tuple, tuple[int, Decimal]],
    ) -> dict[str, str] | None:
        try:
            parsed = parse_number(cell, decimal)
        except NumberError as exc:
            self.report.add(self.name, number, self._label(j), str(exc), "correct the cell, or leave it blank or '-' for a missing value")
            return None
        if parsed is None:
            return None
        key = (match.boundary, match.code, column.indicator, year, self.spec.period)
        if key in seen and seen[key][1] != parsed.value:
            self.report.add(
                self.name,
                number,
                self._label(j),
                f"{column.indicator} {year} of {match.name_vi} is also in row {seen[key][0]} with a different value",
                "remove one of the rows, or import them as separate files with different sources",
            )
            return None
        seen[key] = (number, parsed.value)
        note = f'Imported by urbanmap from {Path(self.name).name}, row {number}, column "{self._label(j)}"'
        if isinstance(cell, str) and cell.strip() != format(parsed.value, "f"):
            note += f'; printed as "{cell.strip()}"'
        if self.spec.note:
            note += f". {self.spec.note}"
        return {
            "boundary": match.boundary,
            "province_code": match.code,
            "province_name_vi": match.name_vi,
            "indicator": column.indicator,
            "year": str(year),
            "period": self.spec.period,
            "value": format(parsed.value, "f"),
            "unit": column.unit,
            "value_flag": parsed.flag,
            "preferred": "yes",
            "source_title": self.spec.source_title,
            "source_url": self.spec.source_url,
            "note": note,
        }


def import_table(grid: Grid, spec: ImportSpec, resolver: ProvinceResolver, name: str) -> tuple[list[dict[str, str]], list[str]]:
    """(tidy rows, notes) of one table; raises InputError with every problem found."""
    report = Report()
    if not spec.source_title or not spec.source_url:
        report.add(name, None, None, "the source is not named", "give --source-title and --source-url: every value needs its source")
    importer = TableImporter(grid, spec, resolver, name, report)
    rows = importer.records()
    report.raise_if_errors()
    return rows, importer.notes


def write_tidy(path: Path, rows: list[dict[str, str]]) -> None:
    """Write tidy rows as UTF-8 CSV, atomically (temporary file, then rename)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=TIDY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(buffer.getvalue())
    os.replace(tmp, path)
