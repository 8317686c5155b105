"""``/ogc``: OGC API – Features, Part 1: Core (JSON and HTML, content negotiation, CORS)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, render_template, request

from webmap.read import work
from webmap.render import ogc
from webmap.render.ogc_openapi import openapi
from webmap.render.text import gettext as _
from webmap.serving.errors import bad_request, not_found
from webmap.serving.i18n import locale
from webmap.views.common import set_not_installed, store

bp = Blueprint("ogc", __name__, url_prefix="/ogc")
ITEM_PARAMS = {"f", "limit", "offset", "bbox", "bbox-crs", "datetime"}


def collections() -> dict[str, ogc.CollectionInfo]:
    """The collections of the build this request answers from (made once per build)."""
    return store().memo.get(("ogc_collections",), lambda: {**ogc.collection_infos(store()), ogc.PROGRESS: ogc.progress_info(store())})


def base_url() -> str:
    """Where links point: ``BASE_URL`` when configured, else this request's host (checked against ``TRUSTED_HOSTS``)."""
    configured = current_app.config.get("BASE_URL")
    return (configured.rstrip("/") if configured else request.host_url.rstrip("/")) + "/ogc"


def wants_html() -> bool:
    f = request.args.get("f")
    if f is not None:
        if f not in ("json", "html"):
            raise bad_request(_("Unknown format f=%(value)s.", value=f), ["json", "html"])
        return f == "html"
    best = request.accept_mimetypes.best_match([ogc.JSON, ogc.GEOJSON, ogc.HTML], default=ogc.JSON)
    return best == ogc.HTML


def allow(names: set[str]) -> None:
    unknown = sorted(set(request.args) - names)
    if unknown:
        raise bad_request(_("Unknown parameter: %(names)s.", names=", ".join(unknown)), sorted(names))


def json_response(document: dict | bytes, media: str) -> Response:
    """``document`` as JSON: a dict serialised, bytes as they are."""
    body = json.dumps(document, ensure_ascii=False).encode("utf-8") if isinstance(document, dict) else document
    return Response(body, content_type=media)


def respond(document: dict, media: str, title: str):
    if wants_html():
        return render_template("ogc.html", title=title, document=document)
    return json_response(document, media)


def info_or_404(collection_id: str) -> ogc.CollectionInfo:
    found = collections().get(collection_id)
    if found is None:
        raise set_not_installed(collection_id) or not_found(_("Unknown collection “%(value)s”.", value=collection_id), list(collections()))
    return found


def collection_or_404(collection_id: str) -> ogc.Collection:
    """The collection's features, serialised on first use and kept with the build."""
    info = info_or_404(collection_id)
    return store().memo.get(("ogc_collection", collection_id), lambda: ogc.build_collection(store(), info))


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
    return respond(ogc.conformance(), ogc.JSON, _("Conformance classes"))


@bp.get("/api")
def api():
    allow({"f"})
    return json_response(openapi(base_url(), collections(), current_app.config["OGC_MAX_LIMIT"]), ogc.OPENAPI)


@bp.get("/collections")
def collection_list():
    allow({"f"})
    return respond(ogc.collections_doc(base_url(), collections(), store().build_id), ogc.JSON, _("Collections"))


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    allow({"f"})
    found = info_or_404(collection_id)
    return respond(ogc.collection_doc(base_url(), found, store().build_id), ogc.JSON, found.title)


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    info = info_or_404(collection_id)
    allow(ITEM_PARAMS | ({"province"} if info.parent_set else set()))
    province = request.args.get("province")
    if province is not None and province not in info.provinces:
        raise bad_request(_("No unit of %(set)s lies in province %(code)s.", set=collection_id, code=province[:20]), list(info.provinces))
    found = collection_or_404(collection_id)
    html = wants_html()
    try:
        limit = ogc.parse_limit(request.args.get("limit"), current_app.config["OGC_MAX_LIMIT"])
        # OGC API - Features 1.0, 7.15.3: a limit above the maximum is not an error, the maximum is used instead
        limit = min(limit, info.max_limit or limit)
        offset = ogc.parse_offset(request.args.get("offset"))
        bbox_text = request.args.get("bbox")
        bbox = ogc.parse_bbox(bbox_text, request.args.get("bbox-crs"))
        ogc.check_datetime(request.args.get("datetime"))
    except ogc.OgcParameterError as exc:
        raise bad_request(str(exc), sorted(ITEM_PARAMS)) from exc
    page = ogc.items_page(found, limit, offset, bbox, bbox_text, province)
    work.charge(len(page.shown))
    base = base_url()
    if html:
        return render_template("ogc.html", title=found.title, document=ogc.items_doc(base, found, page), collection=found.id)
    # the normalised page (a bbox covering every match is none): kept in a cache of its own (OGC_CACHE_BYTES)
    crs = request.args.get("bbox-crs") if page.bbox_text else None
    key = (store().build_id, found.id, page.limit, page.offset, page.bbox_text, crs, page.province, base, locale())
    body = current_app.extensions["urbanmap_ogc_cache"].get_or_make(key, lambda: ogc.items_json(base, found, page))
    return json_response(body, ogc.GEOJSON)


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    allow({"f"})
    found = collection_or_404(collection_id)
    document = ogc.item_doc(base_url(), found, feature_id)
    if document is None:
        raise not_found(_("No feature %(id)s in %(collection)s.", id=feature_id, collection=collection_id), list(found.index))
    return respond(document, ogc.GEOJSON, f"{found.title}: {feature_id}")
