"""Geometry by URL, sent once per boundary set (and per province for ward-level sets): GeoJSON with gzip, a
strong ETag and long caching. Also /healthz."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from webmap.read.geography import BOUNDARIES
from webmap.read.geometry import LEVELS, GeoJSONAsset
from webmap.render.text import gettext as _
from webmap.serving.errors import not_found
from webmap.views.common import set_not_installed, store

bp = Blueprint("geometry", __name__)
LAYERS = ("land", "archipelagos")


def _send(asset: GeoJSONAsset, build_id: str = "") -> Response:
    """``asset`` with its ETag; cached for a day when the URL names its content (``v``: its ETag, or the build id
    of a URL made from a template), else revalidated."""
    if asset.etag in request.headers.get("If-None-Match", ""):
        response = Response(status=304)
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        response = Response(asset.gzipped, mimetype="application/geo+json")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(asset.body, mimetype="application/geo+json")
    response.headers["ETag"] = asset.etag
    # pages ask for ?v=<etag>: a day of caching can never outlive the geometry it names; without v, revalidate
    version = request.args.get("v")
    named = version is not None and version in (asset.etag.strip('"'), build_id)
    response.headers["Cache-Control"] = "public, max-age=86400" if named else "public, no-cache"
    response.vary.add("Accept-Encoding")
    return response


@bp.get("/geometry/provinces_<boundary>.geojson")
def units(boundary: str):
    if boundary not in BOUNDARIES:
        raise not_found(_("Unknown boundary set “%(value)s”.", value=boundary), [f"/geometry/provinces_{b}.geojson" for b in BOUNDARIES])
    return _send(store().geometry[boundary])


@bp.get("/geometry/<ward_set>/<parent>/<level>.geojson")
def subunits(ward_set: str, parent: str, level: str):
    """The units of a ward-level set inside one province, at a level of detail (``coarse``, ``fine``)."""
    s = store()
    if ward_set not in s.geography.ward_sets:
        raise set_not_installed(ward_set) or not_found(_("Unknown boundary set “%(value)s”.", value=ward_set), s.geography.ward_sets)
    if level not in LEVELS:
        raise not_found(_("Unknown level of detail “%(value)s”.", value=level), list(LEVELS))
    asset = s.geometry.wards(ward_set, level, parent)
    if asset is None:
        raise not_found(
            _("No unit of %(set)s lies in province %(code)s.", set=ward_set, code=parent), sorted(s.geography.children[ward_set])
        )
    return _send(asset, s.build_id)


@bp.get("/geometry/<name>.geojson")
def layer(name: str):
    if name not in LAYERS:
        raise not_found(_("Unknown layer “%(value)s”.", value=name), [f"/geometry/{n}.geojson" for n in LAYERS])
    return _send(store().geometry[name])


@bp.get("/healthz")
def health():
    s = store()
    return jsonify({"status": "ok", "build_id": s.build_id, "schema_version": s.manifest["schema_version"]})
