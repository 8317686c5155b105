"""Uploads: a table read by the importer's rules and checked as the build checks its inputs. No Flask here.

The importer is the only door for tables: a tidy CSV (or a workbook with the tidy columns) is checked
row by row like ``geodata/raw/indicators/*.csv``; any other table needs a mapping (the TOML of
``urbanmap import --map``). A contributor may submit values only for their 2025 units and the 2008
provinces those were formed from. Text that a spreadsheet would run as a formula is refused.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from etl.catalogue import read_catalogue
from etl.importer.results import tidy_text
from etl.importer.spec import load_spec
from etl.importer.suggest import suggest_mapping
from etl.importer.table_import import import_table
from etl.importer.tables import NO_LIMITS, Grid, Limits, TableError, read_grid, table_kind
from etl.indicators import TIDY_COLUMNS, check_rows
from etl.messages import Message
from etl.problems import InputError, Problem, Report
from etl.sources import RawLayout, read_resolver
from etl.spreadsheet import looks_like_formula
from webmap.intake.db import User
from webmap.read.store import Store


@dataclass(frozen=True)
class Upload:
    """What the form sends: the file, the source, and for a table that is not tidy its mapping (TOML)."""

    file_name: str
    content: bytes
    source_title: str = ""
    source_url: str = ""
    mapping: str = ""
    source_document: str = ""


@dataclass(frozen=True)
class Places:
    """Where the tidy rows of an imported table came from: for each (in order) its row in the uploaded file and
    the (value column, unit column) it was read from, as the file labels them. A problem the checks find in the
    tidy rows is told at that place, the one the user sees in the spreadsheet (:meth:`of`)."""

    rows: list[int]
    columns: list[tuple[str, str]]

    UNIT_COLUMNS = ("province_code", "province_name_vi", "boundary")

    def of(self, row: int | None, column: str | None) -> tuple[int | None, str | None]:
        """The file's (row, column) for tidy row ``row`` (the header is row 1) and tidy column ``column``."""
        if row is None or not 2 <= row < len(self.rows) + 2:
            return row, column
        value_column, unit_column = self.columns[row - 2]
        if column in self.UNIT_COLUMNS:
            return self.rows[row - 2], unit_column or column
        if column is None or column.startswith("source_"):
            return self.rows[row - 2], column
        return self.rows[row - 2], value_column


@dataclass
class Checked:
    """An upload read and checked: its kind, the tidy CSV text, the checked values, and every problem."""

    kind: str = ""
    text: str = ""
    values: pd.DataFrame = field(default_factory=pd.DataFrame)
    report: Report = field(default_factory=Report)
    suggestion: str = ""  # a mapping suggested for a table that is not tidy and came without one


def allowed_units(user: User, store: Store) -> set[tuple[str, str]] | None:
    """(boundary, code) a contributor may submit for: their 2025 units, the 2008 provinces formed into them, and
    the units of ward-level sets inside them (the wards of their provinces). None (any unit) for publishers."""
    if user.role != "contributor":
        return None
    units = set(user.unit_codes())
    merger = store.geography.merger
    olds = set(merger.loc[merger["new_code"].isin(units), "old_code"])
    ward_set = store.geography.ward_set_in("2025")
    wards = {(ward_set, ward) for unit in units for ward in store.geography.children[ward_set].get(unit, [])} if ward_set else set()
    return {("2025", u) for u in units} | {("2008", o) for o in olds} | wards


Progress = Callable[[str, int, int], None]  # (stage: reading, checking; rows done; rows in all, 0 while unknown)


def _silent(_stage: str, _done: int, _total: int) -> None:
    pass


