"""A unit's series of one indicator as a small SVG trend chart, drawn on the server (no chart library is sent).

Values by year joined by a line, each point titled with its value in the page's number format, preliminary
points hollow; the target (a dashed line, or a band for a range) with a diamond at its year; the 2025 boundary
change (1 July 2025) as a vertical line where the series crosses it; the y axis's two ends and the first and last
year written under the chart. Every text is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from webmap.render.text import gettext as _
from webmap.render.text import number

WIDTH, HEIGHT = 240, 64  # the plot, in SVG units
LEFT, TOP, BOTTOM = 40, 6, 14  # room for the y labels, above, and for the years under it
MERGER_YEAR = 2025.5  # 1 July 2025
TARGET_COLOUR, LINE_COLOUR, MUTED = "#b35806", "#0b5394", "#52606d"


@dataclass(frozen=True)
class Point:
    year: int
    value: float
    preliminary: bool = False


@dataclass(frozen=True)
class TargetMark:
    """A target on the chart: its bounds (``high`` for a range) and its year, as the page writes it."""

    low: float
    high: float | None
    year: int
    text: str


@dataclass(frozen=True)
class Scale:
    """Years and values to SVG coordinates."""

    first: float
    last: float
    low: float
    high: float

    def x(self, year: float) -> float:
        span = self.last - self.first or 1
        return round(LEFT + (year - self.first) / span * WIDTH, 1)

    def y(self, value: float) -> float:
        span = self.high - self.low or 1
        return round(TOP + (self.high - value) / span * HEIGHT, 1)


def scale_for(points: list[Point], target: TargetMark | None) -> Scale:
    """The chart's scale: the years of the points (and the target's), the values (and the target's), from 0 where
    every value is positive and 0 is not far below them."""
    years = [p.year for p in points] + ([target.year] if target else [])
    values = [p.value for p in points] + ([target.low] + ([target.high] if target.high is not None else []) if target else [])
    low, high = min(values), max(values)
    if low > 0 and low < 0.5 * high:
        low = 0.0
    if low == high:
        low, high = low - 1, high + 1
    return Scale(min(years), max(years), low, high)


@dataclass(frozen=True)
class Series:
    """One line of a chart: whose it is (for the points' titles), its colour and its points."""

    name: str
    colour: str
    points: list[Point]


def trend_svg(points: list[Point], unit: str, label: str, lang: str, target: TargetMark | None = None) -> Markup:
    """The chart of ``points`` (two or more, any order) in ``unit`` (the page's words), titled ``label``."""
    return series_svg([Series("", LINE_COLOUR, points)], unit, label, lang, target)


def series_svg(series: list[Series], unit: str, label: str, lang: str, target: TargetMark | None = None) -> Markup:
    """Several units' series on one scale (a comparison overlays its units'), each in its colour; a point's title
    names its series where there are several."""
    lines = [Series(x.name, x.colour, sorted(x.points, key=lambda p: p.year)) for x in series if x.points]
    everything = [p for x in lines for p in x.points]
    s = scale_for(everything, target)
    texts = _texts(lang)
    unit_text = escape(unit)
    parts = [
        f'<svg class="um-trend" role="img" aria-label="{escape(label)}" viewBox="0 0 {LEFT + WIDTH + 8} {TOP + HEIGHT + BOTTOM}" '
        f'width="{LEFT + WIDTH + 8}" height="{TOP + HEIGHT + BOTTOM}">'
    ]
    if target is not None:
        parts.append(_target(target, s))
    if any(x.points[0].year < MERGER_YEAR <= x.points[-1].year for x in lines):  # a series itself crosses the change
        x = s.x(MERGER_YEAR)
        parts.append(
            f'<line class="um-merger" x1="{x}" x2="{x}" y1="{TOP}" y2="{TOP + HEIGHT}" stroke="{MUTED}" stroke-width="0.6" '
            f'stroke-dasharray="1 2"><title>{texts["merger"]}</title></line>'
        )
    for line in lines:
        name = f"{escape(line.name)}, " if line.name else ""
        path = " ".join(f"{s.x(p.year)},{s.y(p.value)}" for p in line.points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{line.colour}" stroke-width="1.2"></polyline>')
        for p in line.points:  # a year and a number need no escaping; the unit and name were escaped once
            title = f"{name}{p.year}: {number(p.value, lang)} {unit_text}" + (f" {texts['preliminary']}" if p.preliminary else "")
            fill = "#ffffff" if p.preliminary else line.colour
            parts.append(
                f'<circle cx="{s.x(p.year)}" cy="{s.y(p.value)}" r="2" fill="{fill}" stroke="{line.colour}" stroke-width="1">'
                f"<title>{title}</title></circle>"
            )
    base = TOP + HEIGHT
    parts.append(f'<line x1="{LEFT}" x2="{LEFT + WIDTH}" y1="{base}" y2="{base}" stroke="{MUTED}" stroke-width="0.6"></line>')
    for value, y in ((s.high, TOP + 5), (s.low, base)):
        parts.append(f'<text x="{LEFT - 3}" y="{y}" font-size="8" fill="{MUTED}" text-anchor="end">{escape(number(value, lang))}</text>')
    for year, anchor in ((s.first, "start"), (s.last, "end")):
        text = str(int(year))
        parts.append(f'<text x="{s.x(year)}" y="{base + 10}" font-size="8" fill="{MUTED}" text-anchor="{anchor}">{text}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


_TEXTS: dict[str, dict[str, Markup]] = {}


def _texts(lang: str) -> dict[str, Markup]:
    """The chart's fixed words in ``lang``, translated and escaped once per language (not once per chart)."""
    if lang not in _TEXTS:
        _TEXTS[lang] = {
            "preliminary": escape(_("(preliminary)")),
            "merger": escape(_("1 July 2025: the 34 units replace the 63 provinces")),
        }
    return _TEXTS[lang]


def _target(target: TargetMark, s: Scale) -> str:
    """The target: a dashed line at its value (a band for a range) across the chart, a diamond at its year."""
    title = f"<title>{escape(target.text)}</title>"
    if target.high is not None:
        top, bottom = s.y(target.high), s.y(target.low)
        mark = (
            f'<rect class="um-target" x="{LEFT}" y="{top}" width="{WIDTH}" height="{round(bottom - top, 1)}" '
            f'fill="{TARGET_COLOUR}" fill-opacity="0.15">{title}</rect>'
        )
        y = round((top + bottom) / 2, 1)
    else:
        y = s.y(target.low)
        mark = (
            f'<line class="um-target" x1="{LEFT}" x2="{LEFT + WIDTH}" y1="{y}" y2="{y}" stroke="{TARGET_COLOUR}" '
            f'stroke-width="0.8" stroke-dasharray="4 2">{title}</line>'
        )
    x = s.x(target.year)
    diamond = f"{x},{y - 3} {x + 3},{y} {x},{y + 3} {x - 3},{y}"
    return mark + f'<polygon points="{diamond}" fill="{TARGET_COLOUR}">{title}</polygon>'
