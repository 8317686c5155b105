"""The indicator catalogue: what each indicator is and how it behaves.

Source: ``catalogue/indicators.csv`` (one row per indicator) and
``catalogue/units.csv`` (unit conversions to the catalogue unit).

Columns read: indicator, issue, label_vi, label_en, unit, higher_is_worse
(yes / no / empty = neither), aggregation (sum, mean_population, mean_area,
none), directions and targets (';'-separated programme ids / target keys).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .problems import Report
from .sources import RawLayout, read_csv

ISSUES = ("flooding", "congestion", "housing", "green_space", "context")
AGGREGATIONS = ("sum", "mean_population", "mean_area", "none")
COLUMNS = ["indicator", "issue", "label_vi", "label_en", "unit", "higher_is_worse", "aggregation", "directions", "targets"]


@dataclass(frozen=True)
class Indicator:
    """One catalogue row."""

    id: str
    issue: str
    label_vi: str
    label_en: str
    unit: str
    higher_is_worse: bool | None
    aggregation: str
    directions: tuple[str, ...]
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    """Indicators by id and unit conversions by (from unit, to unit)."""

    indicators: dict[str, Indicator]
    conversions: dict[tuple[str, str], Decimal]

    def suggest(self, name: str) -> str:
        close = difflib.get_close_matches(name, list(self.indicators), n=1)
        if close:
            return f'did you mean "{close[0]}"? (or add "{name}" to catalogue/indicators.csv)'
        return "add the indicator to catalogue/indicators.csv"

    def factor(self, indicator: str, unit: str) -> Decimal | None:
        """Multiplier from ``unit`` to the indicator's catalogue unit, or None if there is none."""
        target = self.indicators[indicator].unit
        if unit == target:
            return Decimal(1)
        return self.conversions.get((unit, target))


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def read_catalogue(layout: RawLayout, report: Report) -> Catalogue:
    """Read and validate the catalogue; problems go to ``report``."""
    name = layout.display(layout.catalogue)
    indicators: dict[str, Indicator] = {}
    for row, r in read_csv(layout.catalogue, COLUMNS, report, name):
        ident = r["indicator"]
        if ident in indicators:
            report.add(name, row, "indicator", f'indicator "{ident}" is listed twice', "keep one row per indicator")
            continue
        if r["issue"] not in ISSUES:
            report.add(name, row, "issue", f'unknown issue "{r["issue"]}"', f"use one of {', '.join(ISSUES)}")
        if r["aggregation"] not in AGGREGATIONS:
            report.add(name, row, "aggregation", f'unknown aggregation rule "{r["aggregation"]}"', f"use one of {', '.join(AGGREGATIONS)}")
        if r["higher_is_worse"] not in ("yes", "no", ""):
            report.add(
                name, row, "higher_is_worse", f'"{r["higher_is_worse"]}" is not yes, no or empty', "write yes, no, or leave it empty"
            )
        for column in ("label_vi", "label_en", "unit"):
            if not r[column]:
                report.add(name, row, column, f"{column} is empty", f"give the indicator a {column}")
        worse = {"yes": True, "no": False}.get(r["higher_is_worse"])
        indicators[ident] = Indicator(
            ident,
            r["issue"],
            r["label_vi"],
            r["label_en"],
            r["unit"],
            worse,
            r["aggregation"],
            _split(r["directions"]),
            _split(r["targets"]),
        )
    return Catalogue(indicators, _read_conversions(layout, report))


def _read_conversions(layout: RawLayout, report: Report) -> dict[tuple[str, str], Decimal]:
    name = layout.display(layout.units)
    conversions: dict[tuple[str, str], Decimal] = {}
    for row, r in read_csv(layout.units, ["from_unit", "to_unit", "factor"], report, name):
        try:
            factor = Decimal(r["factor"])
        except InvalidOperation:
            report.add(name, row, "factor", f'"{r["factor"]}" is not a number', "write the factor as a plain number")
            continue
        if factor <= 0:
            report.add(name, row, "factor", "the factor must be positive", "write the multiplier from from_unit to to_unit")
            continue
        conversions[(r["from_unit"], r["to_unit"])] = factor
    return conversions
