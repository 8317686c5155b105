"""``urbanmap data fetch``: the registered sources downloaded from their pinned origin into the user cache.

Each file is fetched with pooch (:func:`pooch.retrieve`): downloaded to a temporary file beside its place, verified
against the registry's sha256, then moved into place, so that an interrupted or corrupted download leaves nothing
behind but what was already verified; a file already in the cache with the right checksum is not downloaded
again, so a second run downloads nothing and an interrupted run resumes with the files it had not finished. One
progress bar per source counts its bytes (on a terminal).

A source with a recipe (:class:`etl.external.registry.Recipe`) is made: its origin files (listed with their
checksums) are fetched as above into ``<cache>/origin/<id>/``, the recipe's script is run on them with GDAL's date
pinned to the registered copy's, and each output is installed only if its checksum is the registry's (a different
GDAL, GEOS or shapely may give other bytes: the error says which versions ran). The origin files are removed once
the outputs are installed.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pooch
import requests
from tqdm import tqdm

from etl.external.locate import cache_dir
from etl.external.registry import Registry, Source
from etl.sources import RawLayout
from etl.store import sha256_file

log = logging.getLogger(__name__)
TIMEOUT = (10, 60)  # seconds: to connect, between two reads
_POOCH_TEMPORARY = "tmp"  # tempfile's prefix, which pooch's temporary files carry


class FetchError(Exception):
    """A file could not be fetched or made; the message names it, its origin and what to do. ``offline``: the
    origin could not be reached at all (no connection), rather than a file being wrong."""

    def __init__(self, message: str, offline: bool = False) -> None:
        super().__init__(message)
        self.offline = offline


@dataclass
class Fetched:
    """What one source's fetch did: files downloaded (and their bytes), files already verified, files made."""

    source: str
    downloaded: int = 0
    bytes: int = 0
    present: int = 0
    made: int = 0


class _Downloader:
    """pooch's downloader interface over one HTTP session (kept alive between files), counting bytes on ``bar``."""

    def __init__(self, session: requests.Session, bar: tqdm, counts: Fetched) -> None:
        self.session, self.bar, self.counts = session, bar, counts

    def __call__(self, url: str, output_file: str, pooch_object: object, check_only: bool = False) -> None:
        with self.session.get(url, stream=True, timeout=TIMEOUT) as response:
            response.raise_for_status()
            with open(output_file, "wb") as out:
                for chunk in response.iter_content(chunk_size=1 << 16):
                    out.write(chunk)
                    self.bar.update(len(chunk))
                    self.counts.bytes += len(chunk)
        self.counts.downloaded += 1


def fetch_missing(raw: Path) -> list[Fetched]:
    """Before a first build (``urbanmap serve``): fetch every source of ``raw`` found nowhere. Without internet, one
    line says so and nothing more is tried: the build then goes on without them, a line per missing source."""
    located = RawLayout(raw).located
    missing = [state.source.id for state in located.uninstalled()]
    if not missing:
        return []
    log.info("fetching the sources not installed (%s) from their pinned origin into %s", ", ".join(missing), cache_dir())
    done = []
    for ident in missing:
        try:
            done += fetch(located.registry, raw, cache_dir(), [ident])
        except FetchError as exc:
            log.warning("could not fetch %s, so the build goes on without what is missing: %s", ident, exc)
            if exc.offline:
                break
    return done


def fetch(
    registry: Registry, raw: Path, cache: Path, ids: list[str] | None = None, session: requests.Session | None = None
) -> list[Fetched]:
    """Fetch the sources ``ids`` (all when None) of ``registry`` into ``cache``; FetchError at the first failure
    (what was verified before it stays)."""
    chosen = [s for s in registry.sources if ids is None or s.id in ids]
    unknown = sorted(set(ids or []) - {s.id for s in registry.sources})
    if unknown:
        raise FetchError(f"no source {', '.join(unknown)} in the registry; the sources are: {', '.join(s.id for s in registry.sources)}")
    session = session or requests.Session()
    return [_fetch_source(source, raw, cache, session) for source in chosen]


