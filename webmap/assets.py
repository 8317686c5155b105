"""Locally served front-end assets: Leaflet (from the XStatic-Leaflet package), the app's JS/CSS, the favicon.

No page loads anything from another origin.
"""

from __future__ import annotations

from pathlib import Path

import xstatic.pkg.leaflet as leaflet
from flask import Blueprint, send_from_directory

bp = Blueprint("assets", __name__)
LEAFLET_DIR = Path(leaflet.BASE_DIR)
STATIC_DIR = Path(__file__).parent / "static"
YEAR = 365 * 24 * 3600


@bp.get("/vendor/leaflet/<path:filename>")
def vendor_leaflet(filename: str):
    return send_from_directory(LEAFLET_DIR, filename, max_age=YEAR)


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(STATIC_DIR, "favicon.ico", max_age=YEAR)
