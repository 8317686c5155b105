"""Boundary sets below the provinces: declaration, validation of the units against their parents, values."""

from __future__ import annotations

import csv
from pathlib import Path

import pyogrio
import pytest
import shapely

from etl.build import build, check
from etl.problems import InputError
from tests.synthetic import TIDY, tiny_raw, tiny_wards, value, write_csv


def _messages(raw: Path, severity: str = "warning") -> list[str]:
    return [str(p) for p in check(raw).problems if p.severity == severity]


def _rewrite_wards(raw: Path, change) -> None:
    wards = change(tiny_wards())
    pyogrio.write_dataframe(wards, raw / "boundaries/wards.gpkg", layer="wards", driver="GPKG")


def test_wards_are_stored_with_parent_region_area_and_the_published_area(tmp_path: Path) -> None:
    raw = tiny_raw(tmp_path / "raw")
    manifest = build(raw, tmp_path / "out")
    store = tmp_path / "out/current/urban.gpkg"
    wards = pyogrio.read_dataframe(store, layer="wards_2025").set_index("code")
    assert len(wards) == 12 and manifest["counts"]["units_wards_2025"] == 12
    assert wards.loc["00003", "parent_code"] == "31" and wards.loc["00003", "region"] == "dong_bang_song_hong"
    assert wards.loc["00001", "area_km2"] == pytest.approx(1440, rel=0.05)
    assert wards.loc["00001", "area_km2_published"] == 6000.0
    sets = pyogrio.read_dataframe(store, layer="boundary_sets").set_index("set")
    assert sets.loc["wards_2025", "parent_set"] == "2025" and sets.loc["wards_2025", "units"] == 12
    for level in ("coarse", "fine"):
        web = pyogrio.read_dataframe(store, layer=f"web_wards_2025_{level}")
        assert set(web["parent_code"]) == {"01", "31", "92"} and len(web) == 12


def test_an_area_far_from_the_published_one_is_a_warning_naming_the_unit(tmp_path: Path) -> None:
    warnings = _messages(tiny_raw(tmp_path / "raw"))
    assert any("Phường Ba Đình (00001): the outline measures 1,4" in w and "published area is 6,000.00 km²" in w for w in warnings)


def test_overlaps_gaps_and_units_outside_their_parent_are_warnings_naming_them(tmp_path: Path) -> None:
    raw = tiny_raw(tmp_path / "raw")

    def change(wards):
        wards.loc[1, "geometry"] = shapely.box(105.2, 21.0, 105.6, 21.5)  # Xã Hà Nội 2 grows into Hải Dương's ward 3
        return wards.drop(index=11)  # Sóc Trăng's east half: a gap in Cần Thơ

    _rewrite_wards(raw, change)
    warnings = _messages(raw)
    assert any("Xã Hà Nội 2 (00002) and Phường Hải Dương 1 (00003) overlap by" in w for w in warnings)
    assert any("of Xã Hà Nội 2 (00002) lie outside its parent unit" in w for w in warnings)
    assert any("of parent unit 92 are covered by none of its units" in w for w in warnings)
    build(raw, tmp_path / "out")  # warnings, not a failed build


def test_a_unit_with_an_unknown_parent_is_an_error_naming_row_and_column(tmp_path: Path) -> None:
    raw = tiny_raw(tmp_path / "raw")
    _rewrite_wards(raw, lambda wards: wards.assign(province_code=wards["province_code"].replace({"92": "93"})))
    errors = _messages(raw, "error")
    assert any(
        'wards.gpkg, row 9, column "province_code": error: unit 00009 names parent 93, which is not a unit of set 2025' in e for e in errors
    )
    with pytest.raises(InputError):
        build(raw, tmp_path / "out")


def test_the_declaration_must_name_both_province_sets_and_a_province_parent(tmp_path: Path) -> None:
    raw = tiny_raw(tmp_path / "raw")
    path = raw / "boundaries/boundary_sets.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows = [r for r in rows if r["set"] != "2008"]
    rows[-1]["parent_set"] = "wards_2025"
    write_csv(path, list(rows[0]), rows)
    errors = _messages(raw, "error")
    assert any("province set 2008 is not declared" in e for e in errors)
    assert any('column "parent_set"' in e and "is not a province set declared above" in e for e in errors)


def test_ward_values_are_read_by_code_and_checked_by_name(tmp_path: Path) -> None:
    raw = tiny_raw(tmp_path / "raw")
    rows = [
        value("wards_2025", "00001", "population", 2025, "31000", "persons", name="Phường Ba Đình"),
        value("wards_2025", "00002", "population", 2025, "12000", "persons", name="ha noi 2"),
    ]
    write_csv(raw / "indicators/wards.csv", TIDY, rows)
    build(raw, tmp_path / "out")
    wards = pyogrio.read_dataframe(tmp_path / "out/current/urban.gpkg", layer="wards_2025").set_index("code")
    assert wards.loc["00001", "population"] == 31000 and wards.loc["00002", "population_year"] == 2025
    write_csv(raw / "indicators/wards.csv", TIDY, [value("wards_2025", "00001", "population", 2025, "1", "persons", name="Cái Khế")])
    assert any('name "Cái Khế" does not match code 00001 (Ba Đình) of set wards_2025' in e for e in _messages(raw, "error"))
    write_csv(raw / "indicators/wards.csv", TIDY, [value("wards_2025", "99999", "population", 2025, "1", "persons")])
    assert any('"99999" is not a code of boundary set wards_2025' in e for e in _messages(raw, "error"))
