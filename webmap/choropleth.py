"""The national map's data: classified values or gaps to target, legend, ranked table, missing reasons.

Plain functions over the store (labels come from the active locale).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .classify import Classes, classify, classify_gap
from .i18n import gettext as _
from .i18n import number, unit_label, value_label, year_label
from .params import MapView
from .profile import target_for
from .store import Store


@dataclass
class Choropleth:
    """Per unit: value (or gap), label, colour; the classes; the target used for gaps."""

    table: pd.DataFrame  # index code; name, value, flag, shown, label, colour, rank, detail, source_id, period
    classes: Classes | None
    target: pd.Series | None
    unit: str

    @property
    def missing(self) -> int:
        return int(self.table["shown"].isna().sum())

    @property
    def incomplete(self) -> int:
        return int((self.table["flag"] == "incomplete").sum())


def missing_reason(store: Store, view: MapView, code: str, derivation: str) -> str:
    """Why a unit has no value; for a merged 2025 unit, which of its provinces reported."""
    generic = _("No value published for this unit and year.")
    if view.boundary != "2025" or derivation == "reported":
        return generic
    members = store.members_2025().get(code, [])
    if len(members) <= 1:
        return generic
    return members_reported(store, "2008", view.indicator, view.year, members)


def members_reported(store: Store, boundary: str, indicator: str, year: int, members: list[str]) -> str:
    """Why an aggregate of ``members`` (units of ``boundary``) has no value: which of them reported, or that the rule forbids it."""
    reported = store.reported(indicator, boundary, year)
    missing = [m for m in members if m not in reported]
    if not missing:
        return _("Not aggregable across units.")
    vietnamese = store.names(boundary, "vi")
    names = ", ".join(vietnamese[m] for m in missing)
    return _(
        "%(reported)s of %(total)s units reported; missing: %(names)s.",
        reported=len(members) - len(missing),
        total=len(members),
        names=names,
    )


def build(store: Store, view: MapView, lang: str) -> Choropleth:
    units = store.units[view.boundary]
    snap = store.snapshot(view.indicator, view.boundary, view.year).reindex(units.index)
    names = store.names(view.boundary, lang)
    table = pd.DataFrame(
        {
            "name": [names[c] for c in units.index],
            "value": snap["value"],
            "flag": snap["value_flag"].fillna(""),
            "source_id": snap["source_id"].fillna(""),
            "period": snap["period"].fillna(""),
            "derivation": snap["derivation"].fillna(""),
            "preliminary": snap["preliminary"].fillna(False).astype(bool),
        },
        index=units.index,
    )
    indicator = store.catalogue_rows()[view.indicator]
    unit = indicator["unit"]
    target = None
    if view.mode == "gap":
        target = target_for(store, view.indicator, view.year)
        assert target is not None, "map_view allows the gap mode only for indicators with a target"
        table["shown"] = table["value"] - float(target["target_min"])
        classes = classify_gap(table["shown"].tolist())
    else:
        table["shown"] = table["value"]
        classes = classify(table["shown"].tolist(), view.method, view.classes, indicator["higher_is_worse"])
    ranks = store.rank_of(view.indicator, view.boundary, view.year)
    table["rank"] = [ranks.get(c, math.nan) for c in table.index]
    table["colour"] = [classes.colours[classes.index(v)] if classes and not math.isnan(v) else None for v in table["shown"]]
    unit_text = unit_label(unit)
    table["label"] = [_label(v, f, unit_text, view.mode, lang) for v, f in zip(table["shown"], table["flag"])]
    columns = zip(table.index, table["value"], table["flag"], table["period"], table["preliminary"], table["derivation"])
    table["detail"] = [
        _detail(store, view, code, value, flag, period, prel, derivation) for code, value, flag, period, prel, derivation in columns
    ]
    return Choropleth(table, classes, target, unit)


def _label(value: float, flag: str, unit_text: str, mode: str, lang: str) -> str:
    """The value as the map shows it, with the unit already in the page's language."""
    if math.isnan(value):
        return _("no data")
    if mode == "gap":
        sign = "+" if value >= 0 else "−"
        return f"{sign}{number(abs(value), lang)} {unit_text}"
    return f"{value_label(value, flag, lang)} {unit_text}"


def _detail(store: Store, view: MapView, code: str, value: float, flag: str, period: str, preliminary: bool, derivation: str) -> str:
    if math.isnan(value):
        return missing_reason(store, view, code, derivation)
    year = year_label({"period": period, "year": view.year, "preliminary": preliminary})
    if view.mode == "gap":
        return _("Value %(value)s, year %(year)s", value=value_label(value, flag), year=year)
    return _("Year %(year)s", year=year)


def legend_rows(choropleth: Choropleth, lang: str) -> list[dict]:
    """[{colour, text}] from the first class to the last."""
    classes = choropleth.classes
    if classes is None:
        return []
    rows = []
    for low, high, colour in zip(classes.lower, classes.upper, classes.colours):
        high_shown = 0.0 if -1e-9 < high < 0 else high
        text = f"{number(low, lang)} – {number(high_shown, lang)}" if low != high else number(low, lang)
        rows.append({"colour": colour, "text": text})
    return rows
