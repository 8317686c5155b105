"""``/program``: groups -> directions and tasks -> targets; and the programme items of one issue."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, render_template
from markupsafe import Markup

from etl.progress import STATUSES
from etl.task_status import schedule
from webmap.read.memo import records
from webmap.render.text import issue_labels
from webmap.serving.i18n import locale
from webmap.views.common import cached_page, fragment, indicator_label, programme_sources, store, today
from webmap.views.params import check_keys

bp = Blueprint("program", __name__)


def _direction(row: dict) -> dict:
    return {**row, "sources": programme_sources(row["source_ref"]), "issue_list": [i for i in row["issues"].split(";") if i]}


def _target(row: dict) -> dict:
    """A target with its sources and the maps of the indicators it measures (where they have values)."""
    s = store()
    links = s.programme.tables["indicator_links"]
    maps = []
    for indicator in sorted(set(links.loc[(links["item_kind"] == "target") & (links["item_id"] == row["target_key"]), "indicator"])):
        boundary = next((b for b in ("2025", "2008") if indicator in s.values.mapped_indicators(b)), None)
        if boundary:
            maps.append({"indicator": indicator, "boundary": boundary, "label": indicator_label(indicator)})
    return {**row, "sources": programme_sources(row["source_ref"]), "maps": maps}


def _task(row: dict) -> dict:
    """A task with its sources, the source of its implementation status where one was reported, and the status the
    page shows today (:func:`etl.task_status.schedule`: the reported one, else overdue once its duration ended)."""
    shown = schedule(row.get("status", ""), row.get("status_date", ""), row.get("deadline_iso", ""), today())
    return {
        **row,
        "sources": programme_sources(row["source_ref"]),
        "status_sources": programme_sources(row.get("status_source", "")),
        "schedule": shown,
    }


def issue_items(issue: str, indicator: str | None = None) -> dict:
    """Directions that name ``issue``, the tasks of their groups (with implementation status where reported),
    and the national targets of the indicator (or of the issue); made once per build, issue, language and
    indicator with targets of its own (the others show the issue's)."""
    indicator = _with_targets(indicator)
    return store().memo.get(("issue_items", issue, indicator, locale(), today()), lambda: _issue_items(issue, indicator))


def _with_targets(indicator: str | None) -> str | None:
    """``indicator`` when it has national targets of its own, else None (its programme items are its issue's)."""
    return indicator if indicator is not None and not store().programme.targets_for(indicator).empty else None


def _issue_items(issue: str, indicator: str | None) -> dict:
    s = store()
    targets = s.programme.targets_for(indicator) if indicator is not None else s.programme.targets_for_issue(issue)
    directions = [_direction(r) for r in records(s.programme.directions_for(issue))]
    groups = {d["group_id"] for d in directions if d["group_id"]}
    return {
        "directions": directions,
        "targets": [_target(r) for r in records(targets)],
        "tasks": [_task(t) for t in records(s.programme.tasks_for_groups(groups))],
    }


def worst_issue_items(issues: list[str], boundary: str) -> list[Markup]:
    """For each issue, its directions, targets and the tasks of the groups those directions belong to, as the
    province and comparison pages show them (headed by a link to the issue's map of ``boundary``): rendered once
    per build, issue, set and language, as every page that names the issue shows the same."""
    labels = issue_labels()
    return [
        fragment(("issue_programme", issue, boundary, today()), "issue_programme", {"issue": issue, **issue_items(issue)}, labels, boundary)
        for issue in issues
    ]


def indicator_items(issue: str, indicator: str) -> Markup:
    """The national map's "what the action programme says" for ``issue`` and ``indicator`` (rendered once per
    build, issue, language and indicator with targets of its own)."""
    key = _with_targets(indicator)
    return fragment(("programme_section", issue, key, today()), "programme_section", issue_items(issue, key), issue_labels())


@bp.get("/program")
def page():
    check_keys(set())
    lang = locale()
    return cached_page(("program", lang, today()), render)


def render() -> str:
    s = store()
    directions = records(s.programme.tables["program_directions"])
    tasks = records(s.programme.tables["program_tasks"])
    groups = []
    for group in records(s.programme.tables["program_groups"]):
        gid = group["group_id"]
        groups.append(
            {
                **group,
                "sources": programme_sources(group["source_ref"]),
                "directions": [_direction(d) for d in directions if d["group_id"] == gid],
                "tasks": [_task(t) for t in tasks if t["group_id"] == gid],
            }
        )
    for group in groups:
        group["task_counts"] = Counter(t["schedule"].status or "no_status" for t in group["tasks"])
        group["measured"] = _measured(group["directions"])
    conclusions = [_direction(d) for d in directions if not d["group_id"]]
    targets = [_target(t) for t in records(s.programme.tables["program_targets"].sort_values(["year", "document"]))]
    for t in targets:
        t["progress"] = progress_summary(t["target_id"])
    return render_template(
        "program.html", groups=groups, conclusions=conclusions, targets=targets, issues=issue_labels(), task_count=len(tasks)
    )


PROGRESS_SET = "2025"  # the programme's summaries count today's units


def progress_summary(target_id: str) -> list[dict]:
    """Per indicator measuring ``target_id``: its label, the units of today's set per status, and its progress map
    (every target's made in one pass, once per build and language)."""
    return store().memo.get(("progress_summaries", locale()), _progress_summaries).get(target_id, [])


def _progress_summaries() -> dict[str, list[dict]]:
    table = store().progress.table
    rows = table[table["boundary"] == PROGRESS_SET]
    out: dict[str, list[dict]] = {}
    for (target_id, indicator), group in rows.groupby(["target_id", "indicator"], sort=True):
        counts = group["status"].value_counts().to_dict()
        if sum(n for status, n in counts.items() if status != "insufficient"):
            ordered = [(status, int(counts[status])) for status in STATUSES if counts.get(status)]
            first = group.iloc[0]
            approximation = str(first.get(f"approximation_{locale()}") or first.get("approximation_vi") or "")
            summary = {
                "indicator": indicator,
                "label": indicator_label(str(indicator)),
                "counts": ordered,
                "units": len(group),
                "approximation": approximation,
            }
            out.setdefault(str(target_id), []).append(summary)
    return out


def _measured(directions: list[dict]) -> list[dict]:
    """The targets measured by indicators that the catalogue links to ``directions``, each with its
    :func:`progress_summary` (those with a unit assessed)."""
    s = store()
    links = s.programme.tables["indicator_links"]
    ids = {d["direction_id"] for d in directions}
    indicators = set(links.loc[(links["item_kind"] == "direction") & links["item_id"].isin(ids), "indicator"])
    keys = set(links.loc[(links["item_kind"] == "target") & links["indicator"].isin(indicators), "item_id"])
    targets = s.programme.tables["program_targets"]
    out = []
    for target in records(targets[targets["target_key"].isin(keys)].sort_values(["year", "document"], kind="stable")):
        summary = [p for p in progress_summary(target["target_id"]) if p["indicator"] in indicators]
        if summary:
            out.append({"target": target, "progress": summary})
    return out


@bp.get("/program/progress")
def dashboard():
    check_keys(set())
    lang = locale()
    return cached_page(("program_progress", lang, today()), _dashboard)


def _dashboard() -> str:
    """Each quantitative target: its national status where a national series measures it, the 34 units per
    category (linked to the progress map) and the tasks of the groups whose directions its indicators answer
    (the tasks' status is today's; the rest is made once per build and language)."""
    tasks = records(store().programme.tables["program_tasks"])
    rows = [
        {**row, "tasks": [_task(t) for t in tasks if t["group_id"] in row["groups"]]}
        for row in store().memo.get(("dashboard_rows", locale()), _dashboard_rows)
    ]
    return render_template("program_progress.html", rows=rows)


def _dashboard_rows() -> list[dict]:
    s = store()
    targets = s.programme.tables["program_targets"]
    quantitative = targets[targets["target_min"].notna()].sort_values(["year", "document"], kind="stable")
    table = s.progress.table
    links = s.programme.tables["indicator_links"]
    directions = s.programme.tables["program_directions"]
    rows = []
    for target in records(quantitative):
        indicators = set(links.loc[(links["item_kind"] == "target") & (links["item_id"] == target["target_key"]), "indicator"])
        direction_ids = set(links.loc[(links["item_kind"] == "direction") & links["indicator"].isin(indicators), "item_id"])
        groups = set(directions.loc[directions["direction_id"].isin(direction_ids), "group_id"]) - {""}
        national = table[
            (table["target_id"] == target["target_id"]) & (table["boundary"] == "national") & (table["status"] != "insufficient")
        ]
        rows.append(
            {
                "target": target,
                "national": records(national),
                "progress": progress_summary(target["target_id"]),
                "groups": groups,
            }
        )
    return rows
