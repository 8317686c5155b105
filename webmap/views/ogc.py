"""``/ogc``: OGC API – Features, Part 1: Core (JSON and HTML, content negotiation, CORS)."""

from __future__ import annotations

import json
import threading

from flask import Blueprint, Response, current_app, render_template, request

from .. import ogc
from ..cache import LRUCache
from ..errors import bad_request, not_found
from ..ogc_openapi import openapi
from .common import store

bp = Blueprint("ogc", __name__, url_prefix="/ogc")
_lock = threading.Lock()
ITEM_PARAMS = {"f", "limit", "offset", "bbox", "bbox-crs", "datetime"}


def collections() -> dict[str, ogc.Collection]:
    app = current_app
    with _lock:
        if "urbanmap_ogc" not in app.extensions:
            app.extensions["urbanmap_ogc"] = ogc.build_collections(store())
            app.extensions["urbanmap_ogc_pages"] = LRUCache[bytes](512)
    return app.extensions["urbanmap_ogc"]


def base_url() -> str:
    return request.host_url.rstrip("/") + "/ogc"


def wants_html() -> bool:
    f = request.args.get("f")
    if f is not None:
        if f not in ("json", "html"):
            raise bad_request(f"unknown format f={f}", ["json", "html"])
        return f == "html"
    best = request.accept_mimetypes.best_match([ogc.JSON, ogc.GEOJSON, ogc.HTML], default=ogc.JSON)
    return best == ogc.HTML


def allow(names: set[str]) -> None:
    unknown = sorted(set(request.args) - names)
    if unknown:
        raise bad_request(f"unknown parameter(s): {', '.join(unknown)}", sorted(names))


def json_response(document: dict | bytes, media: str) -> Response:
    body = document if isinstance(document, bytes) else json.dumps(document, ensure_ascii=False).encode("utf-8")
    return Response(body, content_type=media)


def respond(document: dict, media: str, title: str):
    if wants_html():
        return render_template("ogc.html", title=title, document=document)
    return json_response(document, media)


def collection_or_404(collection_id: str) -> ogc.Collection:
    found = collections().get(collection_id)
    if found is None:
        raise not_found(f"unknown collection {collection_id}", list(collections()))
    return found


@bp.after_request
def cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("")
@bp.get("/")
def landing():
    allow({"f"})
    return respond(ogc.landing(base_url()), ogc.JSON, "urbanmap — OGC API Features")


@bp.get("/conformance")
def conformance():
    allow({"f"})
    return respond(ogc.conformance(), ogc.JSON, "Conformance")


@bp.get("/api")
def api():
    allow({"f"})
    return json_response(openapi(base_url(), list(collections()), current_app.config["OGC_MAX_LIMIT"]), ogc.OPENAPI)


@bp.get("/collections")
def collection_list():
    allow({"f"})
    return respond(ogc.collections_doc(base_url(), collections()), ogc.JSON, "Collections")


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    allow({"f"})
    found = collection_or_404(collection_id)
    return respond(ogc.collection_doc(base_url(), found), ogc.JSON, found.title)


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    allow(ITEM_PARAMS)
    found = collection_or_404(collection_id)
    html = wants_html()
    try:
        limit = ogc.parse_limit(request.args.get("limit"), current_app.config["OGC_MAX_LIMIT"])
        offset = ogc.parse_offset(request.args.get("offset"))
        bbox_text = request.args.get("bbox")
        bbox = ogc.parse_bbox(bbox_text, request.args.get("bbox-crs"))
        ogc.check_datetime(request.args.get("datetime"))
    except ogc.OgcParameterError as exc:
        raise bad_request(str(exc), sorted(ITEM_PARAMS)) from exc
    base = base_url()
    if html:
        return render_template(
            "ogc.html", title=found.title, document=ogc.items_doc(base, found, limit, offset, bbox, bbox_text), collection=found.id
        )
    pages: LRUCache[bytes] = current_app.extensions["urbanmap_ogc_pages"]
    key = (base, found.id, limit, offset, bbox_text)
    body = pages.get_or_make(
        key, lambda: json.dumps(ogc.items_doc(base, found, limit, offset, bbox, bbox_text), ensure_ascii=False).encode("utf-8")
    )
    return json_response(body, ogc.GEOJSON)


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    allow({"f"})
    found = collection_or_404(collection_id)
    document = ogc.item_doc(base_url(), found, feature_id)
    if document is None:
        raise not_found(f"no feature {feature_id} in {collection_id}", list(found.index))
    return respond(document, ogc.GEOJSON, f"{found.title}: {feature_id}")
