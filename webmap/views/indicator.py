"""``/indicator/<id>``: what one indicator is — definition, unit, rule across the 2025 merger, years and units
covered per boundary set, sources, the targets it measures with each one's progress, and its national trend."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, render_template

from etl.store import MANIFEST_NAME, kept_builds
from webmap.render.text import aggregation_label, boundary_labels, issue_labels, localized, unit_label
from webmap.render.text import gettext as _
from webmap.render.trend_charts import Point, trend_svg
from webmap.serving.errors import not_found
from webmap.serving.i18n import locale
from webmap.views.common import VIETNAM, cached_page, cited_sources, store
from webmap.views.params import check_keys
from webmap.views.program import progress_summary

bp = Blueprint("indicator", __name__)


@bp.get("/indicator/<indicator>")
def page(indicator: str):
    check_keys(frozenset())
    catalogue = store().values.catalogue_rows()
    if indicator not in catalogue:
        raise not_found(_("Unknown indicator “%(value)s”.", value=indicator), sorted(catalogue))
    lang = locale()
    return cached_page(("indicator", indicator, lang), lambda: _render(indicator, lang))


@dataclass(frozen=True)
class Coverage:
    """The years of an indicator in one boundary set, each with the number of its units that have a value."""

    boundary: str
    total: int
    years: list[tuple[int, int]]


def _render(indicator: str, lang: str) -> str:
    s = store()
    row = s.values.catalogue_rows()[indicator]
    coverage: list[Coverage] = []
    for boundary in [*boundary_labels(), *s.geography.ward_sets]:
        years = s.values.years(indicator, boundary)
        if years:
            total = len(s.geography.units[boundary])
            counts = [(y, sum(1 for r in s.values.snapshot_rows(indicator, boundary, y).values() if r.value == r.value)) for y in years]
            coverage.append(Coverage(boundary, total, counts))
    rows = s.values.national(indicator)
    yearly = [r for r in rows if not r["period"] and r["value"] == r["value"]]
    unit = unit_label(row["unit"])
    chart, summed = None, False
    points = [Point(int(r["year"]), float(r["value"]), bool(r.get("preliminary"))) for r in yearly]
    if len(points) < 2 and row["aggregation"] == "sum":  # no national series: the 63 provinces' sum, where all reported
        points, summed = _sum_of_provinces(indicator), True
    if len(points) >= 2:
        chart = trend_svg(points, unit, f"{localized(row, 'label')} — {_('Whole country')}", lang)
    ids = [r["source_id"] for r in rows] + [
        r.source_id for b in coverage for y, _n in b.years[-1:] for r in s.values.snapshot_rows(indicator, b.boundary, y).values()
    ]
    targets = s.programme.target_rows(indicator)
    return render_template(
        "indicator.html",
        indicator=indicator,
        row=row,
        issue=issue_labels().get(row["issue"], row["issue"]),
        unit=unit,
        rule=aggregation_label(row["aggregation"]),
        coverage=coverage,
        boundaries={**boundary_labels(), **{b: b for b in s.geography.ward_sets}},
        national=yearly,
        chart=chart,
        summed=summed,
        cited=cited_sources(ids),
        targets=[{**t, "progress": progress_summary(t["target_id"])} for t in targets],
        build_id=s.build_id,
        unchanged_since=unchanged_since(indicator),
    )


def unchanged_since(indicator: str) -> dict | None:
    """The oldest kept build from which, up to the one served, the indicator's values are the same (its digest in
    each manifest, :func:`etl.summaries.indicator_digests`): {build_id, date}; None where the served build has no
    digest. Once per build (the kept builds change only with a new build)."""
    return store().memo.get(("unchanged_since", indicator), lambda: _unchanged_since(indicator))


def _unchanged_since(indicator: str) -> dict | None:
    s = store()
    digest = s.manifest.get("indicator_digests", {}).get(indicator)
    if digest is None:
        return None
    folders = kept_builds(s.folder.parent.parent)  # most recently made current first
    names = [f.name for f in folders]
    found = {"build_id": s.build_id, "date": _date(s.folder)}
    for folder in folders[names.index(s.build_id) + 1 :] if s.build_id in names else []:
        try:
            other = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8")).get("indicator_digests", {})
        except (OSError, ValueError):
            break
        if other.get(indicator) != digest:
            break
        found = {"build_id": folder.name, "date": _date(folder)}
    return found


def _date(folder: Path) -> str:
    """The day a build folder was made current (its modification time), ISO."""
    return dt.datetime.fromtimestamp(folder.stat().st_mtime, VIETNAM).date().isoformat()


def _sum_of_provinces(indicator: str) -> list[Point]:
    """The sum over the 63 provinces of each year in which every one of them has a value (never a partial sum)."""
    s = store()
    total = len(s.geography.units["2008"])
    points = []
    for year in s.values.years(indicator, "2008"):
        rows = [r for r in s.values.snapshot_rows(indicator, "2008", year).values() if r.value == r.value]
        if len(rows) == total:
            points.append(Point(year, sum(r.value for r in rows), any(r.preliminary for r in rows)))
    return points
