"""``/province/<code>?boundary=2025|2008``: one unit with its neighbours, indicators, merger relations and programme items."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _

from etl.names import vietnamese_key

from .. import profile
from ..classify import MISSING_COLOUR
from ..errors import not_found
from ..i18n import boundary_labels, issue_labels, locale
from ..params import boundary_param, check_keys
from .common import bounds_of, cached, map_config, map_parts, store, unit_name, ward_layer
from .program import worst_issue_items
from .ward import ward_name

bp = Blueprint("province", __name__)
FOCUS, NEIGHBOUR = "#0b5394", "#9ecae1"


@bp.get("/province/<code>")
def page(code: str):
    check_keys({"boundary"})
    boundary = boundary_param()
    s = store()
    if code not in s.units[boundary].index:
        raise not_found(f"{code}: " + _unknown(), [f"{c} {n}" for c, n in zip(s.units[boundary]["code"], s.units[boundary]["name_vi"])])
    lang = locale()
    return cached(("province", boundary, code, lang), lambda: render(boundary, code))


def _unknown() -> str:
    return _("there is no unit with this code in this boundary set.")


def render(boundary: str, code: str) -> str:
    s = store()
    neighbours = s.neighbours[boundary][code]
    units = {}
    for other in s.units[boundary]["code"]:
        colour = FOCUS if other == code else NEIGHBOUR if other in neighbours else None
        units[other] = {
            "name": unit_name(boundary, other),
            "label": s.units[boundary].loc[other, "region_vi"] or "",
            "colour": colour,
            "detail": "",
            "href": url_for("province.page", code=other, boundary=boundary),
        }
    config = map_config(boundary, units, "#eeeeee", focus=code, highlight=[code, *neighbours], wards=ward_layer(boundary, always=(code,)))
    rows = profile.indicator_rows(s, boundary, code)
    worst = profile.worst_issues(rows)
    programme = worst_issue_items(worst)
    parent = None
    if boundary == "2008":
        new = s.units["2008"].loc[code, "unit_2025"]
        parent = {"code": new, "name": unit_name("2025", new)}
    return render_template(
        "province.html",
        boundary=boundary,
        code=code,
        unit=s.units[boundary].loc[code],
        name=unit_name(boundary, code),
        map=map_parts(config, bounds_of(boundary, [code, *neighbours])),
        rows=rows,
        worst=worst,
        programme=programme,
        issues=issue_labels(),
        members=profile.members(s, code) if boundary == "2025" else [],
        parent=parent,
        boundaries=boundary_labels(),
        neighbours=[{"code": n, "name": unit_name(boundary, n)} for n in neighbours],
        missing_colour=MISSING_COLOUR,
        others=sorted(
            ({"code": c, "name": unit_name(boundary, c)} for c in s.units[boundary]["code"] if c != code),
            key=lambda o: vietnamese_key(o["name"]),
        ),
        wards=_wards(boundary, code),
    )


def _wards(boundary: str, code: str) -> dict | None:
    """The units of the ward-level set inside this province (in Vietnamese alphabetical order), with the set's id and
    title; None when the boundary set has none."""
    s = store()
    ward_set = s.ward_set_in(boundary)
    if ward_set is None:
        return None
    units = [{"code": c, "name": ward_name(ward_set, c)} for c in s.children[ward_set].get(code, [])]
    return {"set": ward_set, "title": s.sets.loc[ward_set, "title_en" if locale() == "en" else "title_vi"], "units": units}
