"""Writing the store: one folder per build, and ``current``, the build in use.

Layout of an output directory ``OUT``::

    OUT/builds/<build_id>/urban.gpkg      the GeoPackage (what QGIS and GDAL open)
    OUT/builds/<build_id>/manifest.json   build id, inputs, counts, the GeoPackage's sha256
    OUT/current -> builds/<build_id>      symbolic link to the build in use

A build is written into a temporary folder ``OUT/builds/.tmp-*``, renamed to
``builds/<build_id>`` and only then published by replacing ``current`` with one
rename: a build killed at any step leaves the previous ``current`` whole, and
readers (``urbanmap serve``, ``OUT/current/urban.gpkg`` in QGIS) see either the
old build or the new one, never a mix. The last ``keep`` builds stay for
restore; temporary folders of killed builds are removed by the next build.
Readers verify the manifest's checksum (:func:`open_build`). GDAL stamps
every GeoPackage table with the write time unless ``OGR_CURRENT_DATE`` is
set; it is set to a constant here, so the same inputs give the same bytes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1.6.0"  # 1.6: progress toward targets; 1.5: the catalogue's role and notes; 1.4: unit_aliases; 1.3: ward-level sets
STORE_NAME = "urban.gpkg"
MANIFEST_NAME = "manifest.json"
BUILDS, CURRENT, LOCK_NAME, TMP_PREFIX = "builds", "current", ".lock", ".tmp-"
DEFAULT_KEEP, MIN_KEEP = 5, 2
FIXED_DATE = "2000-01-01T00:00:00Z"


@dataclass(frozen=True)
class Layer:
    """One layer or table of the GeoPackage, with the description QGIS shows."""

    name: str
    frame: pd.DataFrame
    description: str


class StoreError(RuntimeError):
    """No intact build where one was expected (missing, old layout, checksum mismatch)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def write_store(out_dir: Path, layers: list[Layer], manifest: dict, keep: int = DEFAULT_KEEP, switch: bool = True) -> Path:
    """Write a build into ``out_dir/builds/<build_id>`` and, when ``switch``, make it ``current``; return its folder.

    One build at a time per output directory (a lock file); the previous ``current``
    stays in use until the final rename. Without ``switch`` the build is only kept (a publish
    records it first, then switches: :func:`switch_current`).
    """
    builds = out_dir / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    with _exclusive(out_dir):
        _remove_leftovers(out_dir)
        tmp = Path(tempfile.mkdtemp(dir=builds, prefix=TMP_PREFIX))
        store_tmp = tmp / STORE_NAME
        write_geopackage(store_tmp, layers)
        manifest = {**manifest, "store": {"file": STORE_NAME, "sha256": sha256_file(store_tmp)}}
        (tmp / MANIFEST_NAME).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        _sync(tmp)
        final = builds / manifest["build_id"]
        if _intact(final, manifest["build_id"]):
            shutil.rmtree(tmp)  # the same inputs and code: the same bytes, already there
        else:
            _discard(final)
            os.rename(tmp, final)
        if switch:
            _switch(out_dir, final.name)
        else:
            os.utime(final)
        prune(out_dir, keep)
    log.info("wrote %s%s", final, f"; {out_dir / CURRENT} now points to it" if switch else "")
    return final


def switch_current(out_dir: Path, build_id: str) -> Path:
    """Make the kept build ``build_id`` current again (a restore); StoreError when it is not intact."""
    with _exclusive(out_dir):
        folder = out_dir / BUILDS / build_id
        open_build(folder)
        _switch(out_dir, build_id)
    return folder


def _switch(out_dir: Path, build_id: str) -> None:
    """Point ``current`` at ``builds/<build_id>`` with one rename (a symbolic link replaced atomically)."""
    link = out_dir / f".current-{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(f"{BUILDS}/{build_id}", link)
    os.replace(link, out_dir / CURRENT)
    os.utime(out_dir / BUILDS / build_id)  # most recently used: the last to be pruned
    _sync(out_dir)


def kept_builds(out_dir: Path) -> list[Path]:
    """Build folders of ``out_dir``, most recently made current first."""
    builds = out_dir / BUILDS
    if not builds.is_dir():
        return []
    found = [p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)


def prune(out_dir: Path, keep: int) -> list[Path]:
    """Remove all but the ``keep`` most recent builds (at least :data:`MIN_KEEP`: a running server may
    still be answering from the previous one for a moment); never the current one."""
    current = (out_dir / CURRENT).resolve()
    removed = []
    for folder in kept_builds(out_dir)[max(MIN_KEEP, keep) :]:
        if folder.resolve() != current:
            _discard(folder)
            removed.append(folder)
    for folder in removed:
        log.info("removed old build %s (keeping %d)", folder.name, keep)
    return removed


