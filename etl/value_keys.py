"""The key of a value and the rules on it: one preferred row per key (boundary set, unit, indicator, year, period).

Columns in and out: those of :data:`etl.indicators.OUT_COLUMNS` (``origin`` is "file:row", where a problem is told).
"""

from __future__ import annotations

import pandas as pd

from etl.messages import Message
from etl.problems import WARNING, Report

KEY = ["boundary", "code", "indicator", "year", "period"]


def supersede(table: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
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


def check_keys(table: pd.DataFrame, report: Report) -> pd.DataFrame:
    """One preferred row per key; identical duplicates are dropped with a warning."""
    same = KEY + ["value", "unit", "value_flag", "source_id"]
    duplicated = table.duplicated(subset=same, keep="first")
    for origin in table.loc[duplicated, "origin"]:
        file, row = str(origin).rsplit(":", 1)
        report.add(
            file,
            int(row),
            None,
            Message("row repeats an earlier row with the same value and source; it was ignored"),
            Message("delete the repeated row"),
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
            Message(
                "duplicate value for {indicator} {year} {period} of {boundary}/{code}: also in {rows}, with a different value or source",
                indicator=key[2],
                year=str(key[3]),
                period=key[4],
                boundary=key[0],
                code=key[1],
                rows=", ".join(origins[:-1]),
            ),
            Message("keep both rows but mark all but one preferred=no, and say why in note"),
        )
    has_preferred = table.groupby(KEY, sort=False)["preferred"].transform("any").to_numpy()
    orphans = table.loc[~has_preferred].drop_duplicates(subset=KEY)
    for key, origin in zip(orphans[KEY].itertuples(index=False), orphans["origin"]):
        file, row = str(origin).rsplit(":", 1)
        report.add(
            file,
            int(row),
            "preferred",
            Message(
                "no row for {indicator} {year} of {boundary}/{code} is preferred=yes",
                indicator=key[2],
                year=str(key[3]),
                boundary=key[0],
                code=key[1],
            ),
            Message("mark exactly one of the rows for this key preferred=yes"),
        )
    return table
