"""GSO's health, education, library, road-transport and forest tables as published, imported by the build: every
province of one column per table against the cells read here, the rates derived from them against this test's own
arithmetic, the 34 units' rates from their members' summed parts, the swapped-columns warning and the check against
GSO's national tables."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from etl.column_swaps import check_swaps
from etl.importer.labels import read_label
from etl.importer.spec import NationalFigure, load_spec
from etl.importer.table_import import import_table
from etl.importer.tables import read_grid
from etl.national_totals import NationalCheck, check_national
from etl.problems import Report
from tests.etl.test_published_tables import CATALOGUE, GSO, RESOLVER, printed_cells
from tests.synthetic import shipped_file

# (table, header of the column checked for every province, indicator, factor to the catalogue unit, provinces listed)
COLUMNS = [
    ("patient-beds-provincial-DoH-by-province_2002-2016", "2016 Total", "patient_beds", 1, 63),
    ("medical-staff-provincial-DoH-by-province_2002-2016", "2014 Doctor", "doctors", 1, 63),
    ("health-establishments-provincial-DoH-by-province_2005-2016", "2012 Hospital", "hospitals", 1, 63),
    ("general-education-schools-by-province_2002-2016", "2016 Total", "general_schools", 1, 63),
    ("general-education-classes-by-province_2002-2016", "2010 Total", "general_classes", 1, 63),
    ("general-education-teachers-by-province_2002-2016", "2015 Total", "general_teachers", 1, 63),
    ("general-education-pupils-by-province_2002-2016", "2013 Total", "general_pupils", 1, 63),
    ("kindergarten-schools-classes-teachers-pupils-by-province_2002-2016", "2011 School", "kindergartens", 1, 63),
    ("libraries-local-management-by-province_2004-2016", "2016 Number of libraries (Unit)", "libraries", 1, 63),
    ("passengers-carried-by-road-by-province_2000-2015", "2015", "road_passengers_carried", 1, 63),
    ("freight-carried-by-road-by-province_2000-2015", "2009", "road_freight_carried", 1, 63),
    ("forest-area-and-coverage-by-province_2008-2015", "2015 Area of forest", "forest_area", 1000, 60),
]
MERGED = "08"  # Tuyên Quang (08) and Hà Giang (02) since 2025-07-01


def _result(stem: str):
    grid = read_grid(shipped_file(f"published/gso-en-2018/{stem}.csv"))
    return import_table(grid, load_spec(GSO / f"{stem}.toml"), RESOLVER, CATALOGUE, stem)


@pytest.fixture(scope="module")
def imported() -> dict:
    return {stem: _result(stem) for stem, *_ in COLUMNS}


@pytest.fixture(scope="module")
def values(shipped_build) -> pd.DataFrame:
    frame = pyogrio.read_dataframe(shipped_build[0] / "current" / "urban.gpkg", layer="indicator_values", read_geometry=False)
    return frame[frame["preferred"].astype(bool)]


def _value(values: pd.DataFrame, boundary: str, code: str, indicator: str, year: int) -> pd.Series:
    rows = values[(values.boundary == boundary) & (values.code == code) & (values.indicator == indicator) & (values.year == year)]
    assert len(rows) == 1, (boundary, code, indicator, year)
    return rows.iloc[0]


@pytest.mark.parametrize(("stem", "header", "indicator", "factor", "listed"), COLUMNS, ids=[c[0].split("_")[0] for c in COLUMNS])
def test_every_province_of_one_column_is_imported_as_printed(imported, stem, header, indicator, factor, listed) -> None:
    printed = printed_cells(stem, header)
    assert len(printed) == listed
    year = read_label(header, CATALOGUE.unit_labels).year
    got = {r["province_code"]: r for r in imported[stem].rows if r["indicator"] == indicator and r["year"] == str(year)}
    assert set(got) <= set(printed)  # a province the table does not list gets no value
    for code, cell in printed.items():
        if cell in ("..", ""):
            assert code not in got
        else:
            assert Decimal(got[code]["value"]) == Decimal(cell) * factor, (code, cell)


def test_spot_checks(imported) -> None:
    beds = {(r["province_code"], r["year"]): r["value"] for r in imported["patient-beds-provincial-DoH-by-province_2002-2016"].rows}
    assert beds[("01", "2015")] == beds[("01", "2016")] == "14336"  # repeated from one year to the next, as published
    assert ("01", "2007") not in beds  # before 2008 Hà Nội is the old city: not taken
    pupils = imported["general-education-pupils-by-province_2002-2016"]
    assert any('"Pupils in universities" is a unallocated row' in n for n in pupils.notes)  # checked, never a province
    kindergarten = imported["kindergarten-schools-classes-teachers-pupils-by-province_2002-2016"]
    assert {r["indicator"] for r in kindergarten.rows} == {"kindergartens"}  # its pupil column (thousands, then persons) is not mapped
    road = imported["passengers-carried-by-road-by-province_2000-2015"]
    assert {r["year"] for r in road.rows} == {str(y) for y in range(2008, 2016)}
    assert any("prints no unit for Number of passengers carried by the road (million passengers)" in n for n in road.notes)
    forest = imported["forest-area-and-coverage-by-province_2008-2015"]
    cover = {r["province_code"]: r["value"] for r in forest.rows if r["indicator"] == "forest_cover" and r["year"] == "2015"}
    assert cover["10"] == "53.1" and "33" not in cover  # Lào Cai as printed; no row for Hưng Yên


def test_the_swapped_2016_columns_are_reported_and_left_as_published(imported) -> None:
    rows = imported["health-establishments-provincial-DoH-by-province_2005-2016"].numbered
    report = Report()
    assert check_swaps({"health-establishments": rows}, report) == 1
    (warning,) = report.warnings
    assert warning.column == "2016 Regional polyclinic / 2016 Sanatorium and rehabilitation hospital"
    assert "in 2016 the columns of regional_polyclinics and sanatoria look swapped" in warning.message
    hanoi = {(r["indicator"], r["year"]): r["value"] for _, r in rows if r["province_code"] == "01"}
    assert (hanoi[("regional_polyclinics", "2015")], hanoi[("sanatoria", "2015")]) == ("55", "1")
    assert (hanoi[("regional_polyclinics", "2016")], hanoi[("sanatoria", "2016")]) == ("1", "55")  # not corrected
    unswapped = [(n, r) for n, r in rows if r["year"] != "2016"]
    assert check_swaps({"health-establishments": unswapped}, Report()) == 0


def test_provincial_totals_are_compared_with_the_national_tables(imported) -> None:
    report = Report()
    beds = imported["patient-beds-provincial-DoH-by-province_2002-2016"]
    figure = load_spec(GSO / "patient-beds-provincial-DoH-by-province_2002-2016.toml").national[0]
    path = shipped_file("published/gso-en-2018/patient-beds_national_1995-2016.csv")
    (line,) = check_national([NationalCheck("beds", path, figure)], {"beds": beds.numbered}, CATALOGUE, 63, report)
    assert "the provinces sum to 89.3% of patient-beds_national_1995-2016.csv in 2016 (273,066 against 305,700)" in line
    assert not report.warnings  # a part of the country, never more than the whole
    road = imported["passengers-carried-by-road-by-province_2000-2015"]
    figure = NationalFigure("road_passengers_carried", "x", ("Number of passengers carried (Mill. Persons)",), "million passengers", "Road")
    path = shipped_file("published/gso-en-2018/passengers-carried-by-type-of-transport_national.csv")
    (line,) = check_national([NationalCheck("road", path, figure)], {"road": road.numbered}, CATALOGUE, 63, report)
    assert "99.7% of passengers-carried-by-type-of-transport_national.csv in 2015 (3,096 against 3,105)" in line


def test_provinces_summing_to_more_than_the_country_are_a_warning(tmp_path: Path, imported) -> None:
    national = tmp_path / "national.csv"
    national.write_text('"Items";"Kind";"2015";"2016"\n"Number (Thous. Beds)";"TOTAL";250.10;250.20\n', encoding="utf-8")
    figure = NationalFigure("patient_beds", national.name, ("Number (Thous. Beds)", "TOTAL"), "thousand beds")
    rows = imported["patient-beds-provincial-DoH-by-province_2002-2016"].numbered
    report = Report()
    check_national([NationalCheck("beds", national, figure)], {"beds": rows}, CATALOGUE, 63, report)
    assert len(report.warnings) == 2  # 2015 and 2016
    warning = next(w for w in report.warnings if "for 2016" in w.message)
    assert "sum to 273,066 for 2016, more than the whole country" in warning.message and "250,200" in warning.message


def _population(code_name: str, header: str) -> float:
    raw = shipped_file("published/gso-en-2018/average-population-by-province_1995-2016.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(raw.splitlines(), delimiter=";"))
    column = rows[2].index(header)
    return next(float(r[column]) * 1000 for r in rows[3:] if " ".join(r[0].split()) == code_name)


def test_rates_are_derived_from_the_same_years_population(values) -> None:
    beds = float(printed_cells("patient-beds-provincial-DoH-by-province_2002-2016", "2016 Total")["01"])
    rate = _value(values, "2008", "01", "patient_beds_per_10000", 2016)
    assert rate["value"] == pytest.approx(beds / _population("Ha Noi", "Total Prel. 2016") * 10000)
    assert rate["derivation"] == "derived" and "central and ministry hospitals are excluded" in rate["note"]
    pupils = float(printed_cells("general-education-pupils-by-province_2002-2016", "2015 Total")["79"])
    classes = float(printed_cells("general-education-classes-by-province_2002-2016", "2015 Total")["79"])
    assert _value(values, "2008", "79", "pupils_per_class", 2015)["value"] == pytest.approx(pupils / classes)


def test_a_merged_units_rates_come_from_its_members_summed_parts_never_from_their_rates(values) -> None:
    merged = _value(values, "2025", MERGED, "patient_beds_per_10000", 2016)
    members = merged["members"].split(",")
    assert sorted(members) == ["02", "08"]
    beds = sum(_value(values, "2008", m, "patient_beds", 2016)["value"] for m in members)
    people = sum(_value(values, "2008", m, "population", 2016)["value"] for m in members)
    assert merged["value"] == pytest.approx(beds / people * 10000)
    mean = sum(_value(values, "2008", m, "patient_beds_per_10000", 2016)["value"] for m in members) / 2
    assert merged["value"] != pytest.approx(mean)  # the plain mean of the rates would differ
    assert "of the sums of 2 members" in merged["note"]


def test_forest_cover_of_a_merged_unit_is_forest_over_natural_area_of_its_members(values) -> None:
    merged = _value(values, "2025", MERGED, "forest_cover", 2015)
    members = merged["members"].split(",")
    forest = sum(_value(values, "2008", m, "forest_area", 2015)["value"] for m in members)
    planted = sum(_value(values, "2008", m, "forest_newly_planted_area", 2015)["value"] for m in members)
    area = sum(_value(values, "2008", m, "area", 2015)["value"] for m in members)
    assert merged["value"] == pytest.approx((forest - planted) / area)  # ha over km²: the percentage
    hung_yen = _value(values, "2025", "33", "forest_cover", 2015)  # Hưng Yên has no row in the forest table
    assert pd.isna(hung_yen["value"]) and "missing: 33 Hưng Yên" in hung_yen["note"]


def test_every_unit_of_both_sets_has_the_social_infrastructure_default(values) -> None:
    rates = values[(values.indicator == "patient_beds_per_10000") & (values.year == 2016) & values.value.notna()]
    assert rates.groupby("boundary")["code"].nunique().to_dict() == {"2008": 63, "2025": 34}
