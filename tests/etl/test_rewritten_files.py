"""Tables other tools rewrote import without a hand-made tidy copy: a UTF-8 file with a few lines in another
encoding (a cell pasted from a Windows-1258 file) is read as UTF-8, each of those lines in Windows-1258 (else
Latin-1), and the import says which lines; R's export (no title, the header repeated, years as "X2008", names
with doubled spaces and decomposed accents, footnote marks on years) reads as the table it was."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from etl.importer.spec import load_spec
from etl.importer.table_import import import_table
from etl.importer.tables import decode, decode_mended, read_grid
from tests.etl.test_importer import CATALOGUE, RESOLVER


def cp1258(text: str) -> bytes:
    """``text`` as Windows-1258 writes it: precomposed letters where it has them, else the base letter and a
    combining tone mark."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base, marks = (unicodedata.normalize("NFC", parts[:2]), parts[2:]) if len(parts) > 2 else (parts[0], parts[1:])
            out += base.encode("cp1258") + marks.encode("cp1258")
    return out


SPEC = 'source_title = "T"\nsource_url = "https://example.invalid/t"\nyear = 2024\nboundary = "2025"\n[columns]\n"Số điểm" = { indicator = "congestion_hotspots_frequent", unit = "points" }\n'


def test_a_line_in_windows_1258_is_read_as_such_and_named(tmp_path: Path) -> None:
    raw = "Tỉnh,Số điểm\nHà Nội,38\n".encode() + cp1258("Hải Phòng,12\n") + "Cần Thơ,4\n".encode()
    table = tmp_path / "t.csv"
    table.write_bytes(raw)
    text, encoding, mended = decode_mended(raw)
    assert encoding == "utf-8" and mended == ((3, "cp1258"),)
    assert "Hải Phòng,12" in text and "Hà Nội,38" in text
    spec = tmp_path / "s.toml"
    spec.write_text(SPEC, encoding="utf-8")
    result = import_table(read_grid(table), load_spec(spec), RESOLVER, CATALOGUE, str(table))
    assert {r["province_name_vi"]: r["value"] for r in result.rows} == {"Hà Nội": "38", "Hải Phòng": "12", "Cần Thơ": "4"}
    assert any(note.startswith("line 3 is not UTF-8") and "cp1258" in note for note in result.notes)


def test_a_file_wholly_in_windows_1258_is_still_read_whole_in_it() -> None:
    raw = cp1258("Tỉnh,Số điểm\nHải Phòng,12\n")
    assert decode_mended(raw) == (decode(raw)[0], "cp1258", ())


@given(st.lists(st.tuples(st.text(alphabet="aăâđêôơưáàHNT ,0123456789", max_size=20), st.booleans()), max_size=12))
def test_every_line_is_kept_whatever_its_encoding(lines: list[tuple[str, bool]]) -> None:
    """After a UTF-8 header, each line comes back as written, in UTF-8 or in Windows-1258; the Windows-1258 lines
    that are not plain ASCII (the same bytes in both) are the ones named."""
    raw = "Tỉnh,Số điểm\n".encode() + b"".join((cp1258(text + "\n") if legacy else (text + "\n").encode()) for text, legacy in lines)
    text, encoding, mended = decode_mended(raw)
    assert encoding == "utf-8" and text.split("\n")[1:-1] == [t for t, _ in lines]
    assert [n for n, _ in mended] == [n for n, (t, legacy) in enumerate(lines, start=2) if legacy and not t.isascii()]


def test_an_r_export_with_a_repeated_x_prefixed_header_reads_as_the_table(tmp_path: Path) -> None:
    hanoi = unicodedata.normalize("NFD", "Hà  Nội")  # doubled space, accents as combining marks
    table = tmp_path / "r.csv"
    table.write_text(
        f'"Cities..provincies","Total X2008","Total X2009 (**)"\n"Cities..provincies","Total X2008","Total X2009 (**)"\n'
        f'"{hanoi}",38,40\n"Hải Phòng",12,13\n',
        encoding="utf-8",
    )
    spec = tmp_path / "s.toml"
    spec.write_text(
        'source_title = "T"\nsource_url = "https://example.invalid/t"\nboundary = "2008"\n[columns]\n'
        '"Total" = { indicator = "congestion_hotspots_frequent", unit = "points" }\n',
        encoding="utf-8",
    )
    rows = import_table(read_grid(table), load_spec(spec), RESOLVER, CATALOGUE, str(table)).rows
    got = {(r["province_code"], r["year"]): r["value"] for r in rows}
    assert got == {("01", "2008"): "38", ("01", "2009"): "40", ("31", "2008"): "12", ("31", "2009"): "13"}
