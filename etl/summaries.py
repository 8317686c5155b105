"""Derived summaries of the value table: latest values per unit, and coverage.

Columns in: the long value table (boundary, code, indicator, year, period,
value, value_flag, preferred, ...).
"""

from __future__ import annotations

import hashlib

import pandas as pd


def latest_columns(values: pd.DataFrame, boundary: str, codes: list[str]) -> pd.DataFrame:
    """One row per code; for each indicator with a value in ``boundary``: ``<id>``, ``<id>_year``, ``<id>_flag``
    (and ``<id>_preliminary`` where some unit's latest value is a preliminary figure).

    The latest preferred value of each unit: highest year; on a tie, a row
    without period first, then the latest period.
    """
    rows = values[(values["boundary"] == boundary) & values["preferred"] & values["value"].notna()].copy()
    out = pd.DataFrame({"code": codes})
    if rows.empty:
        return out
    rows["_no_period"] = rows["period"] == ""
    rows = rows.sort_values(["indicator", "code", "year", "_no_period", "period"])
    latest = rows.groupby(["indicator", "code"], sort=True).tail(1)
    columns: dict[str, pd.Series] = {}
    for indicator, group in latest.groupby("indicator", sort=True):
        part = group.set_index("code")
        columns[str(indicator)] = out["code"].map(part["value"]).astype("float64")
        columns[f"{indicator}_year"] = out["code"].map(part["year"]).astype("Int64")
        columns[f"{indicator}_flag"] = out["code"].map(part["value_flag"]).astype("string")
        if "preliminary" in part and part["preliminary"].any():
            columns[f"{indicator}_preliminary"] = out["code"].map(part["preliminary"]).astype("boolean")
    out = pd.concat([out, pd.DataFrame(columns)], axis=1)
    return out


def coverage(values: pd.DataFrame, totals: dict[str, int]) -> pd.DataFrame:
    """Per boundary set, indicator and year: units with a value, units flagged incomplete, units in the set.

    Columns out: boundary, indicator, year, units_with_value, units_incomplete, units_total.
    """
    rows = values[values["preferred"] & values["boundary"].isin(list(totals))]
    has = rows.assign(_has=rows["value"].notna(), _inc=rows["value"].isna())
    per_unit = has.groupby(["boundary", "indicator", "year", "code"], sort=True)[["_has", "_inc"]].any().reset_index()
    per_unit["_inc"] = per_unit["_inc"] & ~per_unit["_has"]
    out = per_unit.groupby(["boundary", "indicator", "year"], sort=True)[["_has", "_inc"]].sum().reset_index()
    out = out.rename(columns={"_has": "units_with_value", "_inc": "units_incomplete"})
    out["units_total"] = out["boundary"].map(totals)
    return out


def coverage_lines(table: pd.DataFrame) -> list[str]:
    """Human-readable coverage, one line per boundary set and indicator: 'area [2025]: 2025 34/34'."""
    lines = []
    for (boundary, indicator), group in table.groupby(["boundary", "indicator"], sort=True):
        years = ", ".join(
            f"{y} {w}/{t}" + (f" (+{i} incomplete)" if i else "")
            for y, w, i, t in zip(group["year"], group["units_with_value"], group["units_incomplete"], group["units_total"])
        )
        lines.append(f"{indicator} [{boundary}]: {years}")
    return lines


def indicator_digests(values: pd.DataFrame) -> dict[str, str]:
    """Per indicator, a digest of all its value rows (key, value, flag, source, preferred): the same rows give the same
    digest, so that a page can say since which kept build an indicator's values have not changed."""
    columns = ["boundary", "code", "year", "period", "value", "value_flag", "source_id", "preferred"]
    out = {}
    for indicator, rows in values.sort_values(columns[:4] + ["preferred"], kind="stable").groupby("indicator", sort=True):
        text = rows[columns].to_csv(index=False, header=False, float_format="%.12g")
        out[str(indicator)] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return out
