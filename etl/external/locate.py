"""Where the registered files published by others are found, each verified by its checksum.

A file is looked for in these *sources folders*, in this order (each laid out as ``../shared/data`` is: a source's
files in its registered ``folder``):

1. the folder given (``--sources DIR``), else ``$URBANMAP_SOURCES``;
2. ``../shared/data`` beside the checkout (as laid for development and CI);
3. the user cache filled by ``urbanmap data fetch`` (``$URBANMAP_CACHE``, else the platform's cache folder).

The first folder holding the file is where it is taken from, whatever its content: a copy whose size or sha256
differs from the registry's is *damaged*, an error naming the file, its origin and the expected checksum (it is never
passed over for a copy further down the list). A file found nowhere is *missing*: the build goes on without it and
says so, once per source.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from etl.external.registry import RegisteredFile, Registry, Source
from etl.paths import project_home
from etl.problems import WARNING, Problem
from etl.store import sha256_file

SOURCES_ENV = "URBANMAP_SOURCES"
CACHE_ENV = "URBANMAP_CACHE"


@dataclass(frozen=True)
class Place:
    """A sources folder and why it is looked in (``--sources``, ``URBANMAP_SOURCES``, ``beside``, ``cache``)."""

    kind: str
    root: Path

    def __str__(self) -> str:
        return f"{self.root} ({self.kind})"


def cache_dir() -> Path:
    """The user cache of fetched sources: ``$URBANMAP_CACHE``, else the platform's user cache folder for urbanmap."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    import platformdirs  # pooch's own dependency: the folder pooch.os_cache names

    return Path(platformdirs.user_cache_dir("urbanmap"))


def places(given: Path | None = None) -> list[Place]:
    """The sources folders to look in, in order (those that do not exist included: status shows where it looked)."""
    found: list[Place] = []
    if given is not None:
        found.append(Place("--sources", given))
    elif os.environ.get(SOURCES_ENV):
        found.append(Place(SOURCES_ENV, Path(os.environ[SOURCES_ENV])))
    home = project_home()
    if home is not None:
        found.append(Place("beside", home.parent / "shared" / "data"))
    found.append(Place("cache", cache_dir()))
    return found


@dataclass(frozen=True)
class FileState:
    """One registered file: where it was found (None: nowhere) and, for a damaged copy, the checksum it has."""

    file: RegisteredFile
    path: Path | None
    place: Place | None
    damaged: str | None = None  # what is wrong with the copy found ("sha256 …", "size …")

    @property
    def ok(self) -> bool:
        return self.path is not None and self.damaged is None


@dataclass(frozen=True)
class SourceState:
    """One source: the state of each of its files."""

    source: Source
    files: tuple[FileState, ...]

    @property
    def installed(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def missing(self) -> list[RegisteredFile]:
        return [f.file for f in self.files if f.path is None]

    @property
    def damaged(self) -> list[FileState]:
        return [f for f in self.files if f.damaged]

    @property
    def places(self) -> list[Place]:
        """Where its files were found, in order, once each."""
        return list(dict.fromkeys(f.place for f in self.files if f.place is not None))


@dataclass(frozen=True)
class Located:
    """The registered files as found: the verified ones by their path below ``geodata/raw``, and every source's state."""

    registry: Registry
    looked_in: tuple[Place, ...]
    sources: tuple[SourceState, ...] = ()
    files: dict[str, Path] = field(default_factory=dict)  # target (relative to geodata/raw) -> verified copy
    registry_problems: tuple[Problem, ...] = ()  # the registry could not be read (it then counts as empty)

    def source_of(self, target: str) -> Source | None:
        """The source a path below ``geodata/raw`` (posix) is registered in, or None for the project's own files."""
        entry = self.registry.files_by_target().get(target)
        return entry[0] if entry else None

    def uninstalled(self) -> list[SourceState]:
        """Sources with a file found nowhere (damaged copies are errors, not this)."""
        return [s for s in self.sources if s.missing]

    def problems(self) -> list[Problem]:
        """An error per damaged copy; a warning per source with files missing, saying how to get them."""
        out = list(self.registry_problems)
        for state in self.sources:
            for f in state.damaged:
                out.append(
                    Problem(
                        str(f.path),
                        None,
                        None,
                        f"this copy of {f.file.name} (source {state.source.id}, from {state.source.origin}) is damaged: {f.damaged}; "
                        f"the registry expects sha256 {f.file.sha256} and {f.file.size} bytes",
                        "replace it with a verified copy: delete it and run `urbanmap data fetch`, or point --sources to a good copy",
                    )
                )
            if state.missing:
                out.append(Problem(REGISTRY_LABEL, None, None, missing_line(state, self.looked_in), severity=WARNING))
        return out


REGISTRY_LABEL = "geodata/raw/sources.toml"


def missing_line(state: SourceState, looked_in: tuple[Place, ...]) -> str:
    """The one line that says a source is missing, where it was looked for and how to get it."""
    missing = state.missing
    what = f"{len(missing)} of {len(state.files)} files" if len(missing) < len(state.files) else f"{len(missing)} files"
    where = ", ".join(str(p.root) for p in looked_in)
    return (
        f"source {state.source.id} ({state.source.title_en}) is not installed: {what} missing (looked in {where}); "
        f"the build goes on without it. Get it with `urbanmap data fetch {state.source.id}` where there is internet, "
        f"or point --sources DIR (or {SOURCES_ENV}) to a folder laid out as ../shared/data"
    )


def locate(registry: Registry, looked_in: list[Place], registry_problems: tuple[Problem, ...] = ()) -> Located:
    """Find and verify every registered file in ``looked_in`` (first folder holding it wins)."""
    states = []
    files: dict[str, Path] = {}
    for source in registry.sources:
        found = []
        for registered in source.files:
            state = _find(source, registered, looked_in)
            found.append(state)
            if state.ok and state.path is not None:
                files[source.target_of(registered)] = state.path
        states.append(SourceState(source, tuple(found)))
    return Located(registry, tuple(looked_in), tuple(states), files, registry_problems)


def _find(source: Source, registered: RegisteredFile, looked_in: list[Place]) -> FileState:
    for place in looked_in:
        path = place.root / source.place_of(registered)
        if not path.is_file():
            continue
        size = path.stat().st_size
        if size != registered.size:
            return FileState(registered, path, place, f"{size} bytes")
        digest = sha256_file(path)
        if digest != registered.sha256:
            return FileState(registered, path, place, f"sha256 {digest}")
        return FileState(registered, path, place)
    return FileState(registered, None, None)
