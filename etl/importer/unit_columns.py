"""Which column of a table names its units: names, or codes where the header says so; never a serial number.

A serial-number column (``STT``, ``TT``, ``No.``) is never read as codes: "1" there is the first row, not Hà Nội.
A column is read as codes only where its header says so (``Mã``, ``Mã tỉnh``, ``Mã số``, ``code``); where a table
has both a code column and a name column, the names are read and the codes checked against them row by row, a
disagreement being an error naming both readings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from etl.importer.labels import clean_text
from etl.importer.layout import Layout
from etl.importer.tables import Cell
from etl.messages import Message
from etl.names import Match, ProvinceResolver, UnresolvedName, fold
from etl.problems import InputError, Problem

if TYPE_CHECKING:
    from etl.importer.table_import import TableImporter

SERIAL_HEADERS = {"stt", "tt", "so tt", "so thu tu", "no", "no.", "#", "order", "serial", "s/n"}
CODE_WORDS = {"ma", "code", "ma so", "ma tinh", "ma tp", "ma don vi", "province code", "iso"}


def column_kind(labels: tuple[str, ...]) -> str:
    """ "serial" (a serial-number column), "code" (its header says it holds unit codes) or "" for any other column."""
    parts = [_folded(p) for p in labels if p.strip()]
    if not parts:
        return ""
    last = parts[-1]
    if last in SERIAL_HEADERS or any(p.replace(" ", "") in {"stt", "tt", "no.", "no"} for p in parts):
        return "serial"
    words = last.replace("/", " ").replace("-", " ").split()
    if last in CODE_WORDS or (words and words[0] in ("ma", "code")) or "code" in words:
        return "code"
    return ""


def is_code(cell: Cell) -> bool:
    """Whether a cell holds a bare number (a code or serial number, never a name)."""
    return clean_text(cell).strip().isdigit() or isinstance(cell, Decimal)


def _folded(text: str) -> str:
    return " ".join(fold(text).split())


def unit_columns(layout: Layout, rows: list[tuple[int, list[Cell]]], resolver: ProvinceResolver, name: str) -> tuple[int, int | None]:
    """(the column the rows' units are read from, a code column to check against it, or None); InputError when
    no column names units."""
    kinds = [column_kind(layout.labels[j]) for j in range(len(layout.labels))]
    names = [
        sum(1 for _, row in rows if not is_code(row[j]) and resolver.knows(str(row[j]))) if kinds[j] == "" else 0 for j in range(len(kinds))
    ]
    codes = [j for j, kind in enumerate(kinds) if kind == "code"]
    best = max(range(len(names)), key=lambda j: (names[j], -j))
    if names[best] * 2 >= len(rows) and names[best] > 0:
        return best, (codes[0] if codes else None)
    if codes:
        return codes[0], None
    raise InputError(
        [
            Problem(
                name,
                None,
                None,
                Message(
                    "no column holds province names, and no column's header says it holds codes "
                    "(a serial-number column such as STT is never read as codes)"
                ),
                Message(
                    'name the province column (--province-column), head the code column "Mã tỉnh", '
                    "or name the province of a single-province table (--province)"
                ),
            )
        ]
    )


def codes_agree(t: TableImporter, number: int, row: list[Cell], name_column: int, code_column: int, year: int | None) -> bool:
    """Whether the row's code and name name the same unit; when not, an error naming both readings."""
    name, code = str(row[name_column]), clean_text(row[code_column])
    if not code:
        return True
    try:
        by_name = t.resolver.resolve(name, t.spec.boundary, year)
    except UnresolvedName:
        return True  # the name's own problem is reported where the row is read
    if not isinstance(by_name, Match):
        return True
    try:
        by_code = t.resolver.resolve(code, by_name.boundary, year)
        reading: str = _unit(by_code) if isinstance(by_code, Match) else f'"{code}"'
        agree = isinstance(by_code, Match) and by_code.code == by_name.code
    except UnresolvedName:
        reading, agree = Message('"{code}", no unit of set {boundary}', code=code, boundary=by_name.boundary), False
    if not agree:
        t.report.add(
            t.name,
            number,
            t.layout.label(code_column),
            Message(
                'the code column reads {reading}, the name column "{column}" reads {unit}',
                reading=reading,
                column=t.layout.label(name_column),
                unit=_unit(by_name),
            ),
            Message("correct the code or the name so that both name the same unit"),
        )
    return agree


def _unit(match: Match) -> Message:
    return Message("{name} (code {code})", name=match.name_vi, code=match.code)
