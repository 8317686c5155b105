"""Published tables -> a grid of cells: any CSV delimiter and encoding, or an .xlsx sheet.

Encodings: UTF-8 (with or without BOM), UTF-16 (with BOM), Windows-1258
(Vietnamese Windows; decoded text is put in Unicode NFC, since cp1258 writes
tone marks as combining characters) or Windows-1252 / Latin-1 (GSO's English
exports write "Bình" as Latin-1 bytes): of the two single-byte encodings, the
one whose tone marks all sit on vowels wins. Cells are strings; numeric cells
of a workbook stay numbers (Decimal), so no decimal-mark guess touches them. Workbooks are read with calamine
(python-calamine, Rust: 150,000 rows × 13 columns in about 2 s, where openpyxl took a minute and a half).

:class:`Limits` bound what one table may hold (rows, and cells: rows × columns); a table beyond them is refused
while it is read, before its rows are kept, with a message that says the limit and how to stay within it.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from etl.importer.xlsx_formulas import evaluate, unsaved_formulas
from etl.messages import Message

Cell = str | Decimal
DELIMITERS = ",;\t|"


class TableError(ValueError):
    """A file that cannot be read as a table; says why and how to fix it."""

    def __init__(self, message: Message, fix: Message) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


@dataclass(frozen=True)
class Limits:
    """At most ``rows`` rows and ``cells`` cells (rows × the widest row) in one table; None: no limit."""

    rows: int | None = None
    cells: int | None = None

    def check(self, rows: int, width: int) -> None:
        """TableError when a table of ``rows`` rows and ``width`` columns (so far) is beyond the limits."""
        if self.rows is not None and rows > self.rows:
            raise TableError(
                Message("the table has more than {rows} rows, the most one upload may hold", rows=self.rows),
                Message("split it into tables of at most {rows} rows (an administrator sets UPLOAD_MAX_ROWS)", rows=self.rows),
            )
        if self.cells is not None and rows * width > self.cells:
            raise TableError(
                Message(
                    "the table has more than {cells} cells ({rows} rows × {width} columns), the most one upload may hold",
                    cells=self.cells,
                    rows=rows,
                    width=width,
                ),
                Message("split it, or leave out the columns it does not need (an administrator sets UPLOAD_MAX_CELLS)"),
            )


NO_LIMITS = Limits()
RESAVE = Message("save it again as .xlsx from Excel or LibreOffice")


@dataclass(frozen=True)
class Grid:
    """Rows of cells as read; ``encoding`` and ``delimiter`` say how (for the log); ``mended``, the lines of a
    UTF-8 file that were not UTF-8, each read in the first encoding of :data:`MENDING` that takes it."""

    rows: list[list[Cell]]
    encoding: str
    delimiter: str
    mended: tuple[tuple[int, str], ...] = ()
    computed: tuple[str, ...] = ()  # workbook cells holding a sum formula saved without its value: computed here
    uncomputed: tuple[str, ...] = ()  # ... and those holding another formula, left empty


MENDING = ("cp1258", "latin-1")  # for the lines of an otherwise UTF-8 file that are not UTF-8 (latin-1 takes any byte)


def decode(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text in NFC, encoding used). Without ``encoding``: BOM, then UTF-8, then Windows-1258 (a UTF-8 file with a
    few lines that are not: see :func:`decode_mended`)."""
    text, name, _ = decode_mended(raw, encoding)
    return text, name


def decode_mended(raw: bytes, encoding: str | None = None) -> tuple[str, str, tuple[tuple[int, str], ...]]:
    """:func:`decode`, and the lines (1-based, with the encoding that read each) of an otherwise UTF-8 file that
    are not UTF-8: a file other tools rewrote, with a cell pasted from a Windows-1258 one."""
    candidates = [encoding] if encoding else []
    if not encoding:
        if raw.startswith(b"\xef\xbb\xbf"):
            candidates = ["utf-8-sig"]
        elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            candidates = ["utf-16"]
        else:
            candidates = ["utf-8", "cp1258", "cp1252"]
    decoded = []
    for name in candidates:
        try:
            text = raw.decode(name)
        except (UnicodeDecodeError, LookupError):
            if name == "utf-8" and not encoding and (mended := _mostly_utf8(raw)) is not None:  # before any legacy reading
                return unicodedata.normalize("NFC", mended[0]), "utf-8", mended[1]
            continue
        if "\x00" in text:
            continue
        if name == "utf-8" or encoding:
            return unicodedata.normalize("NFC", text), name, ()
        decoded.append((_misplaced_tone_marks(text), name, text))
    if decoded:
        _, name, text = min(decoded, key=lambda d: d[0])
        return unicodedata.normalize("NFC", text), name, ()
    raise TableError(
        Message("unreadable encoding: the file is not {encodings}", encodings=" / ".join(candidates)),
        Message("save it as UTF-8, or name its encoding with --encoding (e.g. utf-16, cp1258)"),
    )


