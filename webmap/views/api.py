"""``/api/provinces.geojson|.csv|.gpkg``: downloads of a boundary set, filtered, with every value's unit, year and source.

The same ETL export functions as ``urbanmap export``; serialised once per selection (LRU), gzip,
ETag and Last-Modified. Parameters: boundary, codes, region, issue | indicators, year; for CSV
also ``long`` (one row per value with its source) and ``wkt`` (geometry column).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, request
from werkzeug.http import http_date

from etl.export import ExportError, Selection, file_stem, to_csv, to_geojson, to_gpkg

from ..errors import bad_request, not_found
from ..params import boundary_param, check_keys, int_param, list_param
from ..store import ISSUES
from .common import cached, store

bp = Blueprint("api", __name__)
MEDIA = {"geojson": "application/geo+json", "csv": "text/csv; charset=utf-8", "gpkg": "application/geopackage+sqlite3"}
FLAGS = ("1", "true", "yes")


@dataclass(frozen=True)
class Download:
    body: bytes
    gzipped: bytes | None
    etag: str
    filename: str

    @property
    def nbytes(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


def selection_from_request() -> Selection:
    """The normalised selection: no repeated codes or indicators, codes sorted, all codes of the set = no codes."""
    boundary = boundary_param()
    issue = request.args.get("issue") or None
    if issue is not None and issue not in ISSUES:
        raise bad_request(f"unknown issue {issue}", list(ISSUES))
    indicators = tuple(list_param("indicators"))
    if issue and indicators:
        raise bad_request("give issue or indicators, not both", ["issue", "indicators"])
    year = int_param("year", request.args["year"]) if request.args.get("year") else None
    codes = tuple(sorted(list_param("codes")))
    if set(codes) == set(store().units[boundary]["code"]):
        codes = ()
    return Selection(boundary, codes, request.args.get("region") or None, issue, indicators, year)


def _make(fmt: str, selection: Selection, long: bool, wkt: bool) -> Download:
    s = store()
    try:
        frame = s.export(selection)
    except ExportError as exc:
        raise (not_found if exc.missing else bad_request)(exc.message + ": " + exc.fix) from exc
    if fmt == "geojson":
        body = to_geojson(frame, s.export_metadata())
    elif fmt == "csv":
        body = s.export_long(frame, selection) if long else to_csv(frame, wkt)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "export.gpkg"
            to_gpkg(frame, path, f"provinces_{selection.boundary}")
            body = path.read_bytes()
    etag = '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
    stem = file_stem(selection, dt.date.today().isoformat()) + ("_long" if long else "")
    zipped = gzip.compress(body, compresslevel=6, mtime=0) if fmt != "gpkg" else None
    return Download(body, zipped, etag, f"{stem}.{fmt}")


@bp.get("/api/provinces.<fmt>")
def provinces(fmt: str):
    if fmt not in MEDIA:
        raise not_found(f"unknown format {fmt}", [f"/api/provinces.{f}" for f in MEDIA])
    allowed = {"boundary", "codes", "region", "issue", "indicators", "year"} | ({"long", "wkt"} if fmt == "csv" else set())
    check_keys(allowed)
    selection = selection_from_request()
    long, wkt = request.args.get("long", "") in FLAGS, request.args.get("wkt", "") in FLAGS
    download = cached(("download", fmt, selection, long, wkt), lambda: _make(fmt, selection, long, wkt))
    return send_download(download, MEDIA[fmt])


def send_download(download: Download, media: str) -> Response:
    if download.etag in request.headers.get("If-None-Match", ""):
        response = Response(status=304)
    elif download.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
        response = Response(download.gzipped, content_type=media)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(download.body, content_type=media)
    response.headers["ETag"] = download.etag
    response.headers["Last-Modified"] = http_date(store().path.stat().st_mtime)
    response.headers["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    response.headers["Cache-Control"] = "public, no-cache"  # a proxy may keep it, but asks (ETag) whether a new build changed it
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept-Encoding")
    return response
