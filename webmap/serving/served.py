"""The build being served, switched whole when ``DATA_DIR/current`` points to another build.

Every request takes the served :class:`~webmap.read.store.Store` once, at its start
(:func:`webmap.views.common.store`), and answers from it alone: pages, downloads,
OGC documents and ``/healthz`` of one request come from one build. At most every
``interval`` seconds a request looks at where ``current`` points; when it has
changed, the new build is loaded (and verified) in a background thread while the
old one goes on answering, then swapped in with one assignment. A build that fails
to load is logged once and the old one stays in use.

In a serving process (``freeze``), each build, once loaded, is frozen out of the cyclic garbage collector's
scans (:func:`gc.freeze`): the store holds a few hundred thousand objects, and a full collection that walks
them all paused a request for about 100 ms every few hundred requests. On a switch, the old build is unfrozen
and collected first (once, in the loader thread), so it does not stay in memory.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from webmap.read.store import Store, StoreError, resolve_build

log = logging.getLogger(__name__)


class ServedBuild:
    """The store of the build in use, and the loader of the next one."""

    def __init__(
        self, data_dir: Path, interval: float = 1.0, on_switch: Callable[[Store], None] | None = None, freeze: bool = False
    ) -> None:
        self.data_dir = data_dir
        # called with each build loaded after the first, before it is served (the app prepares the first itself)
        self.prepare: Callable[[Store], None] | None = None
        self.interval = interval
        self._on_switch = on_switch
        self._freeze = freeze
        self._store = Store(data_dir)
        self._settle()
        self._checked = time.monotonic()
        self._failed: Path | None = None
        self._last_warning = ""
        self._loader: threading.Thread | None = None
        self._lock = threading.Lock()

    def current(self) -> Store:
        """The store to answer from; starts loading a new build when ``current`` has moved."""
        now = time.monotonic()
        if now - self._checked >= self.interval:
            self._checked = now
            target = self._moved()
            if target is not None:
                self._load_in_background(target)
        return self._store

    def refresh(self) -> Store:
        """Load the build ``current`` points to now, in this thread (after a publish by this process; tests)."""
        target = self._moved()
        if target is not None:
            self._load(target)
        return self._store

    def _moved(self) -> Path | None:
        """The build folder ``current`` points to, when it is not the one served (nor one that failed to load)."""
        try:
            target = resolve_build(self.data_dir)
        except StoreError as exc:
            if str(exc) != self._last_warning:  # once per problem, not once a second
                log.warning("%s; still serving build %s", exc, self._store.build_id)
                self._last_warning = str(exc)
            return None
        self._last_warning = ""
        return None if target in (self._store.folder, self._failed) else target

    def _load_in_background(self, target: Path) -> None:
        with self._lock:
            if self._loader is not None and self._loader.is_alive():
                return
            self._loader = threading.Thread(target=self._load, args=(target,), name="urbanmap-build-loader", daemon=True)
            self._loader.start()

    def _load(self, target: Path) -> None:
        try:
            store = Store(target)
        except (StoreError, OSError) as exc:
            self._failed = target
            log.error("cannot serve %s (%s); still serving build %s", target, exc, self._store.build_id)
            return
        if self.prepare is not None:
            self.prepare(store)
        previous, self._store = self._store, store
        log.info("switched from build %s to build %s", previous.build_id, store.build_id)
        if self._on_switch is not None:
            self._on_switch(store)
        del previous
        self._settle()

    def _settle(self) -> None:
        """In a serving process: collect what the last switch left (the old build), then freeze what is left."""
        if self._freeze:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
