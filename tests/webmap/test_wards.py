"""The wards and communes of 2025 in the app: ward pages, drill-down geometry, search, downloads, OGC API."""

from __future__ import annotations

import gzip
import io
import json
import re

import pyogrio
import pytest


@pytest.fixture
def tiny(tiny_app):
    return tiny_app.test_client()


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_a_ward_page_names_its_province_area_and_the_other_wards(client) -> None:
    page = client.get("/ward/31120?lang=vi")
    assert page.status_code == 200
    text = _text(page)
    assert "<h1>Phường Cái Khế" in text and 'href="/province/92?boundary=2025"' in text
    assert "10,04 km² (công bố)" in text
    assert 'href="/ward/31135"' in text  # Phường Cái Răng, another ward of Cần Thơ
    assert 'id="no-ward-values"' in text  # no ward figures are shipped: the page says how they arrive
    assert "/api/provinces.csv?boundary=wards_2025&amp;province=92" in text


def test_a_ward_whose_outline_disagrees_with_the_published_area_says_so(client) -> None:
    text = _text(client.get("/ward/31942?lang=en"))  # Phường Giá Rai: 104.6 km² of outline, 11.76 published
    assert "11.76 km² (published)" in text and "the outline on this map measures 104.6 km²" in text


def test_unknown_ward_codes_are_404(client) -> None:
    assert client.get("/ward/99999").status_code == 404
    assert client.get("/ward/92").status_code == 404
    assert client.get("/ward/31120?zoom=3").status_code == 400


def test_the_province_page_lists_its_wards_in_vietnamese_order_and_draws_them(client) -> None:
    text = _text(client.get("/province/92?boundary=2025&lang=vi"))
    listed = re.search(r'<ul id="ward-list".*?</ul>', text, re.S)
    assert listed is not None
    names = re.findall(r'data-name="([^"]+)"', listed.group(0))
    assert len(names) == 103 and names[:3] == ["Phường An Bình", "Xã An Lạc Thôn", "Phường An Ninh"] or names[0].endswith("An Bình")
    config = json.loads(re.search(r"urbanmap\.draw\([^,]+, (\{.*\})\);", text).group(1))
    assert config["wards"]["always"] == ["92"] and "__PARENT__" in config["wards"]["url"]
    assert len(config["wards"]["parents"]) == 34


def test_the_national_map_of_2025_loads_wards_when_zoomed_in_and_2008_does_not(client) -> None:
    config = json.loads(re.search(r"urbanmap\.draw\([^,]+, (\{.*\})\);", _text(client.get("/?boundary=2025"))).group(1))
    assert config["wards"]["min_zoom"] == 8 and config["wards"]["always"] == []
    config = json.loads(re.search(r"urbanmap\.draw\([^,]+, (\{.*\})\);", _text(client.get("/?boundary=2008"))).group(1))
    assert config["wards"] is None


def test_ward_geometry_per_province_and_level_is_cached_by_build(client) -> None:
    build = client.get("/healthz").get_json()["build_id"]
    coarse = client.get(f"/geometry/wards_2025/92/coarse.geojson?v={build}", headers={"Accept-Encoding": "gzip"})
    fine = client.get("/geometry/wards_2025/92/fine.geojson")
    assert coarse.headers["Cache-Control"] == "public, max-age=86400" and fine.headers["Cache-Control"] == "public, no-cache"
    features = json.loads(gzip.decompress(coarse.get_data()))["features"]
    assert len(features) == 103 == len(fine.get_json()["features"])
    assert {f["properties"]["full_name_vi"] for f in features} >= {"Phường Cái Khế", "Phường Ninh Kiều"}
    assert len(coarse.get_data()) < 60_000  # the drill-down's weight: coarse outlines, gzip
    assert client.get("/geometry/wards_2025/99/coarse.geojson").status_code == 404
    assert client.get("/geometry/wards_2025/92/medium.geojson").status_code == 404
    assert client.get("/geometry/wards_2030/92/fine.geojson").status_code == 404


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("cai khe", "Phường Cái Khế"),
        ("Cái Khế", "Phường Cái Khế"),
        ("CAI KHE can tho", "Phường Cái Khế"),
        ("ninh kieu", "Phường Ninh Kiều"),
    ],
)
def test_search_finds_wards_with_or_without_diacritics_and_names_their_province(client, query: str, first: str) -> None:
    text = _text(client.get("/search", query_string={"q": query, "lang": "vi"}))
    results = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>, <span class="um-note">([^<]+)</span>', text)
    assert results[0][1:] == (first, "Cần Thơ") and results[0][0].startswith("/ward/")


def test_search_puts_provinces_first_and_bounds_its_work(client) -> None:
    text = _text(client.get("/search", query_string={"q": "can tho", "lang": "vi"}))
    results = re.findall(r'<li><a href="([^"]+)">', text)
    assert results[0] == "/province/92?boundary=2025"
    many = _text(client.get("/search", query_string={"q": "a", "lang": "en"}))
    assert "the first 50 are shown" in many and many.count('<li><a href="/') == 50
    assert client.get("/search", query_string={"q": "x" * 101}).status_code == 400
    assert client.get("/search", query_string={"q": "x", "page": "2"}).status_code == 400


def test_ward_downloads_are_filtered_by_province(client) -> None:
    csv = client.get("/api/provinces.csv?boundary=wards_2025&province=92")
    assert csv.status_code == 200 and _text(csv).count("\n") == 104
    assert "urbanmap_wards_2025_province-92" in csv.headers["Content-Disposition"]
    geojson = client.get("/api/provinces.geojson?boundary=wards_2025&province=92").get_json()
    assert len(geojson["features"]) == 103 and {f["properties"]["parent_code"] for f in geojson["features"]} == {"92"}
    assert client.get("/api/provinces.csv?boundary=wards_2025&province=99").status_code == 404
    assert client.get("/api/provinces.csv?boundary=2025&province=92").status_code == 400


