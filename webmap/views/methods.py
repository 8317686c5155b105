"""``/methods/progress``: how the monitor measures each unit's progress toward a target (:mod:`etl.progress`)."""

from __future__ import annotations

from flask import Blueprint, render_template

from etl.progress import METHOD_VERSION, PROGRESS_MAX_AGE, THRESHOLDS
from webmap.render.text import progress_status_label
from webmap.serving.i18n import locale
from webmap.views.common import cached_page
from webmap.views.params import check_keys

bp = Blueprint("methods", __name__)


@bp.get("/methods/progress")
def progress():
    check_keys(frozenset())
    lang = locale()
    return cached_page(("methods_progress", lang), lambda: _render())


def _render() -> str:
    statuses = ["achieved", *[s for _, s in THRESHOLDS], "regressing", "insufficient"]
    return render_template(
        "methods_progress.html",
        version=METHOD_VERSION,
        max_age=PROGRESS_MAX_AGE,
        thresholds={s: t for t, s in THRESHOLDS},
        labels={s: progress_status_label(s) for s in statuses},
    )
