"""Reading a CSV table of ``geodata/raw`` (or a text of one) into numbered rows, with its problems reported: the
encoding, the header's required columns (with the nearest name for a misspelt one), field counts that differ from
the header's. Rows are numbered as the file's own lines."""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterator
from pathlib import Path

from etl.messages import Message
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
        report.add(name, None, None, Message("the file is missing"), Message("restore it (see geodata/raw/*/README.md for its source)"))
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
            Message("unreadable encoding: byte {byte} is not UTF-8", byte=f"{raw[exc.start]:#04x}"),
            Message("save the file as UTF-8, or turn it into a tidy file with `urbanmap import --encoding ...`"),
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
        report.add(
            name,
            reader.line_num,
            None,
            Message("the header cannot be read as CSV: {reason}", reason=str(exc)),
            Message("correct the quoting of the header"),
        )
        return
    if not any(header):
        report.add(name, None, None, Message("the file is empty"), Message("restore the header row and the data"))
        return
    missing = [c for c in required if c not in header]
    for column in missing:
        close = difflib.get_close_matches(column, header, n=1)
        if close:
            hint = Message('rename column "{close}" to "{column}"', close=close[0], column=column)
        else:
            hint = Message('add a column "{column}"', column=column)
        report.add(name, 1, column, Message('required column "{column}" is missing', column=column), hint)
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
                report.add(name, None, None, Message("the file has a header but no rows"), Message("add the data rows"))
            return
        except csv.Error as exc:
            report.add(
                name,
                number + 1,
                None,
                Message("quoting error in the row that starts on line {line}: {reason}", line=str(starts_at), reason=str(exc)),
                Message("close the quote, or double a quote inside a quoted field"),
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
                Message("the row has {fields} fields, the header {width}", fields=len(fields), width=width),
                Message("quote fields that contain the delimiter (an unquoted comma in a title shifts every later field)"),
            )
            continue
        yielded += 1
        yield number, {k: v.strip() for k, v in zip(header, fields)}
