"""No request costs much more than a normal page, whatever its parameters; no 5xx from any request.

Work is counted (rows read from the store, items rendered: :mod:`webmap.read.work`), never timed.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webmap import create_app

# The most a normal page or download of the shipped data costs (the largest: a comparison of two
# regions of the 63 provinces, ~160,000 rows read; the long CSV of every value, ~3 MB).
MAX_WORK = 250_000
MAX_BYTES = 4_000_000
# A page of 1,000 wards' full outlines (the largest the OGC API sends of them) is up to ~8 MB of bytes serialised once.
ROUTE_BYTES = {"/ogc/collections/wards_2025/items": 12_000_000}

ROUTES = [
    "/",
    "/province/31",
    "/province/01",
    "/program",
    "/compare",
    "/compare.csv",
    "/compare.geojson",
    "/api/provinces.geojson",
    "/api/provinces.csv",
    "/api/provinces.gpkg",
    "/geometry/provinces_2025.geojson",
    "/geometry/land.geojson",
    "/healthz",
    "/ogc",
    "/ogc/api",
    "/ogc/collections",
    "/ogc/collections/provinces_2008",
    "/ogc/collections/provinces_2008/items",
    "/ogc/collections/provinces_2025/items/01",
    "/ogc/collections/nowhere/items",
    "/ogc/collections/wards_2025/items",
    "/ward/31120",
    "/search",
    "/geometry/wards_2025/92/fine.geojson",
    "/login",
    "/audit",
    "/audit.csv",
]
NAMES = ["issue", "indicator", "indicators", "year", "boundary", "method", "classes", "mode", "codes", "regions", "map", "long", "wkt"]
NAMES += ["region", "lang", "f", "limit", "offset", "bbox", "bbox-crs", "datetime", "next", "x", "province", "q"]
VALUES = [
    "",
    "2025",
    "2008",
    "wards_2025",
    "92",
    "2016",
    "²",
    "٣",
    "9" * 4301,
    "-1",
    "1e3",
    "0",
    "10000",
    "99999999999",
    "population",
    "urbanization_rate",
    "flooding",
    "01,79",
    "01,01,01,79",
    "01,79,31,48,92",
    "dong_bang_song_hong,dong_nam_bo",
    "102,8,110,24",
    "-180,-90,180,90",
    "nan,nan,nan,nan",
    "1,2,3",
    "latest",
    "vi",
    "en",
    "html",
    "json",
    "1",
    "gap",
    "jenks",
    "../..",
    "2020-01-01/..",
    "<script>alert(1)</script>",
    "\u0000",
    "%",
    ",".join(["population"] * 300),
]


@pytest.fixture(scope="module")
def app(shipped_build):
    return create_app({"DATA_DIR": shipped_build[0], "TESTING": True})


def _get(app, url: str, **kwargs):
    client = app.test_client()
    with client:
        response = client.get(url, **kwargs)
        return response, g.work[0]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    route=st.sampled_from(ROUTES),
    params=st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(VALUES)), max_size=5),
    accept=st.sampled_from(["*/*", "text/html", "application/json"]),
)
def test_any_parameters_cost_no_more_than_a_normal_page(app, route, params, accept) -> None:
    response, work = _get(app, route, query_string=params, headers={"Accept": accept})
    assert response.status_code < 500, (route, params, response.data[:300])
    # a streamed download (all the wards) is bounded in memory, not in size: it is written as it is sent
    assert response.is_streamed or len(response.data) <= ROUTE_BYTES.get(route, MAX_BYTES), (route, params)
    assert work <= MAX_WORK, (route, params, work)


def test_repeated_list_items_cost_what_one_costs(app) -> None:
    once, work_once = _get(app, "/compare?codes=01,79&indicators=population")
    many, work_many = _get(app, "/compare?codes=01,79&indicators=" + ",".join(["population"] * 300))
    assert many.status_code == 200 and work_many <= work_once and len(many.data) <= len(once.data) * 1.1
    csv_once, _ = _get(app, "/compare.csv?codes=01,79&indicators=population")
    csv_many, _ = _get(app, "/compare.csv?codes=01,79&indicators=population,population,population")
    assert csv_once.data == csv_many.data


def test_a_long_query_string_is_414(app) -> None:
    response, work = _get(app, "/compare?codes=01,79&indicators=" + ",".join(["population"] * 1000))
    assert response.status_code == 414 and work == 0
    assert _get(app, "/api/provinces.csv?indicators=" + "x" * 5000)[0].status_code == 414


@pytest.mark.parametrize(
    "url",
    [
        "/?year=²",
        "/?year=٢٠٢٤",
        "/?classes=" + "9" * 4000,
        "/?year=+2016",
        "/api/provinces.csv?year=" + "1" * 30,
        "/compare?codes=01,79&year=²",
        "/ogc/collections/provinces_2025/items?limit=²",
        "/ogc/collections/provinces_2025/items?offset=" + "9" * 4000,
        "/ogc/collections/provinces_2025/items?limit=%EF%BC%91",  # a full-width 1
    ],
)
def test_numbers_are_ascii_digits_of_bounded_length(app, url) -> None:
    assert _get(app, url)[0].status_code == 400


def test_ogc_pages_are_normalised_and_not_cached_per_bbox(app) -> None:
    cache = app.extensions["urbanmap_cache"]
    before = cache.nbytes
    bodies = set()
    for digit in range(10):
        response, _ = _get(app, f"/ogc/collections/provinces_2008/items?limit=10000&bbox=90,0,120,3{digit}.123")
        assert response.status_code == 200
        bodies.add(response.data)
    assert len(bodies) == 1  # each bbox covers every feature: the same request as no bbox
    assert cache.nbytes == before
    document = json.loads(bodies.pop())
    assert document["numberReturned"] == 63 and "bbox" not in document["links"][0]["href"] and "limit=63" in document["links"][0]["href"]
    subset = json.loads(_get(app, "/ogc/collections/provinces_2008/items?limit=10000&bbox=105.5,20.8,106.5,21.2")[0].data)
    assert 0 < subset["numberReturned"] < 63 and "bbox=105.5" in subset["links"][0]["href"]


def test_ogc_item_pages_are_kept_in_their_own_bounded_cache(shipped_build) -> None:
    app = create_app({"DATA_DIR": shipped_build[0], "TESTING": True, "OGC_CACHE_BYTES": 4_000_000})
    pages, items = app.extensions["urbanmap_cache"], app.extensions["urbanmap_ogc_cache"]
    url = "/ogc/collections/provinces_2025/items?limit=3&offset=2"
    first, _ = _get(app, url)
    assert len(items) == 1
    again, _ = _get(app, url + "&bbox=90,0,120,40")  # covers every unit: the same page
    assert again.data == first.data and len(items) == 1
    client = app.test_client()
    client.set_cookie("lang", "en")
    english = client.get(url)  # link titles in English: another entry
    assert english.data != first.data and len(items) == 2
    for digit in range(30):  # varied bboxes churn this cache only, within its budget
        assert _get(app, f"/ogc/collections/provinces_2008/items?limit=10000&bbox=105,10,106.{digit:02},22")[0].status_code == 200
    assert 0 < items.nbytes <= 4_000_000 and pages.nbytes == 0


def test_downloads_are_keyed_on_the_normalised_selection(app) -> None:
    cache = app.extensions["urbanmap_cache"]
    a, _ = _get(app, "/api/provinces.csv?codes=79,01&indicators=population,area")
    size = len(cache)
    b, _ = _get(app, "/api/provinces.csv?codes=01,79,01&indicators=population,area,population")
    assert a.data == b.data and len(cache) == size


def test_405_says_which_methods_are_allowed(app) -> None:
    for url in ("/", "/api/provinces.csv", "/ogc/collections"):
        response = app.test_client().post(url)
        assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_ogc_links_never_come_from_an_untrusted_host(app, shipped_build) -> None:
    assert _get(app, "/ogc/collections", headers={"Host": "evil.example"})[0].status_code == 400
    behind_proxy = create_app({"DATA_DIR": shipped_build[0], "TESTING": True, "BASE_URL": "https://urbanmap.example.vn/app"})
    body = behind_proxy.test_client().get("/ogc/collections", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in body and "https://urbanmap.example.vn/app/ogc/collections" in body


@pytest.mark.parametrize("value", ["", "/", "../..", "2020-13-01", "2020-01-01T24:00:00Z", "2020-01-01/2021", "yesterday"])
def test_invalid_datetime_is_400(app, value) -> None:
    assert _get(app, f"/ogc/collections/provinces_2025/items?datetime={value}")[0].status_code == 400


@pytest.mark.parametrize("value", ["2020-01-01", "2020-01-01/..", "../2020-01-01T00:00:00Z", "2020-01-01/"])
def test_valid_datetime_is_200(app, value) -> None:
    assert _get(app, f"/ogc/collections/provinces_2025/items?datetime={value}")[0].status_code == 200


def test_openapi_declares_the_error_media_types_it_sends(app) -> None:
    document = json.loads(_get(app, "/ogc/api")[0].data)
    declared = document["paths"]["/collections/{collectionId}/items"]["get"]["responses"]["400"]["content"]
    html_error = _get(app, "/ogc/collections/provinces_2025/items?limit=0&f=html")[0]
    json_error = _get(app, "/ogc/collections/provinces_2025/items?limit=0")[0]
    assert html_error.status_code == json_error.status_code == 400
    assert {html_error.mimetype, json_error.mimetype} <= set(declared)


def test_only_web_addresses_become_links(shipped_build) -> None:
    app = create_app({"DATA_DIR": shipped_build[0], "TESTING": True})
    client = app.test_client()
    client.get("/healthz")
    store = app.extensions["urbanmap_build"].current()
    store.sources.frame["url"] = "javascript:alert(1)"
    for url in ("/", "/program"):
        body = client.get(url).get_data(as_text=True)
        assert "javascript:" not in body, url
        text = html.unescape(re.sub(r"<[^>]+>", "", body))  # a title's parts in another language are in <span lang>
        assert any(title in text for title in store.sources.frame["title"]), url  # the sources are there, as text
