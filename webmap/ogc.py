"""OGC API – Features, Part 1: Core: documents as plain dicts (no Flask), over collections made once.

One collection per boundary set (``provinces_2025``, ``provinces_2008``). Features carry the same
properties as the GeoJSON export (the ETL's :func:`etl.export.select`): code, names, kind, region,
area, and for each indicator its latest value with unit, year, flag and source. Geometry is the
full-detail boundary in CRS84, coordinates to 7 decimals.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

import numpy as np
import shapely

from etl.export import Selection, to_geojson
from etl.numbers import parse_whole

from .store import BOUNDARIES, Store

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
JSON, GEOJSON, HTML, OPENAPI = "application/json", "application/geo+json", "text/html", "application/vnd.oai.openapi+json;version=3.0"
DEFAULT_LIMIT = 10
MAX_OFFSET_DIGITS = 9
_DATE = (
    r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"(?:[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]{1,9})?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]))?"
)
# OGC API - Features 1.0.1, 7.15.4: an instant, a closed interval, or an interval open at one end ("..", or nothing).
# An empty value, "/" and "../.." are none of these (400). The same pattern is declared in the OpenAPI document.
DATETIME_PATTERN = rf"^(?:{_DATE}|{_DATE}/(?:{_DATE}|\.\.)?|(?:\.\.)?/{_DATE})$"
DATETIME = re.compile(DATETIME_PATTERN)
TITLES = {"2025": "Provincial units from 2025-07-01 (34)", "2008": "Provinces 2008-08-01 – 2025-06-30 (63)"}


class OgcParameterError(ValueError):
    """A query parameter with an invalid value (HTTP 400)."""


@dataclass(frozen=True)
class Collection:
    """One boundary set's features, each also serialised once (``encoded``), so that a page of items
    is joined from bytes rather than serialised per request."""

    id: str
    title: str
    description: str
    features: list[dict]
    encoded: list[bytes]
    geometries: np.ndarray
    bbox: list[float]
    index: dict[str, int]


@dataclass(frozen=True)
class Page:
    """The features of one items request: indices matched by the bbox, and those on the page.
    ``bbox_text`` is None when the bbox matches every feature (the same request as no bbox)."""

    matched: list[int]
    shown: list[int]
    limit: int
    offset: int
    bbox_text: str | None


def build_collections(store: Store) -> dict[str, Collection]:
    """The collections, from the store's export of each boundary set."""
    out = {}
    for boundary in BOUNDARIES:
        frame = store.export(Selection(boundary))
        features = json.loads(to_geojson(frame))["features"]
        geometries = np.asarray(frame.geometry.values, dtype=object)
        bbox = [round(float(v), 7) for v in shapely.total_bounds(geometries)]
        cid = f"provinces_{boundary}"
        description = (
            f"{TITLES[boundary]} of Việt Nam with the latest value of every indicator (value, unit, year, flag, source id). "
            f"Build {store.build_id}. Boundaries: Natural Earth (public domain)."
        )
        encoded = [json.dumps(f, ensure_ascii=False, separators=(",", ":")).encode("utf-8") for f in features]
        index = {f["id"]: i for i, f in enumerate(features)}
        out[cid] = Collection(cid, TITLES[boundary], description, features, encoded, geometries, bbox, index)
    return out


def _link(href: str, rel: str, media: str, title: str = "") -> dict:
    link = {"href": href, "rel": rel, "type": media}
    if title:
        link["title"] = title
    return link


def landing(base: str) -> dict:
    return {
        "title": "urbanmap — OGC API Features",
        "description": "Vietnam's urban issues (flooding, congestion, housing, green space) by province, with sources.",
        "links": [
            _link(f"{base}?f=json", "self", JSON, "this document"),
            _link(f"{base}?f=html", "alternate", HTML, "this document as HTML"),
            _link(f"{base}/api", "service-desc", OPENAPI, "the API definition"),
            _link(f"{base}/conformance", "conformance", JSON, "conformance classes"),
            _link(f"{base}/collections", "data", JSON, "the collections"),
        ],
    }


def conformance() -> dict:
    return {"conformsTo": CONFORMANCE}


def collection_doc(base: str, collection: Collection) -> dict:
    url = f"{base}/collections/{collection.id}"
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [collection.bbox], "crs": CRS84}},
        "links": [
            _link(f"{url}?f=json", "self", JSON),
            _link(f"{url}?f=html", "alternate", HTML),
            _link(f"{url}/items?f=json", "items", GEOJSON, "the features"),
            _link(f"{url}/items?f=html", "items", HTML, "the features as HTML"),
            _link("https://www.naturalearthdata.com/about/terms-of-use/", "license", HTML, "Natural Earth: public domain"),
        ],
    }


def collections_doc(base: str, collections: dict[str, Collection]) -> dict:
    return {
        "links": [_link(f"{base}/collections?f=json", "self", JSON), _link(f"{base}/collections?f=html", "alternate", HTML)],
        "collections": [collection_doc(base, c) for c in collections.values()],
    }


