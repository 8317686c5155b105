"""The registry of files published by others that the build reads: ``geodata/raw/sources.toml``.

Such files are not in the repository. The registry says, for each *source* (a set of files published together):
its id, titles (Vietnamese, English), licence, attribution, origin (a public address pinned to a commit), the folder
it lies in within a *sources folder* (``../shared/data`` beside the checkout, ``--sources DIR``, the user cache: one
layout for all three), the folder of ``geodata/raw`` where the build reads it, and for each file its name, sha256 and
size. A file comes from its origin either directly (``base_url`` + the file's ``origin_path``) or, for a source
with a ``[source.recipe]``, made by the project's processing script from origin files listed, each with sha256
and size, in the recipe's ``inputs`` table (columns ``path_in_repository``, ``sha256``, ``bytes``).

:func:`load_registry` reads and checks the file; each problem names the file, the source, the key and the fix.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from etl.problems import Problem

REGISTRY_NAME = "sources.toml"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_REQUIRED = ("id", "title_vi", "title_en", "licence", "attribution", "origin", "folder", "target")


def pinned_url(base_url: str, path: str) -> str:
    """The address of ``path`` (as named at the origin, spaces and commas included) below a pinned ``base_url``."""
    return base_url + quote(path)


@dataclass(frozen=True)
class RegisteredFile:
    """One file of a source: its name, checksum and size, and its path at the origin (None: made by the recipe)."""

    name: str
    sha256: str
    size: int
    origin_path: str | None


@dataclass(frozen=True)
class OriginFile:
    """One file a recipe reads, as listed in its inputs table: path at the origin, sha256, size."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Recipe:
    """How a source's files are made from origin files: ``script SRC OUT`` (a path below ``geodata/raw``) run on
    the origin files laid out under SRC as at the origin; ``date`` is the GDAL date the registered copy was made
    with (``OGR_CURRENT_DATE``), so that the same libraries give the same bytes."""

    script: str
    inputs: str
    base_url: str
    date: str

    def url_of(self, origin_file: OriginFile) -> str:
        return pinned_url(self.base_url, origin_file.path)

    def origin_files(self, raw: Path) -> list[OriginFile]:
        """The inputs table below ``raw``, in its order."""
        with (raw / self.inputs).open(encoding="utf-8", newline="") as f:
            return [OriginFile(r["path_in_repository"], r["sha256"], int(r["bytes"])) for r in csv.DictReader(f)]


@dataclass(frozen=True)
class Source:
    """A set of files published together, with where they come from and where the build reads them."""

    id: str
    title_vi: str
    title_en: str
    licence: str
    attribution: str
    origin: str
    base_url: str
    folder: str
    target: str
    used_by: str
    files: tuple[RegisteredFile, ...]
    recipe: Recipe | None = None

    def target_of(self, file: RegisteredFile) -> str:
        """The file's path relative to ``geodata/raw`` (posix), where the build reads it."""
        return f"{self.target}/{file.name}"

    def place_of(self, file: RegisteredFile) -> str:
        """The file's path relative to a sources folder (posix)."""
        return f"{self.folder}/{file.name}"

    def url_of(self, file: RegisteredFile) -> str:
        """The pinned address the file is downloaded from (a file of a recipe source has none: made, not downloaded)."""
        assert file.origin_path is not None, f"{file.name} is made by the recipe of {self.id}"
        return pinned_url(self.base_url, file.origin_path)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(frozen=True)
class Registry:
    """Every registered source, in file order."""

    sources: tuple[Source, ...] = ()

    def files_by_target(self) -> dict[str, tuple[Source, RegisteredFile]]:
        """(source, file) of each registered file by its path relative to ``geodata/raw``."""
        return {s.target_of(f): (s, f) for s in self.sources for f in s.files}


