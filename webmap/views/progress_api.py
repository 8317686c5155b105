"""``/api/progress.csv`` and ``/api/progress.geojson``: every unit's progress toward each target (:mod:`etl.progress`).

Parameters: ``boundary`` (2025 default, 2008), ``target`` (a target id) and ``indicator`` (an indicator measuring
it), both optional filters. Columns: the unit's code and names, then :data:`etl.progress.COLUMNS` (status ids are
the stable English words; the method version goes with every row). The same build gives the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib

import pandas as pd
from flask import Blueprint, request

from etl.export import to_geojson
from etl.spreadsheet import frame_csv
from webmap.render.text import gettext as _
from webmap.serving.errors import not_found
from webmap.views.api import Download, send_download
from webmap.views.common import cached, store
from webmap.views.params import boundary_param, check_keys

bp = Blueprint("progress_api", __name__)
MEDIA = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


@bp.get("/api/progress.<fmt>")
def progress(fmt: str):
    if fmt not in MEDIA:
        raise not_found(_("Unknown format “%(value)s”.", value=fmt), [f"/api/progress.{f}" for f in MEDIA])
    check_keys(frozenset({"boundary", "target", "indicator"}))
    boundary = boundary_param()
    table = store().progress.table
    target, indicator = request.args.get("target"), request.args.get("indicator")
    if target is not None and target not in set(table["target_id"]):
        raise not_found(_("Unknown target “%(value)s” for this indicator.", value=target), sorted(set(table["target_id"])))
    if indicator is not None and indicator not in set(table["indicator"]):
        raise not_found(_("Unknown indicator “%(value)s”.", value=indicator), sorted(set(table["indicator"])))
    download = cached(("progress_download", fmt, boundary, target, indicator), lambda: _make(fmt, boundary, target, indicator))
    return send_download(download, MEDIA[fmt])


def _make(fmt: str, boundary: str, target: str | None, indicator: str | None) -> Download:
    s = store()
    frame = s.progress.located(boundary, s.geography.units[boundary])
    if target is not None:
        frame = frame[frame["target_id"] == target]
    if indicator is not None:
        frame = frame[frame["indicator"] == indicator]
    body = frame_csv(pd.DataFrame(frame.drop(columns="geometry"))) if fmt == "csv" else to_geojson(frame, s.exports.metadata())
    etag = '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
    stem = f"urbanmap_progress_{boundary}" + (f"_{target}" if target else "") + (f"_{indicator}" if indicator else "")
    return Download(body, gzip.compress(body, compresslevel=6, mtime=0), etag, f"{stem}.{fmt}")
