"""Reading a CSV table of ``geodata/raw`` (or a text of one) into numbered rows, with its problems reported: the
encoding, the header's required columns (with the nearest name for a misspelt one), field counts that differ from
the header's. Rows are numbered as the file's own lines."""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterator
from pathlib import Path

from etl.problems import Report

CsvRow = tuple[int, dict[str, str]]


def read_csv(path: Path, required: list[str], report: Report, name: str | None = None, allow_empty: bool = False) -> list[CsvRow]:
    """Rows of a UTF-8 CSV as (spreadsheet row number, {column: text}); see :func:`iter_csv`."""
    return list(iter_csv(path, required, report, name, allow_empty))


def iter_csv(path: Path, required: list[str], report: Report, name: str | None = None, allow_empty: bool = False) -> Iterator[CsvRow]:
    """Rows of a UTF-8 CSV, one at a time, as (spreadsheet row number, {column: text}).

    Reports an unreadable encoding (with its line), an empty file, missing
    columns (with the closest existing column name), a row whose number of
    fields differs from the header's (an unquoted comma shifts every later
    field), and a quoting error at its line; such rows are not yielded. A file
    with a header and no rows is a problem unless ``allow_empty``.
    """
    name = name or str(path)
    if not path.exists():
        report.add(name, None, None, "the file is missing", "restore it (see geodata/raw/*/README.md for its source)")
        return
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        report.add(
            name,
            row,
            None,
            f"unreadable encoding: byte {raw[exc.start]:#04x} is not UTF-8",
            "save the file as UTF-8, or turn it into a tidy file with `urbanmap import --encoding ...`",
        )
        return
    del raw
    yield from iter_csv_text(text, required, report, name, allow_empty)


def iter_csv_text(text: str, required: list[str], report: Report, name: str, allow_empty: bool = False) -> Iterator[CsvRow]:
    """:func:`iter_csv` of CSV text already decoded (a submission kept in the database)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        report.add(name, reader.line_num, None, f"the header cannot be read as CSV: {exc}", "correct the quoting of the header")
        return
    if not any(header):
        report.add(name, None, None, "the file is empty", "restore the header row and the data")
        return
    missing = [c for c in required if c not in header]
    for column in missing:
        close = difflib.get_close_matches(column, header, n=1)
        hint = f'rename column "{close[0]}" to "{column}"' if close else f'add a column "{column}"'
        report.add(name, 1, column, f'required column "{column}" is missing', hint)
    if missing:
        return
    width = len(header)
    number, yielded = 1, 0
    while True:
        starts_at = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            if not yielded and not allow_empty:
                report.add(name, None, None, "the file has a header but no rows", "add the data rows")
            return
        except csv.Error as exc:
            report.add(
                name,
                number + 1,
                None,
                f"quoting error in the row that starts on line {starts_at}: {exc}",
                "close the quote, or double a quote inside a quoted field",
            )
            return
        number += 1
        if len(fields) != width:
            if not any(f.strip() for f in fields):
                continue
            report.add(
                name,
                number,
                None,
                f"the row has {len(fields)} fields, the header {width}",
                "quote fields that contain the delimiter (an unquoted comma in a title shifts every later field)",
            )
            continue
        yielded += 1
        yield number, {k: v.strip() for k, v in zip(header, fields)}
