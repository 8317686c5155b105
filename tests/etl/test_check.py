"""Bad inputs: every problem named with file, row and column; exit 1; the previous build untouched."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
import shapely.affinity

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


def appended(name: str, row: dict, message: str) -> Callable[[Path], tuple[str, str]]:
    """A damage that appends one tidy ``row``; ``message`` (with ``{row}``, its spreadsheet row) is what the report says."""

    def damage(raw: Path) -> tuple[str, str]:
        return VALUES, message.format(row=_append(raw, row))

    damage.__name__ = name
    return damage


ONE_BAD_ROW = [
    appended(
        "source_without_address_or_document",
        {**value("2008", "30", "population", 2016, "1", "thousand persons"), "source_url": ""},
        'row {row}, column "source_url": error: the source has neither a web address nor a document number',
    ),
    appended(
        "unknown_code",
        value("2008", "99", "population", 2011, "1", "thousand persons"),
        'row {row}, column "province_code": error: "99" is not a code of boundary set 2008',
    ),
    appended(
        "wrong_province_name",
        value("2008", "31", "population", 2016, "1", "thousand persons", name="Hải Dương"),
        'row {row}, column "province_name_vi": error: name "Hải Dương" does not match code 31',
    ),
    appended(
        "unknown_province_name",
        value("2008", "31", "population", 2016, "1", "thousand persons", name="Hai Phongg"),
        'row {row}, column "province_name_vi": error: "Hai Phongg" is not a province name',
    ),
    appended(
        "duplicate_different_value",
        {**value("2008", "30", "population", 2011, "1700", "thousand persons"), "source_title": "Another source"},
        'row {row}, column "preferred": error: duplicate value for population 2011',
    ),
    appended(
        "non_numeric",
        value("2008", "30", "population", 2016, "1.718,9", "thousand persons"),
        'row {row}, column "value": error: value "1.718,9" is not a number',
    ),
    appended(
        "negative_count",
        value("2008", "30", "population", 2016, "-5", "thousand persons"),
        'row {row}, column "value": error: population cannot be below 0 persons',
    ),
    appended(
        "unknown_indicator",
        value("2008", "30", "populaton", 2016, "5", "thousand persons"),
        'row {row}, column "indicator": error: unknown indicator "populaton" Fix: did you mean "population"?',
    ),
    appended(
        "year_out_of_range",
        value("2008", "30", "population", 1890, "5", "thousand persons"),
        'row {row}, column "year": error: year 1890 is out of range',
    ),
    appended(
        "unknown_unit",
        value("2008", "30", "population", 2016, "5", "households"),
        'row {row}, column "unit": error: unit "households" is not the catalogue unit "persons"',
    ),
    appended(
        "huge_value",
        value("2008", "30", "population", 2016, "1" + "0" * 400, "persons"),
        'row {row}, column "value": error: population cannot be 1' + "0" * 400 + " persons: not a finite figure",
    ),
    appended(
        "exponent_value",
        value("2008", "30", "population", 2016, "1e999", "persons"),
        'row {row}, column "value": error: value "1e999" is not a number',
    ),
    appended(
        "share_out_of_range",
        value("2008", "30", "urbanization_rate", 2016, "-250", "%"),
        'row {row}, column "value": error: urbanization_rate cannot be below 0 %',
    ),
    appended(
        "script_address",
        {**value("2008", "30", "population", 2016, "1", "thousand persons"), "source_url": "javascript:alert(1)"},
        'row {row}, column "source_url": error: "javascript:alert(1)" is not an http:// or https:// address',
    ),
]


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


def metres_without_crs(raw: Path) -> tuple[str, str]:
    path = raw / "boundaries/vn_provinces_34.geojson"
    document = json.loads(path.read_text(encoding="utf-8"))
    document.pop("crs", None)
    first = document["features"][0]
    first["geometry"] = json.loads(
        shapely.to_geojson(shapely.affinity.scale(shapely.from_geojson(json.dumps(first["geometry"])), 5000, 5000))
    )
    path.write_text(json.dumps(document), encoding="utf-8")
    code = first["properties"]["code"]
    return (
        "boundaries/vn_provinces_34.geojson",
        f'row 1, column "geometry": error: feature 1 (code {code}) has coordinates outside longitude/latitude',
    )


def unquoted_comma(raw: Path) -> tuple[str, str]:
    row = _append(raw, value("2008", "30", "population", 2016, "1", "thousand persons"))
    text = (raw / VALUES).read_text(encoding="utf-8").replace("Synthetic test source", "Synthetic, test source")
    lines = text.splitlines(keepends=True)
    lines[row - 1] = lines[row - 1].replace('"Synthetic, test source"', "Synthetic, test source")
    (raw / VALUES).write_text("".join(lines), encoding="utf-8")
    return VALUES, f"row {row}: error: the row has {len(TIDY) + 1} fields, the header {len(TIDY)}"


def unclosed_quote(raw: Path) -> tuple[str, str]:
    row = _append(
        raw,
        value("2008", "30", "population", 2016, "1", "thousand persons"),
        value("2008", "31", "population", 2016, "1", "thousand persons"),
    )
    lines = (raw / VALUES).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[row - 1] = lines[row - 1].replace("Synthetic test source", '"Synthetic test source', 1)
    (raw / VALUES).write_text("".join(lines), encoding="utf-8")
    return VALUES, f"quoting error in the row that starts on line {row}"


def data_address_in_programme(raw: Path) -> tuple[str, str]:
    path = raw / "program/sources.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[1]["url"] = "data:text/html,<b>x</b>"
    write_csv(path, list(rows[0]), rows)
    return "program/sources.csv", 'row 3, column "url": error: "data:text/html,<b>x</b>" is not an http:// or https:// address'


def vietnamese_target_with_other_numbers(raw: Path) -> tuple[str, str]:
    path = raw / "program/targets.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    number = next(i for i, r in enumerate(rows) if r["target"] == "about 1.5-1.9") + 2
    rows[number - 2]["target_vi"] = "khoảng 1.5–1,9"  # an English decimal point: 15 in Vietnamese
    write_csv(path, list(rows[0]), rows)
    return "program/targets.csv", f'row {number}, column "target_vi": error: the numbers of "khoảng 1.5–1,9" ([15.0, 1.9])'


def link_outside(raw: Path) -> tuple[str, str]:
    (raw / "indicators/extra.csv").symlink_to("/etc/passwd")
    return "indicators/extra.csv", "is a symbolic link to /etc/passwd, outside the raw folder"


def catalogue_without_range(raw: Path) -> tuple[str, str]:
    path = raw / "catalogue/indicators.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    number = next(i for i, r in enumerate(rows) if r["indicator"] == "population") + 2
    rows[number - 2]["min_value"] = ""
    write_csv(path, list(rows[0]), rows)
    return "catalogue/indicators.csv", f'row {number}, column "min_value": error: population has no min_value'


BAD_INPUTS: list[Callable[[Path], tuple[str, str]]] = [
    *ONE_BAD_ROW,
    empty_file,
    missing_column,
    misnamed_column,
    unreadable_encoding,
    invalid_geometry,
    missing_unit,
    metres_without_crs,
    unquoted_comma,
    unclosed_quote,
    data_address_in_programme,
    vietnamese_target_with_other_numbers,
    link_outside,
    catalogue_without_range,
]


@pytest.mark.parametrize("empty", ["boundaries/vn_provinces_63.geojson", "catalogue/indicators.csv", "boundaries/province_merger_2025.csv"])
def test_an_empty_root_input_is_one_error_not_hundreds(raw: Path, capsys, empty: str) -> None:
    path = raw / empty
    path.write_text('{"type": "FeatureCollection", "features": []}' if empty.endswith(".geojson") else "", encoding="utf-8")
    assert main(["-q", "check", "--raw", str(raw)]) == 1
    err = capsys.readouterr().err
    assert f"raw/{empty}" in err and "1 error(s)" in err and "the other inputs were not checked" in err, err


def test_a_link_outside_is_neither_read_nor_hashed(raw: Path, tmp_path: Path, capsys) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("indicator,issue\nleaked_text_xyz,flooding\n", encoding="utf-8")
    (raw / "catalogue/indicators.csv").unlink()
    (raw / "catalogue/indicators.csv").symlink_to(secret)
    assert main(["-q", "build", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "outside the raw folder" in err and "leaked_text_xyz" not in err and not (tmp_path / "out").exists()


def test_only_files_the_build_reads_count_toward_the_build_id(raw: Path, tmp_path: Path) -> None:
    from etl.build import build

    first = build(raw, tmp_path / "out")
    (raw / "indicators/README.md").write_text("notes that the build does not read", encoding="utf-8")
    (raw / "boundaries/build_boundaries.py").write_text("# a script beside the data", encoding="utf-8")
    second = build(raw, tmp_path / "out")
    assert second["build_id"] == first["build_id"]
    assert "indicators/README.md" not in second["inputs"] and "indicators/values.csv" in second["inputs"]


@pytest.mark.parametrize("damage", BAD_INPUTS, ids=lambda f: f.__name__)
def test_bad_input_is_named_and_nothing_is_lost(tiny_site, capsys, damage) -> None:
    raw, out, _ = tiny_site  # a good build of raw, then raw damaged
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