def check_upload(
    upload: Upload,
    raw: Path,
    allowed: set[tuple[str, str]] | None,
    limits: Limits = NO_LIMITS,
    progress: Progress = _silent,
    tell: Callable[[Message], str] = str,
) -> Checked:
    """Read ``upload`` into tidy rows and check them with the catalogue and names of ``raw``: only values of the
    ``allowed`` units (None: any), a table within ``limits``; ``progress`` is told each stage. The problems keep
    their messages' templates (the page tells them in its language); a suggested mapping's comments are written by
    ``tell``."""
    checked = Checked()
    name = upload.file_name or "upload"
    report = checked.report
    try:
        checked.kind = table_kind(upload.content)
    except TableError as exc:
        report.add(name, None, None, exc.message, exc.fix)
        return checked
    _refuse_formulas(upload, name, report)
    layout = RawLayout(raw)
    catalogue = read_catalogue(layout, report)
    resolver = read_resolver(layout, report)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload.{checked.kind}"  # the uploaded name is never used as a path
        path.write_bytes(upload.content)
        progress("reading", 0, 0)
        try:
            grid = read_grid(path, limits=limits)
        except TableError as exc:
            report.add(name, None, None, exc.message, exc.fix)
            return checked
        header = [str(c).strip() for c in grid.rows[0]]
        places: Places | None = None  # a tidy file's rows are the file's own
        if set(TIDY_COLUMNS) <= set(header):
            checked.text = _grid_text(grid)
        elif not upload.mapping.strip():
            checked.suggestion = suggest_mapping(grid, catalogue, resolver, tell)
            report.add(
                name,
                None,
                None,
                Message("the table is not a tidy file: it needs a mapping (indicator per column, year, unit)"),
                Message(
                    "a mapping suggested from the table and the catalogue is filled in below: check it, add the source, "
                    "choose the file again and send it"
                ),
            )
        else:
            checked.text, places = _imported_text(grid, upload, name, Path(tmp), catalogue, resolver, report)
    if not checked.text:
        return checked
    found = Report()  # problems of the tidy rows, told where the file has them
    total = checked.text.count("\n") - 1
    progress("checking", 0, total)
    _refuse_formula_cells(checked.text, name, found)
    checked.values = check_rows(name, checked.text, catalogue, resolver, found, lambda n: progress("checking", n, total)).table
    if allowed is not None:
        _refuse_other_units(checked.values, allowed, name, found)
    report.merge(found, lambda p: places.of(p.row, p.column) if places is not None and p.file == name else (p.row, p.column))
    return checked


def _refuse_other_units(values: pd.DataFrame, allowed: set[tuple[str, str]], name: str, report: Report) -> None:
    """An error for each value of a unit the contributor does not belong to."""
    for boundary, code, origin in zip(values["boundary"], values["code"], values["origin"]):
        if (boundary, code) not in allowed:
            units = ", ".join(sorted(c for b, c in allowed if b == "2025"))
            report.add(
                name,
                int(str(origin).rsplit(":", 1)[1]),
                "province_code",
                Message(
                    "unit {code} of boundary set {boundary} is not one of your units ({units}, and the provinces they were formed from)",
                    code=code,
                    boundary=boundary,
                    units=units,
                ),
                Message("submit values only for your units; a publisher can submit for others"),
            )


FORMULA_FIX = Message("write the text without a leading = or @ (a spreadsheet would run it as a formula)")


def _refuse_formulas(upload: Upload, name: str, report: Report) -> None:
    """An error for each field of the form (and the file's name) that is a formula as typed."""
    fields = {"file": upload.file_name, "source_title": upload.source_title, "source_url": upload.source_url}
    fields["source_document"] = upload.source_document
    for column, text in fields.items():
        if looks_like_formula(text):
            report.add(name, None, column, _formula(text), FORMULA_FIX)


def _refuse_formula_cells(text: str, name: str, report: Report) -> None:
    """An error for each text cell of tidy rows that is a formula as typed (row numbers as a spreadsheet shows them)."""
    for number, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):  # rows, not lines: a cell may hold one
        for column, cell in row.items():
            if column is not None and isinstance(cell, str) and looks_like_formula(cell):
                report.add(name, number, column, _formula(cell), FORMULA_FIX)


def _formula(text: str) -> Message:
    return Message('"{text}" is a spreadsheet formula, not text', text=text[:80])


def _grid_text(grid: Grid) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([["" if c is None else str(c) for c in row] for row in grid.rows])
    return buffer.getvalue()


def _imported_text(grid: Grid, upload: Upload, name: str, tmp: Path, catalogue, resolver, report: Report) -> tuple[str, Places | None]:
    """Tidy CSV text of a table read through the importer with the upload's mapping and source, and where each of
    its rows came from ("", None when the table is refused)."""
    mapping = tmp / "mapping.toml"
    mapping.write_text(upload.mapping, encoding="utf-8")
    try:
        spec = load_spec(mapping)
        spec = dataclasses.replace(
            spec, source_title=upload.source_title, source_url=upload.source_url, source_document=upload.source_document
        )
        result = import_table(grid, spec, resolver, catalogue, name)
    except InputError as exc:
        report.extend(Problem(name if p.file == str(mapping) else p.file, p.row, p.column, p.message, p.fix) for p in exc.problems)
        return "", None
    return tidy_text(result.rows), Places([n for n, _ in result.numbered], result.places)
