"""``/ward/<code>``: one unit of a ward-level set (a ward, commune or special zone) with its province, its
indicators ranked among the province's wards, and the province's other wards."""

from __future__ import annotations

from flask import Blueprint, render_template

from etl.boundary_sets import AREA_RATIO
from webmap.read import profile
from webmap.read.profile import MIN_RANKED
from webmap.render.text import gettext as _
from webmap.render.text import issue_labels
from webmap.serving.errors import not_found
from webmap.serving.i18n import locale
from webmap.views.common import cached_page, map_config, map_parts, set_not_installed, store, unit_links, unit_name, ward_layer
from webmap.views.params import check_keys

bp = Blueprint("ward", __name__)
PARENT_FILL = "#eeeeee"
PAD = 0.02  # degrees around a ward's box: its neighbours in view


def ward_set_of(code: str) -> str | None:
    """The ward-level set that has unit ``code`` (the first declared, if several)."""
    s = store()
    return next((w for w in s.geography.ward_sets if code in s.geography.units[w].index), None)


@bp.get("/ward/<code>")
def page(code: str):
    check_keys(set())
    ward_set = ward_set_of(code)
    if ward_set is None:
        raise set_not_installed() or not_found(
            f"{code}: " + _("there is no ward or commune with this code."), [_("5-digit code, e.g. 31120")]
        )
    return cached_page(("ward", ward_set, code, locale()), lambda: render(ward_set, code))


def render(ward_set: str, code: str) -> str:
    s = store()
    unit = s.geography.units[ward_set].loc[code]
    parent_set, parent = s.geography.parent_set(ward_set), str(unit["parent_code"])
    siblings = s.geography.children[ward_set][parent]
    provinces = {
        p: {"name": unit_name(parent_set, p), "label": "", "colour": PARENT_FILL if p == parent else None, "detail": "", "href": href}
        for p, href in unit_links(parent_set, s.geography.units[parent_set]["code"]).items()
    }
    config = map_config(parent_set, provinces, "#ffffff", highlight=[parent], wards=ward_layer(parent_set, always=(parent,), focus=code))
    west, south, east, north = s.geography.bounds[ward_set][code]
    bounds = [[south - PAD, west - PAD], [north + PAD, east + PAD]]
    rows = profile.indicator_rows(s, ward_set, code, peers=siblings, min_ranked=MIN_RANKED)
    names, href = s.geography.names(ward_set, locale()), unit_links(ward_set, siblings)
    published, measured = unit["area_km2_published"], unit["area_km2"]
    far = published == published and published > 0 and not 1 / AREA_RATIO <= measured / published <= AREA_RATIO
    return render_template(
        "ward.html",
        ward_set=ward_set,
        set_title=s.geography.sets.loc[ward_set, "title_en" if locale() == "en" else "title_vi"],
        code=code,
        unit=unit,
        name=unit_name(ward_set, code),
        kind=kind_label(str(unit["kind"])),
        parent={"code": parent, "boundary": parent_set, "name": unit_name(parent_set, parent)},
        area={"published": published if published == published else None, "measured": measured, "far": far},
        map=map_parts(config, bounds),
        rows=rows,
        min_ranked=MIN_RANKED,
        issues=issue_labels(),
        others=[{"code": c, "name": names[c], "href": href[c]} for c in siblings if c != code],
        attribution=s.geography.sets.loc[ward_set, "attribution"],
    )


def kind_label(kind: str) -> str:
    """The kind of a unit of a ward-level set, in the page's language."""
    return {"phuong": _("ward"), "xa": _("commune"), "dac_khu": _("special zone")}.get(kind, kind)
