"""Publishing: the raw inputs plus the approved submissions become a new build, made current only after
the caller has recorded it.

The submissions store (the web app's database) is the system of record; the build stays derived and
reproducible from ``geodata/raw`` plus the approved submissions, oldest first (:func:`etl.build.build`
with ``submissions``). A publish is three steps under one lock per output directory
(:func:`publishing`): build without switching (:func:`build_unswitched`), record the publication in the
database, switch ``current`` (:func:`etl.store.switch_current`). A crash before the record leaves the
previous build current and the submission pending; a crash after it is repaired by the next start or
publish, which make ``current`` the last recorded build (:func:`etl.store.switch_current`). No Flask here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

from etl.build import build
from etl.program import Edit
from etl.store import DEFAULT_KEEP, locked

LOCK_NAME = ".publish.lock"


def publishing(out_dir: Path) -> contextlib.AbstractContextManager[None]:
    """Hold ``OUT/.publish.lock``: one publish or restore at a time, across processes sharing the directory
    (a lock apart from the build's own, which the build takes inside it)."""
    return locked(out_dir, LOCK_NAME)


def build_unswitched(
    raw: Path, out_dir: Path, submissions: Sequence[tuple[str, str]], programme_edits: Sequence[Edit] = (), keep: int = DEFAULT_KEEP
) -> dict:
    """Build ``raw`` + ``submissions`` ((name, tidy CSV text), oldest first) + ``programme_edits`` into
    ``out_dir/builds/<id>`` without making it current; return the manifest. Raises InputError (nothing kept)
    when anything is wrong."""
    return build(raw, out_dir, keep=keep, submissions=submissions, switch=False, programme_edits=programme_edits)
