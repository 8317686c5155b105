"""OGC API – Features, Part 1: Core: documents as plain dicts (no Flask), over collections made once.

One collection per boundary set (``provinces_2025``, ``provinces_2008``, and each ward-level set such as
``wards_2025``, whose items also take ``province=<code>``), and ``progress``: each unit's progress toward each
target (one feature per target, indicator, set and unit, with the unit's simplified outline). Features carry the same properties as the GeoJSON
export (the ETL's :func:`etl.export.select`): code, names, kind, region, area, and for each indicator with a
value its latest value with unit, year, flag and source. Geometry is the full-detail boundary in CRS84,
coordinates to 7 decimals. A collection's features are serialised on its first use (:func:`build_collection`).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from etl.export import Selection, feature_bytes
from etl.importer.numbers import parse_whole
from etl.progress import METHOD_VERSION
from webmap.read.geography import BOUNDARIES
from webmap.read.store import Store
from webmap.render import text
from webmap.render.text import gettext as _

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


def _province_title(boundary: str) -> str:
    return _("Provincial units from 2025-07-01 (34)") if boundary == "2025" else _("Provinces 2008-08-01 – 2025-06-30 (63)")


class OgcParameterError(ValueError):
    """A query parameter with an invalid value (HTTP 400)."""


@dataclass(frozen=True)
class CollectionInfo:
    """What the collections document says of one boundary set (cheap: no feature read)."""

    id: str
    boundary: str
    titles: dict[str, str]  # by language, for a ward-level set (its boundary_sets row); empty for a province set
    attribution: str
    bbox: list[float]
    license: tuple[str, str]  # (href, title)
    parent_set: str | None  # for a ward-level set: the province set whose codes ``province`` takes
    provinces: tuple[str, ...] = ()  # ... and those codes (the provinces that have units of this set)
    max_limit: int | None = None  # the largest page, when smaller than the server's (a ward's outline weighs more)

    @property
    def title(self) -> str:
        """The title in the request's language."""
        return self.titles.get(text.locale(), "") or _province_title(self.boundary)

    def description(self, build_id: str) -> str:
        """What the collection holds, in the request's language."""
        if self.id == PROGRESS:
            return _(
                "Each unit's progress toward each national target of the programme, in both boundary sets: baseline, "
                "latest value, observed and needed pace, status (method %(version)s). Build %(build)s.",
                version=METHOD_VERSION,
                build=build_id,
            )
        text = _(
            "%(title)s of Việt Nam with the latest value of every indicator that has one (value, unit, year, flag, source id). "
            "Build %(build)s. Boundaries: %(attribution)s.",
            title=self.title,
            build=build_id,
            attribution=self.attribution,
        )
        return text + (" " + _("Filter by province with province=<code>.") if self.parent_set else "")


@dataclass(frozen=True)
class Collection:
    """One boundary set's features, each serialised once (``encoded``), so that a page of items is joined from
    bytes rather than serialised per request; ``parents``: each feature's province (ward-level sets)."""

    info: CollectionInfo
    encoded: list[bytes]
    geometries: np.ndarray
    index: dict[str, int]
    parents: np.ndarray | None

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def title(self) -> str:
        return self.info.title

    def feature(self, i: int) -> dict:
        return json.loads(self.encoded[i])


@dataclass(frozen=True)
class Page:
    """The features of one items request: indices matched by the bbox, and those on the page.
    ``bbox_text`` is None when the bbox matches every feature (the same request as no bbox)."""

    matched: list[int]
    shown: list[int]
    limit: int
    offset: int
    bbox_text: str | None
    province: str | None = None


# A page of 1,000 wards with their full outlines is about 6 MB, joined from bytes serialised once.
WARD_MAX_LIMIT = 1000
NATURAL_EARTH = ("https://www.naturalearthdata.com/about/terms-of-use/", "Natural Earth: public domain")
WARDS_LICENSE = ("https://github.com/thanglequoc/vietnamese-provinces-database/blob/master/LICENSE", "MIT")


def collection_infos(store: Store) -> dict[str, CollectionInfo]:
    """Every collection: the province sets, then the ward-level sets."""
    out = {}
    for boundary in [*BOUNDARIES, *store.geography.ward_sets]:
        ward = boundary in store.geography.ward_sets
        cid = boundary if ward else f"provinces_{boundary}"
        bbox = store.geography.extent[boundary]
        sets = store.geography.sets.loc[boundary] if boundary in store.geography.sets.index else None
        titles = {lang: str(sets[f"title_{lang}"]) for lang in ("vi", "en")} if ward and sets is not None else {}
        attribution = str(sets["attribution"]) if sets is not None else "Natural Earth (public domain)"
        license = NATURAL_EARTH if boundary == "2008" or sets is None else WARDS_LICENSE
        parent = store.geography.parent_set(boundary) if ward else None
        provinces = tuple(sorted(store.geography.children.get(boundary, {})))
        out[cid] = CollectionInfo(cid, boundary, titles, attribution, bbox, license, parent, provinces, WARD_MAX_LIMIT if ward else None)
    return out