def _remove_leftovers(out_dir: Path) -> None:
    """Temporary folders and links of killed builds, and the files of the old single-build layout."""
    for path in [*(out_dir / BUILDS).glob(TMP_PREFIX + "*"), *out_dir.glob(".current-*"), *out_dir.glob(".build-*")]:
        log.info("removing %s, left by an interrupted build", path)
        _discard(path)
    for name in (STORE_NAME, MANIFEST_NAME):
        if (out_dir / name).is_file():
            log.info("removing %s of the old layout (the store is now %s/%s)", out_dir / name, CURRENT, name)
            (out_dir / name).unlink()


def _discard(path: Path) -> None:
    """Remove a folder by renaming it out of the way first, so that no half-removed build keeps its name."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        doomed = path.with_name(f"{TMP_PREFIX}{path.name}-old")
        os.rename(path, doomed)
        shutil.rmtree(doomed)


def _intact(folder: Path, build_id: str) -> bool:
    try:
        return open_build(folder).build_id == build_id
    except StoreError:
        return False


def _sync(folder: Path) -> None:
    """Flush the regular files of ``folder`` and the folder itself to disk (a rename is only as durable as its directory)."""
    for path in [*(p for p in folder.iterdir() if p.is_file() and not p.is_symlink()), folder]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _exclusive(out_dir: Path) -> contextlib.AbstractContextManager[None]:
    """Hold ``OUT/.lock`` for the duration: one build or switch at a time per output directory."""
    return locked(out_dir, LOCK_NAME)


@contextlib.contextmanager
def locked(out_dir: Path, name: str) -> Iterator[None]:
    """Hold the lock file ``OUT/<name>`` (flock, exclusive) for the duration, across processes sharing ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / name, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass(frozen=True)
class BuildRef:
    """One verified build folder: its path, manifest and GeoPackage."""

    folder: Path
    manifest: dict

    @property
    def build_id(self) -> str:
        return str(self.manifest["build_id"])

    @property
    def store(self) -> Path:
        return self.folder / STORE_NAME


def resolve_build(data_dir: Path) -> Path:
    """The build folder ``data_dir`` stands for: ``data_dir/current`` resolved, or ``data_dir`` itself
    when it is one kept build (``…/builds/<build_id>``). StoreError when there is none."""
    if (data_dir / CURRENT).is_symlink():
        return (data_dir / CURRENT).resolve()
    if data_dir.parent.name == BUILDS and (data_dir / MANIFEST_NAME).is_file():
        return data_dir.resolve()
    if (data_dir / STORE_NAME).is_file():
        raise StoreError(f"{data_dir} holds a store of the old layout (no {CURRENT}): run `urbanmap build --out {data_dir}`")
    raise StoreError(f"no build in {data_dir}: run `urbanmap build` (or `urbanmap serve`, which builds when data is missing)")


def open_build(data_dir: Path) -> BuildRef:
    """The build ``data_dir`` stands for (see :func:`resolve_build`), verified: manifest readable,
    folder named by its build id, GeoPackage matching the manifest's sha256. StoreError otherwise."""
    folder = resolve_build(data_dir)
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        expected = manifest["store"]["sha256"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{folder / MANIFEST_NAME}: unreadable or incomplete manifest ({exc}): rebuild the data") from exc
    if manifest.get("build_id") != folder.name:
        raise StoreError(f"{folder}: the manifest is of build {manifest.get('build_id')}, not {folder.name}: rebuild the data")
    if not (folder / STORE_NAME).is_file() or sha256_file(folder / STORE_NAME) != expected:
        raise StoreError(f"{folder / STORE_NAME}: missing or does not match the manifest's checksum: rebuild the data")
    return BuildRef(folder, manifest)


def build_id(schema_version: str, code_hash: str, inputs: dict[str, str]) -> str:
    """Hash of schema version, code and input hashes: same inputs and code -> same id."""
    text = json.dumps({"schema": schema_version, "code": code_hash, "inputs": inputs}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def code_hash() -> str:
    """Hash of the ETL's own source files (its subpackages' included), so that a change of code changes the build id."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def input_hashes(files: dict[str, Path]) -> dict[str, str]:
    """sha256 of each input by its name (its path relative to the raw directory), in name order."""
    return {name: sha256_file(files[name]) for name in sorted(files)}


def read_manifest(data_dir: Path) -> dict:
    """The manifest of the build ``data_dir`` stands for (see :func:`resolve_build`)."""
    return json.loads((resolve_build(data_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