_VOWELS = set("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")


def _misplaced_tone_marks(text: str) -> int:
    """Combining marks that do not follow a vowel: Vietnamese puts tones on vowels only."""
    return sum(1 for i, c in enumerate(text) if unicodedata.combining(c) and (i == 0 or text[i - 1] not in _VOWELS))


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same, largest number of fields."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts or max(counts) < 2:
            continue
        score = max(counts) * sum(1 for c in counts if c == max(counts))
        if score > best_score:
            best, best_score = delimiter, score
    return best


MAX_UNZIPPED = 200 * 2**20  # a workbook that unzips to more is refused as a decompression bomb
MAX_RATIO = 200


OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compiled VBA project (and other embedded programs) is one
MACRO_MARKS = ("vbaproject", "macroenabled", "ms-office.activex", "vnd.ms-excel.intl", "vnd.ms-excel.macrosheet")
UNICODE_BOMS = (b"\xff\xfe", b"\xfe\xff")


def table_kind(content: bytes) -> str:
    """ "xlsx" or "csv", decided from the bytes (never from a file name); TableError for anything else.

    A workbook is refused when it carries macros, found by content, not by a part's name: a content type or a
    relationship that declares a VBA project (or a macro sheet, an ActiveX control), or any part that is a
    compiled program (an OLE compound file), whatever it is called; and when it would unzip to more than
    :data:`MAX_UNZIPPED` bytes or more than :data:`MAX_RATIO` times its size (a decompression bomb). A text
    is a CSV in every encoding :func:`decode` reads, UTF-16 with its byte-order mark included.
    """
    if content[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                entries = archive.infolist()
                unzipped = sum(e.file_size for e in entries)
                if unzipped > MAX_UNZIPPED or unzipped > MAX_RATIO * max(len(content), 1):
                    raise TableError(
                        Message("the workbook would unzip to {size} bytes", size=unzipped),
                        Message("upload the table alone, in a smaller workbook"),
                    )
                names = {e.filename for e in entries}
                if "xl/workbook.xml" not in names:
                    raise TableError(
                        Message("the file is a ZIP archive, not an Excel workbook"), Message("upload a .xlsx workbook or a CSV file")
                    )
                if _carries_macros(archive, entries):
                    raise TableError(
                        Message("the workbook contains macros or an embedded program"),
                        Message("save it as a plain .xlsx workbook (without macros)"),
                    )
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error, NotImplementedError) as exc:
            raise TableError(Message("the file looks like a workbook but cannot be opened"), Message("save it again as .xlsx")) from exc
        return "xlsx"
    if content.startswith(UNICODE_BOMS):
        try:
            decode(content)
        except TableError:
            pass
        else:
            return "csv"
    if b"\x00" in content[:65536]:
        raise TableError(Message("the file is neither a CSV text nor an Excel workbook"), Message("upload a .csv or .xlsx file"))
    return "csv"


def _mostly_utf8(raw: bytes) -> tuple[str, tuple[tuple[int, str], ...]] | None:
    """The text of a file whose lines are UTF-8 but for some (each of those read in the first of :data:`MENDING`
    that takes it), and those lines; None when no line holds UTF-8 beyond ASCII (the file is in another encoding)."""
    parts, mended, utf8 = [], [], False
    for number, line in enumerate(raw.splitlines(keepends=True), start=1):
        try:
            text = line.decode("utf-8")
            utf8 = utf8 or not line.isascii()
        except UnicodeDecodeError:
            for name in MENDING:
                try:
                    text = line.decode(name)
                except UnicodeDecodeError:
                    continue
                mended.append((number, name))
                break
        parts.append(text)
    return ("".join(parts), tuple(mended)) if utf8 and mended else None