PROGRESS = "progress"


def progress_info(store: Store) -> CollectionInfo:
    """The collection of every unit's progress toward each target (:mod:`etl.progress`), both province sets."""
    boxes = [store.geography.extent[b] for b in BOUNDARIES]
    bbox = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]
    titles = {"vi": "Tiến độ thực hiện các mục tiêu của Chương trình", "en": "Progress toward the programme's targets"}
    attribution = "Natural Earth (public domain); vietnamese-provinces-database (MIT)"
    return CollectionInfo(PROGRESS, PROGRESS, titles, attribution, bbox, WARDS_LICENSE, None)


def build_collection(store: Store, info: CollectionInfo) -> Collection:
    """The features of one collection, from the store's export of its boundary set (the progress collection: its
    rows, each with its unit's web outline; feature id ``<target>~<indicator>~<boundary>~<code>``)."""
    if info.id == PROGRESS:
        return _progress_collection(store, info)
    frame = store.exports.select(Selection(info.boundary))
    encoded = list(feature_bytes(frame))
    geometries = np.asarray(frame.geometry.values, dtype=object)
    parents = frame["parent_code"].to_numpy() if "parent_code" in frame else None
    return Collection(info, encoded, geometries, {c: i for i, c in enumerate(frame["code"])}, parents)


def _progress_collection(store: Store, info: CollectionInfo) -> Collection:
    parts = [store.progress.located(b, store.geography.units[b]) for b in BOUNDARIES]
    frame = pd.concat(parts, ignore_index=True).sort_values(["target_id", "indicator", "boundary", "code"], kind="stable")
    frame.insert(0, "id", frame["target_id"] + "~" + frame["indicator"] + "~" + frame["boundary"] + "~" + frame["code"])
    frame = gpd.GeoDataFrame(frame.reset_index(drop=True), geometry="geometry", crs=4326)
    encoded = list(feature_bytes(frame, id_column="id"))
    geometries = np.asarray(frame.geometry.values, dtype=object)
    return Collection(info, encoded, geometries, {str(f): i for i, f in enumerate(frame["id"])}, None)


def _link(href: str, rel: str, media: str, title: str = "") -> dict:
    link = {"href": href, "rel": rel, "type": media}
    if title:
        link["title"] = title
    return link


def landing(base: str) -> dict:
    """The landing page, its texts in the request's language (as every document's here)."""
    return {
        "title": "urbanmap — OGC API Features",
        "description": _("Vietnam's urban issues (flooding, congestion, housing, green space) by province, with sources."),
        "links": [
            _link(f"{base}?f=json", "self", JSON, _("this document")),
            _link(f"{base}?f=html", "alternate", HTML, _("this document as HTML")),
            _link(f"{base}/api", "service-desc", OPENAPI, _("the API definition")),
            _link(f"{base}/conformance", "conformance", JSON, _("conformance classes")),
            _link(f"{base}/collections", "data", JSON, _("the collections")),
        ],
    }


def conformance() -> dict:
    return {"conformsTo": CONFORMANCE}


def collection_doc(base: str, collection: CollectionInfo, build_id: str) -> dict:
    url = f"{base}/collections/{collection.id}"
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description(build_id),
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [collection.bbox], "crs": CRS84}},
        "links": [
            _link(f"{url}?f=json", "self", JSON, _("this document")),
            _link(f"{url}?f=html", "alternate", HTML, _("this document as HTML")),
            _link(f"{url}/items?f=json", "items", GEOJSON, _("the features")),
            _link(f"{url}/items?f=html", "items", HTML, _("the features as HTML")),
            _link(collection.license[0], "license", HTML, collection.license[1]),
        ],
    }


def collections_doc(base: str, collections: dict[str, CollectionInfo], build_id: str) -> dict:
    return {
        "links": [
            _link(f"{base}/collections?f=json", "self", JSON, _("this document")),
            _link(f"{base}/collections?f=html", "alternate", HTML, _("this document as HTML")),
        ],
        "collections": [collection_doc(base, c, build_id) for c in collections.values()],
    }


def parse_limit(text: str | None, maximum: int) -> int:
    if text is None:
        return DEFAULT_LIMIT
    limit = parse_whole(text, len(str(maximum)))
    if limit is None or not 1 <= limit <= maximum:
        raise OgcParameterError(_("limit must be a whole number from 1 to %(n)s.", n=maximum))
    return limit


