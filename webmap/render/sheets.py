"""Map sheets for reports: one page (A4 or A3, portrait or landscape) as PDF (vector), PNG (300 dpi) or SVG.

Drawn on the server with matplotlib (no browser) from the store's simplified, gapless outlines, projected once
per build into a Lambert conformal conic for Việt Nam (:func:`layers`). A sheet has its title, the map, a legend
with the unit and class bounds, the insets of Hoàng Sa and Trường Sa, a scale bar, a north arrow, a source line,
the date and the build id. No Flask here: the views give a :class:`Sheet` whose every text is already in the
page's language, with the same classes and colours as the page. The font is DejaVu Sans as matplotlib ships it
(a package dependency, with every Vietnamese letter), embedded in the PDF as TrueType so that its text can be
read back, and drawn as outlines in the SVG so that it shows the same everywhere.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

if TYPE_CHECKING:
    pass

PAGES = {"a4": (210.0, 297.0), "a3": (297.0, 420.0)}  # mm, portrait
ORIENTATIONS = ("landscape", "portrait")
FORMATS = {"pdf": "application/pdf", "png": "image/png", "svg": "image/svg+xml"}
DPI = 300  # of the PNG
# Lambert conformal conic, standard parallels 10° and 22°N: the whole country within 1 % of true scale
CRS = "+proj=lcc +lat_1=10 +lat_2=22 +lat_0=16 +lon_0=106 +datum=WGS84 +units=m +no_defs"
MAINLAND = (102.1, 8.35, 109.55, 23.45)  # lon/lat box of the mainland and its near islands (Phú Quốc, Côn Đảo)
SEA, LAND, EDGE, INK = "#e3eef6", "#f1efea", "#ffffff", "#222222"
MM = 72 / 25.4  # points per mm


@dataclass(frozen=True)
class Page:
    """A sheet's paper: ``size`` a4|a3, ``orientation`` landscape|portrait."""

    size: str
    orientation: str

    @property
    def mm(self) -> tuple[float, float]:
        """(width, height) in mm."""
        short, long = PAGES[self.size]
        return (long, short) if self.orientation == "landscape" else (short, long)

    @property
    def pixels(self) -> tuple[int, int]:
        """(width, height) of the PNG at :data:`DPI`."""
        width, height = self.mm
        return round(width / 25.4 * DPI), round(height / 25.4 * DPI)

    @property
    def scale(self) -> float:
        """Type and line sizes relative to A4 (A3 is √2 larger)."""
        return PAGES[self.size][0] / PAGES["a4"][0]


@dataclass(frozen=True)
class Texts:
    """The fixed words of every sheet, in the page's language."""

    sources: str  # "Nguồn"
    north: str  # the letter on the north arrow ("B")
    km: str
    no_data: str  # the legend's row for units without a value
    more_rows: str  # "… and %(n)s more rows (see the web page)"


@dataclass(frozen=True)
class Sheet:
    """What one sheet shows, every text translated. Units of the set not in ``colours`` take ``missing_colour``."""

    title: str
    subtitle: str
    colours: dict[str, str]
    missing_colour: str
    legend_title: str
    legend: list[tuple[str, str]]  # (colour, text), first class to last; the no-data row is added
    missing: int  # units without a value (the no-data row's count); -1: no such row
    sources: list[str]
    footer: list[str]  # attribution, the archipelagos' status, date and build id
    texts: Texts
    outlined: tuple[str, ...] = ()  # units drawn with a bold outline (the province, the compared units)
    labels: dict[str, str] = field(default_factory=dict)  # names printed on the map, where they fit
    table: tuple[tuple[str, ...], Sequence[tuple[str, ...]]] | None = None  # header, rows
    focus: tuple[float, float, float, float] | None = None  # lon/lat box to fit; None: the mainland


@dataclass(frozen=True)
class Layers:
    """One boundary set's outlines with the land and the archipelagos, projected to :data:`CRS` once per build."""

    units: gpd.GeoDataFrame  # code, geometry
    mainland: gpd.GeoDataFrame  # code, geometry without the archipelagos (the main map; they are in the insets)
    land: gpd.GeoSeries
    islands: gpd.GeoDataFrame  # name_vi, name_en, geometry
    points: dict[str, tuple[float, float, float, float]]  # per unit: label x, y and its box's width, height (m)


def layers(units: gpd.GeoDataFrame, land: gpd.GeoDataFrame, islands: gpd.GeoDataFrame) -> Layers:
    """The layers of :class:`Layers` from the store's lon/lat frames (web outlines, basemap land, archipelagos)."""
    projected = units[["code", "geometry"]].to_crs(CRS)
    islands = islands.to_crs(CRS)
    mainland = projected.copy()  # every part of a unit east of 110.5°E is in Hoàng Sa or Trường Sa
    west_of = gpd.GeoSeries([shapely.box(100, 0, 110.5, 25).segmentize(0.25)], crs="EPSG:4326").to_crs(CRS).iloc[0]
    mainland["geometry"] = projected.geometry.intersection(west_of)
    inner = mainland.geometry.representative_point()
    bounds = mainland.geometry.bounds
    points = {
        str(c): (p.x, p.y, w, h)
        for c, p, w, h in zip(projected["code"], inner, bounds["maxx"] - bounds["minx"], bounds["maxy"] - bounds["miny"])
    }
    return Layers(projected, mainland, land.geometry.to_crs(CRS), islands, points)


_TO_MAP = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)


def projected_box(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The projected box around a lon/lat box (its edges sampled: a parallel is curved in the projection)."""
    west, south, east, north = box
    lons = np.concatenate([np.linspace(west, east, 16), np.full(16, east), np.linspace(west, east, 16), np.full(16, west)])
    lats = np.concatenate([np.full(16, south), np.linspace(south, north, 16), np.full(16, north), np.linspace(south, north, 16)])
    x, y = _TO_MAP.transform(lons, lats)
    return float(np.min(x)), float(np.min(y)), float(np.max(x)), float(np.max(y))


def render(sheet: Sheet, layers: Layers, page: Page, fmt: str) -> bytes:
    """The sheet as ``fmt`` (pdf, png or svg) bytes."""
    import matplotlib
    from matplotlib.figure import Figure

    from webmap.render.sheet_layout import Layout

    width, height = page.mm
    with matplotlib.rc_context(
        {
            "font.family": "DejaVu Sans",  # matplotlib's own copy: no system font needed
            "pdf.fonttype": 42,  # TrueType, subset and embedded, with its Unicode map: the PDF's text can be read back
            "svg.fonttype": "path",
            "svg.hashsalt": "urbanmap",  # the same sheet gives the same SVG
            "path.simplify": True,
        }
    ):
        # a PNG of exactly page.pixels (the canvas truncates width × dpi); the vector formats at the paper's size
        columns, rows = page.pixels
        inches = ((columns + 0.5) / DPI, (rows + 0.5) / DPI) if fmt == "png" else (width / 25.4, height / 25.4)
        figure = Figure(figsize=inches, dpi=DPI if fmt == "png" else 72)
        Layout(figure, page, sheet, layers).draw()
        out = io.BytesIO()
        metadata: dict[str, Any] = {"Title": sheet.title, "Creator": "urbanmap"}
        if fmt == "png":
            metadata = {"Title": sheet.title, "Software": "urbanmap"}
        elif fmt == "svg":
            metadata = {"Title": sheet.title, "Creator": "urbanmap", "Date": None}
        figure.savefig(out, format=fmt, dpi=DPI if fmt == "png" else 72, metadata=metadata)
    return out.getvalue()
