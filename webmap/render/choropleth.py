"""The national map's data: classified values or gaps to target, legend, ranked table, missing reasons.

Plain functions over the store (labels come from the active locale).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import pandas as pd

from webmap.read.profile import before_baseline, target_for
from webmap.read.store import Store
from webmap.read.values import SnapshotRow
from webmap.render.classify import Classes, classify, classify_gap
from webmap.render.progress_map import CATEGORIES, progress_columns
from webmap.render.progress_map import legend_rows as progress_legend
from webmap.render.text import FLAG_SIGNS, not_installed, number, unit_label
from webmap.render.text import gettext as _


@dataclass(frozen=True)
class MapView:
    """Everything that defines a national map; its fields are the permalink."""

    issue: str
    indicator: str
    year: int
    boundary: str
    method: str
    classes: int
    mode: str
    target: str = ""  # the target's id, in progress mode
    since: int | None = None  # the year a change map measures from (mode "change": ``year`` minus ``since``)


@dataclass
class Choropleth:
    """Per unit: value (or gap), label, colour; the classes; the target used for gaps.

    ``columns`` holds one list per column, each in the order of ``codes``: name, value, flag, source_id, period,
    derivation, preliminary, shown (the value or the gap), rank, colour (None: no data), label, detail. Pages read
    the lists; :attr:`table` is the same as a frame, made when asked for (the map sheets sort it)."""

    codes: list[str]
    columns: dict[str, list]
    classes: Classes | None
    target: pd.Series | None
    unit: str
    before: int | None = None  # the target's baseline year, when the map's year is older (gap mode)
    legend: list[dict] | None = None  # the legend, where it is not the classes' bounds (progress mode: categories)

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """``columns`` as a frame indexed by code."""
        return pd.DataFrame(self.columns, index=pd.Index(self.codes, name="code"))

    @property
    def missing(self) -> int:
        return sum(1 for v in self.columns["shown"] if math.isnan(v))

    @property
    def incomplete(self) -> int:
        return self.columns["flag"].count("incomplete")


def missing_reason(store: Store, view: MapView, code: str, derivation: str) -> str:
    """Why a unit has no value: a source the build lacks that gives this indicator; for a merged 2025 unit, which
    of its provinces reported."""
    missing = store.uninstalled.for_indicator(view.indicator)
    if missing:
        return not_installed(missing[0])
    generic = _("No value published for this unit and year.")
    if view.boundary != "2025" or derivation == "reported":
        return generic
    members = store.geography.members_2025().get(code, [])
    if len(members) <= 1:
        return generic
    return members_reported(store, "2008", view.indicator, view.year, members)


def members_reported(store: Store, boundary: str, indicator: str, year: int, members: list[str]) -> str:
    """Why an aggregate of ``members`` (units of ``boundary``) has no value: which of them reported, or that the rule forbids it."""
    reported = store.values.rank_of(indicator, boundary, year)  # every unit with a value has a rank
    missing = [m for m in members if m not in reported]
    if not missing:
        return _("Not aggregable across units.")
    vietnamese = store.geography.names(boundary, "vi")
    names = ", ".join(vietnamese[m] for m in missing)
    return _(
        "%(reported)s of %(total)s units reported; missing: %(names)s.",
        reported=len(members) - len(missing),
        total=len(members),
        names=names,
    )


def build(store: Store, view: MapView, lang: str) -> Choropleth:
    """The map of ``view`` in ``lang``: one row per unit of the set, built as plain lists (a page's worth of work is
    a few hundred rows; pandas per row would cost more than the rest of the page)."""
    codes = store.geography.codes(view.boundary)
    found = store.values.snapshot_rows(view.indicator, view.boundary, view.year)
    empty = SnapshotRow(math.nan, "", "", "", "", False)
    rows = [found.get(c, empty) for c in codes]
    value, flag, source_id, period, derivation, preliminary = (list(column) for column in zip(*rows)) if rows else ([],) * 6
    indicator = store.values.catalogue_rows()[view.indicator]
    target, before = None, None
    if view.mode == "gap":
        target = target_for(store, view.indicator, view.year)
        assert target is not None, "map_view allows the gap mode only for indicators with a target"
        before = before_baseline(target, view.year)
        shown = [v - float(target["target_min"]) for v in value]
        classes = store.memo.get(("classes", view.boundary, view.indicator, view.year, "gap"), lambda: classify_gap(shown))
    else:
        shown = list(value)
        key = ("classes", view.boundary, view.indicator, view.year, view.method, view.classes)
        classes = store.memo.get(key, lambda: classify(shown, view.method, view.classes, indicator["higher_is_worse"]))
    ranks = store.values.rank_of(view.indicator, view.boundary, view.year)
    names = store.geography.names(view.boundary, lang)
    unit_text = unit_label(indicator["unit"])
    texts = _Texts(
        _("no data"),
        _("Year %(year)s"),
        _("Value %(value)s, year %(year)s")
        + (" · " + _("value older than the target (set in %(year)s)", year=before).replace("%", "%%") if before else ""),
        _("(preliminary)"),
    )
    columns = {
        "name": [names[c] for c in codes],
        "value": value,
        "flag": flag,
        "source_id": source_id,
        "period": period,
        "derivation": derivation,
        "preliminary": preliminary,
        "shown": shown,
        "rank": [ranks.get(c, math.nan) for c in codes],
        "colour": [classes.colours[classes.index(v)] if classes and not math.isnan(v) else None for v in shown],
        "label": [_label(v, f, unit_text, view.mode, lang, texts) for v, f in zip(shown, flag)],
        "detail": [
            _detail(store, view, c, v, f, p, pre, d, lang, texts)
            for c, v, f, p, pre, d in zip(codes, value, flag, period, preliminary, derivation)
        ],
    }
    if view.mode == "progress":
        return _progress(store, view, codes, columns, indicator["unit"], lang)
    if view.mode == "change":
        return _change(store, view, codes, columns, indicator, lang)
    return Choropleth(codes, columns, classes, target, indicator["unit"], before)


def _change(store: Store, view: MapView, codes: list[str], columns: dict[str, list], indicator: dict, lang: str) -> Choropleth:
    """The change of each unit's value from ``view.since`` to ``view.year`` (absolute and %); no data without both."""
    assert view.since is not None
    before = store.values.snapshot_rows(view.indicator, view.boundary, view.since)
    then = [before[c].value if c in before else math.nan for c in codes]
    change = [v - t for v, t in zip(columns["value"], then)]
    order = sorted((c for c in change if not math.isnan(c)), reverse=True)
    rank = {c: i + 1 for i, c in reversed(list(enumerate(order)))}  # the largest rise is 1; ties share a rank
    unit = unit_label(indicator["unit"])
    columns["shown"] = change
    columns["rank"] = [rank.get(c, math.nan) if not math.isnan(c) else math.nan for c in change]
    worse_up = indicator["higher_is_worse"] == "yes"
    key = ("classes", view.boundary, view.indicator, view.year, "change", view.since)
    classes = store.memo.get(key, lambda: classify_gap(change, worse_up))
    columns["colour"] = [classes.colours[classes.index(c)] if classes and not math.isnan(c) else None for c in change]
    no_data = _("No value for one of the two years.")
    columns["label"] = [_change_label(c, t, unit, lang) if not math.isnan(c) else _("no data") for c, t in zip(change, then)]
    columns["detail"] = [
        f"{view.since}: {number(t, lang)} → {view.year}: {number(v, lang)} {unit}" if not math.isnan(c) else no_data
        for c, t, v in zip(change, then, columns["value"])
    ]
    columns["value"] = [v if not math.isnan(c) else math.nan for v, c in zip(columns["value"], change)]
    return Choropleth(codes, columns, classes, None, indicator["unit"])


