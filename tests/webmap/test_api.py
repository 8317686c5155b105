"""Downloads: formats, filters, file names, caching headers; the files read back with GDAL with the page's values."""

from __future__ import annotations

import gzip
import io
import json
import re
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely
from bs4 import BeautifulSoup


def _get(client, url: str, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.data[:300]
    return response


def test_geojson_download_is_rfc7946_with_build_and_attribution(client, shipped_build) -> None:
    response = _get(client, "/api/provinces.geojson?boundary=2008&issue=flooding")
    assert response.mimetype == "application/geo+json"
    assert re.match(r'attachment; filename="urbanmap_2008_flooding_\d{4}-\d{2}-\d{2}\.geojson"', response.headers["Content-Disposition"])
    text = response.get_data(as_text=True)
    data = json.loads(text)
    assert (
        "crs" not in data
        and data["urbanmap"]["build_id"] == shipped_build[1]["build_id"]
        and "Natural Earth" in data["urbanmap"]["attribution"]
    )
    assert not re.search(r"\d\.\d{8,}", text)
    for feature in data["features"]:
        geometry = shapely.geometry.shape(feature["geometry"])
        assert all(p.exterior.is_ccw for p in getattr(geometry, "geoms", [geometry]))
    hanoi = next(f for f in data["features"] if f["id"] == "01")["properties"]
    assert (
        hanoi["storm_flood_damage_yagi_2024"],
        hanoi["storm_flood_damage_yagi_2024_unit"],
        hanoi["storm_flood_damage_yagi_2024_year"],
        hanoi["storm_flood_damage_yagi_2024_flag"],
    ) == (2287.0, "billion VND", 2024, "lower_bound")
    cited = {i for f in data["features"] for k, v in f["properties"].items() if k.endswith("_source") and v for i in v.split(";")}
    sources = data["urbanmap"]["sources"]  # the download names the sources it cites, without the site
    assert cited and set(sources) == cited
    assert all(s["title"].strip() and s["title"] not in cited for s in sources.values())  # a title, not an id
    assert hanoi["storm_flood_damage_yagi_2024_source"].startswith("D")


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg"])
def test_every_download_reads_back_with_gdal(client, tmp_path: Path, fmt: str) -> None:
    body = _get(client, f"/api/provinces.{fmt}?boundary=2025&indicators=population,area&year=2024").data
    path = tmp_path / f"x.{fmt}"
    path.write_bytes(body)
    frame = pyogrio.read_dataframe(path, **({"encoding": "utf-8-sig"} if fmt == "csv" else {}))
    assert len(frame) == 34
    hai_phong = frame[frame["code"].astype(str).str.zfill(2) == "31"].iloc[0]
    assert float(hai_phong["population"]) == 4664124 and str(hai_phong["population_unit"]) == "persons"


def test_csv_has_bom_wkt_and_a_long_form(client) -> None:
    body = _get(client, "/api/provinces.csv?boundary=2008&codes=01,30&wkt=1").data
    assert body.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig", dtype={"code": str})
    assert list(table["code"]) == ["01", "30"] and shapely.from_wkt(table["wkt"][0]).is_valid
    cited = table[table["population_source"].notna()]  # each source named by its title beside its id
    assert len(cited) and cited["population_source_title"].str.len().gt(10).all()
    assert list(table.columns).index("population_source_title") == list(table.columns).index("population_source") + 1
    long = pd.read_csv(
        io.BytesIO(_get(client, "/api/provinces.csv?boundary=2025&codes=31&long=1").data), encoding="utf-8-sig", dtype={"code": str}
    )
    assert set(long["code"]) == {"31"} and long["source_title"].notna().all() and len(long) > 10


def test_downloads_are_cached_with_etag_gzip_and_last_modified(client) -> None:
    first = _get(client, "/api/provinces.geojson", **{"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip" and "Last-Modified" in first.headers
    assert json.loads(gzip.decompress(first.data))["type"] == "FeatureCollection"
    assert client.get("/api/provinces.geojson", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/provinces.xml", 404),
        ("/api/provinces.geojson?codes=99", 404),
        ("/api/provinces.geojson?indicators=nope", 404),
        ("/api/provinces.geojson?issue=fire", 400),
        ("/api/provinces.geojson?region=atlantis", 400),
        ("/api/provinces.geojson?year=soon", 400),
        ("/api/provinces.geojson?boundary=1999", 400),
        ("/api/provinces.geojson?long=1", 400),
        ("/api/provinces.csv?issue=housing&indicators=area", 400),
    ],
)
def test_bad_download_requests(client, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status and response.is_json and response.get_json()["description"]


def test_national_map_download_holds_exactly_the_values_shown(client) -> None:
    page = BeautifulSoup(client.get("/?indicator=storm_flood_damage_yagi_2024&year=2024&lang=en").data, "html.parser")
    link = page.select_one("#downloads a[href*='provinces.geojson']")["href"]
    config = json.loads(re.search(r"urbanmap\.draw\([^,]+, (\{.*\})\);", str(page)).group(1))
    features = {f["id"]: f["properties"] for f in client.get(link).get_json()["features"]}
    assert set(features) == set(config["units"])
    shown = {code for code, unit in config["units"].items() if unit["colour"]}
    exported = {code for code, p in features.items() if p["storm_flood_damage_yagi_2024"] is not None}
    assert shown == exported and len(shown) == 16


def test_province_download_holds_the_values_of_the_page(client) -> None:
    page = BeautifulSoup(client.get("/province/31?lang=en").data, "html.parser")
    link = page.select_one("#downloads a[href*='provinces.geojson']")["href"]
    (feature,) = client.get(link).get_json()["features"]
    rows = page.select("#indicator-table tbody tr")
    with_value = [k for k in feature["properties"] if k + "_unit" in feature["properties"] and feature["properties"][k] is not None]
    assert len(with_value) == len(rows)
    assert feature["properties"]["population"] == 4664124
