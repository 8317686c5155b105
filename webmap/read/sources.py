"""The sources of a loaded build: of indicator values (D…) and of programme items (S…, and E… of edits made in
the browser), by id, with their titles and addresses.

Layer read: ``sources``.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd

from webmap.read.geography import Reader


class Sources:
    """Every source a build cites."""

    def __init__(self, read: Reader) -> None:
        self.frame = read("sources").set_index("source_id", drop=False)
        # id -> (title, url): what every value's source link needs, without a pandas lookup per row
        self.index: dict[str, tuple[str, str]] = dict(zip(self.frame["source_id"], zip(self.frame["title"], self.frame["url"])))

    def titles(self, ids: object) -> str:
        """The titles of the sources ``ids`` (";"-separated) names, "; "-separated: what a table shows, not the id."""
        return "; ".join(self.index[i][0] for i in str(ids or "").split(";") if i in self.index)

    def with_titles(self, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """``frame`` with a ``<indicator>_source_title`` column after each ``<indicator>_source`` (a CSV names its
        sources by title; GeoJSON lists them once, see :meth:`cited`)."""
        out = frame.copy()
        for column in [c for c in frame.columns if str(c).endswith("_source")]:
            titles = [self.titles(v) if isinstance(v, str) else "" for v in frame[column]]
            out.insert(out.columns.get_loc(column) + 1, f"{column}_title", titles)
        return out

    def cited(self, frame: pd.DataFrame) -> dict[str, dict[str, str]]:
        """The sources the values of ``frame`` cite (the ids of every ``*_source`` and ``*_source_id`` column), as
        {id: {title, url}} in id order: so that a download names its sources without the site."""
        ids = {
            i
            for c in frame.columns
            if str(c).endswith(("_source", "_source_id"))
            for cell in frame[c].dropna()
            for i in str(cell).split(";")
            if i
        }
        return {i: {"title": self.index[i][0], "url": self.index[i][1]} for i in sorted(ids) if i in self.index}

    def refs(self, text: str) -> list[pd.Series]:
        """The programme sources (S1 ..., and E1 ... of edits made in the browser) a source_ref text cites, in order."""
        ids = dict.fromkeys(re.findall(r"\b[SE]\d+\b", text or ""))
        return [self.frame.loc[i] for i in ids if i in self.frame.index]
