"""Progress toward the programme's targets, as the build computed it (layer ``progress``, :mod:`etl.progress`).

One row per target, indicator, boundary set and unit: baseline, latest, observed and needed pace, status. A build
of an older schema has no such layer: every question then has an empty answer.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from etl.progress import COLUMNS, STATUSES
from webmap.read.geography import Reader
from webmap.read.memo import Memo, records


class Progress:
    """The progress rows of one build, by target, indicator and boundary set."""

    def __init__(self, read: Reader, layers: set[str], memo: Memo, targets: pd.DataFrame) -> None:
        """``targets``: ``program_targets`` (for the text, year and document of each target)."""
        self._memo = memo
        self._read = read
        self.table = read("progress") if "progress" in layers else pd.DataFrame(columns=COLUMNS)
        self._targets = targets

    def targets_of(self, indicator: str, boundary: str) -> list[dict]:
        """The targets ``indicator`` measures in ``boundary`` with at least one unit assessed, by year and document
        (plain rows of ``program_targets``); once per build."""

        def make() -> list[dict]:
            rows = self.table[(self.table["indicator"] == indicator) & (self.table["boundary"] == boundary)]
            assessed = set(rows.loc[rows["status"] != "insufficient", "target_id"])
            targets = self._targets[self._targets["target_id"].isin(assessed)].sort_values(["year", "document"], kind="stable")
            return records(targets)

        return self._memo.get(("progress_targets", indicator, boundary), make)

    def best_measure(self, target_id: str, boundary: str) -> str | None:
        """The indicator measuring ``target_id`` with the most units assessed in ``boundary`` (None: none)."""
        t = self.table
        rows = t[(t["target_id"] == target_id) & (t["boundary"] == boundary) & (t["status"] != "insufficient")]
        counts = rows.groupby("indicator")["code"].count().sort_values(ascending=False, kind="stable")
        return str(counts.index[0]) if len(counts) else None

    def rows(self, target_id: str, indicator: str, boundary: str) -> dict[str, dict]:
        """Unit code -> its progress row (plain dicts); once per build."""

        def make() -> dict[str, dict]:
            t = self.table
            picked = t[(t["target_id"] == target_id) & (t["indicator"] == indicator) & (t["boundary"] == boundary)]
            return {str(r["code"]): r for r in records(picked)}

        return self._memo.get(("progress_rows", target_id, indicator, boundary), make)

    def located(self, boundary: str, names: pd.DataFrame) -> gpd.GeoDataFrame:
        """The rows of ``boundary`` after each unit's code and names (``names``: code, name_vi, name_en), with its web
        map outline (simplified: a copy per row stays small) in WGS 84, by target, indicator and code; once per build."""

        def make() -> gpd.GeoDataFrame:
            rows = self.table[self.table["boundary"] == boundary]
            frame = names[["code", "name_vi", "name_en"]].reset_index(drop=True).merge(rows, on="code")
            shapes = self._read(f"web_provinces_{boundary}", columns=["code"]).to_crs(4326)
            located = gpd.GeoDataFrame(frame.merge(shapes, on="code"), geometry="geometry", crs=shapes.crs)
            return located.sort_values(["target_id", "indicator", "code"], kind="stable").reset_index(drop=True)

        return self._memo.get(("progress_located", boundary), make)

    def counts(self, target_id: str, indicator: str, boundary: str, codes: list[str]) -> dict[str, int]:
        """Units of ``codes`` per status (those without a row count as ``insufficient``)."""
        rows = self.rows(target_id, indicator, boundary)
        found = {s: 0 for s in STATUSES}
        for code in codes:
            found[rows[code]["status"] if code in rows else "insufficient"] += 1
        return found
