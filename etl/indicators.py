"""Tidy indicator values: read, validate, convert to catalogue units.

Sources: every ``indicators/*.csv`` of the raw directory except
``province_units.csv`` and ``undated.csv``, and the rows that published tables
give through the importer (see :mod:`etl.published`).

Columns read: boundary, province_code, province_name_vi, indicator, year,
period, value, unit, value_flag, preferred, source_title, source_url, note;
optional: preliminary (``yes`` for a preliminary figure, e.g. GSO's "Prel. 2016").

Columns out (:func:`read_values`): boundary, code, indicator, year, period,
value (float, in the catalogue unit), unit, value_flag, preferred (bool),
source_id, note, origin ("file:row"), preliminary (bool).

Rows are checked one at a time in constant memory; checks whose answer depends
only on a few columns (the unit's code and name, the indicator and unit, the
year and period) are computed once per distinct combination, so a file of a
million rows is read in seconds.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pandas as pd

from etl import links
from etl.catalogue import Catalogue
from etl.csv_rows import CsvRow, iter_csv, iter_csv_text
from etl.links import source_label, source_problem
from etl.messages import Message
from etl.names import Match, ProvinceResolver, UnresolvedName
from etl.problems import Report
from etl.sources import RawLayout
from etl.value_keys import check_keys, supersede

TIDY_COLUMNS = [
    "boundary",
    "province_code",
    "province_name_vi",
    "indicator",
    "year",
    "period",
    "value",
    "unit",
    "value_flag",
    "preferred",
    "source_title",
    "source_url",
    "note",
]
VALUE_FLAGS = ("", "lower_bound", "upper_bound", "approx")
YEAR_RANGE = (2000, 2100)
FIRST_YEAR = {"2008": 2008, "2025": 2024, "national": YEAR_RANGE[0]}
_PERIOD = re.compile(r"^(?:(\d{4})-(\d{4})(?:Q[1-4])?|(\d{4})-\d{2}-\d{2})$")
_PLAIN = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]+)?$")
OPTIONAL_COLUMNS = ["preliminary", "source_document"]  # "yes" for a preliminary figure; an official document's number
OUT_COLUMNS = [
    "boundary",
    "code",
    "indicator",
    "year",
    "period",
    "value",
    "unit",
    "value_flag",
    "preferred",
    "source_id",
    "note",
    "origin",
    "preliminary",
]
Found = list[tuple[str, str, str]]  # (column, message, fix)


def source_id(title: str, url: str) -> str:
    """Stable id of an indicator source: 'D' + 8 hex digits of a hash of title and url."""
    return "D" + hashlib.sha256(f"{title}\n{url}".encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Values:
    """Validated values and the sources they cite (source_id -> (title, url))."""

    table: pd.DataFrame
    sources: dict[str, tuple[str, str]]


class _RowChecker:
    """Validates tidy rows; problems go to the report; clean rows are appended column by column."""

    def __init__(self, catalogue: Catalogue, resolver: ProvinceResolver, report: Report) -> None:
        self.catalogue = catalogue
        self.resolver = resolver
        self.report = report
        self.columns: dict[str, list] = {c: [] for c in OUT_COLUMNS}
        self.sources: dict[str, tuple[str, str]] = {}
        self._units: dict[tuple[str, str, str], Found] = {}
        self._years: dict[tuple[str, str, str], tuple[int | None, Found]] = {}
        self._conversions: dict[tuple[str, str], tuple[Decimal | None, Found]] = {}
        self._source_ids: dict[tuple[str, str], str] = {}

    def check(self, name: str, row: int, r: dict[str, str]) -> None:
        found: Found = []
        boundary = r["boundary"]
        found += self._unit(boundary, r["province_code"], r["province_name_vi"])
        year, year_found = self._year(r["year"], boundary, r["period"])
        found += year_found
        factor, unit_found = self._conversion(r["indicator"], r["unit"])
        found += unit_found
        value = self._value(r["value"], r["indicator"], factor, found)
        flag, preferred, preliminary = r["value_flag"], r["preferred"], r.get("preliminary", "")
        if flag not in VALUE_FLAGS:
            found.append(
                (
                    "value_flag",
                    Message('unknown value flag "{flag}"', flag=flag),
                    Message("use lower_bound, upper_bound, approx or leave it empty"),
                )
            )
        if preferred not in ("yes", "no"):
            found.append(("preferred", Message('preferred is "{preferred}"', preferred=preferred), Message("write yes or no")))
        if preliminary not in ("yes", ""):
            found.append(
                ("preliminary", Message('preliminary is "{preliminary}"', preliminary=preliminary), Message("write yes, or leave it empty"))
            )
        document = r.get("source_document", "")
        if (problem := source_problem(r["source_title"], r["source_url"], document)) is not None:
            found.append((problem[0], problem[1], links.SOURCE_FIX))
        for column, message, fix in found:
            self.report.add(name, row, column, message, fix)
        if found or value is None or year is None:
            return
        out = self.columns
        out["boundary"].append(sys.intern(boundary))
        out["code"].append(sys.intern(r["province_code"]))
        out["indicator"].append(sys.intern(r["indicator"]))
        out["year"].append(year)
        out["period"].append(sys.intern(r["period"]))
        out["value"].append(value)
        out["unit"].append(self.catalogue.indicators[r["indicator"]].unit)
        out["value_flag"].append(sys.intern(flag))
        out["preferred"].append(preferred == "yes")
        out["source_id"].append(self._source(source_label(r["source_title"], document), r["source_url"]))
        out["note"].append(r["note"])
        out["origin"].append(f"{name}:{row}")
        out["preliminary"].append(preliminary == "yes")

    def _source(self, title: str, url: str) -> str:
        key = (title, url)
        if key not in self._source_ids:
            ident = source_id(title, url)
            self._source_ids[key] = ident
            self.sources[ident] = key
        return self._source_ids[key]

    def _unit(self, boundary: str, code: str, province: str) -> Found:
        key = (boundary, code, province)
        if key not in self._units:
            self._units[key] = self._check_unit(boundary, code, province)
        return self._units[key]

    def _check_unit(self, boundary: str, code: str, province: str) -> Found:
        if boundary in self.resolver.subunit_sets:
            return self._check_subunit(boundary, code, province)
        if boundary not in ("2008", "2025", "national"):
            sets = "".join(f", {b}" for b in sorted(self.resolver.subunit_sets))
            fix = Message("write 2008 (63 provinces), 2025 (34 units){sets} or national", sets=sets)
            return [("boundary", Message('unknown boundary set "{boundary}"', boundary=boundary), fix)]
        if boundary == "national":
            if code == "VN":
                return []
            return [("province_code", Message('a national row has code "{code}"', code=code), Message("use code VN for national rows"))]
        if (boundary, code) not in self.resolver.units:
            return [
                (
                    "province_code",
                    Message('"{code}" is not a code of boundary set {boundary}', code=code, boundary=boundary),
                    Message("use the GSO code of the unit in that set (see boundaries/province_merger_2025.csv)"),
                )
            ]
        if not province:
            return []
        try:
            match = self.resolver.resolve(province, boundary=boundary)
        except UnresolvedName as exc:
            return [("province_name_vi", exc.message, exc.fix)]
        if isinstance(match, Match) and match.code == code:
            return []
        expected = self.resolver.units[(boundary, code)].name_vi
        return [
            (
                "province_name_vi",
                _name_mismatch(province, code, expected, boundary),
                Message("correct the code or the name"),
            )
        ]

    def _check_subunit(self, boundary: str, code: str, name: str) -> Found:
        """A row of a ward-level set: its code must be a unit of the set; a name, when given, must be that unit's."""
        if (boundary, code) not in self.resolver.subunits:
            return [
                (
                    "province_code",
                    Message('"{code}" is not a code of boundary set {boundary}', code=code, boundary=boundary),
                    Message("use the unit's official code (5 digits for wards)"),
                )
            ]
        if name and not self.resolver.subunit_matches(boundary, code, name):
            expected = self.resolver.subunits[(boundary, code)].name_vi
            return [
                (
                    "province_name_vi",
                    _name_mismatch(name, code, expected, boundary),
                    Message("correct the code or the name"),
                )
            ]
        return []

    def _year(self, text: str, boundary: str, period: str) -> tuple[int | None, Found]:
        key = (text, boundary, period)
        if key not in self._years:
            self._years[key] = _check_year(text, boundary, period)
        return self._years[key]

    def _conversion(self, indicator: str, unit: str) -> tuple[Decimal | None, Found]:
        key = (indicator, unit)
        if key not in self._conversions:
            if indicator not in self.catalogue.indicators:
                unknown = Message('unknown indicator "{indicator}"', indicator=indicator)
                self._conversions[key] = (None, [("indicator", unknown, self.catalogue.suggest(indicator))])
            else:
                factor = self.catalogue.factor(indicator, unit)
                found: Found = []
                if factor is None:
                    found.append(
                        (
                            "unit",
                            Message(
                                'unit "{unit}" is not the catalogue unit "{expected}" of {indicator}',
                                unit=unit,
                                expected=self.catalogue.indicators[indicator].unit,
                                indicator=indicator,
                            ),
                            Message("convert the value, or add the conversion to catalogue/units.csv"),
                        )
                    )
                self._conversions[key] = (factor, found)
        return self._conversions[key]

    def _value(self, text: str, indicator: str, factor: Decimal | None, found: Found) -> float | None:
        if not _PLAIN.match(text):
            found.append(
                (
                    "value",
                    Message('value "{text}" is not a number', text=text),
                    Message("write a plain decimal number with a dot (e.g. 1234.5); use `urbanmap import` for published formats"),
                )
            )
            return None
        rule = self.catalogue.indicators.get(indicator)
        if factor is None or rule is None:
            return None
        try:
            value = Decimal(text) * factor
        except InvalidOperation:
            found.append(("value", Message('value "{text}" is not a number', text=text), Message("write a plain decimal number")))
            return None
        problem = rule.out_of_range(value)
        if problem:
            found.append(("value", problem, Message("check the value, its sign and its unit")))
            return None
        return float(value)


