"""Checking published tables against their own whole-country and region rows.

A statistics office's table carries its own totals. For each such row the
importer kept (:class:`etl.importer.table_import.TotalRow`), the provinces it covers are
combined by the indicator's rule -- the sum, the mean weighted by population
(area, or the weighting indicator) of the same year, or a derived indicator's formula over its summed parts
(forest cover from the forest and natural area of the region) -- and compared with the
printed total. A difference larger than the rounding of the printed figures
is a warning naming the table, row and column: region and whole-country rows
are checked, never mapped. Only tables that list every province of the set are
checked (an excerpt, or a list of the provinces a storm hit, has totals over
provinces it does not show); a total whose provinces are not all given a
figure is not checked either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from etl.catalogue import Catalogue, Ratio
from etl.importer.results import TotalRow
from etl.problems import WARNING, Report

Figures = dict[tuple[str, str, int], float]  # (indicator, code, year) -> value


def own_figures(rows: Iterable[Mapping[str, str]]) -> Figures:
    """A table's own province figures of set 2008 (tidy rows: indicator, province_code, year, value, boundary)."""
    return {(r["indicator"], r["province_code"], int(r["year"])): float(r["value"]) for r in rows if r["boundary"] == "2008"}


def check_totals(
    totals: list[TotalRow],
    table_values: dict[str, Figures],
    weights: Figures,
    area: dict[str, float],
    catalogue: Catalogue,
    report: Report,
    units: int,
) -> int:
    """Warn for every total the provinces' figures depart from; return how many totals were checked.

    ``units``: the number of units of the boundary set; a table whose whole-country row covers fewer
    is incomplete and none of its totals is checked.
    """
    checked = 0
    unallocated = {(t.file, f"unallocated:{t.row}", t.indicator, t.year): float(t.value) for t in totals if t.kind == "unallocated"}
    complete = {t.file for t in totals if t.kind in ("national", "total") and _provinces(t) >= units}
    for total in totals:
        if total.kind == "unallocated" or not total.members or total.file not in complete:
            continue
        rule = catalogue.indicators[total.indicator].aggregation
        own = table_values[total.file]
        parts = [
            unallocated.get((total.file, m, total.indicator, total.year))
            if m.startswith("unallocated:")
            else own.get((total.indicator, m, total.year))
            for m in total.members
        ]
        if any(p is None for p in parts):
            continue
        combined = _combine(rule, total, [float(p) for p in parts if p is not None], {**weights, **own}, area, catalogue)
        if combined is None:
            continue
        checked += 1
        step = 10.0**-total.decimals * float(total.factor)
        tolerance = step / 2 * (len(parts) + 1) if rule == "sum" else step
        if abs(combined - float(total.value)) > tolerance + 1e-9 * abs(float(total.value)):
            how = {"sum": "sum", "ratio": "ratio of the summed parts"}.get(rule, "weighted mean")
            report.add(
                total.file,
                total.row,
                total.column,
                f'the {how} of the {len(parts)} provinces under "{total.label}" is {combined:,.6g}, '
                f"the table prints {float(total.value):,.6g} ({total.indicator} {total.year}; more than rounding, ±{tolerance:,.3g})",
                "check the table: a province figure or the total may be wrong, or revised in one place only",
                WARNING,
            )
    return checked


def _provinces(total: TotalRow) -> int:
    return sum(1 for m in total.members if not m.startswith("unallocated:"))


def _combine(
    rule: str, total: TotalRow, parts: list[float], weights: Figures, area: dict[str, float], catalogue: Catalogue
) -> float | None:
    """The members' figures combined by ``rule``; weights are the table's own figures of the year where it has them."""
    if rule == "sum":
        return sum(parts)
    if rule == "ratio":
        return _ratio_of_sums(catalogue.indicators[total.indicator].derive, total, weights)
    if rule == "mean_area":
        w = [weights.get(("area", m, total.year)) or area.get(m) for m in total.members]
    elif rule in ("mean_population", "mean_weighted"):
        weight = catalogue.indicators[total.indicator].weight or "population"
        w = [weights.get((weight, m, total.year)) for m in total.members]
    else:
        return None
    if any(x is None for x in w):
        return None
    ws = [float(x) for x in w if x is not None]
    return sum(p * x for p, x in zip(parts, ws)) / sum(ws)


def _ratio_of_sums(ratio: Ratio | None, total: TotalRow, figures: Figures) -> float | None:
    """A derived indicator's formula over the members' summed parts of the total's year (None where a part is missing)."""
    if ratio is None or any(m.startswith("unallocated:") for m in total.members):
        return None
    sums = {}
    for part in ratio.parts:
        found = [figures.get((part, m, total.year)) for m in total.members]
        if any(x is None for x in found):
            return None
        sums[part] = sum(float(x) for x in found if x is not None)
    return ratio.apply(sums)
