"""Importing published tables: the real examples, encodings, delimiters, workbooks, errors."""

from __future__ import annotations

import csv
import shutil
import unicodedata
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from etl.catalogue import read_catalogue
from etl.cli import main
from etl.importer.spec import load_spec
from etl.importer.table_import import import_table
from etl.importer.tables import TableError, read_grid
from etl.problems import InputError, Report
from etl.sources import RawLayout, read_resolver
from tests.synthetic import SHIPPED

PUBLISHED = SHIPPED / "published"
RESOLVER = read_resolver(RawLayout(SHIPPED))
CATALOGUE = read_catalogue(RawLayout(SHIPPED), Report())
YAGI = PUBLISHED / "wikipedia-vi_bao-yagi-2024_thiet-hai-theo-tinh.csv"


def _import(path: Path, spec_path: Path, **grid_options) -> list[dict[str, str]]:
    return import_table(read_grid(path, **grid_options), load_spec(spec_path), RESOLVER, CATALOGUE, str(path)).rows


def _key(r: dict[str, str]) -> tuple:
    return r["boundary"], r["province_code"], r["indicator"], r["year"], r["period"]


def test_the_2011_table_imports_every_province_as_printed() -> None:
    """Every province of the population column, against the file read here (thousand persons -> persons)."""
    source = PUBLISHED / "vn-population-2011_kierandg-d3tuts.csv"
    printed = {r["iso"]: Decimal(r["population"]) * 1000 for r in csv.DictReader(source.open(encoding="utf-8"))}
    iso = {
        r["alias"]: r["code"]
        for r in csv.DictReader((SHIPPED / "names/province_aliases.csv").open(encoding="utf-8"))
        if r["alias"].startswith("VN-")
    }
    rows = {
        r["province_code"]: r
        for r in _import(source, PUBLISHED / "vn-population-2011_kierandg-d3tuts.toml")
        if r["indicator"] == "population"
    }
    assert len(rows) == 63
    for code_iso, value in printed.items():
        row = rows[iso[code_iso]]
        assert (Decimal(row["value"]), row["unit"], row["year"]) == (value, "persons", "2011")


def test_vietnamese_number_format_and_pxweb_headers() -> None:
    danso = _import(PUBLISHED / "danso-asia_top10_dieu-tra-giua-ky-2024.csv", PUBLISHED / "danso-asia_top10_dieu-tra-giua-ky-2024.toml")
    assert {(r["indicator"], r["value"]) for r in danso if r["province_code"] == "79"} == {
        ("population", "9521886"),
        ("area", "2095"),
        ("population_density", "4544"),
    }
    stem = "gso-pxweb_V02.01_dien-tich-dan-so-mat-do_2011-2016_pastebin-excerpt"
    pxweb = {_key(r): r for r in _import(PUBLISHED / f"{stem}.csv", PUBLISHED / f"{stem}.toml")}
    assert pxweb[("2008", "01", "area", "2011", "")]["value"] == "3328.9"
    assert pxweb[("2008", "01", "population", "2016", "")]["value"] == "7328400"
    assert pxweb[("2008", "22", "population_density", "2014", "")]["value"] == "197"


def test_names_and_iso_codes_give_the_same_rows(tmp_path: Path) -> None:
    spec = (
        (PUBLISHED / "vn-population-2011_kierandg-d3tuts.toml").read_text().replace('province_column = "iso"', 'province_column = "name"')
    )
    (tmp_path / "by_name.toml").write_text(spec)
    source = PUBLISHED / "vn-population-2011_kierandg-d3tuts.csv"
    by_iso = _import(source, PUBLISHED / "vn-population-2011_kierandg-d3tuts.toml")
    by_name = _import(source, tmp_path / "by_name.toml")
    assert [_key(r) + (r["value"],) for r in by_iso] == [_key(r) + (r["value"],) for r in by_name]
    assert len(by_iso) == 63 * 3


def test_bounds_and_the_total_row() -> None:
    result = import_table(read_grid(YAGI), load_spec(PUBLISHED / f"{YAGI.stem}.toml"), RESOLVER, CATALOGUE, "yagi.csv")
    rows, notes = result.rows, result.notes
    by_code = {r["province_code"]: r for r in rows}
    assert (by_code["01"]["value"], by_code["01"]["value_flag"]) == ("2287", "lower_bound")
    assert (by_code["04"]["value"], by_code["04"]["value_flag"]) == ("920", "upper_bound")
    assert by_code["11"]["value"] == "4.7"
    assert any("Tổng thiệt hại" in n and "not a province" in n for n in notes)


