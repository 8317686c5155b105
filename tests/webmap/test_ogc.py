"""OGC API – Features through the test client: documents, paging, bbox, formats, errors, CORS."""

from __future__ import annotations

import json

import pytest

from webmap.render.ogc import CONFORMANCE


def _json(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.data)


def test_landing_conformance_and_api(client) -> None:
    landing = _json(client, "/ogc")
    assert {"service-desc", "conformance", "data"} <= {link["rel"] for link in landing["links"]}
    assert _json(client, "/ogc/conformance")["conformsTo"] == CONFORMANCE
    response = client.get("/ogc/api")
    assert response.content_type == "application/vnd.oai.openapi+json;version=3.0"
    api = json.loads(response.data)
    assert api["openapi"].startswith("3.0") and "/collections/{collectionId}/items" in api["paths"]


def test_collections(client) -> None:
    collections = _json(client, "/ogc/collections")["collections"]
    assert [c["id"] for c in collections] == ["provinces_2025", "provinces_2008", "wards_2025", "progress"]
    one = _json(client, "/ogc/collections/provinces_2008")
    minx, miny, maxx, maxy = one["extent"]["spatial"]["bbox"][0]
    assert 102 < minx < 103 and 8 < miny < 9 and 109 < maxx < 110 and 23 < maxy < 24


def test_items_pages_with_next_links(client) -> None:
    seen, url, pages = [], "/ogc/collections/provinces_2008/items?limit=20", 0
    while url:
        page = _json(client, url)
        assert page["numberMatched"] == 63 and page["numberReturned"] == len(page["features"])
        seen += [f["id"] for f in page["features"]]
        nxt = [link["href"] for link in page["links"] if link["rel"] == "next"]
        url = nxt[0].replace("http://localhost", "") if nxt else None
        pages += 1
    assert pages == 4 and len(seen) == 63 and len(set(seen)) == 63


def test_bbox_filters_features(client) -> None:
    page = _json(client, "/ogc/collections/provinces_2025/items?bbox=105.5,20.5,106.8,21.2&limit=100")
    codes = {f["id"] for f in page["features"]}
    assert "31" in codes and "79" not in codes and page["numberMatched"] == len(codes)


def test_item_and_html(client) -> None:
    item = _json(client, "/ogc/collections/provinces_2025/items/31")
    assert item["properties"]["name_vi"] == "Hải Phòng" and item["properties"]["population"] == 4664124
    html = client.get("/ogc/collections/provinces_2025/items?f=html")
    assert html.mimetype == "text/html" and "Hải Phòng" in html.get_data(as_text=True) or "provinces_2025" in html.get_data(as_text=True)
    negotiated = client.get("/ogc/collections", headers={"Accept": "text/html,application/xhtml+xml"})
    assert negotiated.mimetype == "text/html"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/ogc/collections/nope", 404),
        ("/ogc/collections/provinces_2025/items/99", 404),
        ("/ogc/collections/provinces_2025/items?limit=0", 400),
        ("/ogc/collections/provinces_2025/items?limit=10001", 400),
        ("/ogc/collections/provinces_2025/items?offset=-1", 400),
        ("/ogc/collections/provinces_2025/items?bbox=1,2,3", 400),
        ("/ogc/collections/provinces_2025/items?bbox=a,b,c,d", 400),
        ("/ogc/collections/provinces_2025/items?bbox=1,2,3,nan", 400),
        ("/ogc/collections/provinces_2025/items?datetime=yesterday", 400),
        ("/ogc/collections/provinces_2025/items?bbox-crs=EPSG:3857&bbox=1,2,3,4", 400),
        ("/ogc/collections?f=xml", 400),
        ("/ogc/collections/provinces_2025/items?foo=1", 400),
    ],
)
def test_ogc_errors(client, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status and response.get_json()["code"] in ("InvalidParameterValue", "NotFound")


def test_a_bbox_beyond_the_crs_is_clamped_and_an_inverted_one_matches_nothing(client) -> None:
    everything = _json(client, "/ogc/collections/provinces_2025/items?bbox=-500,-100,500,100&limit=100")
    assert everything["numberMatched"] == 34
    assert _json(client, "/ogc/collections/provinces_2025/items?bbox=100,30,110,10")["numberMatched"] == 0


def test_datetime_is_accepted_and_excludes_nothing(client) -> None:
    page = _json(client, "/ogc/collections/provinces_2025/items?datetime=2020-01-01/..&limit=100")
    assert page["numberMatched"] == 34