class RegistryError(Exception):
    """The registry cannot be read or is wrong; ``problems`` say where and how to fix it."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_registry(raw: Path) -> Registry:
    """The registry of the raw folder ``raw`` (an empty one when it has no ``sources.toml``); RegistryError when the
    file is not valid TOML, a key is missing or wrong, a path leaves the folder, or an id or file is repeated."""
    path = raw / REGISTRY_NAME
    if not path.is_file():
        return Registry()
    name = f"{raw.name}/{REGISTRY_NAME}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError([Problem(name, None, None, f"cannot read the registry: {exc}", "write valid TOML (UTF-8)")]) from exc
    problems: list[Problem] = []
    sources = [_source(entry, raw, name, problems) for entry in data.get("source", [])]
    ids = [s.id for s in sources if s]
    for repeated in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(name, None, "id", f'source "{repeated}" is registered twice', "keep one [[source]] per id"))
    targets = [s.target_of(f) for s in sources if s for f in s.files]
    for repeated in sorted({t for t in targets if targets.count(t) > 1}):
        problems.append(Problem(name, None, "target", f"{repeated} is registered twice", "register each file once"))
    if problems:
        raise RegistryError(problems)
    return Registry(tuple(s for s in sources if s))


def _source(entry: dict, raw: Path, name: str, problems: list[Problem]) -> Source | None:
    """One ``[[source]]`` table, or None with its problems added."""
    ident = str(entry.get("id", "?"))
    where = f'source "{ident}"'
    before = len(problems)
    for key in _REQUIRED:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            problems.append(Problem(name, None, key, f"{where} has no {key}", f"give {key} as a text"))
    if isinstance(entry.get("id"), str) and not _ID.match(entry["id"]):
        problems.append(Problem(name, None, "id", f'"{ident}" is not a source id', "use lower-case letters, digits and -"))
    for key in ("folder", "target"):
        if isinstance(entry.get(key), str) and not _relative(entry[key]):
            problems.append(
                Problem(name, None, key, f"{where}: {entry[key]} is not a relative folder", "write a path like a/b, without ..")
            )
    recipe = _recipe(entry.get("recipe"), raw, name, where, problems)
    if recipe is None and not str(entry.get("base_url", "")).startswith(("https://", "http://")):
        problems.append(Problem(name, None, "base_url", f"{where} has no base_url", "give the pinned address its files are under"))
    files = [_file(f, recipe is not None, name, where, problems) for f in entry.get("file", [])]
    if not files:
        problems.append(Problem(name, None, "file", f"{where} lists no file", "add a [[source.file]] per file"))
    if len(problems) > before:
        return None
    return Source(
        entry["id"],
        entry["title_vi"],
        entry["title_en"],
        entry["licence"],
        entry["attribution"],
        entry["origin"],
        str(entry.get("base_url", "")),
        entry["folder"].strip("/"),
        entry["target"].strip("/"),
        str(entry.get("used_by", "")),
        tuple(f for f in files if f),
        recipe,
    )


def _file(entry: dict, made: bool, name: str, where: str, problems: list[Problem]) -> RegisteredFile | None:
    file_name = str(entry.get("name", ""))
    if not file_name or "/" in file_name or file_name.startswith("."):
        problems.append(Problem(name, None, "name", f'{where}: "{file_name}" is not a file name', "give the file's name"))
        return None
    if not _SHA256.match(str(entry.get("sha256", ""))):
        problems.append(Problem(name, None, "sha256", f"{where}, {file_name}: no sha256", "give the 64 lower-case hex digits"))
        return None
    if not isinstance(entry.get("size"), int) or entry["size"] < 0:
        problems.append(Problem(name, None, "size", f"{where}, {file_name}: no size", "give the size in bytes"))
        return None
    origin_path = entry.get("origin_path")
    if not made and not origin_path:
        problems.append(Problem(name, None, "origin_path", f"{where}, {file_name}: no origin_path", "give its path at the origin"))
        return None
    return RegisteredFile(file_name, entry["sha256"], entry["size"], origin_path or None)


def _recipe(entry: object, raw: Path, name: str, where: str, problems: list[Problem]) -> Recipe | None:
    if entry is None:
        return None
    if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("script", "inputs", "base_url", "date")):
        problems.append(Problem(name, None, "recipe", f"{where}: the recipe needs script, inputs, base_url and date", "give all four"))
        return None
    for key in ("script", "inputs"):
        if not _relative(entry[key]) or not (raw / entry[key]).is_file():
            problems.append(
                Problem(name, None, key, f"{where}: the recipe's {key} {entry[key]} is not a file of geodata/raw", "correct the path")
            )
            return None
    return Recipe(entry["script"], entry["inputs"], entry["base_url"], entry["date"])


def _relative(text: str) -> bool:
    path = PurePosixPath(text)
    return bool(text.strip()) and not path.is_absolute() and ".." not in path.parts
