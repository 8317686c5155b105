"""The comparison's charts: per issue, one SVG with a bar per item and row, its value written after it, the median
dashed, and an axis with the scale's two ends in the row's unit; and the items' series of one indicator overlaid
on a trend chart."""

from __future__ import annotations

from markupsafe import Markup, escape

from webmap.read.store import Store
from webmap.render import compare
from webmap.render.text import gettext as _
from webmap.render.text import issue_labels, localized, number, unit_label, value_label
from webmap.render.trend_charts import Point, Series, series_svg

PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00")  # Okabe-Ito: one colour per item
# A chart row, in SVG units: its label, one bar per item (BAR high, BAR_GAP apart) from the scale's start, and an
# axis with the scale's two ends; bars run from CHART_LEFT over CHART_WIDTH, values are written after them.
CHART_LEFT, CHART_WIDTH, CHART_TOTAL = 4, 300, 400
LABEL, BAR, BAR_GAP, AXIS = 14, 8, 3, 16


def comparison_charts(result: compare.Comparison, names: list[str], lang: str, catalogue: dict[str, dict]) -> dict[str, Markup]:
    """Per issue, its chart as SVG (:func:`_chart_svg`) from rows with their ``label``, ``y``, ``bars`` (x, y, width,
    colour, value text, title) of the items with a value, the ``median`` (x and title, or None) and the axis
    (``axis_y``, ``ticks``: x and text of the scale's ends, in the row's unit). One scale per row, from 0 (or the
    minimum) to the maximum (:func:`webmap.render.compare.chart_positions`). ``catalogue``: the catalogue's rows by
    indicator."""
    median_text = _("Median of units")
    issue_names = issue_labels()

    def x(percent: float) -> float:
        return round(CHART_LEFT + CHART_WIDTH * percent / 100, 2)

    out: dict[str, Markup] = {}
    for issue, rows in result.by_issue().items():
        chart_rows, top = [], 0
        for row in rows:
            pos = compare.chart_positions(row)
            label = localized(catalogue[row.indicator], "label")
            if len(label) > 75:  # as Jinja's truncate(70): at a word, with "..."
                label = label[:67].rsplit(" ", 1)[0] + "..."
            unit = unit_label(catalogue[row.indicator]["unit"])
            y = top + LABEL
            bars: list[tuple[float, float, float, str, str, str]] = []
            for i, (p, cell) in enumerate(zip(pos["items"], row.cells)):
                if p is None:
                    continue
                text = value_label(cell.value, cell.flag, lang)
                bars.append(
                    (
                        CHART_LEFT,
                        y + len(bars) * (BAR + BAR_GAP),
                        max(x(p) - CHART_LEFT, 0.5),
                        PALETTE[i],
                        text,
                        f"{names[i]}: {text} {unit}",
                    )
                )
            if not bars:
                continue  # no selected item has a value: the table says so
            axis_y = y + max(len(bars), 1) * (BAR + BAR_GAP) + 2
            values = [c.value for c in row.cells if c.value is not None] + ([row.median] if row.median is not None else [])
            ticks = [(x(0), number(min(0.0, min(values)), lang)), (x(100), f"{number(max(values), lang)} {unit}")] if values else []
            chart_rows.append(
                {
                    "label": f"{label} ({row.year})",
                    "y": y,
                    "bars": bars,
                    "median": None if pos["median"] is None else (x(pos["median"]), f"{median_text}: {number(row.median, lang)} {unit}"),
                    "median_span": (y - 2, axis_y),
                    "axis_y": axis_y,
                    "ticks": ticks,
                }
            )
            top = axis_y + AXIS
        out[issue] = _chart_svg(issue_names[issue], top + 4, chart_rows)
    return out


def _chart_svg(label: str, height: float, rows: list[dict]) -> Markup:
    """One issue's chart as SVG, written in Python (a Jinja loop per bar cost as much as the rest of the page); every
    text escaped."""
    parts = [f'<svg role="img" aria-label="{escape(label)}" viewBox="0 0 {CHART_TOTAL} {height}" width="100%">']
    for row in rows:
        parts.append(f'<text x="0" y="{row["y"] - 4}" font-size="9" fill="#1f2933">{escape(row["label"])}</text>')
        for x, y, w, colour, text, title in row["bars"]:
            parts.append(
                f'<rect x="{x}" y="{y}" width="{w}" height="{BAR}" fill="{colour}"><title>{escape(title)}</title></rect>'
                f'<text x="{round(x + w + 3, 2)}" y="{y + BAR - 1}" font-size="8" fill="#1f2933">{escape(text)}</text>'
            )
        if row["median"]:
            (x, title), (y1, y2) = row["median"], row["median_span"]
            parts.append(
                f'<line x1="{x}" x2="{x}" y1="{y1}" y2="{y2}" stroke="#1f2933" stroke-width="1" stroke-dasharray="3 2">'
                f"<title>{escape(title)}</title></line>"
            )
        axis = row["axis_y"]
        parts.append(
            f'<line x1="{CHART_LEFT}" x2="{CHART_LEFT + CHART_WIDTH}" y1="{axis}" y2="{axis}" stroke="#52606d" stroke-width="0.8"></line>'
        )
        for i, (x, text) in enumerate(row["ticks"]):
            parts.append(
                f'<line x1="{x}" x2="{x}" y1="{axis}" y2="{axis + 3}" stroke="#52606d" stroke-width="0.8"></line>'
                f'<text x="{x}" y="{axis + 11}" font-size="7.5" fill="#52606d" text-anchor="{"start" if i == 0 else "end"}">{escape(text)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def comparison_overlay(
    store: Store, boundary: str, items: list[compare.Item], names: list[str], indicator: str, lang: str
) -> Markup | None:
    """The compared items' yearly series of ``indicator`` on one trend chart, each in its bars' colour; None where no
    item has two years."""
    series = []
    for i, (item, name) in enumerate(zip(items, names)):
        found = store.values.yearly_series(indicator, boundary, item.kind).get(item.key, [])
        series.append(Series(name, PALETTE[i % len(PALETTE)], [Point(y, v, p) for y, v, p in found]))
    if not any(len(x.points) >= 2 for x in series):
        return None
    row = store.values.catalogue_rows()[indicator]
    return series_svg(series, unit_label(row["unit"]), localized(row, "label"), lang)
