"""Where things are in a published table: title lines, header rows, column labels, data rows.

A statistics office's table starts with title lines (one cell each: "Average
population by province ...", "Dân số năm 2011"), then one or more header rows
(group headers carried right over merged cells), possibly a unit row of one cell
("Người - Person"), then data rows. :func:`read_layout` finds them; it does not
interpret values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from etl.importer.labels import clean_text
from etl.importer.numbers import NumberError, parse_number
from etl.importer.tables import Cell, Grid


def is_number(cell: Cell) -> bool:
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


def _only_first(row: list[Cell]) -> bool:
    return bool(clean_text(row[0])) and all(clean_text(c) == "" for c in row[1:])


def _blank(row: list[Cell]) -> bool:
    return all(clean_text(c) == "" for c in row)


@dataclass(frozen=True)
class Layout:
    """Row indexes (0-based) of the parts of a grid, and the labels of each column.

    ``labels[j]`` holds the header parts of column j (upper rows first, each
    cleaned to one line); ``unit_rows`` the texts of one-cell rows inside the
    header (a unit for every column, e.g. "Người - Person").
    """

    title: tuple[str, ...]
    header_start: int
    data_start: int
    labels: tuple[tuple[str, ...], ...]
    unit_rows: tuple[str, ...]

    def label(self, j: int) -> str:
        """Column ``j`` as one label ("2011 / Diện tích(Km2)"), or "column N" when it has none."""
        return " / ".join(self.labels[j]) or f"column {j + 1}"


def read_layout(grid: Grid, header_rows: int | None = None, names_a_unit: Callable[[str], bool] | None = None) -> Layout:
    """Title lines, header rows and labels of ``grid``; ``header_rows`` counts from the first header row.

    Without ``header_rows``, data start at the first row (after the first header row) whose label
    ``names_a_unit`` (a province, region or the country), or that has a label and a number.
    """
    rows = grid.rows
    start = 0
    title: list[str] = []
    while start < len(rows) and (_only_first(rows[start]) or _blank(rows[start])):
        if not _blank(rows[start]):
            title.append(clean_text(rows[start][0]))
        start += 1
    if start == len(rows):  # one-column table: no title to tell apart
        start, title = 0, []
    if header_rows is not None:
        data_start = start + header_rows
    else:
        known = names_a_unit or (lambda _: False)
        data_start = next(
            (
                i
                for i in range(start + 1, len(rows))
                if known(clean_text(rows[i][0])) or (clean_text(rows[i][0]) and any(is_number(c) for c in rows[i][1:]))
            ),
            start + 1,
        )
        data_start = max(data_start, start + 1)
    header = [rows[i] for i in range(start, min(data_start, len(rows)))]
    units = tuple(clean_text(r[0]) for r in header[1:] if _only_first(r))
    label_rows = [r for i, r in enumerate(header) if i == 0 or not _only_first(r)]
    return Layout(tuple(title), start, data_start, _column_labels(label_rows, len(rows[0])), units)


def _column_labels(header: list[list[Cell]], width: int) -> tuple[tuple[str, ...], ...]:
    """Header parts of each column; a group header (upper rows) is carried right over empty cells."""
    labels: list[list[str]] = [[] for _ in range(width)]
    for i, row in enumerate(header):
        carried = ""
        for j in range(width):
            text = clean_text(row[j])
            if i < len(header) - 1 and j > 0:
                carried = text or carried
                text = carried
            if text and (not labels[j] or labels[j][-1] != text):
                labels[j].append(text)
    return tuple(tuple(parts) for parts in labels)