def _carries_macros(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> bool:
    """Whether a content type or relationship declares macros, or a part is a compiled program (OLE), by content."""
    for entry in entries:
        lower = entry.filename.lower()
        if lower.endswith("vbaproject.bin"):
            return True
        if lower == "[content_types].xml" or lower.endswith(".rels"):
            with archive.open(entry) as part:
                declared = part.read(4 * 2**20).decode("utf-8", "replace").lower()
            if any(mark in declared for mark in MACRO_MARKS):
                return True
        elif entry.file_size >= len(OLE_SIGNATURE):
            with archive.open(entry) as part:
                if part.read(len(OLE_SIGNATURE)) == OLE_SIGNATURE:
                    return True
    return False


def read_grid(
    path: Path, encoding: str | None = None, delimiter: str | None = None, sheet: str | None = None, limits: Limits = NO_LIMITS
) -> Grid:
    """Read ``path`` (.csv/.txt/.tsv or .xlsx) as a grid; trailing empty rows are dropped; TableError beyond ``limits``."""
    if not path.exists():
        raise TableError(Message("{path} does not exist", path=str(path)), Message("check the file name"))
    computed: tuple[str, ...] = ()
    uncomputed: tuple[str, ...] = ()
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _read_xlsx(path, sheet, limits)
        computed, uncomputed = _fill_formulas(path, sheet, rows, limits)
        enc, delim = "xlsx", ""
        mended: tuple[tuple[int, str], ...] = ()
    else:
        text, enc, mended = decode_mended(path.read_bytes(), encoding)
        delim = delimiter or sniff_delimiter(text)
        rows = _read_csv(text, delim, limits)
    while rows and all(str(c).strip() == "" for c in rows[-1]):
        rows.pop()
    if not rows:
        raise TableError(Message("the file is empty"), Message("export the table again with its header and rows"))
    width = max(len(r) for r in rows)
    return Grid([r + [""] * (width - len(r)) for r in rows], enc, delim, mended, computed, uncomputed)


def _fill_formulas(path: Path, sheet: str | None, rows: list[list[Cell]], limits: Limits) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Put into ``rows`` the value of every sum formula saved without one (:mod:`etl.importer.xlsx_formulas`);
    (cells computed, cells with another formula), as spreadsheet references."""
    try:
        with zipfile.ZipFile(path) as archive:
            formulas = unsaved_formulas(archive, sheet)
    except (zipfile.BadZipFile, ET.ParseError, KeyError, OSError) as exc:
        raise TableError(Message("the workbook is damaged: {reason}", reason=_reason(exc)), RESAVE) from exc
    if not formulas:
        return (), ()
    limits.check(max(r for r, _ in formulas) + 1, max(c for _, c in formulas) + 1)

    def value_of(row: int, column: int) -> Decimal | None:
        cell = rows[row][column] if row < len(rows) and column < len(rows[row]) else ""
        return cell if isinstance(cell, Decimal) else None

    values = evaluate(formulas, value_of)
    for (row, column), value in sorted(values.items()):
        while len(rows) <= row:
            rows.append([])
        rows[row] += [""] * (column + 1 - len(rows[row]))
        rows[row][column] = value
    names = {place: f"{_column_name(place[1])}{place[0] + 1}" for place in formulas}
    return tuple(names[p] for p in sorted(values)), tuple(names[p] for p in sorted(set(formulas) - set(values)))


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _read_csv(text: str, delimiter: str, limits: Limits) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    width = 0
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        rows.append(list(row))
        width = max(width, len(row))
        if len(rows) % 10_000 == 0:
            limits.check(len(rows), width)
    limits.check(len(rows), width)
    return rows


def _read_xlsx(path: Path, sheet: str | None, limits: Limits) -> list[list[Cell]]:
    """The cells of one sheet (the first unless ``sheet``), in the sheet's own rows and columns (empty ones before
    the table kept, so that row numbers are the ones a spreadsheet shows); a workbook damaged in any way (a cell
    naming a shared string that does not exist, no worksheet, broken XML) is a TableError."""
    from python_calamine import CalamineWorkbook  # imported here: only workbooks need it

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for damaged files
        raise TableError(Message("cannot open the workbook: {reason}", reason=_reason(exc)), RESAVE) from exc
    try:
        if sheet is not None and sheet not in book.sheet_names:
            raise TableError(
                Message('the workbook has no sheet "{sheet}" (sheets: {sheets})', sheet=sheet, sheets=", ".join(book.sheet_names)),
                Message("name one of those sheets with --sheet"),
            )
        if not book.sheet_names:
            raise TableError(Message("the workbook has no worksheet"), Message("save it again with the table on its first sheet"))
        ws = book.get_sheet_by_name(sheet) if sheet else book.get_sheet_by_index(0)
        first_row, first_column = ws.start or (0, 0)
        limits.check(first_row + ws.height, first_column + ws.width)
        lead: list[Cell] = [""] * first_column  # iter_rows leaves out the empty columns before the table
        return [lead + [_xlsx_cell(v) for v in row] for row in ws.iter_rows()]
    except TableError:
        raise
    except Exception as exc:  # damaged parts show only when read: a missing shared string, broken XML, a bad number
        raise TableError(Message("the workbook is damaged: {reason}", reason=_reason(exc)), RESAVE) from exc
    finally:
        book.close()


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}" if str(exc) else type(exc).__name__


def _xlsx_cell(value: object) -> Cell:
    """A workbook's cell as a string or, for a number, a Decimal with the digits it has (7.0 -> 7, 0.1 -> 0.1)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return Decimal(int(value)) if value.is_integer() else Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    return unicodedata.normalize("NFC", str(value))
