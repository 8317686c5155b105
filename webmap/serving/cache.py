"""One cache per process for rendered pages and serialised downloads, bounded in bytes.

Keys are normalised requests that begin with the build id (see :func:`webmap.views.common.cache_key`),
so a response is never served from another build's entry; entries of a build no longer
served are dropped when the app switches builds (:meth:`ByteCache.keep_only`).
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Protocol, TypeVar, cast

T = TypeVar("T")


class Sized(Protocol):
    """A cached value that knows its size in bytes (e.g. a serialised download)."""

    @property
    def nbytes(self) -> int: ...


def weight(value: object) -> int:
    """Bytes ``value`` holds: ``nbytes`` where it says, else the interpreter's size of a str or bytes."""
    if hasattr(value, "nbytes"):
        return int(cast(Sized, value).nbytes)
    if isinstance(value, (str, bytes)):
        return sys.getsizeof(value)
    raise TypeError(f"cannot weigh a {type(value).__name__}: give it an nbytes property")


class ByteCache:
    """A thread-safe LRU whose values together hold at most ``budget`` bytes.

    ``get_or_make(key, make)`` returns the cached value of ``key`` or makes it; a value
    larger than a quarter of the budget is returned without being kept, so that one
    response cannot empty the cache.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.nbytes = 0
        self._values: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return cast(T, self._values[key][0])
        value = make()
        size = weight(value)
        if size > self.budget // 4:
            return value
        with self._lock:
            if key in self._values:
                self.nbytes -= self._values.pop(key)[1]
            self._values[key] = (value, size)
            self.nbytes += size
            while self.nbytes > self.budget:
                self.nbytes -= self._values.popitem(last=False)[1][1]
        return value

    def keep_only(self, build_id: str) -> None:
        """Drop every entry whose key does not begin with ``build_id``."""
        with self._lock:
            for key in [k for k in self._values if not (isinstance(k, tuple) and k and k[0] == build_id)]:
                self.nbytes -= self._values.pop(key)[1]
