"""Writing the store: ``urban.gpkg`` and ``manifest.json``, atomically and reproducibly.

Both files are first written under temporary names in the output directory
and then renamed over the previous ones (``os.replace``), so a failed build
leaves the previous outputs byte-identical. GDAL stamps every GeoPackage table
with the write time unless ``OGR_CURRENT_DATE`` is set; it is set to a
constant here, so the same inputs give the same bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1.1.0"
STORE_NAME = "urban.gpkg"
MANIFEST_NAME = "manifest.json"
FIXED_DATE = "2000-01-01T00:00:00Z"


@dataclass(frozen=True)
class Layer:
    """One layer or table of the GeoPackage, with the description QGIS shows."""

    name: str
    frame: pd.DataFrame
    description: str


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextlib.contextmanager
def _fixed_gdal_date() -> Iterator[None]:
    previous = os.environ.get("OGR_CURRENT_DATE")
    os.environ["OGR_CURRENT_DATE"] = FIXED_DATE
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("OGR_CURRENT_DATE", None)
        else:
            os.environ["OGR_CURRENT_DATE"] = previous


def write_geopackage(path: Path, layers: list[Layer]) -> None:
    """Write ``layers`` in order into a new GeoPackage at ``path`` (which must not exist)."""
    with _fixed_gdal_date():
        for layer in layers:
            frame = layer.frame
            if not isinstance(frame, gpd.GeoDataFrame):
                frame = pd.DataFrame(frame)
            pyogrio.write_dataframe(frame, path, layer=layer.name, driver="GPKG", DESCRIPTION=layer.description)


def write_store(out_dir: Path, layers: list[Layer], manifest: dict) -> Path:
    """Write the GeoPackage and the manifest into ``out_dir`` atomically; return the store path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".build-") as tmp:
        store_tmp = Path(tmp) / STORE_NAME
        write_geopackage(store_tmp, layers)
        manifest = {**manifest, "store": {"file": STORE_NAME, "sha256": sha256_file(store_tmp)}}
        manifest_tmp = Path(tmp) / MANIFEST_NAME
        manifest_tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(store_tmp, out_dir / STORE_NAME)
        os.replace(manifest_tmp, out_dir / MANIFEST_NAME)
    log.info("wrote %s and %s", out_dir / STORE_NAME, out_dir / MANIFEST_NAME)
    return out_dir / STORE_NAME


def build_id(schema_version: str, code_hash: str, inputs: dict[str, str]) -> str:
    """Hash of schema version, code and input hashes: same inputs and code -> same id."""
    text = json.dumps({"schema": schema_version, "code": code_hash, "inputs": inputs}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def code_hash() -> str:
    """Hash of the ETL's own source files, so that a change of code changes the build id."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def input_hashes(root: Path, files: list[Path]) -> dict[str, str]:
    """sha256 of each input, keyed by its path relative to the raw directory."""
    return {str(p.relative_to(root)): sha256_file(p) for p in sorted(files)}


def read_manifest(out_dir: Path) -> dict:
    return json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