def _name_mismatch(name: str, code: str, expected: str, boundary: str) -> Message:
    return Message(
        'name "{name}" does not match code {code} ({expected}) of set {boundary}',
        name=name,
        code=code,
        expected=expected,
        boundary=boundary,
    )


def _check_year(text: str, boundary: str, period: str) -> tuple[int | None, Found]:
    if not re.fullmatch(r"[0-9]{4}", text):
        return None, [
            (
                "year",
                Message('year "{text}" is not a 4-digit year', text=text),
                Message("write the calendar year, e.g. 2024; rows without a date go to undated.csv"),
            )
        ]
    year = int(text)
    first, last = FIRST_YEAR.get(boundary, YEAR_RANGE[0]), YEAR_RANGE[1]
    if not first <= year <= last:
        return None, [
            (
                "year",
                Message(
                    "year {year} is out of range {first}..{last} for boundary set {boundary}",
                    year=str(year),
                    first=str(first),
                    last=str(last),
                    boundary=boundary,
                ),
                Message("check the year; the 63-province set exists from 2008-08-01"),
            )
        ]
    if period:
        m = _PERIOD.match(period)
        end = int(m.group(2) or m.group(3)) if m else None
        if end is None:
            return None, [
                (
                    "period",
                    Message('period "{period}" is not YYYY-YYYY, YYYY-YYYYQn or a date YYYY-MM-DD', period=period),
                    Message("write the period in one of those forms"),
                )
            ]
        if end != year:
            wrong = Message("year {year} is not the last year of period {period}", year=str(year), period=period)
            return None, [("year", wrong, Message("write year {end}", end=str(end)))]
    return year, []


