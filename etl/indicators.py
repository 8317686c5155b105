"""Tidy indicator values: read, validate, convert to catalogue units.

Source: every ``indicators/*.csv`` of the raw directory except
``province_units.csv`` and ``undated.csv``.

Columns read: boundary, province_code, province_name_vi, indicator, year,
period, value, unit, value_flag, preferred, source_title, source_url, note.

Columns out (:func:`read_values`): boundary, code, indicator, year, period,
value (float, in the catalogue unit), unit, value_flag, preferred (bool),
source_id, note, origin ("file:row").
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pandas as pd

from .catalogue import Catalogue
from .names import Aggregate, ProvinceResolver, UnresolvedName
from .problems import WARNING, Report
from .sources import RawLayout, read_csv

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
OUT_COLUMNS = ["boundary", "code", "indicator", "year", "period", "value", "unit", "value_flag", "preferred", "source_id", "note", "origin"]


def source_id(title: str, url: str) -> str:
    """Stable id of an indicator source: 'D' + 8 hex digits of a hash of title and url."""
    return "D" + hashlib.sha256(f"{title}\n{url}".encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Values:
    """Validated values and the sources they cite (source_id -> (title, url))."""

    table: pd.DataFrame
    sources: dict[str, tuple[str, str]]


class _RowChecker:
    """Validates one tidy row; appends problems to the report, returns the clean record or None."""

    def __init__(self, catalogue: Catalogue, resolver: ProvinceResolver, report: Report) -> None:
        self.catalogue = catalogue
        self.resolver = resolver
        self.report = report

    def check(self, name: str, row: int, r: dict[str, str]) -> dict[str, object] | None:
        before = len(self.report.errors)
        boundary, code = r["boundary"], r["province_code"]
        add = self.report.add
        if boundary not in ("2008", "2025", "national"):
            add(name, row, "boundary", f'unknown boundary set "{boundary}"', "write 2008 (63 provinces), 2025 (34 units) or national")
        elif boundary == "national" and code != "VN":
            add(name, row, "province_code", f'a national row has code "{code}"', "use code VN for national rows")
        elif boundary != "national":
            self._check_unit(name, row, boundary, code, r["province_name_vi"])
        year = self._check_year(name, row, r["year"], boundary, r["period"])
        indicator = r["indicator"]
        factor = None
        if indicator not in self.catalogue.indicators:
            add(name, row, "indicator", f'unknown indicator "{indicator}"', self.catalogue.suggest(indicator))
        else:
            factor = self.catalogue.factor(indicator, r["unit"])
            if factor is None:
                add(
                    name,
                    row,
                    "unit",
                    f'unit "{r["unit"]}" is not the catalogue unit "{self.catalogue.indicators[indicator].unit}" of {indicator}',
                    "convert the value, or add the conversion to catalogue/units.csv",
                )
        value = self._check_value(name, row, r["value"], indicator)
        if r["value_flag"] not in VALUE_FLAGS:
            add(
                name, row, "value_flag", f'unknown value flag "{r["value_flag"]}"', "use lower_bound, upper_bound, approx or leave it empty"
            )
        if r["preferred"] not in ("yes", "no"):
            add(name, row, "preferred", f'preferred is "{r["preferred"]}"', "write yes or no")
        for column in ("source_title", "source_url"):
            if not r[column]:
                add(name, row, column, "the row does not name its source", f"fill in {column}: every value needs its source")
        if len(self.report.errors) > before or value is None or factor is None or year is None:
            return None
        return {
            "boundary": boundary,
            "code": code,
            "indicator": indicator,
            "year": year,
            "period": r["period"],
            "value": float(value * factor),
            "unit": self.catalogue.indicators[indicator].unit,
            "value_flag": r["value_flag"],
            "preferred": r["preferred"] == "yes",
            "source_id": source_id(r["source_title"], r["source_url"]),
            "note": r["note"],
            "origin": f"{name}:{row}",
        }

    def _check_unit(self, name: str, row: int, boundary: str, code: str, province: str) -> None:
        if (boundary, code) not in self.resolver.units:
            self.report.add(
                name,
                row,
                "province_code",
                f'"{code}" is not a code of boundary set {boundary}',
                "use the GSO code of the unit in that set (see boundaries/province_merger_2025.csv)",
            )
            return
        if not province:
            return
        try:
            match = self.resolver.resolve(province, boundary=boundary)
        except UnresolvedName as exc:
            self.report.add(name, row, "province_name_vi", exc.message, exc.fix)
            return
        if isinstance(match, Aggregate) or match.code != code:
            expected = self.resolver.units[(boundary, code)].name_vi
            self.report.add(
                name,
                row,
                "province_name_vi",
                f'name "{province}" does not match code {code} ({expected}) of set {boundary}',
                "correct the code or the name",
            )

    def _check_year(self, name: str, row: int, text: str, boundary: str, period: str) -> int | None:
        if not re.fullmatch(r"\d{4}", text):
            self.report.add(
                name,
                row,
                "year",
                f'year "{text}" is not a 4-digit year',
                "write the calendar year, e.g. 2024; rows without a date go to undated.csv",
            )
            return None
        year = int(text)
        first = FIRST_YEAR.get(boundary, YEAR_RANGE[0])
        if not first <= year <= YEAR_RANGE[1]:
            self.report.add(
                name,
                row,
                "year",
                f"year {year} is out of range {first}..{YEAR_RANGE[1]} for boundary set {boundary}",
                "check the year; the 63-province set exists from 2008-08-01",
            )
            return None
        if period:
            m = _PERIOD.match(period)
            last = int(m.group(2) or m.group(3)) if m else None
            if last is None:
                self.report.add(
                    name,
                    row,
                    "period",
                    f'period "{period}" is not YYYY-YYYY, YYYY-YYYYQn or a date YYYY-MM-DD',
                    "write the period as published in one of those forms",
                )
            elif last != year:
                self.report.add(name, row, "year", f"year {year} is not the last year of period {period}", f"write year {last}")
        return year

    def _check_value(self, name: str, row: int, text: str, indicator: str) -> Decimal | None:
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.report.add(
                name,
                row,
                "value",
                f'value "{text}" is not a number',
                "write a plain decimal number with a dot (e.g. 1234.5); use `urbanmap import` for published formats",
            )
            return None
        rule = self.catalogue.indicators.get(indicator)
        if rule is not None and rule.aggregation == "sum" and value < 0:
            self.report.add(
                name, row, "value", f"{indicator} is a count or total and cannot be negative ({text})", "check the sign of the value"
            )
            return None
        return value


def read_values(layout: RawLayout, catalogue: Catalogue, resolver: ProvinceResolver, report: Report) -> Values:
    """Read every tidy file, validate each row, then the keys across files."""
    checker = _RowChecker(catalogue, resolver, report)
    records: list[dict[str, object]] = []
    sources: dict[str, tuple[str, str]] = {}
    for path in layout.value_files():
        name = layout.display(path)
        for row, r in read_csv(path, TIDY_COLUMNS, report, name):
            record = checker.check(name, row, r)
            if record is not None:
                records.append(record)
                sources[str(record["source_id"])] = (r["source_title"], r["source_url"])
    table = _check_keys(pd.DataFrame.from_records(records, columns=OUT_COLUMNS), report)
    return Values(table, sources)


def _check_keys(table: pd.DataFrame, report: Report) -> pd.DataFrame:
    """One preferred row per key; identical duplicates are dropped with a warning."""
    key_columns = ["boundary", "code", "indicator", "year", "period"]
    same = key_columns + ["value", "unit", "value_flag", "source_id"]
    duplicated = table.duplicated(subset=same, keep="first")
    for origin in table.loc[duplicated, "origin"]:
        file, row = str(origin).rsplit(":", 1)
        report.add(
            file,
            int(row),
            None,
            "row repeats an earlier row with the same value and source; it was ignored",
            "delete the repeated row",
            severity=WARNING,
        )
    table = table.loc[~duplicated].reset_index(drop=True)
    preferred: dict[tuple, list[str]] = defaultdict(list)
    for key, origin in zip(table.loc[table["preferred"], key_columns].itertuples(index=False), table.loc[table["preferred"], "origin"]):
        preferred[tuple(key)].append(str(origin))
    for key, origins in preferred.items():
        if len(origins) > 1:
            file, row = origins[-1].rsplit(":", 1)
            report.add(
                file,
                int(row),
                "preferred",
                f"duplicate value for {key[2]} {key[3]} {key[4]} of {key[0]}/{key[1]}: also in {', '.join(origins[:-1])}, with a different value or source",
                "keep both rows but mark all but one preferred=no, and say why in note",
            )
    keys_with_preferred = set(preferred)
    for key, group in table.groupby(key_columns, sort=False):
        if tuple(key) not in keys_with_preferred:
            file, row = str(group["origin"].iloc[0]).rsplit(":", 1)
            report.add(
                file,
                int(row),
                "preferred",
                f"no row for {key[2]} {key[3]} of {key[0]}/{key[1]} is preferred=yes",
                "mark exactly one of the rows for this key preferred=yes",
            )
    return table
