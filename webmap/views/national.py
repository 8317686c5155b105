"""``/``: the national map of one indicator, with legend, ranked table, sources and programme items."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from flask import Blueprint, render_template

from webmap.read.memo import records
from webmap.render import choropleth
from webmap.render.choropleth import MapView
from webmap.render.classify import CLASS_RANGE, METHODS, MISSING_COLOUR
from webmap.render.compare import MAX_UNITS
from webmap.render.text import boundary_labels, issue_labels, year_label
from webmap.render.text import gettext as _
from webmap.serving.i18n import locale
from webmap.views.common import cached_page, choropleth_units, cited_sources, map_config, map_parts, store, unit_links, ward_layer
from webmap.views.params import has_target, map_view
from webmap.views.program import indicator_items

bp = Blueprint("national", __name__)


@dataclass(frozen=True)
class TableRow:
    """A unit's row of the ranked table (or of the list without data): attributes, which the template reads
    without the failed attribute lookup a dict costs it on every cell."""

    code: str
    name: str
    href: str
    value: float  # NaN: no value
    rank: float
    label: str
    year_text: str
    source_id: str
    detail: str


@bp.get("/")
def index():
    view = map_view(store())
    lang = locale()
    return cached_page(("national", view, lang), lambda: render(view, lang))


def render(view: MapView, lang: str) -> str:
    s = store()
    data = choropleth.build(s, view, lang)
    units = choropleth_units(data, view.boundary)
    config = map_config(view.boundary, units, MISSING_COLOUR, wards=ward_layer(view.boundary))
    config.insets = True
    config.compare = {
        "pick": _("Pick units to compare"),
        "go": _("Compare (%(n)s)", n="%n"),
        "hint": _("Pick 2 to %(n)s units", n=MAX_UNITS),
    }
    href = unit_links(view.boundary, data.codes)
    c = data.columns
    rows = [
        TableRow(
            code, name, href[code], value, rank, label, year_label({"period": period, "year": view.year, "preliminary": pre}), sid, detail
        )
        for code, name, value, rank, label, period, pre, sid, detail in zip(
            data.codes, c["name"], c["value"], c["rank"], c["label"], c["period"], c["preliminary"], c["source_id"], c["detail"]
        )
    ]
    if view.mode == "progress":  # ranked by category: the units with a status, then those without
        rows = [dataclasses.replace(r, value=shown, rank=shown + 1) for r, shown in zip(rows, c["shown"])]
    order = s.geography.name_order(view.boundary, lang)
    ranked = sorted((r for r in rows if r.value == r.value), key=lambda r: (r.rank, order[r.code]))
    unranked = sorted((r for r in rows if r.value != r.value), key=lambda r: order[r.code])
    indicator = s.values.catalogue_rows()[view.indicator]
    return render_template(
        "national.html",
        view=view,
        map=map_parts(config),
        indicator=indicator,
        data=data,
        legend=choropleth.legend_rows(data, lang),
        ranked=ranked,
        unranked=unranked,
        source_list=cited_sources(data.columns["source_id"]),
        national=s.values.national(view.indicator),
        options=_options(view),
        programme=indicator_items(view.issue, view.indicator),
        has_gap=has_target(s, view.indicator),
        progress_targets=s.progress.targets_of(view.indicator, view.boundary),
        approximation=_approximation(view, lang),
        median=s.values.median(view.indicator, view.boundary, view.year),
        missing_sources=s.uninstalled.for_indicator(view.indicator),
    )


def _approximation(view: MapView, lang: str) -> str:
    """How the indicator differs from what the progress map's target counts ("" where it measures just that)."""
    if view.mode != "progress":
        return ""
    rows = store().progress.rows(view.target, view.indicator, view.boundary)
    first = next(iter(rows.values()), {})
    return str(first.get(f"approximation_{lang}") or first.get("approximation_vi") or "")


def indicator_groups(boundary: str) -> list[dict]:
    """The indicators with values in ``boundary``, grouped by issue, in the page's language (the indicator menu;
    made once per build, set and language)."""
    return store().memo.get(("indicator_groups", boundary, locale()), lambda: _indicator_groups(boundary))


def _indicator_groups(boundary: str) -> list[dict]:
    s = store()
    mapped = set(s.values.mapped_indicators(boundary))
    groups = []
    for issue, label in issue_labels().items():
        rows = s.values.indicators(issue)
        rows = rows[rows["indicator"].isin(mapped)]
        if len(rows):
            groups.append({"issue": issue, "label": label, "indicators": records(rows)})
    return groups


def method_labels() -> dict[str, str]:
    """The classification methods in the menu's order, with their names in the page's language."""
    labels = {
        "quantiles": _("Quantiles"),
        "jenks": _("Natural breaks (Jenks)"),
        "equal": _("Equal interval"),
        "headtail": _("Head/tail breaks (skewed data)"),
        "box": _("Box plot (outliers apart)"),
    }
    return {m: labels[m] for m in METHODS}


def _options(view: MapView) -> dict:
    s = store()
    return {
        "issues": issue_labels(),
        "groups": indicator_groups(view.boundary),
        "years": s.values.years(view.indicator, view.boundary),
        "boundaries": boundary_labels(),
        "methods": method_labels(),
        "classes": range(CLASS_RANGE[0], CLASS_RANGE[1] + 1),
    }
