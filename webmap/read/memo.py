"""The per-build memo: what any part of the read model derives from a build, made once and kept with it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from typing import TypeVar, cast

import pandas as pd

T = TypeVar("T")
_MISSING = object()  # a value not made yet


class Memo:
    """Values derived from one build, by key: made on first use, kept as long as the build is (never across builds)."""

    def __init__(self) -> None:
        self._made: dict[tuple, object] = {}
        self._key_locks: dict[tuple, threading.Lock] = {}  # one per key being made (see get)
        self._lock = threading.Lock()  # guards _key_locks

    def get(self, key: tuple[Hashable, ...], make: Callable[[], T]) -> T:
        """``make()``, computed once per build and key (the default indicators, the OGC collections). Made under a
        lock of its own key, so a slow one (an OGC collection of 3,321 wards: seconds) holds up only the requests
        that need that very value; a value made already is returned without a lock, and its lock is let go (the
        classes of every valid map view, 8,650, weigh 4.4 MiB; one lock kept per key would have added 1 MiB)."""
        found = self._made.get(key, _MISSING)
        if found is _MISSING:
            with self._lock:
                lock = self._key_locks.setdefault(key, threading.Lock())
            with lock:
                found = self._made.get(key, _MISSING)
                if found is _MISSING:
                    found = self._made[key] = make()
            with self._lock:
                self._key_locks.pop(key, None)
        return cast(T, found)

    def keys(self) -> Iterator[tuple]:
        """The keys of the values made so far."""
        return iter(list(self._made))


def records(frame: pd.DataFrame) -> list[dict]:
    """The rows of ``frame`` as dicts (as ``to_dict("records")``, without its per-call overhead on small frames)."""
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, row)) for row in zip(*(frame[c].tolist() for c in frame.columns))] if len(frame) else []