def read_values(
    layout: RawLayout,
    catalogue: Catalogue,
    resolver: ProvinceResolver,
    report: Report,
    imported: Iterable[tuple[str, list[CsvRow]]] = (),
    superseding: Iterable[tuple[str, str]] = (),
) -> Values:
    """Read every tidy file and the ``imported`` rows (name, rows) of published tables; validate each row, then the keys.

    ``superseding``: (name, tidy CSV text) of approved submissions, oldest first. A preferred row of a
    submission supersedes the preferred row with the same key from the raw inputs or an older submission:
    that row stays, with preferred = false and a note naming the submission.
    """
    checker = _RowChecker(catalogue, resolver, report)
    for path in layout.value_files():
        name = layout.display(path)
        for row, r in iter_csv(path, TIDY_COLUMNS, report, name):
            checker.check(name, row, r)
    for name, rows in imported:
        for row, r in rows:
            checker.check(name, row, r)
    order: dict[str, int] = {}
    for name, text in superseding:
        order[name] = len(order) + 1
        for row, r in iter_csv_text(text, TIDY_COLUMNS, report, name):
            checker.check(name, row, r)
    table = pd.DataFrame(checker.columns, columns=OUT_COLUMNS)
    table["year"] = table["year"].astype("int64")
    table["value"] = table["value"].astype("float64")
    table["preferred"] = table["preferred"].astype(bool)
    table["preliminary"] = table["preliminary"].astype(bool)
    return Values(check_keys(supersede(table, order), report), checker.sources)


def check_rows(
    name: str, text: str, catalogue: Catalogue, resolver: ProvinceResolver, report: Report, progress: Callable[[int], None] | None = None
) -> Values:
    """Validate one tidy CSV text (a submission) by the same rules as the build's tidy files; problems go to ``report``;
    ``progress(rows checked)`` is told every 10,000 rows."""
    checker = _RowChecker(catalogue, resolver, report)
    for row, r in iter_csv_text(text, TIDY_COLUMNS, report, name):
        checker.check(name, row, r)
        if progress is not None and row % 10_000 == 0:
            progress(row)
    table = pd.DataFrame(checker.columns, columns=OUT_COLUMNS)
    return Values(
        check_keys(table.astype({"year": "int64", "value": "float64", "preferred": bool, "preliminary": bool}), report), checker.sources
    )
