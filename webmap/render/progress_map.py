"""The progress map's categories: each unit's status toward one target (:mod:`etl.progress`), its colour, words
and tooltip (baseline → latest, the pace observed against the pace needed, the year it reaches the goal).

The categories are classes of one value each (0 = achieved … 4 = regressing), so the national map, its legend,
ranked table and map sheet draw them as they draw classes; ``insufficient`` is the map's "no data", with the
reason in the tooltip.
"""

from __future__ import annotations

import math

from etl.progress import STATUSES
from webmap.read.store import Store
from webmap.render.classify import Classes
from webmap.render.text import gettext as _
from webmap.render.text import number, progress_status_label, unit_label

ASSESSED = STATUSES[:-1]  # every status but "insufficient", in the legend's order
COLOURS = ("#542788", "#998ec3", "#fee0b6", "#f1a340", "#b35806")  # ColorBrewer PuOr: colour-blind safe, not red/green
CATEGORIES = Classes([float(i) for i in range(len(ASSESSED))], [float(i) for i in range(len(ASSESSED))], list(COLOURS))


def progress_columns(store: Store, target_id: str, indicator: str, boundary: str, codes: list[str], lang: str) -> dict[str, list]:
    """Per unit of ``codes``: shown (the category, NaN for none), rank (category + 1), label, detail."""
    rows = store.progress.rows(target_id, indicator, boundary)
    unit = unit_label(store.values.catalogue_rows()[indicator]["unit"])
    shown, labels, details = [], [], []
    for code in codes:
        row = rows.get(code)
        status = row["status"] if row else "insufficient"
        shown.append(float(ASSESSED.index(status)) if status in ASSESSED else math.nan)
        labels.append(progress_status_label(status))
        details.append(_detail(row, unit, lang) if row else _("No value published for this unit and year."))
    return {"shown": shown, "rank": [s + 1 for s in shown], "label": labels, "detail": details}


def _detail(row: dict, unit: str, lang: str) -> str:
    """Baseline → latest, paces and the year the goal is reached, in the page's language; or why there is no status."""
    if row["status"] == "insufficient":
        return _("Not enough data: %(reason)s", reason=row["note"])
    parts = [
        _(
            "%(from_year)s: %(from_value)s → %(to_year)s: %(to_value)s %(unit)s (baseline %(baseline)s)",
            from_year=int(row["first_year"]),
            from_value=number(row["first_value"], lang),
            to_year=int(row["latest_year"]),
            to_value=number(row["latest_value"], lang),
            unit=unit,
            baseline=int(row["baseline_year"]),
        )
    ]
    if _present(row["needed_pace"]):
        parts.append(
            _(
                "pace %(observed)s per year, needed %(needed)s per year",
                observed=_signed(row["observed_pace"], lang),
                needed=_signed(row["needed_pace"], lang),
            )
        )
    if _present(row["reaches_in"]) and row["status"] != "achieved":
        parts.append(_("at this pace it reaches the target in %(year)s", year=int(row["reaches_in"])))
    return "; ".join(parts)


def legend_rows(counts: dict[str, int]) -> list[dict]:
    """[{colour, text}] per category, with the number of units in it."""
    return [
        {"colour": colour, "text": f"{progress_status_label(status)} ({counts.get(status, 0)})"}
        for status, colour in zip(ASSESSED, COLOURS)
    ]


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _signed(value: float, lang: str) -> str:
    return ("+" if value >= 0 else "−") + number(abs(value), lang)
