"""The only reader of the build output (``builds/<build_id>/urban.gpkg`` + ``manifest.json``): one build, loaded.

A :class:`Store` loads one verified build (:func:`etl.store.open_build`) once and answers from it in parts, each
named for what it answers:

- :attr:`Store.geography` (:mod:`webmap.read.geography`): boundary sets, units, names and their order, neighbours,
  boxes, ward sets, the merger of 2025;
- :attr:`Store.geometry` (:mod:`webmap.read.geometry`): web geometry as GeoJSON ready to send;
- :attr:`Store.values` (:mod:`webmap.read.values`): the catalogue, snapshots, ranks, medians, histories, regions;
- :attr:`Store.programme` (:mod:`webmap.read.programme`): groups, directions, tasks, targets, links;
- :attr:`Store.progress` (:mod:`webmap.read.progress`): each unit's progress toward each target;
- :attr:`Store.sources` (:mod:`webmap.read.sources`) and :attr:`Store.exports` (:mod:`webmap.read.exports`);
- :attr:`Store.uninstalled` (:mod:`webmap.read.uninstalled`): the sources published by others it was built without;
- :attr:`Store.memo` (:mod:`webmap.read.memo`): the one memo of what they, and the pages, derive from the build.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pyogrio

from etl.store import StoreError as StoreError  # re-exported: no build, a damaged one, or one of another schema
from etl.store import open_build, resolve_build
from webmap.read.exports import Exports
from webmap.read.geography import Geography
from webmap.read.geometry import WebGeometry
from webmap.read.memo import Memo
from webmap.read.programme import Programme
from webmap.read.progress import Progress
from webmap.read.sources import Sources
from webmap.read.uninstalled import Uninstalled
from webmap.read.values import Values

__all__ = ["Store", "StoreError", "resolve_build"]

log = logging.getLogger(__name__)

SUPPORTED_SCHEMA = 1


class Store:
    """Everything the web app shows, loaded from one build directory."""

    def __init__(self, data_dir: Path) -> None:
        """Load the build ``data_dir`` stands for (its ``current``, or one build folder); StoreError when there is
        none, its checksum does not match, or its schema is not one this app reads."""
        found = open_build(data_dir)
        self.manifest = found.manifest
        major = int(str(self.manifest.get("schema_version", "0")).split(".")[0])
        if major != SUPPORTED_SCHEMA:
            raise StoreError(
                f"the store has schema {self.manifest.get('schema_version')}; this app reads schema {SUPPORTED_SCHEMA}.x: rebuild the data"
            )
        self.build_id: str = found.build_id
        self.path = found.store
        self.folder = found.folder
        self.memo = Memo()
        layers = {name for name, _ in pyogrio.list_layers(self.path)}  # optional layers of newer schemas
        self.geography = Geography(self.layer, layers, self.memo)
        self.geometry = WebGeometry(self.layer, self.geography, self.memo)
        self.values = Values(self.layer, self.geography, self.memo)
        self.sources = Sources(self.layer)
        self.programme = Programme(self.layer, self.values.catalogue, self.memo)
        self.progress = Progress(self.layer, layers, self.memo, self.programme.tables["program_targets"])
        self.exports = Exports(self.path, self.folder, self.sources)
        self.uninstalled = Uninstalled(self.manifest)
        self._prepare()
        log.info("store %s loaded from %s", self.build_id, self.path)

    def layer(self, name: str, **options: object) -> pd.DataFrame:
        """Layer ``name`` of this build's GeoPackage, read again (pyogrio's ``options``: columns …); for what is made
        once per build from it (the parts, map sheets)."""
        return pyogrio.read_dataframe(self.path, layer=name, **options)

    def _prepare(self) -> None:
        """Make, while the build loads, what most views use at once: every snapshot, unit history, regional
        aggregate and latest row, ranks and medians, targets, the catalogue rows and unit names in order (about
        0.5 s; the first views then cost what later ones do)."""
        self.values.prepare()
        self.programme.prepare()
        for boundary in self.geography.units:
            for lang in ("vi", "en"):
                self.geography.name_order(boundary, lang)
