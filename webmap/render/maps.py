"""Folium map builders: data in, map parts (head, body, script) out. No Flask import.

The choropleth is drawn by ``static/urbanmap.js`` from a config the map
carries (values, colours, labels, links per unit code, the box to fit) and geometry fetched
once per boundary set from a cacheable URL, so geometry is never embedded
in a page. Folium's default CDN assets are replaced by locally served files,
and every inline ``<script>``/``<style>`` is allowed by its hash (:mod:`webmap.serving.security`).
Text from data reaches the page only as JSON inside a script (HTML-escaped
like Jinja's ``tojson``) and is put into the DOM with ``textContent``, never as HTML.

Folium builds the map once per set of assets, tile layer and slot (the n-th map of a page: each has
its own element id), with a placeholder where the config goes (:func:`map_shell`); a view only puts
its config into that shell.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import cast

import folium
from branca.element import Figure, MacroElement
from jinja2 import Template
from jinja2.utils import htmlsafe_json_dumps

from etl.geometry import BASEMAP_BOUNDS

CONFIG_PLACEHOLDER = "__URBANMAP_CONFIG__"
# The national map's box: the mainland (with Phú Quốc and Côn Đảo) fills the map's height; Hoàng Sa and Trường Sa
# are drawn in inset boxes at their true shape (and at their true place, off the box to the east).
VIETNAM_BOUNDS = [[8.4, 102.1], [23.4, 109.6]]
LAND_BOUNDS = [[BASEMAP_BOUNDS[1], BASEMAP_BOUNDS[0]], [BASEMAP_BOUNDS[3], BASEMAP_BOUNDS[2]]]


@dataclass(frozen=True)
class Assets:
    """URLs of the locally served JS/CSS."""

    leaflet_js: str
    leaflet_css: str
    app_js: str
    app_css: str


@dataclass
class MapConfig:
    """What ``urbanmap.draw`` needs; every string is plain text (escaped by the browser's textContent)."""

    geometry_url: str
    land_url: str
    islands_url: str
    units: dict[str, dict]
    island_labels: dict[str, str]
    missing_colour: str
    focus: str | None = None
    highlight: list[str] = field(default_factory=list)  # drawn at full strength; the others faded (all when empty)
    bounds: list[list[float]] = field(default_factory=lambda: VIETNAM_BOUNDS)  # [[south, west], [north, east]] to fit
    # the background land's box: the map is neither panned nor zoomed out beyond it (its edges are straight lines)
    land_bounds: list[list[float]] = field(default_factory=lambda: LAND_BOUNDS)
    # the archipelagos in inset boxes (the national map); their names are in island_labels
    insets: bool = False
    # the floating "compare (n)" control of a map whose page has a #compare-form: {"pick": ..., "go": "... (%n)"}
    compare: dict[str, str] | None = None
    # the units of a ward-level set, loaded per province as the map comes close (see common.ward_layer); None: none
    wards: dict | None = None
    # maps of one page showing the same units send them once: the first names them, the others refer to that name
    units_id: str | None = None
    units_from: str | None = None

    def as_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


class _Choropleth(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        urbanmap.draw({{ this._parent.get_name() }}, """
        + CONFIG_PLACEHOLDER
        + """);
        {% endmacro %}
    """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "UrbanmapChoropleth"


@dataclass(frozen=True)
class MapParts:
    """Rendered pieces to place in a page: ``head`` (links, styles), ``body`` (the map div), ``script``."""

    head: str
    body: str
    script: str

    @property
    def head_without_assets(self) -> str:
        """The head without the JS/CSS links: for the second and later maps of one page."""
        return re.sub(r"<script[^>]*\bsrc=[^>]*>\s*</script>|<link[^>]*>", "", self.head)


def build_map(
    config: MapConfig,
    assets: Assets,
    bounds: list[list[float]] | None = None,
    tile_url: str | None = None,
    tile_attribution: str | None = None,
    slot: int = 0,
) -> MapParts:
    """A Leaflet map fitted to ``bounds`` (Việt Nam by default) drawing ``config``; ``slot``: the n-th map of its page."""
    shell = map_shell(assets, tile_url, tile_attribution, slot)
    config.bounds = bounds or VIETNAM_BOUNDS
    script = shell.script.replace(CONFIG_PLACEHOLDER, str(htmlsafe_json_dumps(config.as_json())))
    return MapParts(head=shell.head, body=shell.body, script=script)


@functools.lru_cache(maxsize=32)
def map_shell(assets: Assets, tile_url: str | None, tile_attribution: str | None, slot: int) -> MapParts:
    """The map as Folium renders it, with :data:`CONFIG_PLACEHOLDER` where a view's config goes. One per set of
    assets, tile layer and slot (a few per process: the cache is bounded)."""
    fmap = folium.Map(
        location=[16.0, 106.0],
        zoom_start=5,
        tiles=None,
        control_scale=True,
        width="100%",
        height="100%",
        min_zoom=4,
        max_zoom=12,
        prefer_canvas=False,
    )
    fmap.default_js = [("leaflet", assets.leaflet_js), ("urbanmap", assets.app_js)]
    fmap.default_css = [("leaflet_css", assets.leaflet_css), ("urbanmap_css", assets.app_css)]
    if tile_url:
        folium.TileLayer(tile_url, attr=tile_attribution or "", name="tiles").add_to(fmap)
    _Choropleth().add_to(fmap)
    root = cast(Figure, fmap.get_root())
    root.render()
    head = root.header.render()
    head = re.sub(r"<meta[^>]*>\s*", "", head)  # the page template has its own (zoomable) viewport
    return MapParts(head=head, body=root.html.render(), script=root.script.render())