def parse_offset(text: str | None) -> int:
    if text is None:
        return 0
    offset = parse_whole(text, MAX_OFFSET_DIGITS)
    if offset is None:
        raise OgcParameterError(_("offset must be a whole number, 0 or more, of at most %(n)s digits.", n=MAX_OFFSET_DIGITS))
    return offset


def parse_bbox(text: str | None, crs: str | None) -> shapely.Geometry | None:
    """The bbox as a (multi)polygon in CRS84; crossing the antimeridian when minx > maxx.

    Any 4 (or 6) finite numbers are a bbox: coordinates beyond the CRS's range are clamped to it
    (longitude -180..180, latitude -90..90), and a box whose lower latitude is above its upper one
    has no extent and matches nothing (an empty polygon).
    """
    if crs not in (None, CRS84):
        raise OgcParameterError(_("bbox-crs must be %(crs)s.", crs=CRS84))
    if text is None:
        return None
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError as exc:
        raise OgcParameterError(_("bbox must be 4 (or 6) numbers separated by commas.")) from exc
    if len(values) not in (4, 6) or not all(math.isfinite(v) for v in values):
        raise OgcParameterError(_("bbox must be 4 (or 6) numbers separated by commas."))
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
        raise OgcParameterError(_("datetime must be an RFC 3339 date-time or an interval such as 2020-01-01/.. (not empty)."))


def items_page(
    collection: Collection, limit: int, offset: int, bbox: shapely.Geometry | None, bbox_text: str | None, province: str | None = None
) -> Page:
    """The normalised request: matched features, the page shown, a limit no larger than the matches."""
    chosen = np.ones(len(collection.encoded), dtype=bool)
    if province is not None and collection.parents is not None:
        chosen &= collection.parents == province
    within = chosen if bbox is None else chosen & shapely.intersects(collection.geometries, bbox)
    if bbox is not None and (within == chosen).all():
        bbox_text = None
    matched = [int(i) for i in np.flatnonzero(within)]
    limit = max(1, min(limit, len(matched)))
    offset = min(offset, len(matched))
    return Page(matched, matched[offset : offset + limit], limit, offset, bbox_text, province)


def _items_envelope(base: str, collection: Collection, page: Page) -> dict:
    url = f"{base}/collections/{collection.id}/items"
    query = (
        f"limit={page.limit}"
        + (f"&bbox={page.bbox_text}" if page.bbox_text else "")
        + (f"&province={page.province}" if page.province else "")
    )
    links = [
        _link(f"{url}?f=json&{query}&offset={page.offset}", "self", GEOJSON, _("this document")),
        _link(f"{url}?f=html&{query}&offset={page.offset}", "alternate", HTML, _("this document as HTML")),
        _link(f"{base}/collections/{collection.id}?f=json", "collection", JSON, _("the collection")),
    ]
    if page.offset + page.limit < len(page.matched):
        links.append(_link(f"{url}?f=json&{query}&offset={page.offset + page.limit}", "next", GEOJSON, _("next page")))
    if page.offset > 0:
        links.append(_link(f"{url}?f=json&{query}&offset={max(0, page.offset - page.limit)}", "prev", GEOJSON, _("previous page")))
    return {"type": "FeatureCollection", "numberMatched": len(page.matched), "numberReturned": len(page.shown), "links": links}


def items_doc(base: str, collection: Collection, page: Page) -> dict:
    """A page of features with numberMatched, numberReturned and next/prev links (for the HTML view)."""
    return {**_items_envelope(base, collection, page), "features": [collection.feature(i) for i in page.shown]}


def items_json(base: str, collection: Collection, page: Page) -> bytes:
    """The same document as :func:`items_doc`, as GeoJSON bytes: the envelope and the features as serialised once
    per build, joined in one copy. One body, not its pieces: the server writes each piece it is given on its own,
    and 2,000 pieces of a page of 1,000 wards cost more than the copy (OGC page p99 165 ms against 40 ms)."""
    head = json.dumps(_items_envelope(base, collection, page), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    parts = [head[:-1] + b',"features":[']
    for n, i in enumerate(page.shown):
        parts += [b",", collection.encoded[i]] if n else [collection.encoded[i]]
    return b"".join([*parts, b"]}"])


def item_doc(base: str, collection: Collection, feature_id: str) -> dict | None:
    i = collection.index.get(feature_id)
    if i is None:
        return None
    url = f"{base}/collections/{collection.id}/items/{feature_id}"
    return {
        **collection.feature(i),
        "links": [
            _link(f"{url}?f=json", "self", GEOJSON, _("this document")),
            _link(f"{url}?f=html", "alternate", HTML, _("this document as HTML")),
            _link(f"{base}/collections/{collection.id}?f=json", "collection", JSON, _("the collection")),
        ],
    }
