"""urbanmap web app: Flask pages with Folium (Leaflet) maps over the ETL's build output.

``create_app(config=None)`` builds an app; nothing is built or loaded at
import time. Config keys (defaults in :data:`DEFAULTS`): ``DATA_DIR`` (the
build directory), ``TILE_URL`` / ``TILE_ATTRIBUTION`` (an online tile layer,
off by default: the map is drawn from shipped Natural Earth land), and
``PAGE_CACHE_SIZE`` / ``DOWNLOAD_CACHE_SIZE`` (rendered pages and serialised
downloads kept), ``OGC_MAX_LIMIT`` (largest page of OGC API items).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

DEFAULTS = {
    "DATA_DIR": Path("geodata/build"),
    "TILE_URL": None,
    "TILE_ATTRIBUTION": None,
    "PAGE_CACHE_SIZE": 256,
    "DOWNLOAD_CACHE_SIZE": 64,
    "OGC_MAX_LIMIT": 10000,
    "JSON_SORT_KEYS": False,
}


def create_app(config: dict | None = None) -> Flask:
    """The app for the build in ``config['DATA_DIR']`` (raises StoreError when there is none)."""
    from . import assets, errors, i18n, security
    from .cache import LRUCache
    from .classify import MISSING_COLOUR
    from .store import Store
    from .views import api, compare, geometry, national, ogc, program, province
    from .views.common import source_link

    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    app.extensions["urbanmap_store"] = Store(Path(app.config["DATA_DIR"]))
    app.extensions["urbanmap_pages"] = LRUCache[str](app.config["PAGE_CACHE_SIZE"])
    app.extensions["urbanmap_downloads"] = LRUCache[object](app.config["DOWNLOAD_CACHE_SIZE"])
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    for blueprint in (assets.bp, geometry.bp, national.bp, province.bp, program.bp, api.bp, ogc.bp, compare.bp):
        app.register_blueprint(blueprint)
    app.jinja_env.globals.update(build_id=app.extensions["urbanmap_store"].build_id, source_link=source_link, missing_colour=MISSING_COLOUR)
    return app
