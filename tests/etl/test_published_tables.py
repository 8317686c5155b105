"""The eight GSO tables as published, imported by the build; cell problems; years and units the table says itself."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyogrio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.build import build
from etl.catalogue import read_catalogue
from etl.cli import main
from etl.importer.labels import read_label, year_in_title
from etl.importer.spec import load_spec
from etl.importer.table_import import import_table
from etl.importer.tables import read_grid
from etl.problems import InputError, Report
from etl.sources import RawLayout, read_resolver
from tests.synthetic import SHIPPED, self_contained_raw, shipped_file

GSO = SHIPPED / "published/gso-en-2018"
LAYOUT = RawLayout(SHIPPED)
CATALOGUE = read_catalogue(LAYOUT, Report())
RESOLVER = read_resolver(LAYOUT)
NAMES = {
    "Thua Thien-Hue": "Thua Thien Hue",
    "Ho Chi Minh city": "Ho Chi Minh City",
    "TP.Ho Chi Minh": "Ho Chi Minh City",
    "Bình Dinh": "Binh Dinh",
}
# (table, header of the column checked for every province, indicator, factor to the catalogue unit)
COLUMNS = [
    ("average-population-by-province_1995-2016", "Urban 2013", "urban_population", 1000),
    ("area-population-density-by-province_2011-2016", "2013 Area (Km2)", "area", 1),
    ("dwelling-area-per-capita-by-type-of-house_2014-2016", "2014 Total", "dwelling_area_per_capita", 1),
    ("households-by-type-of-house_2014-2016", "Pre. 2016 Permanent house", "households_permanent_house_share", 1),
    ("solid-waste-collected-treated-per-day_2015-2016", "2016 Total of collected solid waste", "solid_waste_collected_per_day", 1),
    ("monthly-income-per-capita_2010-2016", "2012 Total", "monthly_income_per_capita", 1),
    ("administrative-units-by-province_2009-2016", "2014 Wards", "wards_count", 1),
    ("land-use-by-province_2015", "Homestead land", "homestead_land_area", 1000),
]


def printed_cells(stem: str, header: str) -> dict[str, str]:
    """Province (English, as in the boundary file) -> the cell as printed, read here with the csv module."""
    raw = shipped_file(f"published/gso-en-2018/{stem}.csv").read_bytes()
    text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("latin-1")
    rows = list(csv.reader(text.splitlines(), delimiter=";"))
    column = rows[2].index(header)
    english = {u.name_en: u.code for u in RESOLVER.units.values() if u.boundary == "2008"}
    out = {}
    for row in rows[3:]:
        name = " ".join(row[0].split())
        name = NAMES.get(name, name)
        if name in english:
            out[english[name]] = row[column]
    return out


@pytest.fixture(scope="module")
def imported() -> dict[str, list[dict[str, str]]]:
    return {
        stem: import_table(
            read_grid(shipped_file(f"published/gso-en-2018/{stem}.csv")), load_spec(GSO / f"{stem}.toml"), RESOLVER, CATALOGUE, stem
        ).rows
        for stem, *_ in COLUMNS
    }


@pytest.mark.parametrize(("stem", "header", "indicator", "factor"), COLUMNS, ids=[c[0] for c in COLUMNS])
def test_every_province_of_one_column_is_imported_as_printed(imported, stem: str, header: str, indicator: str, factor: int) -> None:
    printed = printed_cells(stem, header)
    assert len(printed) == 63
    year = read_label(header, CATALOGUE.unit_labels).year or 2015
    got = {r["province_code"]: r for r in imported[stem] if r["indicator"] == indicator and r["year"] == str(year)}
    for code, cell in printed.items():
        if cell in ("..", ""):
            assert code not in got
        else:
            assert Decimal(got[code]["value"]) == Decimal(cell) * factor, (code, cell)
    assert {r["preliminary"] for r in got.values()} == ({"yes"} if "Pre" in header else {""})


def test_spot_checks_years_marks_and_rows_that_are_not_provinces(imported) -> None:
    population = imported["average-population-by-province_1995-2016"]
    years = {int(r["year"]) for r in population}
    assert years == set(range(2008, 2017))  # 1995-2007 not taken: not back-cast to the 63 provinces
    hanoi_2016 = next(r for r in population if r["province_code"] == "01" and r["year"] == "2016" and r["indicator"] == "population")
    assert (hanoi_2016["value"], hanoi_2016["preliminary"]) == ("7328400", "yes")
    assert len({r["province_code"] for r in population}) == 63  # Hà Tây skipped, regions and the country not mapped
    land = imported["land-use-by-province_2015"]
    assert {r["year"] for r in land} == {"2015"} and len(land) == 63  # the year is read from the title
    units = imported["administrative-units-by-province_2009-2016"]
    assert any(r["province_code"] == "52" for r in units)  # "Bình Dinh" in Latin-1 bytes


def test_the_build_maps_national_series_for_both_boundary_sets(shipped_build) -> None:
    values = pyogrio.read_dataframe(shipped_build[0] / "current" / "urban.gpkg", layer="indicator_values")
    preferred = values[values.preferred & values.value.notna()]
    for indicator in (
        "dwelling_area_per_capita",
        "households_permanent_house_share",
        "solid_waste_treated_share",
        "urban_population_share",
    ):
        for boundary, total in (("2008", 63), ("2025", 34)):
            rows = preferred[
                (preferred.indicator == indicator)
                & (preferred.boundary == boundary)
                & (preferred.year == 2014 + (indicator.startswith("solid") * 2))
            ]
            assert len(rows) >= total - 4, (indicator, boundary, len(rows))
    share = preferred[
        (preferred.boundary == "2008")
        & (preferred.code == "01")
        & (preferred.indicator == "urban_population_share")
        & (preferred.year == 2015)
    ].iloc[0]
    urban = preferred[
        (preferred.boundary == "2008") & (preferred.code == "01") & (preferred.indicator == "urban_population") & (preferred.year == 2015)
    ].iloc[0]
    total = preferred[
        (preferred.boundary == "2008") & (preferred.code == "01") & (preferred.indicator == "population") & (preferred.year == 2015)
    ].iloc[0]
    assert share["derivation"] == "derived" and share["value"] == pytest.approx(urban["value"] / total["value"] * 100)
    prelim = preferred[(preferred.indicator == "population") & (preferred.year == 2016)]
    assert prelim["preliminary"].all() and len(prelim[prelim.boundary == "2025"]) == 34


def test_the_sum_check_fires_on_a_tampered_copy(tmp_path: Path, caplog) -> None:
    raw = self_contained_raw(tmp_path / "raw")  # a copy that is not the registered file: read from the raw folder
    table = raw / "published/gso-en-2018/solid-waste-collected-treated-per-day_2015-2016.csv"
    text = table.read_bytes().decode("utf-8-sig")
    table.write_bytes(("\ufeff" + text.replace('"Ha Noi";5400;5300', '"Ha Noi";5500;5300')).encode("utf-8"))
    build(raw, tmp_path / "out")
    fired = [r.message for r in caplog.records if "solid-waste" in r.message and '2015 Total of collected solid waste"' in r.message]
    assert any('row 4, column "2015 Total of collected solid waste"' in m and "WHOLE COUNTRY" in m for m in fired), fired
    assert any('"Red River Delta" is 9,500' in m for m in fired)


def _table(tmp_path: Path, body: str, mapping: str) -> tuple[Path, Path]:
    (tmp_path / "t.csv").write_text(body, encoding="utf-8")
    (tmp_path / "t.toml").write_text(
        'source_title = "T"\nsource_url = "https://example.invalid/t"\nboundary = "2008"\n' + mapping, encoding="utf-8"
    )
    return tmp_path / "t.csv", tmp_path / "t.toml"


CELL_PROBLEMS = [
    ("x", 'row 4, column "2015 Dân số (Nghìn người)": error: "x" is not a number'),
    ("(a)", 'row 4, column "2015 Dân số (Nghìn người)": error: "(a)" is a note mark, not a number'),
    ("KXĐ", 'row 4, column "2015 Dân số (Nghìn người)": error: "KXĐ" is not a number'),
    ("-12", 'row 4, column "2015 Dân số (Nghìn người)": error: "-12": population cannot be below 0 persons'),
]


@pytest.mark.parametrize(("cell", "message"), CELL_PROBLEMS)
def test_a_bad_cell_is_named_by_row_and_column_and_nothing_is_written(tmp_path: Path, capsys, cell: str, message: str) -> None:
    body = f"Dân số năm 2015\n\nTỉnh,2015 Dân số (Nghìn người)\nHà Nội,{cell}\nHải Phòng,1963.3\n"
    table, mapping = _table(tmp_path, body, '[columns]\n"Dân số" = { indicator = "population" }\n')
    out = tmp_path / "out.csv"
    assert main(["-q", "import", "--raw", str(SHIPPED), "--map", str(mapping), str(table), "--out", str(out)]) == 1
    assert message in capsys.readouterr().err and not out.exists()


def test_no_figure_marks_give_no_value_and_a_share_above_100_is_an_error(tmp_path: Path) -> None:
    body = "Tỉnh,2015 Tỷ lệ (%)\nHà Nội,..\nHải Phòng,-\nNam Định,…\nThái Bình,\nHà Nam,101.5\n"
    table, mapping = _table(tmp_path, body, '[columns]\n"Tỷ lệ" = { indicator = "urban_population_share" }\n')
    with pytest.raises(InputError) as info:
        import_table(read_grid(table), load_spec(mapping), RESOLVER, CATALOGUE, "t.csv")
    (problem,) = info.value.problems
    assert problem.row == 6 and "cannot be above 100 %" in problem.message


def test_two_rows_for_one_province_and_year_name_both_rows(tmp_path: Path) -> None:
    table, mapping = _table(
        tmp_path, "Tỉnh,2015 Dân số (Nghìn người)\nHà Nội,7216\nHa Noi,7202.9\n", '[columns]\n"Dân số" = { indicator = "population" }\n'
    )
    with pytest.raises(InputError, match=r"population 2015 of Hà Nội is also in row 2 with a different value") as info:
        import_table(read_grid(table), load_spec(mapping), RESOLVER, CATALOGUE, "t.csv")
    assert info.value.problems[0].row == 3


def test_mapping_and_table_disagreeing_is_an_error_naming_both(tmp_path: Path) -> None:
    table, mapping = _table(
        tmp_path,
        "Dân số năm 2015\nTỉnh,Dân số (Nghìn người)\nHà Nội,7216\n",
        'year = 2016\n[columns]\n"Dân số" = { indicator = "population", unit = "persons" }\n',
    )
    with pytest.raises(InputError) as info:
        import_table(read_grid(table), load_spec(mapping), RESOLVER, CATALOGUE, "t.csv")
    text = " ".join(p.message for p in info.value.problems)
    assert "the mapping says year 2016, the table's title says 2015" in text
    assert 'the mapping says unit "persons", the table prints "Nghìn người" (thousand persons)' in text


def test_an_ambiguous_name_is_reported_as_such_even_when_the_year_is_missing(tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text(
        'source_title = "T"\nsource_url = "https://example.invalid/u"\n[columns]\n"Số điểm" = { indicator = "congestion_hotspots_frequent", unit = "points" }\n',
        encoding="utf-8",
    )
    (tmp_path / "t.csv").write_text("Tỉnh,Số điểm\nHải Phòng,12\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        import_table(read_grid(tmp_path / "t.csv"), load_spec(tmp_path / "t.toml"), RESOLVER, CATALOGUE, "t.csv")
    messages = [p.message for p in info.value.problems]
    assert any(
        "names different areas before and after 2025-07-01 (set 2008: code 31 Hải Phòng; set 2025: code 31 Hải Phòng)" in m
        for m in messages
    )
    assert "the value has no year" in messages


def test_a_former_province_with_a_value_in_the_years_taken_is_an_error(tmp_path: Path) -> None:
    table, mapping = _table(
        tmp_path,
        "Tỉnh,Dân số 2007,Dân số 2008\nHà Tây,2773.7,2800\nHà Nội,3228.5,6381.8\n",
        'years = "2008-2016"\n[columns]\n"Dân số" = { indicator = "population", unit = "thousand persons" }\n',
    )
    with pytest.raises(InputError, match='"Hà Tây" was no longer a province in 2008'):
        import_table(read_grid(table), load_spec(mapping), RESOLVER, CATALOGUE, "t.csv")
    table.write_text("Tỉnh,Dân số 2007,Dân số 2008\nHà Tây,2773.7,..\nHà Nội,3228.5,6381.8\n", encoding="utf-8")
    result = import_table(read_grid(table), load_spec(mapping), RESOLVER, CATALOGUE, "t.csv")
    assert [(r["province_code"], r["year"]) for r in result.rows] == [("01", "2008")]
    assert any("Hà Tây" in n and "skipped" in n for n in result.notes)


def test_a_yearbook_table_with_region_sub_headings_imports_in_one_run(tmp_path: Path) -> None:
    body = (
        "Diện tích, dân số năm 2015\n\n"
        'Tỉnh,"Dân số\ntrung bình\n(Nghìn người)"\n'
        "Đồng bằng sông Hồng,\nHà Nội,7216\nHải Phòng,1963.3\n"
        "Đồng bằng sông Cửu Long,\nCần Thơ,1248\nHậu Giang,770.4\n"
    )
    table, mapping = _table(tmp_path, body, '[columns]\n"Dân số trung bình" = { indicator = "population" }\n')
    result = import_table(read_grid(table), load_spec(mapping), RESOLVER, CATALOGUE, "t.csv")
    assert sorted(r["province_code"] for r in result.rows) == ["01", "31", "92", "93"]
    assert all("\n" not in v for r in result.rows for v in r.values())
    assert {r["year"] for r in result.rows} == {"2015"} and result.rows[0]["value"] == "7216000"


def test_commands_find_the_raw_folder_from_another_directory(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(SHIPPED.parents[1])}  # `check` of the shipped folder: test_check.py
    stem = "published/gso-en-2018/land-use-by-province_2015"
    done = subprocess.run(
        [sys.executable, "-m", "webmap.cli", "import", "--map", SHIPPED / f"{stem}.toml", shipped_file(f"{stem}.csv"), "--dry-run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0 and "homestead_land_area [2008] 2015: 63 unit(s)" in done.stdout, done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "webmap.cli", "check", "--raw", "nowhere"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


PRINTED_YEAR = st.integers(min_value=1990, max_value=2098)
ITEMS = st.sampled_from(["Area", "Average population", "Tổng số", "Dân số trung bình", "Permanent house", "Total"])
UNITS = st.sampled_from(
    [
        ("(Km2)", "km2"),
        ("(Thous. pers.)", "thousand persons"),
        ("(Nghìn người)", "thousand persons"),
        ("(Person/km2)", "persons/km2"),
        ("", None),
    ]
)
PREFIXES = st.sampled_from([("", False), ("Prel. ", True), ("Pre. ", True), ("Sơ bộ - Prel. ", True)])
FOOTNOTES = st.sampled_from(["", " (*)", "*"])


@given(year=PRINTED_YEAR, item=ITEMS, unit=UNITS, prefix=PREFIXES, foot=FOOTNOTES, year_first=st.booleans())
def test_year_unit_and_preliminary_mark_are_read_from_any_header(year, item, unit, prefix, foot, year_first) -> None:
    year_text = f"{prefix[0]}{year}{foot}"
    label = f"{year_text} {item} {unit[0]}" if year_first else f"{item} {year_text} {unit[0]}"
    info = read_label(label, CATALOGUE.unit_labels)
    assert (info.year, info.preliminary, info.unit, info.text) == (year, prefix[1], unit[1], item)


@given(year=PRINTED_YEAR, words=st.sampled_from(["năm", "in", "As of 31 December", "Tại thời điểm 31/12/"]))
def test_the_year_of_a_title(year, words) -> None:
    assert year_in_title(f"Dân số {words} {year} (*)".replace("/ ", "/")) == year
    assert read_label(f"Dân số {words} {year}".replace("/ ", "/"), CATALOGUE.unit_labels).year == year
    assert year_in_title(f"Average population by province {year}-{year + 1}") is None
