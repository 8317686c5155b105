"""Where each part of a map sheet goes on the page, in mm from its lower left corner, and drawing it there with
matplotlib: title, map, insets of Hoàng Sa and Trường Sa, legend, scale bar, north arrow, table, sources, date and
build (for :func:`webmap.render.sheets.render`)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely

from webmap.render.sheets import EDGE, INK, LAND, MAINLAND, MM, SEA, Layers, Page, Sheet, projected_box

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


class Layout:
    """Where each part of the sheet goes, in mm from the page's lower left corner, and drawing them there."""

    def __init__(self, figure: Figure, page: Page, sheet: Sheet, layers: Layers) -> None:
        self.figure, self.page, self.sheet, self.layers = figure, page, sheet, layers
        self.width, self.height = page.mm
        self.k = page.scale
        self.margin = 12 * self.k

    def box(self, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        """A figure-fraction rectangle from one in mm."""
        return x / self.width, y / self.height, w / self.width, h / self.height

    def draw(self) -> None:
        m, k = self.margin, self.k
        top = self.height - m
        self.text(m, top - 6 * k, self.sheet.title, 15, bold=True, width=self.width - 2 * m)
        self.text(m, top - 13 * k, self.sheet.subtitle, 8.5, width=self.width - 2 * m)
        footer_height = self.footer()
        body_top, body_bottom = top - 18 * k, m + footer_height + 4 * k
        if self.page.orientation == "landscape":
            map_width = (self.width - 2 * m) * 0.6
            self.map(m, body_bottom, map_width, body_top - body_bottom)
            column = m + map_width + 6 * k
            used = self.legend(column, body_top, self.width - m - column)
            self.table(column, body_top - used - 5 * k, self.width - m - column, body_top - used - 5 * k - body_bottom)
        else:
            body = body_top - body_bottom
            below = max(self.legend_height(), min(self.table_height(), body * 0.42))
            map_height = body - below - 5 * k
            self.map(m, body_top - map_height, self.width - 2 * m, map_height)
            below = body_top - map_height - 5 * k
            legend_width = (self.width - 2 * m) * (0.38 if self.sheet.table else 1)
            self.legend(m, below, legend_width)
            if self.sheet.table:
                left = m + legend_width + 5 * k
                self.table(left, below, self.width - m - left, below - body_bottom)

    # -- text ---------------------------------------------------------------------------------------------------

    def text(self, x: float, y: float, text: str, size: float, bold: bool = False, width: float | None = None, **kw) -> int:
        """``text`` at (x, y) mm (its baseline), wrapped to ``width`` mm; the number of lines."""
        size *= self.k
        lines = _wrap(text, width, size) if width else [text]
        self.figure.text(
            x / self.width,
            y / self.height,
            "\n".join(lines),
            fontsize=size,
            fontweight="bold" if bold else "normal",
            color=INK,
            va="baseline",
            linespacing=1.25,
            **kw,
        )
        return len(lines)

    def footer(self) -> float:
        """The source line and the footer lines at the bottom; their height in mm."""
        m, k, size = self.margin, self.k, 6.5
        width = self.width - 2 * m
        sources = f"{self.sheet.texts.sources}: " + "; ".join(self.sheet.sources) if self.sheet.sources else ""
        cited = _wrap(sources, width, size * k) if sources else []
        if len(cited) > 4:
            cited = [*cited[:3], cited[3] + " …"]
        lines = cited + [line for text in self.sheet.footer for line in _wrap(text, width, size * k)]
        step = size * k * 1.3 / MM
        for i, line in enumerate(reversed(lines)):
            self.text(m, m + i * step, line, size)
        return len(lines) * step

    # -- the map ------------------------------------------------------------------------------------------------

    def map(self, x: float, y: float, w: float, h: float) -> None:
        axes = self.figure.add_axes(self.box(x, y, w, h))
        national = self.sheet.focus is None
        extent = _fit(projected_box(self.sheet.focus or MAINLAND), w / h, grow_east=national)
        self._draw_layers(axes, extent, labels=True)
        self._frame(axes)
        self._scale_bar(axes, extent, w)
        self._north_arrow(axes)
        self._insets(x, y, w, h, national)

    def _draw_layers(self, axes: Axes, extent: tuple[float, float, float, float], labels: bool) -> None:
        """Land, units (``labels``: and their names where they fit) and the archipelagos within ``extent``; an inset
        (no ``labels``) outlines its tiny islands in ink so that they show at all."""
        west, south, east, north = extent
        axes.set_xlim(west, east)
        axes.set_ylim(south, north)
        axes.set_aspect("equal")
        axes.set_facecolor(SEA)
        window = shapely.box(*extent).buffer((east - west) * 0.05)
        land = self.layers.land[self.layers.land.intersects(window)]
        if len(land):
            land.plot(ax=axes, color=LAND, linewidth=0)
        units = self.layers.mainland if labels else self.layers.units
        shown = units[units.intersects(window)]
        colours = [self.sheet.colours.get(str(c)) or self.sheet.missing_colour for c in shown["code"]]
        shown.plot(ax=axes, color=colours, edgecolor=EDGE if labels else INK, linewidth=(0.3 if labels else 0.25) * self.k)
        outlined = shown[shown["code"].isin(self.sheet.outlined)]
        if len(outlined):
            outlined.boundary.plot(ax=axes, color=INK, linewidth=1.1 * self.k)
        if labels:
            self._labels(axes, extent)

    def _labels(self, axes: Axes, extent: tuple[float, float, float, float]) -> None:
        """Unit names where they fit: a name not much wider than its unit and clear of the names placed before it
        (the larger units first)."""
        from matplotlib.patheffects import withStroke

        west, south, east, north = extent
        mm_per_metre = axes.get_position().width * self.width / (east - west)
        size = 4.6 * self.k
        height = size / MM * 1.25
        halo = [withStroke(linewidth=1.2 * self.k, foreground="white")]
        placed: list[tuple[float, float, float, float]] = []
        points = self.layers.points
        for code in sorted(self.sheet.labels, key=lambda c: -(points[c][2] * points[c][3]) if c in points else 0):
            point, name = points.get(code), self.sheet.labels[code]
            if point is None or not (west < point[0] < east and south < point[1] < north):
                continue
            width = len(name) * size * 0.55 / MM  # mm, DejaVu Sans' mean advance
            if point[2] * mm_per_metre < width * 0.6 or point[3] * mm_per_metre < height:
                continue  # much wider or taller than its unit
            x, y = point[0] * mm_per_metre, point[1] * mm_per_metre
            box = (x - width / 2, y - height / 2, x + width / 2, y + height / 2)
            if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
                continue
            placed.append(box)
            axes.text(point[0], point[1], name, fontsize=size, ha="center", va="center", color=INK, path_effects=halo, clip_on=True)

    def _frame(self, axes: Axes) -> None:
        axes.set_xticks([])
        axes.set_yticks([])
        axes.set_xlabel("")
        axes.set_ylabel("")
        for spine in axes.spines.values():
            spine.set_linewidth(0.6 * self.k)
            spine.set_color(INK)

    def _scale_bar(self, axes: Axes, extent: tuple[float, float, float, float], width_mm: float) -> None:
        west, south, east, north = extent
        length = _nice((east - west) * 0.22)  # metres
        x0, y0 = west + (east - west) * 0.04, south + (north - south) * 0.035
        bar = (north - south) * 0.008
        for i in range(2):
            axes.add_patch(_rectangle((x0 + i * length / 2, y0), length / 2, bar, "white" if i else INK, edge=INK, width=0.4 * self.k))
        size = 6 * self.k
        for fraction in (0, 0.5, 1):
            text = _number(length * fraction / 1000)
            if fraction == 1:
                text += f" {self.sheet.texts.km}"
            axes.text(x0 + length * fraction, y0 + bar * 1.6, text, fontsize=size, ha="center" if fraction < 1 else "left", va="bottom")

    def _north_arrow(self, axes: Axes) -> None:
        axes.annotate(
            self.sheet.texts.north,
            xy=(0.05, 0.965),
            xytext=(0.05, 0.885),
            xycoords="axes fraction",
            ha="center",
            va="top",
            fontsize=9 * self.k,
            fontweight="bold",
            arrowprops={"facecolor": INK, "edgecolor": INK, "width": 2.2 * self.k, "headwidth": 8 * self.k, "headlength": 8 * self.k},
        )

    def _insets(self, x: float, y: float, w: float, h: float, national: bool) -> None:
        """Hoàng Sa and Trường Sa, each in a box at its true shape, at the map's right edge (in the sea east of the
        mainland on the national map)."""
        pad = 2.5 * self.k
        inset_w, inset_h = w * (0.34 if national else 0.24), h * (0.3 if national else 0.22)
        islands = self.layers.islands.reset_index(drop=True)
        order = sorted(range(len(islands)), key=lambda i: -islands.geometry.iloc[i].centroid.y)  # Hoàng Sa first
        # national: beside the coast of the centre and the south; else stacked in the lower right corner
        bottoms = [y + h * 0.48, y + h * 0.1] if national else [y + 2 * pad + inset_h, y + pad]
        for slot, i in enumerate(order[:2]):
            name = str(islands.iloc[i]["name_vi"])
            left, bottom = x + w - inset_w - pad, bottoms[slot]
            axes = self.figure.add_axes(self.box(left, bottom, inset_w, inset_h))
            geometry = islands.geometry.iloc[i]
            minx, miny, maxx, maxy = geometry.bounds
            margin = max(maxx - minx, maxy - miny) * 0.12
            extent = _fit((minx - margin, miny - margin, maxx + margin, maxy + margin * 2.2), inset_w / inset_h, grow_east=False)
            self._draw_layers(axes, extent, labels=False)
            gpd.GeoSeries([geometry]).boundary.plot(ax=axes, color=INK, linewidth=0.35 * self.k)
            axes.text(0.5, 0.95, name, transform=axes.transAxes, ha="center", va="top", fontsize=6.5 * self.k, color=INK)
            self._frame(axes)

    # -- legend and table ---------------------------------------------------------------------------------------

    def legend_rows(self) -> list[tuple[str, str]]:
        rows = list(self.sheet.legend)
        if self.sheet.missing >= 0:
            rows.append((self.sheet.missing_colour, f"{self.sheet.texts.no_data} ({self.sheet.missing})"))
        return rows

    def legend_height(self) -> float:
        """The legend's height in mm (its title on one or two lines)."""
        return (len(self.legend_rows()) * 5.2 + 16) * self.k

    def table_height(self) -> float:
        """The height in mm the whole table would take."""
        rows = len(self.sheet.table[1]) if self.sheet.table else -2
        return (rows + 3) * 6.2 * self.k * 1.45 / MM

    def legend(self, x: float, top: float, w: float) -> float:
        """The legend from ``top`` down; its height in mm."""
        k = self.k
        rows = self.legend_rows()
        lines = self.text(x, top - 4 * k, self.sheet.legend_title, 7.5, bold=True, width=w)
        y = top - 4 * k - lines * 7.5 * k * 1.25 / MM - 2 * k
        step = 5.2 * k
        swatch = self.figure.add_axes(self.box(x, y - len(rows) * step, w, len(rows) * step))
        swatch.set_xlim(0, w)
        swatch.set_ylim(0, len(rows) * step)
        swatch.set_axis_off()
        for i, (colour, text) in enumerate(rows):
            row_top = (len(rows) - i) * step
            swatch.add_patch(_rectangle((0, row_top - step + 0.8 * k), 7 * k, step - 1.6 * k, colour, edge="#888888", width=0.3 * k))
            swatch.text(9 * k, row_top - step / 2, text, fontsize=7 * k, va="center", color=INK)
        return top - (y - len(rows) * step)

    def table(self, x: float, top: float, w: float, h: float) -> None:
        """The table from ``top`` down, as many rows as fit in ``h`` mm, then how many more there are."""
        if not self.sheet.table or h < 15 * self.k:
            return
        header, rows = self.sheet.table
        k, size = self.k, 6.2
        step = size * k * 1.45 / MM
        fits = max(0, int(h / step) - 2)
        shown = rows if len(rows) <= fits else rows[: max(0, fits - 1)]
        axes = self.figure.add_axes(self.box(x, top - h, w, h))
        axes.set_xlim(0, w)
        axes.set_ylim(0, h)
        axes.set_axis_off()
        widths = _column_widths(header, shown, w, size * k)
        lefts = np.concatenate([[0], np.cumsum(widths)[:-1]])
        for r, row in enumerate([header, *shown]):
            baseline = h - (r + 1) * step
            for left, width, cell in zip(lefts, widths, row):
                axes.text(
                    left, baseline, _clip(cell, width, size * k), fontsize=size * k, fontweight="bold" if r == 0 else "normal", color=INK
                )
            if r == 0:
                axes.plot([0, w], [baseline - step * 0.3] * 2, color=INK, linewidth=0.4 * k)
        if len(shown) < len(rows):
            axes.text(
                0,
                h - (len(shown) + 2) * step,
                self.sheet.texts.more_rows % {"n": len(rows) - len(shown)},
                fontsize=size * k,
                style="italic",
            )


def _fit(box: tuple[float, float, float, float], aspect: float, grow_east: bool) -> tuple[float, float, float, float]:
    """``box`` grown to the ``aspect`` (width / height) of the frame it fills: its height filled, the width grown
    to the east (``grow_east``: the sea east of the mainland, where the insets go) or on both sides; or the other
    way round."""
    west, south, east, north = box
    pad = max(east - west, north - south) * (0.02 if grow_east else 0.06)
    west, south, east, north = west - pad, south - pad, east + pad, north + pad
    width, height = east - west, north - south
    if width / height < aspect:
        extra = height * aspect - width
        return (west, south, east + extra, north) if grow_east else (west - extra / 2, south, east + extra / 2, north)
    extra = width / aspect - height
    return west, south - extra / 2, east, north + extra / 2


def _nice(metres: float) -> float:
    """The largest 1, 2 or 5 × 10^n kilometres not above ``metres`` (at least 1 km)."""
    km = max(metres / 1000, 1)
    power = 10 ** math.floor(math.log10(km))
    return max(f for f in (1, 2, 5, 10) if f * power <= km) * power * 1000


def _number(value: float) -> str:
    return f"{value:g}"


def _wrap(text: str, width_mm: float | None, size_pt: float) -> list[str]:
    """``text`` cut into lines of at most ``width_mm`` (DejaVu Sans averages 0.55 em per character)."""
    if not width_mm:
        return [text]
    chars = max(10, int(width_mm * MM / (size_pt * 0.55)))
    return textwrap.wrap(text, chars, break_on_hyphens=False) or [""]


def _clip(text: str, width_mm: float, size_pt: float) -> str:
    chars = max(3, int(width_mm * MM / (size_pt * 0.56)) - 1)
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def _column_widths(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], width: float, size_pt: float) -> list[float]:
    """Column widths in mm: each column its longest text, the first (names) taking what is left."""
    longest = [max([len(header[c]), *(len(r[c]) for r in rows)]) for c in range(len(header))]
    natural = [n * size_pt * 0.56 / MM + 2 for n in longest]
    rest = sum(natural[1:])
    if rest > width * 0.6:
        natural[1:] = [n * width * 0.6 / rest for n in natural[1:]]
        rest = width * 0.6
    return [width - rest, *natural[1:]]


def _rectangle(xy: tuple[float, float], w: float, h: float, colour: str, edge: str, width: float):
    from matplotlib.patches import Rectangle

    return Rectangle(xy, w, h, facecolor=colour, edgecolor=edge, linewidth=width)
