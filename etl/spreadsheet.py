"""The one writer of the tables people open in a spreadsheet (every CSV download and export): UTF-8 with BOM, so
that Excel shows Vietnamese, and no cell that a spreadsheet would run as a formula.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is neutralised by a leading
apostrophe (OWASP's rule for CSV injection): ``=HYPERLINK("http://…")`` is shown as text, never followed.
Numbers are never touched (``-3.5`` stays a number); only text is. Data kept for the build (tidy CSVs, the
rows of a submission) is not written here: those are read back, and must stay as typed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(value: object) -> object:
    """``value`` with an apostrophe in front when it is text a spreadsheet would read as a formula; else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def looks_like_formula(text: str) -> bool:
    """Whether ``text`` is a formula as typed (``=…``): never a title, a note or a file name (intake refuses it)."""
    return text.lstrip().startswith(("=", "@"))


def neutralised_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are neutralised; numeric columns are left as they are."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(neutralise, na_action="ignore")
    return out


def frame_csv(frame: pd.DataFrame, header: bool = True, bom: bool = True) -> bytes:
    """``frame`` as CSV bytes (no index), text neutralised; with ``bom`` the UTF-8 byte-order mark first."""
    text = neutralised_frame(frame).to_csv(index=False, header=header, lineterminator="\n")
    return ((BOM if bom else "") + text).encode("utf-8")


def rows_csv(columns: Sequence[str], rows: Iterable[Sequence[object] | dict[str, object]]) -> bytes:
    """CSV bytes with BOM of ``rows`` (sequences in the order of ``columns``, or dicts by column), text neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        cells = [row.get(c) for c in columns] if isinstance(row, dict) else list(row)
        writer.writerow(["" if c is None else neutralise(c) for c in cells])
    return (BOM + buffer.getvalue()).encode("utf-8")
