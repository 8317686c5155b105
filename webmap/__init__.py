"""urbanmap web app: Flask pages with Folium (Leaflet) maps over the ETL's build output.

``create_app(config=None)`` builds an app; nothing is built or loaded at
import time. Config keys (defaults in :data:`DEFAULTS`):

- ``DATA_DIR``: the output directory of ``urbanmap build``; the app serves
  ``DATA_DIR/current`` and switches, whole, to the build it points to next
  (looking at most every ``BUILD_CHECK_SECONDS``).
- ``CACHE_BYTES``: the one budget of rendered pages and serialised downloads kept.
- ``OGC_CACHE_BYTES``: the budget of OGC API item pages kept, apart from the pages (their keys take any bbox, so
  that a client varying it churns only this cache).
- ``MAX_QUERY_BYTES``: longest query string accepted (414 beyond).
- ``BASE_URL``: the public address (``https://host/prefix``) links in OGC API
  documents are made from; without it, from the request's host, which must be one
  of ``TRUSTED_HOSTS`` (400 otherwise; default: loopback names only).
- ``DATABASE_URL`` (default: the environment's ``DATABASE_URL``, else ``DATA_DIR/urbanmap.sqlite``),
  ``SECRET_KEY`` (default: ``URBANMAP_SECRET_KEY``, else ``DATA_DIR/secret_key``), ``SESSION_HOURS`` (8):
  accounts and sessions (:mod:`webmap.intake`).
- ``PROXIES``: how many reverse proxies (nginx) stand in front of the app (default 0). With N > 0, the client
  address, scheme and host are taken from the last N ``X-Forwarded-*`` entries (Werkzeug's ``ProxyFix``), so
  that the per-address sign-in limit and the audit log see the client, not the proxy. Never set it on a server
  clients reach directly: they could then choose their own address.
- ``LONG_RUNNING``: the app is a serving process (``urbanmap serve`` sets it; off by default, as tests make many
  apps): every page template is compiled when the app is made, so that no visitor waits for a first compile
  (about 0.3 s in all), mapclassify is imported (2 s, else paid by the first map), and what the process has made by
  then, and each build once loaded, is moved out of the garbage collector's scans (:mod:`webmap.serving.served`).
- ``TILE_URL`` / ``TILE_ATTRIBUTION``: an online tile layer, off by default (the
  map is drawn from shipped Natural Earth land); ``OGC_MAX_LIMIT``: largest page of items.
"""

from __future__ import annotations

import functools
import gc
from pathlib import Path

from flask import Flask

DEFAULTS = {
    "DATA_DIR": Path("geodata/build"),
    "TILE_URL": None,
    "TILE_ATTRIBUTION": None,
    "CACHE_BYTES": 256 * 2**20,
    "OGC_CACHE_BYTES": 32 * 2**20,
    "BUILD_CHECK_SECONDS": 1.0,
    "MAX_QUERY_BYTES": 4096,
    "BASE_URL": None,
    "TRUSTED_HOSTS": ["localhost", "127.0.0.1", "[::1]"],
    "OGC_MAX_LIMIT": 10000,
    "PROXIES": 0,
    "LONG_RUNNING": False,
    "JSON_SORT_KEYS": False,
}


def create_app(config: dict | None = None) -> Flask:
    """The app for the builds in ``config['DATA_DIR']`` (raises StoreError when there is none)."""
    from webmap import intake
    from webmap.render import classify, links, text
    from webmap.render.classify import MISSING_COLOUR
    from webmap.serving import assets, errors, i18n, scope, security, tracking
    from webmap.serving.cache import ByteCache
    from webmap.serving.served import ServedBuild
    from webmap.views import (
        api,
        compare,
        geometry,
        indicator,
        methods,
        national,
        ogc,
        program,
        progress_api,
        province,
        search,
        sheets,
        ward,
    )
    from webmap.views.common import source_html, source_link
    from webmap.views.prepare import prepare

    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # JSON errors readable as Vietnamese, in UTF-8
    if app.config["BASE_URL"] and "TRUSTED_HOSTS" not in (config or {}):
        app.config["TRUSTED_HOSTS"] = None  # links come from BASE_URL, whatever Host a proxy passes on
    cache = ByteCache(int(app.config["CACHE_BYTES"]))
    app.extensions["urbanmap_cache"] = cache
    ogc_cache = ByteCache(int(app.config["OGC_CACHE_BYTES"]))
    app.extensions["urbanmap_ogc_cache"] = ogc_cache

    def keep_only(store) -> None:  # a response is never served from another build's entry
        cache.keep_only(store.build_id)
        ogc_cache.keep_only(store.build_id)

    app.extensions["urbanmap_build"] = ServedBuild(
        Path(app.config["DATA_DIR"]),
        float(app.config["BUILD_CHECK_SECONDS"]),
        on_switch=keep_only,
        freeze=bool(app.config["LONG_RUNNING"]),
    )
    scope.init_app(app)
    tracking.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    intake.init_app(app)
    for blueprint in (
        assets.bp,
        geometry.bp,
        national.bp,
        province.bp,
        ward.bp,
        search.bp,
        program.bp,
        methods.bp,
        indicator.bp,
        api.bp,
        progress_api.bp,
        ogc.bp,
        compare.bp,
        sheets.bp,
    ):
        app.register_blueprint(blueprint)
    app.jinja_env.globals.update(
        source_link=source_link,
        source_html=source_html,
        missing_colour=MISSING_COLOUR,
        link=links.link,
        sources=links.sources,
        in_language=links.in_language,
        sheet_links=sheets.sheet_links,
        not_installed=text.not_installed,
        how_to_install=text.how_to_install,
    )
    if app.config["LONG_RUNNING"]:
        for name in app.jinja_env.list_templates(extensions=["html"]):
            app.jinja_env.get_template(name)
        classify.load_classifiers()  # mapclassify and scipy: 2 s that the first map's visitor would wait
        served = app.extensions["urbanmap_build"]
        served.prepare = functools.partial(prepare, app)  # each later build, before it is served
        prepare(app, served.current())
        # what a serving process has made by now (modules, compiled templates) lives as long as it: out of the
        # collector's full scans, like each loaded build (webmap.serving.served), which otherwise walk 116,000 objects
        gc.freeze()
    proxies = int(app.config["PROXIES"])
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    return app
