"""How much work the current request has done: rows read from the store, items rendered.

Counted, not timed, so that tests can bound the work of any request whatever its
parameters (``tests/webmap/test_bounds.py``) and logs can show it. Outside a
request (the CLI, benchmarks) nothing is counted.
"""

from __future__ import annotations

from contextvars import ContextVar

_counter: ContextVar[list[int] | None] = ContextVar("urbanmap_work", default=None)


def start() -> list[int]:
    """Begin counting for the request running in this context; the returned box holds the count."""
    box = [0]
    _counter.set(box)
    return box


def charge(items: int) -> None:
    """Add ``items`` (rows read, features or cells rendered) to the current request's count."""
    box = _counter.get()
    if box is not None:
        box[0] += int(items)
