"""Downloads of a loaded build: the ETL's export functions (:mod:`etl.export`) over its GeoPackage, with the sources
the values cite."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl import export
from etl.export import Selection
from webmap.read import work
from webmap.read.sources import Sources


class Exports:
    """Units and values of a selection, as frames and as the long CSV, and the metadata a download carries."""

    def __init__(self, store: Path, folder: Path, sources: Sources) -> None:
        """``store``: the build's GeoPackage; ``folder``: its build folder (for the manifest)."""
        self._store, self._folder, self._sources = store, folder, sources

    def select(self, selection: Selection) -> gpd.GeoDataFrame:
        """Units and values of ``selection`` (columns: see :mod:`etl.export`)."""
        frame = export.select(self._store, selection)
        work.charge(frame.shape[0] * frame.shape[1])
        return frame

    def long_csv(self, frame: gpd.GeoDataFrame, selection: Selection) -> bytes:
        """One row per value of the units of ``frame`` with its source (:func:`etl.export.to_long_csv`)."""
        body = export.to_long_csv(self._store, frame, selection)
        work.charge(body.count(b"\n"))
        return body

    def metadata(self, frame: pd.DataFrame | None = None) -> dict:
        """Build id and attribution of an exported collection; with ``frame``, also the sources its values cite
        (:meth:`Sources.cited`)."""
        meta = export.metadata(self._folder)
        if frame is not None:
            meta["urbanmap"]["sources"] = self._sources.cited(frame)
        return meta
