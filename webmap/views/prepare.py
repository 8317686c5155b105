"""What a serving process renders once per build before it serves it: the parts many pages share that cost the
first visitor to ask for them 5-40 ms each (the programme items of every mapped indicator and of every issue, the
indicator menus, the ranks of the regions), in each language. Afterwards a map, province or comparison page
never waits for them: its slowest views cost what the others do (``bench/views.py``). A failure here is logged
and serving goes on: the pages then make what they need on first use, as they would without this."""

from __future__ import annotations

import logging
import time

from flask import Flask, g

from webmap.read.geography import BOUNDARIES
from webmap.read.store import Store
from webmap.render.compare import region_ranks
from webmap.render.text import LANGUAGES, issue_labels
from webmap.views.national import indicator_groups
from webmap.views.program import indicator_items, worst_issue_items

log = logging.getLogger(__name__)


def prepare(app: Flask, store: Store) -> None:
    """Render the shared parts of ``store``'s pages, kept in its memo (:class:`webmap.read.memo.Memo`), in a request context of
    their own whose store is ``store`` (a build being loaded is not served yet)."""
    start = time.perf_counter()
    try:
        _render(app, store)
    except Exception:  # a warm-up: never a reason not to serve the build
        log.exception("build %s: rendering the shared page parts failed; pages will make them on first use", store.build_id)
        return
    log.info("build %s: shared page parts rendered in %.2f s", store.build_id, time.perf_counter() - start)


def _render(app: Flask, store: Store) -> None:
    catalogue = store.values.catalogue_rows()
    for boundary in BOUNDARIES:
        region_ranks(store, boundary)
    for lang in LANGUAGES:
        with app.test_request_context(f"/?lang={lang}"):
            g.store = store
            for boundary in BOUNDARIES:
                indicator_groups(boundary)
                worst_issue_items(list(issue_labels()), boundary)
                for indicator in store.values.mapped_indicators(boundary):
                    indicator_items(catalogue[indicator]["issue"], indicator)
