"""Bad inputs: every problem named with file, row and column; exit 1; the previous build untouched."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from etl.cli import main
from tests.synthetic import TIDY, folder_state, value, write_csv

VALUES = "indicators/values.csv"


def _rows(raw: Path) -> list[dict]:
    return list(csv.DictReader((raw / VALUES).open(encoding="utf-8")))


def _append(raw: Path, *rows: dict) -> int:
    """Append rows to the tidy file; return the spreadsheet row number of the first one."""
    existing = _rows(raw)
    write_csv(raw / VALUES, TIDY, existing + list(rows))
    return len(existing) + 2


def _layer(raw: Path, boundary: str) -> tuple[Path, gpd.GeoDataFrame]:
    path = raw / ("boundaries/vn_provinces_63.geojson" if boundary == "2008" else "boundaries/vn_provinces_34.geojson")
    return path, pyogrio.read_dataframe(path)


def empty_file(raw: Path) -> tuple[str, str]:
    (raw / VALUES).write_text("")
    return VALUES, "the file is empty"


def missing_column(raw: Path) -> tuple[str, str]:
    rows = _rows(raw)
    write_csv(raw / VALUES, [c for c in TIDY if c != "unit"], [{k: v for k, v in r.items() if k != "unit"} for r in rows])
    return VALUES, 'row 1, column "unit": error: required column "unit" is missing'


def misnamed_column(raw: Path) -> tuple[str, str]:
    text = (raw / VALUES).read_text()
    (raw / VALUES).write_text(text.replace(",value,", ",values,", 1))
    return VALUES, 'rename column "values" to "value"'


def unknown_code(raw: Path) -> tuple[str, str]:
    row = _append(raw, value("2008", "99", "population", 2011, "1", "thousand persons"))
    return VALUES, f'row {row}, column "province_code": error: "99" is not a code of boundary set 2008'


def wrong_province_name(raw: Path) -> tuple[str, str]:
    row = _append(raw, value("2008", "31", "population", 2016, "1", "thousand persons", name="Hải Dương"))
    return VALUES, f'row {row}, column "province_name_vi": error: name "Hải Dương" does not match code 31'


def unknown_province_name(raw: Path) -> tuple[str, str]:
    row = _append(raw, value("2008", "31", "population", 2016, "1", "thousand persons", name="Hai Phongg"))
    return VALUES, f'row {row}, column "province_name_vi": error: "Hai Phongg" is not a province name'


def duplicate_different_value(raw: Path) -> tuple[str, str]:
    row = _append(raw, {**value("2008", "30", "population", 2011, "1700", "thousand persons"), "source_title": "Another source"})
    return VALUES, f'row {row}, column "preferred": error: duplicate value for population 2011'


def non_numeric(raw: Path) -> tuple[str, str]:
    row = _append(raw, value("2008", "30", "population", 2016, "1.718,9", "thousand persons"))
    return VALUES, f'row {row}, column "value": error: value "1.718,9" is not a number'


def negative_count(raw: Path) -> tuple[str, str]:
    row = _append(raw, value("2008", "30", "population", 2016, "-5", "thousand persons"))
    return VALUES, f'row {row}, column "value": error: population cannot be below 0 persons'


def unknown_indicator(raw: Path) -> tuple[str, str]:
    row = _append(raw, value("2008", "30", "populaton", 2016, "5", "thousand persons"))
    return VALUES, f'row {row}, column "indicator": error: unknown indicator "populaton" Fix: did you mean "population"?'


def year_out_of_range(raw: Path) -> tuple[str, str]:
    row = _append(raw, value("2008", "30", "population", 1890, "5", "thousand persons"))
    return VALUES, f'row {row}, column "year": error: year 1890 is out of range'


def unknown_unit(raw: Path) -> tuple[str, str]:
    row = _append(raw, value("2008", "30", "population", 2016, "5", "households"))
    return VALUES, f'row {row}, column "unit": error: unit "households" is not the catalogue unit "persons"'


def unreadable_encoding(raw: Path) -> tuple[str, str]:
    (raw / VALUES).write_bytes((raw / VALUES).read_bytes() + b"2008,30,H\xe0i,population,2016,,1,persons,,yes,t,u,\n")
    return VALUES, "unreadable encoding"


def invalid_geometry(raw: Path) -> tuple[str, str]:
    path, layer = _layer(raw, "2008")
    bowtie = shapely.Polygon([(105.5, 21.0), (106.0, 21.5), (106.0, 21.0), (105.5, 21.5)])
    layer.loc[layer.code == "30", "geometry"] = bowtie
    pyogrio.write_dataframe(layer, path, driver="GeoJSON")
    number = list(layer.code).index("30") + 1
    return "boundaries/vn_provinces_63.geojson", f'row {number}, column "geometry": error: unit 30 has invalid geometry (Self-intersection'


def missing_unit(raw: Path) -> tuple[str, str]:
    path, layer = _layer(raw, "2008")
    pyogrio.write_dataframe(layer[layer.code != "94"], path, driver="GeoJSON")
    return "boundaries/vn_provinces_63.geojson", "unit 94 is missing from the boundary layer"


BAD_INPUTS: list[Callable[[Path], tuple[str, str]]] = [
    empty_file,
    missing_column,
    misnamed_column,
    unknown_code,
    wrong_province_name,
    unknown_province_name,
    duplicate_different_value,
    non_numeric,
    negative_count,
    unknown_indicator,
    year_out_of_range,
    unknown_unit,
    unreadable_encoding,
    invalid_geometry,
    missing_unit,
]


@pytest.mark.parametrize("damage", BAD_INPUTS, ids=lambda f: f.__name__)
def test_bad_input_is_named_and_nothing_is_lost(raw: Path, tmp_path: Path, capsys, damage) -> None:
    out = tmp_path / "out"
    assert main(["-q", "build", "--raw", str(raw), "--out", str(out)]) == 0
    before = folder_state(out)
    file, message = damage(raw)
    capsys.readouterr()
    assert main(["-q", "build", "--raw", str(raw), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"raw/{file}" in err and message in err, err
    assert "nothing was written" in err
    assert folder_state(out) == before
    assert main(["-q", "check", "--raw", str(raw)]) == 1
    assert message in capsys.readouterr().err


def test_every_problem_is_reported_at_once(raw: Path, capsys) -> None:
    first = _append(
        raw,
        value("2008", "30", "populaton", 2016, "5", "thousand persons"),
        value("2008", "30", "population", 2016, "x", "thousand persons"),
    )
    invalid_geometry(raw)
    assert main(["check", "--raw", str(raw)]) == 1
    err = capsys.readouterr().err
    assert f"row {first}," in err and f"row {first + 1}," in err and "invalid geometry" in err
    assert "3 error(s)" in err


def test_projected_boundaries_are_reprojected_with_a_warning(raw: Path, tmp_path: Path, caplog) -> None:
    path, layer = _layer(raw, "2025")
    pyogrio.write_dataframe(layer.to_crs(3857), path.with_suffix(".gpkg"), driver="GPKG")
    path.unlink()
    path.with_suffix(".gpkg").rename(path)  # a GeoPackage under the expected name: read by content, not extension
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 0
    assert "vn_provinces_34.geojson: warning: the layer is in WGS 84 / Pseudo-Mercator (projected); it was reprojected" in caplog.text
    units = pyogrio.read_dataframe(tmp_path / "out/current/urban.gpkg", layer="provinces_2025")
    assert units.crs.to_epsg() == 4326 and units.total_bounds[0] == pytest.approx(105.0)


def test_invalid_geometry_can_be_repaired_on_request(raw: Path, tmp_path: Path, caplog) -> None:
    invalid_geometry(raw)
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "out"), "--repair-geometry"]) == 0
    assert "unit 30 had invalid geometry (Self-intersection" in caplog.text and "repaired with make_valid" in caplog.text


def test_check_of_the_shipped_data_passes(capsys) -> None:
    assert main(["check"]) == 0
