"""The indicator catalogue: what each indicator is and how it behaves.

Source: ``catalogue/indicators.csv`` (one row per indicator),
``catalogue/units.csv`` (unit conversions to the catalogue unit) and
``catalogue/unit_labels.csv`` (units as tables print them -> unit names).

Columns read: indicator, issue, label_vi, label_en, unit, higher_is_worse
(yes / no / empty = neither), aggregation (sum, mean_population, mean_area,
mean_weighted, none), directions and targets (';'-separated programme ids /
target keys), min_value (required: 0 for counts and shares, -100 for growth
rates) and max_value (optional: 100 for shares) -- the valid range; optional: weight (the
indicator that weights a ``mean_weighted`` mean), derive ("a / b * 100": the
indicator is computed from two others of the same unit and year).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from etl.csv_rows import read_csv
from etl.importer.labels import unit_key
from etl.messages import Message
from etl.problems import Report
from etl.sources import RawLayout

ISSUES = ("flooding", "congestion", "housing", "green_space", "pollution", "context")
AGGREGATIONS = ("sum", "mean_population", "mean_area", "mean_weighted", "none")
MAX_MAGNITUDE = Decimal(10) ** 15  # larger than any count, area or amount of these indicators could be
COLUMNS = ["indicator", "issue", "label_vi", "label_en", "unit", "higher_is_worse", "aggregation", "directions", "targets"]
_DERIVE = re.compile(r"^\s*(\w+)\s*/\s*(\w+)\s*(?:\*\s*(\d+(?:\.\d+)?))?\s*$")


@dataclass(frozen=True)
class Ratio:
    """An indicator computed as ``numerator / denominator * factor`` from values of the same unit, year and period."""

    numerator: str
    denominator: str
    factor: Decimal

    def __str__(self) -> str:
        return f"{self.numerator} / {self.denominator}" + (f" × {self.factor}" if self.factor != 1 else "")


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
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    weight: str | None = None
    derive: Ratio | None = None

    def out_of_range(self, value: Decimal) -> Message | None:
        """Why ``value`` (in the catalogue unit) is outside the indicator's valid range, or None.
        Beyond the catalogue's bounds, no figure may be infinite, NaN or larger than :data:`MAX_MAGNITUDE`."""
        if not value.is_finite() or abs(value) > MAX_MAGNITUDE:
            return Message(
                "{indicator} cannot be {value} {unit}: not a finite figure of a plausible size (at most {largest})",
                indicator=self.id,
                value=f"{value:f}",
                unit=self.unit,
                largest=int(MAX_MAGNITUDE),
            )
        if self.min_value is not None and value < self.min_value:
            return Message(
                "{indicator} cannot be below {bound} {unit} ({value})",
                indicator=self.id,
                bound=float(self.min_value),
                unit=self.unit,
                value=float(value),
            )
        if self.max_value is not None and value > self.max_value:
            return Message(
                "{indicator} cannot be above {bound} {unit} ({value})",
                indicator=self.id,
                bound=float(self.max_value),
                unit=self.unit,
                value=float(value),
            )
        return None


@dataclass(frozen=True)
class Catalogue:
    """Indicators by id, unit conversions by (from unit, to unit), printed unit spellings by key."""

    indicators: dict[str, Indicator]
    conversions: dict[tuple[str, str], Decimal]
    unit_labels: dict[str, str] = field(default_factory=dict)

    def suggest(self, name: str) -> Message:
        close = difflib.get_close_matches(name, list(self.indicators), n=1)
        if close:
            return Message('did you mean "{close}"? (or add "{name}" to catalogue/indicators.csv)', close=close[0], name=name)
        return Message("add the indicator to catalogue/indicators.csv")

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
    rows = read_csv(layout.catalogue, COLUMNS, report, name)
    for row, r in rows:
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
        bounds = [_decimal(r.get(c, ""), name, row, c, report) for c in ("min_value", "max_value")]
        if not r.get("min_value"):
            report.add(
                name, row, "min_value", f"{ident} has no min_value", "give its valid range: 0 for counts and shares, -100 for growth rates"
            )
        elif bounds[0] is not None and bounds[1] is not None and bounds[0] > bounds[1]:
            report.add(name, row, "max_value", f"max_value {bounds[1]:f} is below min_value {bounds[0]:f}", "swap or correct the bounds")
        derive = _ratio(r.get("derive", ""), name, row, report)
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
            bounds[0],
            bounds[1],
            r.get("weight") or None,
            derive,
        )
    _check_references(indicators, rows, name, report)
    return Catalogue(indicators, _read_conversions(layout, report), _read_unit_labels(layout, report))


def _decimal(text: str, name: str, row: int, column: str, report: Report) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        report.add(name, row, column, f'"{text}" is not a number', "write a plain number, or leave it empty for no bound")
        return None
    return value


def _ratio(text: str, name: str, row: int, report: Report) -> Ratio | None:
    if not text:
        return None
    m = _DERIVE.match(text)
    if not m:
        report.add(
            name, row, "derive", f'"{text}" is not "numerator / denominator [* factor]"', 'write e.g. "urban_population / population * 100"'
        )
        return None
    return Ratio(m.group(1), m.group(2), Decimal(m.group(3) or "1"))


def _check_references(indicators: dict[str, Indicator], rows: list, name: str, report: Report) -> None:
    """Weights and ratio parts must be indicators of the catalogue; a mean_weighted rule needs its weight."""
    rows_of: dict[str, int] = {}
    for row, r in rows:
        rows_of.setdefault(r["indicator"], row)
    for indicator in indicators.values():
        row = rows_of[indicator.id]
        if indicator.aggregation == "mean_weighted" and not indicator.weight:
            report.add(name, row, "weight", f"{indicator.id} is a weighted mean but names no weight", "name the weighting indicator")
        named = [("weight", indicator.weight)]
        if indicator.derive:
            named += [("derive", indicator.derive.numerator), ("derive", indicator.derive.denominator)]
        for column, other in named:
            if other and other not in indicators:
                report.add(name, row, column, f'"{other}" is not an indicator of the catalogue', "name an indicator listed in this file")


def _read_unit_labels(layout: RawLayout, report: Report) -> dict[str, str]:
    """Printed unit (lookup key of :func:`etl.importer.labels.unit_key`) -> unit name used by the catalogue and units.csv."""
    if not layout.unit_labels.exists():
        return {}
    rows = read_csv(layout.unit_labels, ["printed", "unit"], report, layout.display(layout.unit_labels))
    return {unit_key(r["printed"]): r["unit"] for _, r in rows}


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