def parse_limit(text: str | None, maximum: int) -> int:
    if text is None:
        return DEFAULT_LIMIT
    limit = parse_whole(text, len(str(maximum)))
    if limit is None or not 1 <= limit <= maximum:
        raise OgcParameterError(f"limit must be a whole number from 1 to {maximum}")
    return limit


def parse_offset(text: str | None) -> int:
    if text is None:
        return 0
    offset = parse_whole(text, MAX_OFFSET_DIGITS)
    if offset is None:
        raise OgcParameterError(f"offset must be a whole number, 0 or more, at most {MAX_OFFSET_DIGITS} digits")
    return offset


def parse_bbox(text: str | None, crs: str | None) -> shapely.Geometry | None:
    """The bbox as a (multi)polygon in CRS84; crossing the antimeridian when minx > maxx.

    Any 4 (or 6) finite numbers are a bbox: coordinates beyond the CRS's range are clamped to it
    (longitude -180..180, latitude -90..90), and a box whose lower latitude is above its upper one
    has no extent and matches nothing (an empty polygon).
    """
    if crs not in (None, CRS84):
        raise OgcParameterError(f"bbox-crs must be {CRS84}")
    if text is None:
        return None
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError as exc:
        raise OgcParameterError("bbox must be 4 (or 6) comma-separated numbers") from exc
    if len(values) not in (4, 6) or not all(math.isfinite(v) for v in values):
        raise OgcParameterError("bbox must be 4 (or 6) comma-separated numbers")
    minx, miny, maxx, maxy = values if len(values) == 4 else (values[0], values[1], values[3], values[4])
    minx, maxx = (min(180.0, max(-180.0, x)) for x in (minx, maxx))
    miny, maxy = (min(90.0, max(-90.0, y)) for y in (miny, maxy))
    if miny > maxy:
        return shapely.Polygon()
    if minx <= maxx:
        return shapely.box(minx, miny, maxx, maxy)
    return shapely.union(shapely.box(minx, miny, 180, maxy), shapely.box(-180, miny, maxx, maxy))


def check_datetime(text: str | None) -> None:
    """Validate ``datetime`` by the standard's grammar (RFC 3339 instant or interval). The features carry
    no time, so no value excludes any of them."""
    if text is not None and not DATETIME.match(text):
        raise OgcParameterError("datetime must be an RFC 3339 date-time or an interval such as 2020-01-01/.. (not empty)")


def items_page(collection: Collection, limit: int, offset: int, bbox: shapely.Geometry | None, bbox_text: str | None) -> Page:
    """The normalised request: matched features, the page shown, a limit no larger than the matches."""
    everything = list(range(len(collection.features)))
    matched = everything if bbox is None else [int(i) for i in np.flatnonzero(shapely.intersects(collection.geometries, bbox))]
    if matched == everything:
        bbox_text = None
    limit = max(1, min(limit, len(matched)))
    offset = min(offset, len(matched))
    return Page(matched, matched[offset : offset + limit], limit, offset, bbox_text)


def _items_envelope(base: str, collection: Collection, page: Page) -> dict:
    url = f"{base}/collections/{collection.id}/items"
    query = f"limit={page.limit}" + (f"&bbox={page.bbox_text}" if page.bbox_text else "")
    links = [
        _link(f"{url}?f=json&{query}&offset={page.offset}", "self", GEOJSON),
        _link(f"{url}?f=html&{query}&offset={page.offset}", "alternate", HTML),
        _link(f"{base}/collections/{collection.id}?f=json", "collection", JSON),
    ]
    if page.offset + page.limit < len(page.matched):
        links.append(_link(f"{url}?f=json&{query}&offset={page.offset + page.limit}", "next", GEOJSON, "next page"))
    if page.offset > 0:
        links.append(_link(f"{url}?f=json&{query}&offset={max(0, page.offset - page.limit)}", "prev", GEOJSON, "previous page"))
    return {"type": "FeatureCollection", "numberMatched": len(page.matched), "numberReturned": len(page.shown), "links": links}


def items_doc(base: str, collection: Collection, page: Page) -> dict:
    """A page of features with numberMatched, numberReturned and next/prev links (for the HTML view)."""
    return {**_items_envelope(base, collection, page), "features": [collection.features[i] for i in page.shown]}


def items_json(base: str, collection: Collection, page: Page) -> bytes:
    """The same document as :func:`items_doc`, as GeoJSON bytes joined from the features serialised once."""
    head = json.dumps(_items_envelope(base, collection, page), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return head[:-1] + b',"features":[' + b",".join(collection.encoded[i] for i in page.shown) + b"]}"


def item_doc(base: str, collection: Collection, feature_id: str) -> dict | None:
    i = collection.index.get(feature_id)
    if i is None:
        return None
    url = f"{base}/collections/{collection.id}/items/{feature_id}"
    return {
        **collection.features[i],
        "links": [
            _link(f"{url}?f=json", "self", GEOJSON),
            _link(f"{url}?f=html", "alternate", HTML),
            _link(f"{base}/collections/{collection.id}?f=json", "collection", JSON),
        ],
    }
