"""Exports: RFC 7946 GeoJSON, CSV for Excel, GeoPackage -- each read back with GDAL."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyogrio
import pytest
import shapely
from shapely.geometry.polygon import orient

from etl.build import build
from etl.cli import main
from etl.export import Selection, select, to_csv, to_geojson
from tests.synthetic import tiny_raw


def _rings(geometry: dict) -> list[list]:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [ring for polygon in polygons for ring in polygon]


def _exteriors(geometry: dict) -> list[list]:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [polygon[0] for polygon in polygons]


@pytest.fixture(scope="module")
def clockwise_build(tmp_path_factory) -> Path:
    """A tiny build whose input boundaries have clockwise exterior rings."""
    root = tmp_path_factory.mktemp("cw")
    raw = tiny_raw(root / "raw")
    for name in ("vn_provinces_63.geojson", "vn_provinces_34.geojson"):
        path = raw / "boundaries" / name
        layer = pyogrio.read_dataframe(path)
        layer["geometry"] = [orient(g, -1.0) for g in layer.geometry]
        pyogrio.write_dataframe(layer, path, driver="GeoJSON")
        first = json.loads(path.read_text())["features"][0]["geometry"]
        assert not shapely.LinearRing(_exteriors(first)[0]).is_ccw  # the input really is clockwise
    build(raw, root / "out")
    return root / "out"


def test_geojson_is_rfc7946(clockwise_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.geojson"
    assert main(["-q", "export", "--data", str(clockwise_build), "--boundary", "2008", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    data = json.loads(text)
    assert "crs" not in data and data["urbanmap"]["build_id"]
    for feature in data["features"]:
        assert all(shapely.LinearRing(ring).is_ccw for ring in _exteriors(feature["geometry"]))
    assert not re.search(r"\d\.\d{8,}", text)  # at most 7 decimals


def test_geojson_reads_back_with_gdal_with_the_same_values(shipped_build, tmp_path: Path) -> None:
    frame = select(shipped_build[0] / "current" / "urban.gpkg", Selection(boundary="2025", issue="flooding"))
    path = tmp_path / "flooding.geojson"
    path.write_bytes(to_geojson(frame))
    back = pyogrio.read_dataframe(path)
    assert len(back) == 34 and list(back["code"]) == list(frame["code"])
    assert back["storm_flood_damage_yagi_2024"].tolist() == pytest.approx(frame["storm_flood_damage_yagi_2024"].tolist(), nan_ok=True)
    row = back.set_index("code").loc["15"]
    assert (
        row["storm_flood_damage_yagi_2024_unit"],
        row["storm_flood_damage_yagi_2024_year"],
        row["storm_flood_damage_yagi_2024_flag"],
    ) == ("billion VND", 2024, "lower_bound")
    assert row["storm_flood_damage_yagi_2024_source"].startswith("D")


def test_csv_has_a_bom_one_row_per_unit_and_optional_wkt(shipped_build, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    assert (
        main(
            ["-q", "export", "--data", str(shipped_build[0]), "--format", "csv", "--region", "dong_bang_song_hong", "--wkt", "-o", str(out)]
        )
        == 0
    )
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pyogrio.read_dataframe(out, encoding="utf-8-sig")
    assert "Hải Phòng" in set(back["name_vi"]) and set(back["region"]) == {"dong_bang_song_hong"}
    assert shapely.from_wkt(back["wkt"].iloc[0]).is_valid


def test_long_csv_has_one_row_per_value_with_its_source(shipped_build, tmp_path: Path) -> None:
    out = tmp_path / "long.csv"
    assert (
        main(
            [
                "-q",
                "export",
                "--data",
                str(shipped_build[0]),
                "--format",
                "csv",
                "--long",
                "--codes",
                "31",
                "--indicators",
                "population",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    back = pyogrio.read_dataframe(out, encoding="utf-8-sig")
    assert set(back["code"]) == {"31"} and {"2011", "2024"} <= set(back["year"].astype(str))
    assert back["source_title"].str.len().min() > 0


def test_gpkg_export_is_one_layer_with_the_same_attributes(shipped_build, tmp_path: Path) -> None:
    out = tmp_path / "x.gpkg"
    assert (
        main(
            ["-q", "export", "--data", str(shipped_build[0]), "--format", "gpkg", "--boundary", "2008", "--codes", "01,79", "-o", str(out)]
        )
        == 0
    )
    (layer,) = pyogrio.list_layers(out)
    back = pyogrio.read_dataframe(out)
    assert layer[0] == "provinces_2008" and sorted(back["code"]) == ["01", "79"]
    assert back.set_index("code").loc["01", "population_year"] == 2024


def test_csv_columns_follow_the_requested_indicators(shipped_build) -> None:
    frame = select(shipped_build[0] / "current" / "urban.gpkg", Selection(boundary="2008", indicators=("population", "area")))
    csv_text = to_csv(frame).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith(
        "code,name_vi,name_en,kind,region,area_km2,population,population_unit,population_year,population_flag,population_source,population_preliminary,area,"
    )
    assert len(csv_text.splitlines()) == 64


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--codes", "99"], "unknown code(s) 99 in boundary set 2025"),
        (["--region", "atlantis"], 'unknown region "atlantis"'),
        (["--indicators", "populaton"], "unknown indicator(s) populaton"),
    ],
)
def test_bad_export_requests_say_what_is_valid(shipped_build, capsys, args: list[str], message: str) -> None:
    assert main(["-q", "export", "--data", str(shipped_build[0]), *args]) == 1
    assert message in capsys.readouterr().err


def test_export_without_a_build_says_to_build(tmp_path: Path, capsys) -> None:
    assert main(["-q", "export", "--data", str(tmp_path)]) == 2
    assert "run `urbanmap build`" in capsys.readouterr().err
