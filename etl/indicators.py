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
from etl.names import Match, ProvinceResolver, UnresolvedName
from etl.problems import WARNING, Report
from etl.sources import RawLayout

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
            found.append(("value_flag", f'unknown value flag "{flag}"', "use lower_bound, upper_bound, approx or leave it empty"))
        if preferred not in ("yes", "no"):
            found.append(("preferred", f'preferred is "{preferred}"', "write yes or no"))
        if preliminary not in ("yes", ""):
            found.append(("preliminary", f'preliminary is "{preliminary}"', "write yes, or leave it empty"))
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
            return [("boundary", f'unknown boundary set "{boundary}"', f"write 2008 (63 provinces), 2025 (34 units){sets} or national")]
        if boundary == "national":
            return [] if code == "VN" else [("province_code", f'a national row has code "{code}"', "use code VN for national rows")]
        if (boundary, code) not in self.resolver.units:
            return [
                (
                    "province_code",
                    f'"{code}" is not a code of boundary set {boundary}',
                    "use the GSO code of the unit in that set (see boundaries/province_merger_2025.csv)",
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
                f'name "{province}" does not match code {code} ({expected}) of set {boundary}',
                "correct the code or the name",
            )
        ]

    def _check_subunit(self, boundary: str, code: str, name: str) -> Found:
        """A row of a ward-level set: its code must be a unit of the set; a name, when given, must be that unit's."""
        if (boundary, code) not in self.resolver.subunits:
            return [
                ("province_code", f'"{code}" is not a code of boundary set {boundary}', "use the unit's official code (5 digits for wards)")
            ]
        if name and not self.resolver.subunit_matches(boundary, code, name):
            expected = self.resolver.subunits[(boundary, code)].name_vi
            return [
                (
                    "province_name_vi",
                    f'name "{name}" does not match code {code} ({expected}) of set {boundary}',
                    "correct the code or the name",
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
                self._conversions[key] = (None, [("indicator", f'unknown indicator "{indicator}"', self.catalogue.suggest(indicator))])
            else:
                factor = self.catalogue.factor(indicator, unit)
                found: Found = []
                if factor is None:
                    found.append(
                        (
                            "unit",
                            f'unit "{unit}" is not the catalogue unit "{self.catalogue.indicators[indicator].unit}" of {indicator}',
                            "convert the value, or add the conversion to catalogue/units.csv",
                        )
                    )
                self._conversions[key] = (factor, found)
        return self._conversions[key]

    def _value(self, text: str, indicator: str, factor: Decimal | None, found: Found) -> float | None:
        if not _PLAIN.match(text):
            found.append(
                (
                    "value",
                    f'value "{text}" is not a number',
                    "write a plain decimal number with a dot (e.g. 1234.5); use `urbanmap import` for published formats",
                )
            )
            return None
        rule = self.catalogue.indicators.get(indicator)
        if factor is None or rule is None:
            return None
        try:
            value = Decimal(text) * factor
        except InvalidOperation:
            found.append(("value", f'value "{text}" is not a number', "write a plain decimal number"))
            return None
        problem = rule.out_of_range(value)
        if problem:
            found.append(("value", problem, "check the value, its sign and its unit"))
            return None
        return float(value)


def _check_year(text: str, boundary: str, period: str) -> tuple[int | None, Found]:
    if not re.fullmatch(r"[0-9]{4}", text):
        return None, [
            ("year", f'year "{text}" is not a 4-digit year', "write the calendar year, e.g. 2024; rows without a date go to undated.csv")
        ]
    year = int(text)
    first, last = FIRST_YEAR.get(boundary, YEAR_RANGE[0]), YEAR_RANGE[1]
    if not first <= year <= last:
        return None, [
            (
                "year",
                f"year {year} is out of range {first}..{last} for boundary set {boundary}",
                "check the year; the 63-province set exists from 2008-08-01",
            )
        ]
    if period:
        m = _PERIOD.match(period)
        end = int(m.group(2) or m.group(3)) if m else None
        if end is None:
            return None, [
                (
                    "period",
                    f'period "{period}" is not YYYY-YYYY, YYYY-YYYYQn or a date YYYY-MM-DD',
                    "write the period in one of those forms",
                )
            ]
        if end != year:
            return None, [("year", f"year {year} is not the last year of period {period}", f"write year {end}")]
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
    return Values(_check_keys(_supersede(table, order), report), checker.sources)


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
        _check_keys(table.astype({"year": "int64", "value": "float64", "preferred": bool, "preliminary": bool}), report), checker.sources
    )


def _supersede(table: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """Per key, only the preferred rows of the newest source (``order``: submission name -> rank; the raw inputs are 0)
    stay preferred; the older ones are kept with preferred = false, "superseded by <submission>" in note."""
    if not order or table.empty:
        return table
    source = table["origin"].astype(str).str.rsplit(":", n=1).str[0]
    rank = source.map(order).fillna(0).astype(int)
    newest = rank.where(table["preferred"], -1).groupby([table[k] for k in KEY]).transform("max")
    superseded = table["preferred"] & (rank < newest)
    if superseded.any():
        winner = {r: n for n, r in order.items()}
        table = table.copy()
        table.loc[superseded, "preferred"] = False
        table.loc[superseded, "note"] = (
            table.loc[superseded, "note"].astype(str) + " (superseded by " + newest[superseded].map(winner) + ")"
        ).str.strip()
    return table


KEY = ["boundary", "code", "indicator", "year", "period"]


def _check_keys(table: pd.DataFrame, report: Report) -> pd.DataFrame:
    """One preferred row per key; identical duplicates are dropped with a warning."""
    same = KEY + ["value", "unit", "value_flag", "source_id"]
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
    preferred = table[table["preferred"]]
    clashing = preferred[preferred.duplicated(subset=KEY, keep=False)]
    for key, group in clashing.groupby(KEY, sort=False):
        origins = list(group["origin"])
        file, row = origins[-1].rsplit(":", 1)
        report.add(
            file,
            int(row),
            "preferred",
            f"duplicate value for {key[2]} {key[3]} {key[4]} of {key[0]}/{key[1]}: also in {', '.join(origins[:-1])}, with a different value or source",
            "keep both rows but mark all but one preferred=no, and say why in note",
        )
    has_preferred = table.groupby(KEY, sort=False)["preferred"].transform("any").to_numpy()
    orphans = table.loc[~has_preferred].drop_duplicates(subset=KEY)
    for key, origin in zip(orphans[KEY].itertuples(index=False), orphans["origin"]):
        file, row = str(origin).rsplit(":", 1)
        report.add(
            file,
            int(row),
            "preferred",
            f"no row for {key[2]} {key[3]} of {key[0]}/{key[1]} is preferred=yes",
            "mark exactly one of the rows for this key preferred=yes",
        )
    return table
