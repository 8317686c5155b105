"""Geometry by URL, sent once per boundary set: GeoJSON with gzip, a strong ETag and long caching. Also /healthz."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..errors import not_found
from ..store import BOUNDARIES, GeoJSONAsset
from .common import store

bp = Blueprint("geometry", __name__)
LAYERS = ("land", "archipelagos")


def _send(asset: GeoJSONAsset) -> Response:
    if asset.etag in request.headers.get("If-None-Match", ""):
        response = Response(status=304)
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        response = Response(asset.gzipped, mimetype="application/geo+json")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(asset.body, mimetype="application/geo+json")
    response.headers["ETag"] = asset.etag
    # pages ask for ?v=<etag>: a day of caching can never outlive the geometry it names; without v, revalidate
    response.headers["Cache-Control"] = "public, max-age=86400" if request.args.get("v") == asset.etag.strip('"') else "public, no-cache"
    response.vary.add("Accept-Encoding")
    return response


@bp.get("/geometry/provinces_<boundary>.geojson")
def units(boundary: str):
    if boundary not in BOUNDARIES:
        raise not_found(f"unknown boundary set {boundary}", [f"/geometry/provinces_{b}.geojson" for b in BOUNDARIES])
    return _send(store().geometry[boundary])


@bp.get("/geometry/<name>.geojson")
def layer(name: str):
    if name not in LAYERS:
        raise not_found(f"unknown layer {name}", [f"/geometry/{n}.geojson" for n in LAYERS])
    return _send(store().geometry[name])


@bp.get("/healthz")
def health():
    s = store()
    return jsonify({"status": "ok", "build_id": s.build_id, "schema_version": s.manifest["schema_version"]})
