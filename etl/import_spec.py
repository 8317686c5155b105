"""What a user tells about a published table: CLI options or a TOML mapping file.

A mapping file holds the keys of :data:`SPEC_KEYS`; ``[columns]`` maps a
header label (or one part of a multi-row header) to an indicator and the unit
printed in the table, e.g.::

    source_title = "GSO PX-Web table V02.01"
    source_url = "https://pastebin.com/r6RBET6n"
    boundary = "2008"
    [columns]
    "Dân số trung bình (Nghìn người)" = { indicator = "population", unit = "thousand persons" }
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .problems import InputError, Problem

SPEC_KEYS = {
    "source_title",
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
    "columns",
}


@dataclass(frozen=True)
class ColumnSpec:
    indicator: str
    unit: str


@dataclass
class ImportSpec:
    """What the user tells about a table. ``columns`` maps a header label (or one of its parts) to an indicator."""

    source_title: str = ""
    source_url: str = ""
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


def load_spec(path: Path) -> ImportSpec:
    """An ImportSpec from a TOML mapping file (keys: see :data:`SPEC_KEYS`)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = sorted(set(data) - SPEC_KEYS)
    if unknown:
        raise InputError(
            [Problem(str(path), None, None, f"unknown key(s) {', '.join(unknown)}", f"use only {', '.join(sorted(SPEC_KEYS))}")]
        )
    columns = {label: ColumnSpec(c["indicator"], c["unit"]) for label, c in data.pop("columns", {}).items()}
    return ImportSpec(columns=columns, **data)