def test_all_wards_stream_and_gdal_reads_them(client, tmp_path) -> None:
    response = client.get("/api/provinces.geojson?boundary=wards_2025", headers={"Accept-Encoding": "gzip"})
    assert response.is_streamed and response.headers["Content-Encoding"] == "gzip"
    path = tmp_path / "wards.geojson"
    path.write_bytes(gzip.decompress(response.get_data()))
    frame = pyogrio.read_dataframe(path)
    assert len(frame) == 3321 and frame.is_valid.all()
    etag = response.headers["ETag"]
    assert (
        client.get("/api/provinces.geojson?boundary=wards_2025", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}).status_code
        == 304
    )
    gpkg = client.get("/api/provinces.gpkg?boundary=wards_2025")
    path = tmp_path / "wards.gpkg"
    path.write_bytes(gpkg.get_data())
    assert pyogrio.list_layers(path)[0][0] == "wards_2025" and len(pyogrio.read_dataframe(path)) == 3321
    csv = client.get("/api/provinces.csv?boundary=wards_2025")
    assert csv.is_streamed and io.StringIO(csv.get_data(as_text=True)).read().count("\n") == 3322


def test_ogc_serves_the_wards_paged_and_filtered_by_province(client) -> None:
    collections = client.get("/ogc/collections?f=json").get_json()["collections"]
    assert "wards_2025" in [c["id"] for c in collections]
    page = client.get("/ogc/collections/wards_2025/items?f=json&province=92&limit=50").get_json()
    assert page["numberMatched"] == 103 and page["numberReturned"] == 50
    assert any(link["rel"] == "next" and "province=92" in link["href"] for link in page["links"])
    assert {f["properties"]["parent_code"] for f in page["features"]} == {"92"}
    assert client.get("/ogc/collections/wards_2025/items/31120?f=json").get_json()["properties"]["full_name_vi"] == "Phường Cái Khế"
    assert client.get("/ogc/collections/wards_2025/items?province=99").status_code == 400
    assert client.get("/ogc/collections/provinces_2025/items?province=92").status_code == 400
    paths = client.get("/ogc/api").get_json()["paths"]
    assert "province" in [p["name"] for p in paths["/collections/wards_2025/items"]["get"]["parameters"]]


def test_ward_names_from_data_are_escaped(tiny) -> None:
    text = _text(tiny.get("/ward/00001?lang=vi"))
    assert "<h1>Phường Ba Đình" in text and "Phường Hà Nội 1" not in text
    assert "6.000 km² (công bố)" in text and "1.436,5 km²" in text


def test_at_most_two_large_exports_are_written_at_once(client) -> None:
    url = "/api/provinces.csv?boundary=wards_2025"
    first, second = client.get(url, buffered=False), client.get(url + "&wkt=1", buffered=False)
    third = client.get(url, buffered=False)
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 503)
    assert third.headers["Retry-After"] == "10"
    first.close()  # a client gone before the first byte gives its slot back
    again = client.get(url)
    assert again.status_code == 200 and again.get_data(as_text=True).count("\n") == 3322
    second.close()
    head = client.head(url)
    assert head.status_code == 200
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]  # no slot lost to the HEAD or to a full read


def test_an_ogc_limit_above_the_wards_maximum_gives_the_maximum(client) -> None:
    page = client.get("/ogc/collections/wards_2025/items?f=json&limit=5000").get_json()
    assert page["numberReturned"] == 1000 and page["numberMatched"] == 3321
    assert any(link["rel"] == "next" and "limit=1000" in link["href"] and "offset=1000" in link["href"] for link in page["links"])
    assert client.get("/ogc/collections/wards_2025/items?limit=10001").status_code == 400


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("hcm", "/province/79?boundary=2025"),
        ("TP.HCM", "/province/79?boundary=2025"),
        ("tphcm", "/province/79?boundary=2025"),
        ("Sài Gòn", "/province/79?boundary=2025"),
        ("saigon", "/province/79?boundary=2025"),
        ("TP. Hồ Chí Minh", "/province/79?boundary=2025"),
        ("hn", "/province/01?boundary=2025"),
        ("Hà Nội", "/province/01?boundary=2025"),
        ("hue", "/province/46?boundary=2025"),
        ("Thành phố Cần Thơ", "/province/92?boundary=2025"),
        ("tỉnh Lào Cai", "/province/15?boundary=2025"),
    ],
)
def test_search_knows_the_common_forms_of_names(client, query: str, first: str) -> None:
    text = _text(client.get("/search", query_string={"q": query, "lang": "vi"}))
    assert re.findall(r'<li><a href="([^"]+)">', text)[0] == first


def test_a_leading_word_that_is_part_of_a_name_is_kept(client) -> None:
    """ "Tịnh Khê" begins like "tỉnh": the whole name is searched first."""
    text = _text(client.get("/search", query_string={"q": "Tịnh Khê", "lang": "vi"}))
    assert re.findall(r'<li><a href="[^"]+">([^<]+)</a>', text)[0] == "Xã Tịnh Khê"


def test_neighbours_are_listed_in_vietnamese_order(client) -> None:
    """Bắc Ninh before Hưng Yên before Ninh Bình before Phú Thọ before Thái Nguyên: a ă â b c d đ … order."""
    names = re.findall(
        r">([^<]+)</a></li>",
        re.search(r'<ul id="neighbours">.*?</ul>', _text(client.get("/province/01?boundary=2025&lang=vi")), re.S).group(0),
    )
    assert names == ["Bắc Ninh", "Hưng Yên", "Ninh Bình", "Phú Thọ", "Thái Nguyên"]
