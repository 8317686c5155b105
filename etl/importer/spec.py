"""What a user tells about a published table: CLI options or a TOML mapping file.

A mapping file holds the keys of :data:`SPEC_KEYS`; ``[columns]`` maps a
header label (or one part of a multi-row header, or the label without its year
and unit: "Area" matches "2011 Area (Km2)") to an indicator and, only where the
table does not print it, the unit, e.g.::

    source_title = "GSO PX-Web table V02.01"
    source_url = "https://pastebin.com/r6RBET6n"
    boundary = "2008"
    years = "2008-2016"           # take only these years (the boundary set's own years)
    primary = ["population"]      # this table wins over other tables for these indicators
    fallback = ["area"]           # ... and for these, while the table declared primary is not installed
    [[national]]                  # the publisher's national table to check the provinces' sum against (any number)
    indicator = "patient_beds"
    table = "patient-beds_national_1995-2016.csv"      # beside this table
    row = ["Number (Thous. Beds)", "TOTAL"]            # the row's label cells; years are the header's columns
    column = "Road"               # optional: the value column of a table whose rows are years
    unit = "thousand beds"
    [columns]
    "Dân số trung bình" = { indicator = "population" }      # unit read from "(Nghìn người)"
    "Homestead land" = { indicator = "homestead_land_area", unit = "thousand ha" }
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from etl.messages import Message, message_of
from etl.problems import InputError, Problem

SPEC_KEYS = {
    "source_title",
    "source_document",
    "source_url",
    "boundary",
    "year",
    "year_column",
    "province",
    "province_column",
    "header_rows",
    "decimal",
    "block",
    "period",
    "note",
    "years",
    "primary",
    "fallback",
    "columns",
    "national",
}


@dataclass(frozen=True)
class ColumnSpec:
    indicator: str
    unit: str | None = None


@dataclass(frozen=True)
class NationalFigure:
    """Where the publisher's national table gives an indicator's whole-country figure: its file (beside the mapped
    table), the label cells of its row, its value column where the table's rows are years, and its unit."""

    indicator: str
    table: str
    row: tuple[str, ...]
    unit: str
    column: str | None = None


@dataclass
class ImportSpec:
    """What the user tells about a table. ``columns`` maps a header label (or one of its parts) to an indicator."""

    source_title: str = ""
    source_url: str = ""
    source_document: str = ""
    columns: dict[str, ColumnSpec] = field(default_factory=dict)
    boundary: str | None = None
    year: int | None = None
    year_column: str | None = None
    province: str | None = None
    province_column: str | None = None
    header_rows: int | None = None
    decimal: str | None = None
    block: int = 1
    period: str = ""
    note: str = ""
    years: tuple[int, int] | None = None
    primary: tuple[str, ...] = ()
    fallback: tuple[str, ...] = ()  # primary for these while the table declared primary is not installed
    national: tuple[NationalFigure, ...] = ()

    def takes(self, year: int) -> bool:
        """Whether a value of ``year`` is to be imported (``years`` not given: every year)."""
        return self.years is None or self.years[0] <= year <= self.years[1]


def load_spec(path: Path) -> ImportSpec:
    """An ImportSpec from a TOML mapping file (keys: see :data:`SPEC_KEYS`)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    Message("cannot read the mapping file: {reason}", reason=str(exc)),
                    Message("write it as UTF-8 TOML (see README)"),
                )
            ]
        ) from exc
    unknown = sorted(set(data) - SPEC_KEYS)
    if unknown:
        raise InputError(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    Message("unknown key(s) {keys}", keys=", ".join(unknown)),
                    Message("use only {keys}", keys=", ".join(sorted(SPEC_KEYS))),
                )
            ]
        )
    problems = []
    columns = {}
    for label, column in data.pop("columns", {}).items():
        if not isinstance(column, dict) or "indicator" not in column or set(column) - {"indicator", "unit"}:
            problems.append(
                Problem(
                    str(path),
                    None,
                    label,
                    Message("a column needs an indicator (and may give a unit)"),
                    Message('write "{label}" = {{ indicator = "id" }}', label=label),
                )
            )
            continue
        columns[label] = ColumnSpec(column["indicator"], column.get("unit"))
    if "years" in data:
        try:
            data["years"] = parse_years(str(data["years"]))
        except ValueError as exc:
            problems.append(Problem(str(path), None, "years", message_of(exc), Message('write a range such as years = "2008-2016"')))
            del data["years"]
    national = []
    for entry in data.pop("national", []):
        keys = set(entry) if isinstance(entry, dict) else set()
        if not {"indicator", "table", "row", "unit"} <= keys <= {"indicator", "table", "row", "unit", "column"}:
            problems.append(
                Problem(
                    str(path),
                    None,
                    "national",
                    Message("a national figure needs indicator, table, row and unit (and may give column)"),
                    Message('write [[national]] indicator = "id", table = "file.csv", row = ["label", …], unit = "…"'),
                )
            )
            continue
        row = entry["row"] if isinstance(entry["row"], list) else [entry["row"]]
        national.append(NationalFigure(entry["indicator"], entry["table"], tuple(map(str, row)), entry["unit"], entry.get("column")))
    data["national"] = tuple(national)
    data["primary"] = tuple(data.get("primary", ()))
    data["fallback"] = tuple(data.get("fallback", ()))
    if problems:
        raise InputError(problems)
    return ImportSpec(columns=columns, **data)


def parse_years(text: str) -> tuple[int, int]:
    """ "2008-2016" (or "2015") -> (first, last); raises ValueError."""
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4}))?\s*", text)
    if not m:
        raise ValueError(Message('"{text}" is not a year or a range of years', text=text))
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    if first > last:
        raise ValueError(Message('"{text}" ends before it starts', text=text))
    return first, last