def _fetch_source(source: Source, raw: Path, cache: Path, session: requests.Session) -> Fetched:
    counts = Fetched(source.id)
    folder = cache / source.folder
    _remove_leftovers(folder)
    if source.recipe is None:
        wanted = [(source.url_of(f), f.name, f.sha256, f.size) for f in source.files]
        _retrieve_all(wanted, folder, f"{source.id}", session, counts)
        return counts
    if all(_verified(folder / f.name, f.sha256) for f in source.files):
        counts.present = len(source.files)
        return counts
    origin = cache / "origin" / source.id
    _remove_leftovers(origin)
    inputs = [(source.recipe.url_of(o), o.path, o.sha256, o.size) for o in source.recipe.origin_files(raw)]
    _retrieve_all(inputs, origin, f"{source.id} (origin)", session, counts)
    _make(source, raw, origin, folder)
    counts.made = len(source.files)
    shutil.rmtree(origin, ignore_errors=True)
    return counts


def _retrieve_all(wanted: list[tuple[str, str, str, int]], folder: Path, label: str, session: requests.Session, counts: Fetched) -> None:
    """Each (url, name below ``folder``, sha256, size) fetched unless already verified there."""
    pooch.get_logger().setLevel(logging.WARNING)  # pooch says each file at INFO; the summary below says them all
    todo = [w for w in wanted if not _verified(folder / w[1], w[2])]
    counts.present += len(wanted) - len(todo)
    with tqdm(total=sum(w[3] for w in todo), unit="B", unit_scale=True, desc=label, disable=None, leave=False) as bar:
        downloader = _Downloader(session, bar, counts)
        for url, name, sha256, _ in todo:
            path = folder / name
            try:
                pooch.retrieve(url, known_hash=f"sha256:{sha256}", fname=path.name, path=path.parent, downloader=downloader)
            except requests.RequestException as exc:
                raise FetchError(
                    f"cannot download {name} from {url}: {exc.__class__.__name__}: {exc}. Fix: run `urbanmap data fetch` again where "
                    "there is internet (what was verified is kept), or point --sources DIR to a copy",
                    offline=isinstance(exc, (requests.ConnectionError, requests.Timeout)),
                ) from exc
            except ValueError as exc:  # pooch: the checksum of what arrived is not the registry's; nothing was kept
                raise FetchError(
                    f"{name} downloaded from {url} is not the registered file (expected sha256 {sha256}): {exc} "
                    "Fix: the origin changed or the download was damaged; run again, and report it if it persists"
                ) from exc
    log.info("%s: %d downloaded (%d bytes), %d already verified", label, counts.downloaded, counts.bytes, counts.present)


def _make(source: Source, raw: Path, origin: Path, folder: Path) -> None:
    """Run the recipe on ``origin`` into a temporary folder; install its outputs into ``folder`` if all verify."""
    recipe = source.recipe
    assert recipe is not None
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".making-", dir=folder) as work:
        env = {**os.environ, "OGR_CURRENT_DATE": recipe.date}
        log.info("%s: making %s from %s", source.id, ", ".join(f.name for f in source.files), origin)
        run = subprocess.run([sys.executable, str(raw / recipe.script), str(origin), work], env=env, capture_output=True, text=True)
        if run.returncode != 0:
            raise FetchError(f"the recipe {recipe.script} of {source.id} failed (exit {run.returncode}): {run.stderr.strip()[-2000:]}")
        wrong = []
        for f in source.files:
            made = Path(work) / f.name
            got = sha256_file(made) if made.is_file() else "no file"
            if got != f.sha256:
                wrong.append(f"{f.name}: sha256 {got}, the registry expects {f.sha256}")
        if wrong:
            raise FetchError(
                f"{source.id}: what {recipe.script} made from the verified origin files is not the registered copy ({'; '.join(wrong)}); "
                f"it ran with {_versions()}. Nothing was installed. Fix: point --sources DIR to a verified copy"
            )
        for f in source.files:
            os.replace(Path(work) / f.name, folder / f.name)


def _verified(path: Path, sha256: str) -> bool:
    return path.is_file() and sha256_file(path) == sha256


def _remove_leftovers(folder: Path) -> None:
    """pooch's temporary files left by a download that was killed (its own cleanup did not run)."""
    if folder.is_dir():
        for path in folder.rglob(f"{_POOCH_TEMPORARY}*"):
            if path.is_file() and not path.suffix:
                path.unlink()


def _versions() -> str:
    import pyogrio
    import shapely

    return f"GDAL {pyogrio.__gdal_version_string__}, GEOS {shapely.geos_version_string}, shapely {shapely.__version__}"
