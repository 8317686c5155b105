"""The indicator catalogue: what each indicator is and how it behaves.

Source: ``catalogue/indicators.csv`` (one row per indicator),
``catalogue/units.csv`` (unit conversions to the catalogue unit) and
``catalogue/unit_labels.csv`` (units as tables print them -> unit names).

Columns read: indicator, issue, label_vi, label_en, unit, higher_is_worse
(yes / no / empty = neither), aggregation (sum, mean_population, mean_area,
mean_weighted, none), directions and targets (';'-separated programme ids /
target keys), min_value (required: 0 for counts and shares, -100 for growth
rates) and max_value (optional: 100 for shares) -- the valid range; optional: weight (the
indicator that weights a ``mean_weighted`` mean), derive ("a / b * 100" or "(a - c) / b * 100": the
indicator is computed from others of the same unit and year), role (empty: the indicator measures its
issue; ``context``: it is shown under its issue as context only, labelled so, and is never an issue's
default map; ``target``: its values are targets set for units, not measures), note_vi and note_en (what every value of the indicator leaves out, shown with its values,
legend and exports).

Aggregation ``ratio`` (only for a derived indicator): a merged unit's value is computed from the members'
summed parts of the same year, never from the members' ratios.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from etl.csv_rows import read_csv
from etl.importer.labels import unit_key
from etl.messages import Message
from etl.problems import Report
from etl.sources import RawLayout

ISSUES = ("flooding", "congestion", "housing", "green_space", "pollution", "social_infrastructure", "context")
AGGREGATIONS = ("sum", "mean_population", "mean_area", "mean_weighted", "ratio", "none")
ROLES = ("", "context", "target")
MAX_MAGNITUDE = Decimal(10) ** 15  # larger than any count, area or amount of these indicators could be
COLUMNS = ["indicator", "issue", "label_vi", "label_en", "unit", "higher_is_worse", "aggregation", "directions", "targets"]
_DERIVE = re.compile(r"^\s*(?:(\w+)|\(\s*(\w+)\s*-\s*(\w+)\s*\))\s*/\s*(\w+)\s*(?:[*×]\s*(\d+(?:\.\d+)?))?\s*$")


@dataclass(frozen=True)
class Ratio:
    """An indicator computed as ``(numerator - subtract) / denominator * factor`` from values of the same unit, year
    and period (``subtract`` is optional: forest with canopy is forest area less the newly planted)."""

    numerator: str
    denominator: str
    factor: Decimal
    subtract: str | None = None

    @classmethod
    def parse(cls, text: str) -> Ratio | None:
        """The ratio written as ``a / b [* k]`` or ``(a - c) / b [* k]`` (``×`` for ``*``, as :meth:`__str__` writes it);
        None if ``text`` is not one."""
        m = _DERIVE.match(text or "")
        if not m:
            return None
        plain, minuend, subtrahend, denominator, factor = m.groups()
        return cls(plain or minuend, denominator, Decimal(factor or "1"), subtrahend)

    @property
    def parts(self) -> tuple[str, ...]:
        """The indicators the ratio reads."""
        return (self.numerator, self.denominator) + ((self.subtract,) if self.subtract else ())

    def apply(self, parts: Mapping[str, float]) -> float | None:
        """The formula over ``parts`` (indicator -> value, one for each of :attr:`parts`); None for a zero denominator."""
        if not parts[self.denominator]:
            return None
        top = parts[self.numerator] - (parts[self.subtract] if self.subtract else 0.0)
        return top / parts[self.denominator] * float(self.factor)

    def written(self, parts: Mapping[str, float]) -> str:
        """The formula with ``parts``' values in it, as notes write it: "14336 / 7.3284e+06", "(871200 - 30900) / 13782.2"."""
        top = f"({parts[self.numerator]:g} - {parts[self.subtract]:g})" if self.subtract else f"{parts[self.numerator]:g}"
        return f"{top} / {parts[self.denominator]:g}"

    def __str__(self) -> str:
        top = f"({self.numerator} - {self.subtract})" if self.subtract else self.numerator
        return f"{top} / {self.denominator}" + (f" × {self.factor}" if self.factor != 1 else "")


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
    role: str = ""
    note_vi: str = ""
    note_en: str = ""

    @property
    def context(self) -> bool:
        """Whether the indicator is context of its issue, not a measure of it."""
        return self.role == "context"

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
        role = r.get("role", "")
        if role not in ROLES:
            report.add(
                name,
                row,
                "role",
                f'unknown role "{role}"',
                'leave it empty (the indicator measures its issue), or write "context" or "target"',
            )
        if bool(r.get("note_vi")) != bool(r.get("note_en")):
            report.add(
                name, row, "note_vi" if not r.get("note_vi") else "note_en", "a note needs both languages", "write note_vi and note_en"
            )
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
            role,
            r.get("note_vi", ""),
            r.get("note_en", ""),
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
    ratio = Ratio.parse(text)
    if ratio is None:
        report.add(
            name,
            row,
            "derive",
            f'"{text}" is not "numerator / denominator [* factor]" or "(numerator - part) / denominator [* factor]"',
            'write e.g. "urban_population / population * 100"',
        )
    return ratio


def _check_references(indicators: dict[str, Indicator], rows: list, name: str, report: Report) -> None:
    """Weights and ratio parts must be indicators of the catalogue; a mean_weighted rule needs its weight."""
    rows_of: dict[str, int] = {}
    for row, r in rows:
        rows_of.setdefault(r["indicator"], row)
    for indicator in indicators.values():
        row = rows_of[indicator.id]
        if indicator.aggregation == "mean_weighted" and not indicator.weight:
            report.add(name, row, "weight", f"{indicator.id} is a weighted mean but names no weight", "name the weighting indicator")
        if indicator.aggregation == "ratio" and not indicator.derive:
            report.add(
                name,
                row,
                "aggregation",
                f"{indicator.id} is aggregated as a ratio but is not derived",
                "give its derive formula, or another rule",
            )
        named = [("weight", indicator.weight)]
        if indicator.derive:
            named += [("derive", part) for part in indicator.derive.parts]
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
