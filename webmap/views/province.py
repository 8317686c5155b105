"""``/province/<code>?boundary=2025|2008``: one unit with its neighbours, indicators, merger relations and programme items."""

from __future__ import annotations

from flask import Blueprint, render_template
from markupsafe import Markup

from webmap.read import profile
from webmap.render.classify import MISSING_COLOUR
from webmap.render.text import boundary_labels, issue_labels, localized, unit_label
from webmap.render.text import gettext as _
from webmap.render.trend_charts import Point, TargetMark, trend_svg
from webmap.serving.errors import not_found
from webmap.serving.i18n import locale
from webmap.views.common import bounds_of, cached_page, map_config, map_parts, store, unit_links, unit_name, ward_layer
from webmap.views.params import boundary_param, check_keys
from webmap.views.program import worst_issue_items

bp = Blueprint("province", __name__)
FOCUS, NEIGHBOUR = "#0b5394", "#9ecae1"


@bp.get("/province/<code>")
def page(code: str):
    check_keys({"boundary"})
    boundary = boundary_param()
    s = store()
    if code not in s.geography.units[boundary].index:
        raise not_found(
            f"{code}: " + _unknown(),
            [f"{c} {n}" for c, n in zip(s.geography.units[boundary]["code"], s.geography.units[boundary]["name_vi"])],
        )
    lang = locale()
    return cached_page(("province", boundary, code, lang), lambda: render(boundary, code))


def _unknown() -> str:
    return _("there is no unit with this code in this boundary set.")


def render(boundary: str, code: str) -> str:
    s = store()
    neighbours = s.geography.neighbours[boundary][code]
    names = s.geography.names(boundary, locale())
    table = s.geography.units[boundary]
    href = unit_links(boundary, table["code"])
    units = {}
    for other, region in zip(table["code"], table["region_vi"]):
        colour = FOCUS if other == code else NEIGHBOUR if other in neighbours else None
        units[other] = {"name": names[other], "label": region or "", "colour": colour, "detail": "", "href": href[other]}
    config = map_config(boundary, units, "#eeeeee", focus=code, highlight=[code, *neighbours], wards=ward_layer(boundary, always=(code,)))
    rows = profile.indicator_rows(s, boundary, code)
    lang = locale()
    for row in rows:
        row["chart"] = trend_chart(row, lang)
    worst = profile.worst_issues(rows)
    programme = worst_issue_items(worst, boundary)
    parent = None
    if boundary == "2008":
        new = s.geography.units["2008"].loc[code, "unit_2025"]
        parent = {"code": new, "name": unit_name("2025", new)}
    return render_template(
        "province.html",
        boundary=boundary,
        code=code,
        unit=s.geography.units[boundary].loc[code],
        name=unit_name(boundary, code),
        map=map_parts(config, bounds_of(boundary, [code, *neighbours])),
        rows=rows,
        worst=worst,
        programme=programme,
        issues=issue_labels(),
        members=profile.members(s, code) if boundary == "2025" else [],
        parent=parent,
        boundaries=boundary_labels(),
        neighbours=[{"code": n, "name": names[n]} for n in sorted(neighbours, key=s.geography.name_order(boundary, locale()).__getitem__)],
        missing_colour=MISSING_COLOUR,
        others=[o for o in _in_name_order(boundary) if o["code"] != code],
        wards=_wards(boundary, code),
    )


def trend_chart(row: dict, lang: str) -> Markup | None:
    """The trend chart of a profile row (:func:`webmap.read.profile.indicator_rows`) with two or more yearly values,
    with the national target its latest value is measured against; None for fewer."""
    yearly = [h for h in row["history"] if not h["period"]]
    if len(yearly) < 2:
        return None
    catalogue = row["catalogue"]
    unit = unit_label(catalogue["unit"])
    points = [Point(int(h["year"]), float(h["value"]), bool(h.get("preliminary"))) for h in yearly]
    target = profile.target_for(store(), row["indicator"], int(row["latest"]["year"]))
    mark = None
    if target is not None:
        low, high = float(target["target_min"]), target["target_max"]
        high = None if high is None or high != high or float(high) == low else float(high)
        text = f"{_('target')} {localized(target, 'target')} {localized(target, 'unit')} ({target['year']}, {target['document']})"
        mark = TargetMark(low, high, int(target["year"]), text)
    label = f"{localized(catalogue, 'label')} ({unit}), {points[0].year}–{points[-1].year}"
    return trend_svg(points, unit, label, lang, mark)


def _in_name_order(boundary: str) -> list[dict]:
    """Every unit of ``boundary`` as {code, name} in the page's language, in Vietnamese alphabetical order (once per
    build, set and language)."""
    lang = locale()

    def make() -> list[dict]:
        s = store()
        names, order = s.geography.names(boundary, lang), s.geography.name_order(boundary, lang)
        return [{"code": c, "name": names[c]} for c in sorted(names, key=order.__getitem__)]

    return store().memo.get(("units_in_name_order", boundary, lang), make)


def _wards(boundary: str, code: str) -> dict | None:
    """The units of the ward-level set inside this province (in Vietnamese alphabetical order), with the set's id and
    title; None when the boundary set has none."""
    s = store()
    ward_set = s.geography.ward_set_in(boundary)
    if ward_set is None:
        absent = s.uninstalled.ward_set_in(boundary)
        return {"set": absent[0], "not_installed": absent[1], "units": []} if absent else None
    children = s.geography.children[ward_set].get(code, [])
    names, href = s.geography.names(ward_set, locale()), unit_links(ward_set, children)
    units = [{"code": c, "name": names[c], "href": href[c]} for c in children]
    return {"set": ward_set, "title": s.geography.sets.loc[ward_set, "title_en" if locale() == "en" else "title_vi"], "units": units}
