"""``/api/provinces.geojson|.csv|.gpkg``: downloads of a boundary set, filtered, with every value's unit, year and source.

The same ETL export functions as ``urbanmap export``; serialised once per selection (kept in the byte-bounded
cache), gzip, ETag and Last-Modified. Parameters: boundary (a province set, or a ward-level set such as
``wards_2025`` with ``province=<code>`` to take one province's units), codes, region, issue | indicators, year;
for CSV also ``long`` (one row per value with its source) and ``wkt`` (geometry column). A selection of more than
:data:`STREAM_UNITS` units is streamed instead (written as it is sent, never whole in memory beside its units).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import tempfile
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, request
from werkzeug.http import http_date

from etl.catalogue import ISSUES
from etl.export import ExportError, Selection, csv_chunks, file_stem, geojson_chunks, to_csv, to_geojson, to_gpkg
from webmap.render.text import gettext as _
from webmap.serving.errors import AppError, bad_request, not_found
from webmap.views.common import cached, set_not_installed, store
from webmap.views.params import boundary_param, check_keys, int_param, list_param

bp = Blueprint("api", __name__)
MEDIA = {"geojson": "application/geo+json", "csv": "text/csv; charset=utf-8", "gpkg": "application/geopackage+sqlite3"}
FLAGS = ("1", "true", "yes")
STREAM_UNITS = 500  # larger selections (the 3,321 wards) are streamed, not cached
# A streamed export of every ward costs about 2 s of CPU: at most this many at once per process, the others get 503.
STREAMS = threading.BoundedSemaphore(2)
RETRY_SECONDS = 10


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
    s = store()
    boundary = request.args.get("boundary", "2025")
    absent = set_not_installed(boundary)
    if absent is not None:
        raise absent
    if boundary in s.geography.ward_sets:
        province = request.args.get("province") or None
        if province is not None and province not in s.geography.children[boundary]:
            raise not_found(
                _("No unit of %(set)s lies in province %(code)s.", set=boundary, code=province), sorted(s.geography.children[boundary])
            )
    else:
        boundary, province = boundary_param(), None
        if request.args.get("province"):
            raise bad_request(_("The parameter province selects the units of a ward-level set (boundary=…)."), s.geography.ward_sets)
    issue = request.args.get("issue") or None
    if issue is not None and issue not in ISSUES:
        raise bad_request(_("Unknown issue “%(value)s”.", value=issue), list(ISSUES))
    indicators = tuple(list_param("indicators"))
    if issue and indicators:
        raise bad_request(_("Give issue or indicators, not both."), ["issue", "indicators"])
    year = int_param("year", request.args["year"]) if request.args.get("year") else None
    codes = tuple(sorted(list_param("codes")))
    if set(codes) == set(s.geography.units[boundary]["code"]):
        codes = ()
    return Selection(boundary, codes, request.args.get("region") or None, issue, indicators, year, province)


def _make(fmt: str, selection: Selection, long: bool, wkt: bool) -> Download:
    s = store()
    try:
        frame = s.exports.select(selection)
    except ExportError as exc:
        raise (not_found if exc.missing else bad_request)(exc.message + ": " + exc.fix) from exc
    if fmt == "geojson":
        body = to_geojson(frame, s.exports.metadata(frame))
    elif fmt == "csv":
        body = s.exports.long_csv(frame, selection) if long else to_csv(s.sources.with_titles(frame), wkt)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "export.gpkg"
            to_gpkg(frame, path, _layer_name(selection))
            body = path.read_bytes()
    etag = '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
    stem = file_stem(selection, dt.date.today().isoformat()) + ("_long" if long else "")
    zipped = gzip.compress(body, compresslevel=6, mtime=0) if fmt != "gpkg" else None
    return Download(body, zipped, etag, f"{stem}.{fmt}")


def _layer_name(selection: Selection) -> str:
    return selection.boundary if selection.boundary in store().geography.ward_sets else f"provinces_{selection.boundary}"


@bp.get("/api/provinces.<fmt>")
def provinces(fmt: str):
    if fmt not in MEDIA:
        raise not_found(_("Unknown format “%(value)s”.", value=fmt), [f"/api/provinces.{f}" for f in MEDIA])
    allowed = {"boundary", "codes", "region", "issue", "indicators", "year", "province"} | ({"long", "wkt"} if fmt == "csv" else set())
    check_keys(allowed)
    selection = selection_from_request()
    long, wkt = request.args.get("long", "") in FLAGS, request.args.get("wkt", "") in FLAGS
    if _units_in(selection) > STREAM_UNITS and not long:
        return _stream(fmt, selection, wkt)
    download = cached(("download", fmt, selection, long, wkt), lambda: _make(fmt, selection, long, wkt))
    return send_download(download, MEDIA[fmt])


def _units_in(selection: Selection) -> int:
    """How many units the selection has at most (before its region filter)."""
    s = store()
    if selection.codes:
        return len(selection.codes)
    if selection.province:
        return len(s.geography.children[selection.boundary][selection.province])
    return len(s.geography.units[selection.boundary])


def _stream(fmt: str, selection: Selection, wkt: bool) -> Response:
    """A large export written as it is sent: GeoJSON and CSV in chunks (gzip on the fly where accepted), a GeoPackage
    from a temporary file removed once sent. The ETag names the build and the selection (the same build gives the
    same bytes), one per encoding."""
    s = store()
    digest = hashlib.sha256(repr((s.build_id, fmt, selection, wkt)).encode()).hexdigest()[:24]
    zipped = fmt != "gpkg" and "gzip" in request.headers.get("Accept-Encoding", "")
    etag = f'"{digest}{"-gz" if zipped else ""}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = Response(status=304)
    else:
        if not STREAMS.acquire(blocking=False):
            raise AppError(
                503, _("Other large exports are being written: try again in %(n)s s.", n=RETRY_SECONDS), retry_after=RETRY_SECONDS
            )
        try:
            frame = s.exports.select(selection)
            if fmt == "gpkg":
                chunks = _gpkg_chunks(frame, _layer_name(selection))
            else:
                chunks = (
                    geojson_chunks(frame, s.exports.metadata(frame)) if fmt == "geojson" else csv_chunks(s.sources.with_titles(frame), wkt)
                )
        except ExportError as exc:
            STREAMS.release()
            raise (not_found if exc.missing else bad_request)(exc.message + ": " + exc.fix) from exc
        response = Response(_Slot(_gzipped(chunks) if zipped else chunks), content_type=MEDIA[fmt])
        if zipped:
            response.headers["Content-Encoding"] = "gzip"
    response.headers["ETag"] = etag
    stem = file_stem(selection, dt.date.today().isoformat())
    return _download_headers(response, f"{stem}.{fmt}")


class _Slot:
    """A streamed body that gives back its export slot once: when sent, or when the server closes it unsent
    (a HEAD request, a client gone before the first byte)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.held = True

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.chunks
        finally:
            self.close()

    def close(self) -> None:
        if self.held:
            self.held = False
            STREAMS.release()


def _gzipped(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` compressed as one gzip stream, piece by piece."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for chunk in chunks:
        packed = packer.compress(chunk)
        if packed:
            yield packed
    yield packer.flush()


def _gpkg_chunks(frame, layer: str) -> Iterator[bytes]:
    """A GeoPackage written to a temporary file, then sent in 1 MiB pieces; the file is removed when done."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.gpkg"
        to_gpkg(frame, path, layer)
        del frame
        with path.open("rb") as f:
            while piece := f.read(1 << 20):
                yield piece


def send_download(download: Download, media: str) -> Response:
    if download.etag in request.headers.get("If-None-Match", ""):
        response = Response(status=304)
    elif download.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
        response = Response(download.gzipped, content_type=media)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(download.body, content_type=media)
    response.headers["ETag"] = download.etag
    return _download_headers(response, download.filename)


def _download_headers(response: Response, filename: str) -> Response:
    response.headers["Last-Modified"] = http_date(store().path.stat().st_mtime)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "public, no-cache"  # a proxy may keep it, but asks (ETag) whether a new build changed it
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept-Encoding")
    return response
