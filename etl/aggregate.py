"""Carrying values of the 63 provinces (set 2008) to the 34 units (set 2025).

For one indicator, year and period, a 2025 unit gets a value only when every
member province has one; it is computed by the indicator's rule:

- ``sum``: the members' sum;
- ``mean_area``: mean weighted by the members' area (``area_km2`` of the layer);
- ``mean_population``: mean weighted by the members' population of the same
  year, or of the nearest year for which every member has one (the note says
  which); no such year -> missing;
- ``mean_weighted``: the same, weighted by the indicator the catalogue names in
  ``weight`` (a share of collected waste by the waste collected), so that a
  ratio's merged value is the ratio of the merged parts;
- ``ratio``: for a derived indicator, its formula over the members' summed parts of the same year (rates per
  10,000 people from summed beds and population, forest cover from summed forest and natural area), never
  a mean of the members' ratios; a member without every part that year -> missing, saying which;
- ``none``: not aggregable; carried only where the unit is one unchanged province.

A unit with some but not all members reporting gets a row with no value,
``value_flag='incomplete'`` and a note such as "2 of 3 members reported
(missing: 30 Hải Dương)": never a silently partial sum. Bounds carry through:
a sum of exact values and lower bounds is a lower bound; mixed bounds or
approximations make the result ``approx``; a preliminary member makes the
result preliminary.

Columns in: the value table of :mod:`etl.indicators` (preferred rows of set
2008). Columns out: the same plus ``derivation`` ('carried' | 'aggregated'),
``members`` (comma-separated 2008 codes), with boundary '2025'. The same
:func:`aggregate` serves any grouping of units of one set (the web app's regions).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from etl.catalogue import Catalogue, Ratio
from etl.indicators import OUT_COLUMNS as VALUE_COLUMNS

INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Groups:
    """Units to aggregate: the members (sorted codes) of each group, and the members' names for notes.

    The 63 -> 34 crosswalk is one such grouping (:data:`Merger`); the web app's regional
    comparison is another.
    """

    members: dict[str, tuple[str, ...]]
    names: dict[str, str]

    def group_of(self) -> dict[str, str]:
        return {member: group for group, members in self.members.items() for member in members}


Merger = Groups


def combine_flags(flags: list[str]) -> str:
    """The flag of a sum or weighted mean of values with these flags."""
    kinds = {f for f in flags if f}
    if not kinds:
        return ""
    if kinds == {"lower_bound"} or kinds == {"upper_bound"}:
        return kinds.pop()
    return "approx"


class _Weights:
    """Values per (indicator, year, code) for weighted means; area per code for ``mean_area``."""

    def __init__(self, values: pd.DataFrame, area: dict[str, float], indicators: set[str]) -> None:
        rows = values[values["indicator"].isin(indicators) & values["value"].notna()]
        self.by: dict[str, dict[int, dict[str, float]]] = {i: defaultdict(dict) for i in indicators}
        for indicator, code, year, value in zip(rows["indicator"], rows["code"], rows["year"], rows["value"]):
            self.by[indicator][int(year)][str(code)] = float(value)
        self.area = area

    def year(self, indicator: str, members: tuple[str, ...], year: int) -> int | None:
        """``year`` if every member has ``indicator`` then, else the nearest such year (earlier on ties)."""
        complete = [y for y, by_code in self.by[indicator].items() if all(m in by_code for m in members)]
        if not complete:
            return None
        return min(complete, key=lambda y: (abs(y - year), y))


def carry_to_2025(values: pd.DataFrame, merger: Merger, catalogue: Catalogue, area: dict[str, float]) -> pd.DataFrame:
    """Rows for set 2025 derived from the preferred set-2008 rows of ``values``."""
    rules = {ident: indicator.aggregation for ident, indicator in catalogue.indicators.items()}
    weights_of = {ident: indicator.weight for ident, indicator in catalogue.indicators.items() if indicator.weight}
    ratios = {ident: indicator.derive for ident, indicator in catalogue.indicators.items() if indicator.derive}
    return aggregate(values[values["boundary"] == "2008"], merger, rules, area, "2025", weights_of, ratios)


def aggregate(
    values: pd.DataFrame,
    groups: Groups,
    rules: dict[str, str],
    area: dict[str, float],
    boundary: str,
    weights_of: dict[str, str] | None = None,
    ratios: dict[str, Ratio] | None = None,
) -> pd.DataFrame:
    """One row per group, indicator, year and period that some member reports, labelled ``boundary``.

    ``values``: rows of one boundary set (columns of :mod:`etl.indicators` at least code, indicator,
    year, period, value, unit, value_flag, preferred, source_id, note, origin); only preferred rows
    with a value count. ``rules``: indicator -> aggregation rule; ``weights_of``: indicator -> the
    indicator weighting its ``mean_weighted`` mean; ``ratios``: indicator -> its formula (for the ``ratio`` rule);
    ``area``: member code -> km².
    """
    rows_in = values[values["preferred"].astype(bool) & values["value"].notna()]
    group_of = groups.group_of()
    weights_of, ratios = weights_of or {}, ratios or {}
    weighting = {"population"} | {weights_of.get(i, "population") for i, r in rules.items() if r == "mean_weighted"}
    weighting |= {part for i, r in rules.items() if r == "ratio" and i in ratios for part in ratios[i].parts}
    weights = _Weights(rows_in, area, weighting)
    keyed: dict[tuple, dict[str, dict]] = defaultdict(dict)
    fields = [c for c in ("value", "unit", "value_flag", "source_id", "note", "origin", "preliminary") if c in rows_in.columns]
    keys = zip(rows_in["indicator"], rows_in["year"], rows_in["period"], rows_in["code"])
    for (indicator, year, period, code), row in zip(keys, rows_in[fields].itertuples(index=False, name=None)):
        group = group_of.get(code)
        if group is not None:
            keyed[(indicator, year, period, group)][code] = dict(zip(fields, row))
    context = _Context(groups, rules, weights_of, weights, boundary, ratios)
    rows = [_derive(key, reported, context) for key, reported in sorted(keyed.items())]
    return pd.DataFrame.from_records(rows, columns=OUT_COLUMNS)


@dataclass(frozen=True)
class _Context:
    groups: Groups
    rules: dict[str, str]
    weights_of: dict[str, str]
    weights: _Weights
    boundary: str
    ratios: dict[str, Ratio]


OUT_COLUMNS = [*VALUE_COLUMNS, "derivation", "members"]


def _derive(key: tuple, reported: dict[str, dict], context: _Context) -> dict:
    indicator, year, period, group = key
    groups, boundary = context.groups, context.boundary
    members = groups.members[group]
    first = next(iter(reported.values()))
    row = {
        "boundary": boundary,
        "code": group,
        "indicator": indicator,
        "year": year,
        "period": period,
        "value": None,
        "unit": first["unit"],
        "value_flag": "",
        "preferred": True,
        "source_id": ";".join(sorted({r["source_id"] for r in reported.values()})),
        "note": "",
        "origin": "",
        "derivation": "aggregated",
        "members": ",".join(members),
        "preliminary": any(bool(r.get("preliminary", False)) for r in reported.values()),
    }
    if len(members) == 1:
        row.update(
            value=first["value"], value_flag=first["value_flag"], note=first["note"], origin=first.get("origin", ""), derivation="carried"
        )
        return row
    rule = context.rules[indicator]
    missing = [m for m in members if m not in reported]
    if missing:
        row.update(
            value_flag=INCOMPLETE, note=f"{len(reported)} of {len(members)} members reported (missing: {_named(missing, groups.names)})"
        )
        return row
    if rule == "none":
        row.update(value_flag=INCOMPLETE, note=f"{indicator} is not aggregable across units (rule: none)")
        return row
    if rule == "ratio":
        value, note = _ratio_of_sums(context.ratios.get(indicator), members, int(year), context.weights, groups.names)
        row.update(value=value, value_flag=combine_flags([reported[m]["value_flag"] for m in members]) if value is not None else INCOMPLETE)
        row.update(note=note)
        return row
    weight = context.weights_of.get(indicator, "population") if rule == "mean_weighted" else "population"
    value, note = _apply(rule, [reported[m] for m in members], members, int(year), context.weights, weight)
    flag = combine_flags([reported[m]["value_flag"] for m in members]) if value is not None else INCOMPLETE
    row.update(value=value, value_flag=flag, note=note)
    return row


def _named(codes: list[str], names: dict[str, str]) -> str:
    """ "30 Hải Dương, 31 Hải Phòng": members as the notes name them."""
    return ", ".join(f"{c} {names.get(c, '')}".strip() for c in codes)


def _ratio_of_sums(
    ratio: Ratio | None, members: tuple[str, ...], year: int, parts: _Weights, names: dict[str, str]
) -> tuple[float | None, str]:
    """The ratio's formula over the members' sums of its parts in ``year`` (None, saying why, if a member lacks one)."""
    if ratio is None:
        return None, "no formula to compute this ratio from its parts"
    sums = {}
    for part in ratio.parts:
        by_code = parts.by[part].get(year, {})
        lacking = [m for m in members if m not in by_code]
        if lacking:
            return (
                None,
                f"{len(members) - len(lacking)} of {len(members)} members have {part} for {year} (missing: {_named(lacking, names)})",
            )
        sums[part] = sum(by_code[m] for m in members)
    value = ratio.apply(sums)
    if value is None:
        return None, f"the members' {ratio.denominator} {year} adds up to zero: no ratio"
    return value, f"{ratio} of the sums of {len(members)} members ({ratio.written(sums)})"


def _apply(rule: str, records: list[dict], members: tuple[str, ...], year: int, weights: _Weights, weight: str) -> tuple[float | None, str]:
    values = [float(r["value"]) for r in records]
    if rule == "sum":
        return sum(values), f"sum of {len(members)} members"
    if rule == "mean_area":
        w = [weights.area[m] for m in members]
        return sum(v * x for v, x in zip(values, w)) / sum(w), f"mean of {len(members)} members weighted by area"
    weight_year = weights.year(weight, members, year)
    if weight_year is None:
        return None, f"no year with the {weight} of every member to weight the mean"
    w = [weights.by[weight][weight_year][m] for m in members]
    if sum(w) == 0:
        return None, f"the members' {weight} {weight_year} adds up to zero: no weighted mean"
    note = f"mean of {len(members)} members weighted by {weight} {weight_year}"
    if weight_year != year:
        note += f" (nearest year with every member's {weight} to {year})"
    return sum(v * x for v, x in zip(values, w)) / sum(w), note