def test_yearbook_block_two_is_not_read_and_the_preliminary_year_is() -> None:
    stem = "binh-dinh_nien-giam_bieu19_dan-so-trung-binh-gioi-tinh-thanh-thi-nong-thon"
    result = import_table(read_grid(PUBLISHED / f"{stem}.csv"), load_spec(PUBLISHED / f"{stem}.toml"), RESOLVER, CATALOGUE, "bd.csv")
    years = sorted({int(r["year"]) for r in result.rows})
    assert years == list(range(2015, 2024)) and len(result.rows) == 18
    assert any("block 2" in n for n in result.notes)
    assert {r["year"] for r in result.rows if r["preliminary"] == "yes"} == {"2023"}


TONES = "\u0300\u0301\u0303\u0309\u0323"


def _cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: precomposed base letter + combining tone mark where needed."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            tone = next(c for c in decomposed if c in TONES)
            base = unicodedata.normalize("NFC", decomposed.replace(tone, ""))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return out


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ","), ("utf-16", ","), ("cp1258", ","), ("utf-8", ";"), ("utf-8", "\t"), ("utf-16", ";")],
)
def test_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str) -> None:
    text = YAGI.read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    path = tmp_path / "yagi.txt"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    body = path.read_text(encoding="utf-8")
    path.write_bytes(_cp1258(body) if encoding == "cp1258" else body.encode(encoding))
    grid = read_grid(path)
    assert grid.delimiter == delimiter

    def without_note(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        return [{k: v for k, v in r.items() if k != "note"} for r in rows]

    assert without_note(_import(path, PUBLISHED / f"{YAGI.stem}.toml")) == without_note(_import(YAGI, PUBLISHED / f"{YAGI.stem}.toml"))


def test_unreadable_encoding_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes("Tỉnh,Giá trị\n".encode("utf-16-le"))
    with pytest.raises(TableError, match="unreadable encoding"):
        read_grid(path)


def test_xlsx_workbook(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Yagi"
    sheet.append(["Tỉnh thành", "Thiệt hại (tỷ đồng)"])
    sheet.append(["Quảng Ninh", 28034])
    sheet.append(["Hải Phòng", 13062.7])
    sheet.append(["Hà Nội", ">2.287"])
    sheet.append(["Tổng", 43383.7])
    book.save(tmp_path / "yagi.xlsx")
    with pytest.raises(InputError, match='cannot tell whether ">2.287" uses'):
        _import(tmp_path / "yagi.xlsx", PUBLISHED / f"{YAGI.stem}.toml", sheet="Yagi")
    spec = _write(tmp_path / "s.toml", 'decimal = ","\n' + (PUBLISHED / f"{YAGI.stem}.toml").read_text(encoding="utf-8"))
    rows = _import(tmp_path / "yagi.xlsx", spec, sheet="Yagi")
    assert [(r["province_code"], r["value"], r["value_flag"]) for r in rows] == [
        ("22", "28034", ""),
        ("31", "13062.7", ""),
        ("01", "2287", "lower_bound"),
    ]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_errors_name_file_row_and_column_and_write_nothing(tmp_path: Path, capsys) -> None:
    table = _write(tmp_path / "t.csv", "Tỉnh,Thiệt hại\nQuảng Ninh,28.034\nHải Phòng,abc\nHà Nộii,5\n")
    out = tmp_path / "out.csv"
    args = [
        "-q",
        "import",
        str(table),
        "--indicator",
        "storm_flood_damage_yagi_2024",
        "--unit",
        "billion VND",
        "--value-column",
        "Thiệt hại",
        "--year",
        "2024",
        "--source-title",
        "T",
        "--source-url",
        "https://example.invalid/t",
        "--out",
        str(out),
    ]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f'{table}, row 3, column "Thiệt hại": error: "abc" is not a number: a value cell holds text' in err
    assert f'{table}, row 4, column "Tỉnh": error: "Hà Nộii" is not a province name' in err and 'did you mean "Hà Nội"' in err
    assert not out.exists()


def test_a_name_that_stays_ambiguous_is_an_error_naming_the_row(tmp_path: Path) -> None:
    table = _write(tmp_path / "t.csv", "Tỉnh,Số điểm\nHà Nội,38\nHải Phòng,12\n")
    spec = _write(
        tmp_path / "s.toml",
        'source_title = "T"\nsource_url = "https://example.invalid/u"\nyear = 2025\n[columns]\n"Số điểm" = { indicator = "congestion_hotspots_frequent", unit = "points" }\n',
    )
    with pytest.raises(InputError) as info:
        _import(table, spec)
    (problem,) = info.value.problems
    assert problem.row == 3 and "different areas before and after 2025-07-01" in problem.message
    assert "set 2008: code 31 Hải Phòng; set 2025: code 31 Hải Phòng" in problem.message


def test_the_source_is_required(tmp_path: Path) -> None:
    spec = _write(
        tmp_path / "s.toml",
        'year = 2024\n[columns]\n"Thiệt hại (tỷ đồng)" = { indicator = "storm_flood_damage_yagi_2024", unit = "billion VND" }\n',
    )
    with pytest.raises(InputError, match="the source is not named"):
        _import(YAGI, spec)


def test_import_writes_only_where_out_says(tmp_path: Path, capsys) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SHIPPED, raw)
    before = sorted(p.relative_to(raw) for p in raw.rglob("*"))
    stem = "gso-pxweb_V02.01_dien-tich-dan-so-mat-do_2011-2016_pastebin-excerpt"
    args = ["-q", "import", "--raw", str(raw), "--map", str(PUBLISHED / f"{stem}.toml"), str(PUBLISHED / f"{stem}.csv")]
    assert main(args) == 1 and "give --out" in capsys.readouterr().err
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "population [2008] 2016: 4 unit(s), 1066000 .. 7328400 persons" in out
    assert main([*args, "--out", str(tmp_path / "px.csv")]) == 0
    assert sorted(p.relative_to(raw) for p in raw.rglob("*")) == before
    rows = list(csv.DictReader((tmp_path / "px.csv").open(encoding="utf-8")))
    assert len(rows) == 4 * 3 * 6 and all("\n" not in v for r in rows for v in r.values())


SPEC_2025 = (
    'source_title = "T"\nsource_url = "https://example.invalid/u"\nyear = 2025\nboundary = "2025"\n'
    '[columns]\n"Số điểm" = { indicator = "congestion_hotspots_frequent", unit = "points" }\n'
)


@pytest.mark.parametrize("rows", [1, 2, 4])
def test_a_serial_number_column_is_never_read_as_codes(tmp_path: Path, rows: int) -> None:
    names = ["Cần Thơ", "Huế", "Đà Nẵng", "Gia Lai"][:rows]
    body = "".join(f"{i},{name},{10 + i}\n" for i, name in enumerate(names, start=1))
    table = _write(tmp_path / "t.csv", 'STT,"Tỉnh, thành phố",Số điểm\n' + body)
    got = _import(table, _write(tmp_path / "s.toml", SPEC_2025))
    assert [r["province_name_vi"] for r in got] == [RESOLVER.resolve(n, "2025").name_vi for n in names]
    assert [r["value"] for r in got] == [str(10 + i) for i in range(1, rows + 1)]


def test_a_code_column_is_read_where_its_header_says_so(tmp_path: Path) -> None:
    table = _write(tmp_path / "t.csv", "Mã tỉnh,Số điểm\n92,12\n")
    (row,) = _import(table, _write(tmp_path / "s.toml", SPEC_2025))
    assert (row["province_code"], row["value"]) == ("92", "12")
    bare = _write(tmp_path / "bare.csv", "STT,Số điểm\n1,12\n")
    with pytest.raises(InputError, match="serial-number column such as STT is never read as codes"):
        _import(bare, _write(tmp_path / "s.toml", SPEC_2025))


def test_codes_and_names_that_disagree_are_an_error_naming_both(tmp_path: Path) -> None:
    table = _write(tmp_path / "t.csv", "Mã tỉnh,Tỉnh,Số điểm\n92,Cần Thơ,12\n01,Huế,7\n")
    with pytest.raises(InputError) as info:
        _import(table, _write(tmp_path / "s.toml", SPEC_2025))
    (problem,) = info.value.problems
    assert problem.row == 3 and problem.column == "Mã tỉnh"
    assert "Hà Nội (code 01)" in problem.message and "Huế (code 46)" in problem.message
