"""What an import gives: value columns, whole-country and region rows kept to check sums against, the tidy rows of a
table with their spreadsheet rows, and tidy rows written as CSV (the columns of :data:`OUT_COLUMNS`)."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from etl.indicators import OPTIONAL_COLUMNS, TIDY_COLUMNS

OUT_COLUMNS = [*TIDY_COLUMNS, *OPTIONAL_COLUMNS]


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
    counts of no-figure cells, and for each row of ``numbered`` the (value column, unit column) it was read from,
    as the table labels them ("" for a unit the mapping gives): whence a problem found in the tidy rows later is
    told where the user sees it."""

    numbered: list[tuple[int, dict[str, str]]]
    notes: list[str]
    totals: list[TotalRow] = field(default_factory=list)
    missing: Counter = field(default_factory=Counter)
    places: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, str]]:
        return [record for _, record in self.numbered]


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
