"""Formulas of a workbook's cells that were saved without their value, and the sums they name.

A statistics office's yearbook workbook computes its region and whole-country
rows with formulas (``=SUM(B8:B18)``, ``=B7+B19+B33``). A file saved by Excel
or LibreOffice keeps each formula's last value, which the reader takes as the
cell's value; a file written by a script (openpyxl, a report generator) keeps
only the formula, and the cell reads as empty. For those cells this module
reads the formula from the sheet's XML and computes it where it is a sum of
cells and ranges -- ``SUM(…)`` of ranges and cells, and ``+`` between such
terms -- the only formulas such rows hold; any other formula leaves the cell
empty (and says so). Referenced cells that are themselves such formulas are
computed first. The result is used only to check totals and to recognise
the row for what it is; the importer never takes such a row as a province.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import PurePosixPath
from typing import IO

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")
_TERM = re.compile(r"^SUM\((.*)\)$", re.IGNORECASE)
MAX_DEPTH = 8  # formulas naming formulas: a yearbook has two levels (regions, then the country)


def unsaved_formulas(archive: zipfile.ZipFile, sheet: str | None) -> dict[tuple[int, int], str]:
    """(row, column), 0-based -> formula text, for the cells of ``sheet`` (the first if None) that hold a formula
    and no saved value."""
    part = _sheet_part(archive, sheet)
    if part is None:
        return {}
    with archive.open(part) as stream:
        return _formulas(stream)


def _formulas(stream: IO[bytes]) -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    for _event, element in ET.iterparse(stream):
        if element.tag != f"{_MAIN}c":
            continue
        formula, value = element.find(f"{_MAIN}f"), element.find(f"{_MAIN}v")
        place = _place(element.get("r", ""))
        if formula is not None and formula.text and (value is None or not (value.text or "").strip()) and place:
            found[place] = formula.text
        element.clear()
    return found


def _sheet_part(archive: zipfile.ZipFile, sheet: str | None) -> str | None:
    """The archive member of the sheet named ``sheet`` (the first sheet if None)."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    sheets = ET.fromstring(archive.read("xl/workbook.xml")).iter(f"{_MAIN}sheet")
    chosen = next((s for s in sheets if sheet is None or s.get("name") == sheet), None)
    if chosen is None:
        return None
    wanted = chosen.get(f"{_REL}id")
    for rel in ET.fromstring(archive.read("xl/_rels/workbook.xml.rels")).iter(f"{_PACKAGE_REL}Relationship"):
        if rel.get("Id") == wanted:
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            return path if path in names else None
    return None


def _place(ref: str) -> tuple[int, int] | None:
    """ "B6" -> (5, 1); None for anything else."""
    m = _REF.match(ref.replace("$", "").upper())
    if not m:
        return None
    column = 0
    for letter in m.group(1):
        column = column * 26 + ord(letter) - 64
    return int(m.group(2)) - 1, column - 1


def evaluate(formulas: dict[tuple[int, int], str], value_of) -> dict[tuple[int, int], Decimal]:
    """The value of every formula of ``formulas`` that is a sum of cells and ranges; ``value_of(row, column)``
    gives a plain cell's number (None for text or blank). Formulas it cannot compute are left out."""
    done: dict[tuple[int, int], Decimal | None] = {}

    def cell(place: tuple[int, int], depth: int, strict: bool) -> Decimal | None:
        if place in formulas:
            if place not in done:
                done[place] = None if depth > MAX_DEPTH else compute(formulas[place], depth + 1)
            return done[place]
        number = value_of(*place)
        return number if number is not None or not strict else None

    def compute(formula: str, depth: int) -> Decimal | None:
        total = Decimal(0)
        for term in _split(formula.lstrip("=").replace("$", "").replace(" ", ""), "+"):
            m = _TERM.match(term)
            if m:  # SUM ignores text and blanks, as a spreadsheet does
                for arg in _split(m.group(1), ","):
                    places = _range(arg)
                    if places is None:
                        return None
                    total += sum((v for p in places if (v := cell(p, depth, False)) is not None), Decimal(0))
                continue
            place = _place(term)
            value = cell(place, depth, True) if place else None
            if value is None:
                return None
            total += value
        return total

    for place in formulas:
        cell(place, 0, True)
    return {p: v for p, v in done.items() if v is not None}


def _split(text: str, mark: str) -> list[str]:
    """``text`` split at ``mark`` outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char == mark and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _range(text: str) -> list[tuple[int, int]] | None:
    """The cells of "B6:B8" or "B6"; None if it is neither (a bounded range: the sheet's own size bounds it)."""
    ends = [_place(t) for t in text.split(":")]
    if not 1 <= len(ends) <= 2 or any(e is None for e in ends):
        return None
    (r1, c1), (r2, c2) = ends[0], ends[-1]  # type: ignore[misc]
    if (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1) > 1_000_000:
        return None
    return [(r, c) for r in range(min(r1, r2), max(r1, r2) + 1) for c in range(min(c1, c2), max(c1, c2) + 1)]