def _change_label(change: float, then: float, unit: str, lang: str) -> str:
    """ "+1,2 m²/người (+5,3 %)": the change and, where the first value is not zero, the change in percent."""
    sign = "+" if change >= 0 else "−"
    text = f"{sign}{number(abs(change), lang)} {unit}"
    if then:
        percent = change / abs(then) * 100
        text += f" ({'+' if percent >= 0 else '−'}{number(abs(percent), lang)} %)"
    return text


def _progress(store: Store, view: MapView, codes: list[str], columns: dict[str, list], unit: str, lang: str) -> Choropleth:
    """The map of each unit's status toward ``view.target`` (:mod:`webmap.render.progress_map`)."""
    columns.update(progress_columns(store, view.target, view.indicator, view.boundary, codes, lang))
    columns["colour"] = [CATEGORIES.colours[int(v)] if not math.isnan(v) else None for v in columns["shown"]]
    target = next(t for t in store.progress.targets_of(view.indicator, view.boundary) if t["target_id"] == view.target)
    counts = store.progress.counts(view.target, view.indicator, view.boundary, codes)
    return Choropleth(codes, columns, CATEGORIES, pd.Series(target), unit, legend=progress_legend(counts))


@dataclass(frozen=True)
class _Texts:
    """The messages every unit's label and tooltip use, translated once per map rather than once per unit."""

    no_data: str
    year: str
    value_year: str
    preliminary: str


def _label(value: float, flag: str, unit_text: str, mode: str, lang: str, texts: _Texts) -> str:
    """The value as the map shows it, with the unit already in the page's language."""
    if math.isnan(value):
        return texts.no_data
    if mode == "gap":
        sign = "+" if value >= 0 else "−"
        return f"{sign}{number(abs(value), lang)} {unit_text}"
    return f"{FLAG_SIGNS.get(flag, '')}{number(value, lang)} {unit_text}"


def _detail(
    store: Store,
    view: MapView,
    code: str,
    value: float,
    flag: str,
    period: str,
    preliminary: bool,
    derivation: str,
    lang: str,
    texts: _Texts,
) -> str:
    if math.isnan(value):
        return missing_reason(store, view, code, derivation)
    year = (period or str(view.year)) + (" " + texts.preliminary if preliminary else "")
    if view.mode == "gap":
        return texts.value_year % {"value": FLAG_SIGNS.get(flag, "") + number(value, lang), "year": year}
    return texts.year % {"year": year}


def legend_rows(choropleth: Choropleth, lang: str) -> list[dict]:
    """[{colour, text}] from the first class to the last."""
    if choropleth.legend is not None:
        return choropleth.legend
    classes = choropleth.classes
    if classes is None:
        return []
    rows = []
    for low, high, colour in zip(classes.lower, classes.upper, classes.colours):
        high_shown = 0.0 if -1e-9 < high < 0 else high
        text = f"{number(low, lang)} – {number(high_shown, lang)}" if low != high else number(low, lang)
        rows.append({"colour": colour, "text": text})
    return rows
