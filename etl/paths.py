"""Where the project's folders are, whatever the working directory.

Commands default to ``geodata/raw`` (inputs) and ``geodata/build`` (the store) of
the project: the working directory's when it has ``geodata/raw``, else those of
the checkout this package was installed from (an editable install), else the
folder named by ``URBANMAP_HOME``. When none is found, :class:`LocationError`
says in one line where the command looked and how to point it with ``--raw``.
"""

from __future__ import annotations

import os
from pathlib import Path


class LocationError(Exception):
    """A folder the command needs was not found; the message says where it looked and what to do."""


def _homes() -> list[Path]:
    homes = [Path.cwd()]
    if os.environ.get("URBANMAP_HOME"):
        homes.append(Path(os.environ["URBANMAP_HOME"]))
    homes.append(Path(__file__).resolve().parents[1])
    return list(dict.fromkeys(homes))


def project_home() -> Path | None:
    """The first of: working directory, $URBANMAP_HOME, this package's checkout, that has geodata/raw."""
    return next((home for home in _homes() if (home / "geodata" / "raw").is_dir()), None)


def raw_dir(given: Path | None) -> Path:
    """``given`` if it is a directory, else the project's ``geodata/raw``; LocationError otherwise."""
    if given is not None:
        if not given.is_dir():
            raise LocationError(
                f"urbanmap: the raw folder {given} does not exist; point --raw to the folder holding boundaries/, indicators/ ..."
            )
        return given
    home = project_home()
    if home is None:
        looked = ", ".join(str(h / "geodata" / "raw") for h in _homes())
        raise LocationError(f"urbanmap: no geodata/raw found (looked in {looked}); point to it with --raw DIR or set URBANMAP_HOME")
    return home / "geodata" / "raw"


def build_dir(given: Path | None) -> Path:
    """``given``, else the project's ``geodata/build`` (beside its raw folder), else ./geodata/build."""
    if given is not None:
        return given
    home = project_home()
    return (home or Path.cwd()) / "geodata" / "build"
