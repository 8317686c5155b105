"""The action programme (Resolution 148/NQ-CP of 11/11/2022; Kết luận 224-KL/TW) as tables.

Source: ``program/`` of the raw directory (see its README): nq148_groups.csv,
directions.csv, nq148_tasks.csv, nq148_appendix_sections.csv, targets.csv,
sources.csv, and the reported status of tasks (task_status.csv, :mod:`etl.task_status`). A fuller task list in the same schema loads without code change.

Tables out (:func:`read_program`): program_groups, program_directions,
program_tasks, program_sections, program_targets (with target_id, target_key,
target_min, target_max, qualifier parsed from the printed target),
program_sources, and the links indicator -> direction / target taken from the
catalogue (``indicator_links``) and issue -> direction from directions.csv
(``issue_directions``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from etl import links
from etl.catalogue import ISSUES, Catalogue
from etl.csv_rows import read_csv
from etl.links import address_problem, source_label
from etl.messages import Message
from etl.names import fold
from etl.problems import Report
from etl.sources import RawLayout
from etl.task_status import STATUS_COLUMNS, STATUSES, apply_statuses

OTHER_ISSUES = ("emissions",)
_SOURCE_REF = re.compile(r"\bS\d+\b")
QUALIFIERS = (("at least", "at_least"), ("over", "over"), ("about", "about"))

FILES = {
    "program_groups": ("nq148_groups.csv", ["group_id", "name_vi", "name_en", "source_ref", "verified"]),
    "program_directions": (
        "directions.csv",
        ["direction_id", "group_id", "program", "text_vi", "text_en", "issues", "source_ref", "verified"],
    ),
    "program_tasks": (
        "nq148_tasks.csv",
        [
            "task_id",
            "group_id",
            "appendix_section",
            "title_vi",
            "title_en",
            "lead_agency_vi",
            "lead_agency_en",
            "coordinating_vi",
            "coordinating_en",
            "output_vi",
            "submit_to_vi",
            "submit_to_en",
            "deadline",
            "deadline_iso",
            "source_ref",
            "verified",
            "verification_note",
            "translated_vi",
        ],
    ),
    "program_sections": (
        "nq148_appendix_sections.csv",
        ["section_key", "section_no", "heading_vi", "heading_en", "pm_group_id", "source_ref", "verified", "note", "translated_vi"],
    ),
    "program_targets": (
        "targets.csv",
        [
            "target_id",
            "indicator_en",
            "indicator_vi",
            "target",
            "target_vi",
            "unit",
            "unit_vi",
            "year",
            "baseline_year",
            "source_ref",
            "document",
            "verified",
            "note",
            "translated_vi",
        ],
    ),
    "program_sources": ("sources.csv", ["source_id", "site", "title", "url", "kind", "used_for"]),
    # where an indicator linked to a target (catalogue column targets) only approximates what the target counts
    "program_target_links": ("target_links.csv", ["target_key", "indicator", "approximation_vi", "approximation_en"]),
}


def slug(text: str) -> str:
    """ASCII slug: 'Green space (trees) per person' -> 'green-space-trees-per-person'."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def parse_target(text: str) -> tuple[float | None, float | None, str]:
    """(min, max, qualifier) of a printed target: 'about 6-8' -> (6, 8, 'about'); 'at least 28' -> (28, None, 'at_least')."""
    lowered = text.strip().lower()
    qualifier = next((q for prefix, q in QUALIFIERS if lowered.startswith(prefix)), "")
    numbers = _target_numbers(lowered.split("(")[0], ".")
    if not numbers:
        return None, None, "qualitative"
    if len(numbers) >= 2:
        return numbers[0], numbers[1], qualifier or "range"
    if qualifier in ("at_least", "over"):
        return numbers[0], None, qualifier
    return numbers[0], numbers[0], qualifier or "exact"


def _target_numbers(text: str, decimal: str) -> list[float]:
    """The numbers of a printed target, in order; ``decimal`` is its decimal mark ("1.000,5" with ","; "1,000.5"
    with ".")."""
    thousands = "," if decimal == "." else "."
    found = re.findall(rf"\d[\d{re.escape(thousands)}]*(?:{re.escape(decimal)}\d+)?", text)
    return [float(n.replace(thousands, "").replace(decimal, ".")) for n in found]


@dataclass(frozen=True)
class Program:
    """Programme tables by name (see module docstring)."""

    tables: dict[str, pd.DataFrame]


TASK_FIELDS = tuple(  # what an edit in the browser may set on a task
    c
    for c in FILES["program_tasks"][1]
    if c not in ("task_id", "appendix_section", "output_vi", "source_ref", "verified", "verification_note", "translated_vi")
)
TARGET_FIELDS = ("indicator_en", "indicator_vi", "target", "target_vi", "unit", "unit_vi", "year", "baseline_year", "document", "note")


@dataclass(frozen=True)
class Edit:
    """A programme edit made in the browser (kept in the submissions store): a task added or changed (``kind``
    "task"), a task's implementation status ("status") or a national target added or changed ("target"),
    with its source and who made it."""

    ident: int
    kind: str
    fields: dict[str, str]
    source_title: str
    source_url: str
    by: str
    at: str
    source_document: str = ""

    @property
    def source_id(self) -> str:
        return f"E{self.ident}"

    @property
    def input_name(self) -> str:
        """Its name in reports and among a build's inputs (the manifest), whence a restore knows which edits a
        build holds."""
        return f"{EDIT_INPUT}{self.ident}"


EDIT_INPUT = "programme edit "


def read_program(layout: RawLayout, catalogue: Catalogue, report: Report, edits: Sequence[Edit] = ()) -> Program:
    """Read and cross-check the programme files and the catalogue's links to them; apply ``edits`` in order."""
    raw: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for table, (file, columns) in FILES.items():
        raw[table] = read_csv(layout.program(file), columns, report, layout.display(layout.program(file)))
    tables = {name: pd.DataFrame([r for _, r in rows], columns=FILES[name][1]) for name, rows in raw.items()}
    for column in STATUS_COLUMNS:
        tables["program_tasks"][column] = ""
    apply_statuses(layout, tables["program_tasks"], set(tables["program_sources"]["source_id"]), report)
    for edit in edits:
        apply_edit(tables, edit, report)
    _check_references(layout, raw, report)
    tables["program_targets"] = _targets(tables["program_targets"], layout, raw["program_targets"], report)
    tables["indicator_links"] = _indicator_links(catalogue, tables, layout, report)
    tables["issue_directions"] = _issue_directions(tables["program_directions"])
    return Program(tables)


def apply_edit(tables: dict[str, pd.DataFrame], edit: Edit, report: Report) -> None:
    """Add or change a task, or set its status, from ``edit``; its source becomes programme source E<n>.
    Problems (an unknown task or group, a bad status, date or evidence link) go to ``report`` naming the edit."""
    name = edit.input_name
    if edit.kind == "target":
        if _apply_target(tables["program_targets"], edit, name, report):
            _add_source(tables, edit, name)
        return
    tasks = tables["program_tasks"]
    task_id = edit.fields.get("task_id", "").strip()
    if not task_id:
        report.add(name, None, "task_id", Message("the edit names no task"), Message("give the task's number"))
        return
    known = tasks["task_id"] == task_id
    if edit.kind == "task":
        group = edit.fields.get("group_id", "")
        if group not in set(tables["program_groups"]["group_id"]):
            report.add(name, None, "group_id", Message('unknown group "{group}"', group=group), Message("choose one of the 5 task groups"))
            return
        if not known.any():
            tasks.loc[len(tasks)] = {c: "" for c in tasks.columns} | {"task_id": task_id}
            known = tasks["task_id"] == task_id
        for field in TASK_FIELDS:
            if edit.fields.get(field, "").strip():
                tasks.loc[known, field] = edit.fields[field].strip()
        tasks.loc[known, "source_ref"] = (tasks.loc[known, "source_ref"] + f" [{edit.source_id}]").str.strip()
        tasks.loc[known, "verified"] = "no"
        tasks.loc[known, "verification_note"] = f"edited in the browser by {edit.by} on {edit.at} ({edit.source_id})"
    elif edit.kind == "status":
        status, date, evidence = (edit.fields.get(k, "").strip() for k in ("status", "status_date", "status_evidence"))
        if not known.any():
            report.add(name, None, "task_id", Message("there is no task {task}", task=task_id), Message("add the task first"))
            return
        if status not in STATUSES:
            report.add(
                name,
                None,
                "status",
                Message('unknown status "{status}"', status=status),
                Message("use one of {statuses}", statuses=", ".join(STATUSES)),
            )
            return
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", date):
            report.add(
                name,
                None,
                "status_date",
                Message('"{date}" is not a date YYYY-MM-DD', date=date),
                Message("give the date the status was reported"),
            )
            return
        if evidence and (problem := address_problem(evidence)):
            report.add(name, None, "status_evidence", problem, links.FIX)
            return
        tasks.loc[known, STATUS_COLUMNS] = [status, date, evidence, edit.source_id, "", ""]  # no statement: the evidence speaks
    else:
        report.add(
            name, None, None, Message('unknown kind of edit "{kind}"', kind=edit.kind), Message("edit a task, its status or a target")
        )
        return
    _add_source(tables, edit, name)


def _apply_target(targets: pd.DataFrame, edit: Edit, name: str, report: Report) -> bool:
    """Add the target of ``edit``, or change the one of the same document, year and indicator; False on a problem."""
    fields = {k: edit.fields.get(k, "").strip() for k in TARGET_FIELDS}
    for required in ("indicator_en", "indicator_vi", "target", "document"):
        if not fields[required]:
            report.add(name, None, required, Message("{field} is empty", field=required), Message("fill it in as the document prints it"))
            return False
    if not re.fullmatch(r"(19|20)[0-9]{2}", fields["year"]):
        report.add(
            name,
            None,
            "year",
            Message('"{text}" is not a year', text=fields["year"]),
            Message("give the year the target is for, e.g. 2030"),
        )
        return False
    same = (targets["document"] == fields["document"]) & (targets["year"] == fields["year"])
    same &= targets["indicator_en"].map(slug) == slug(fields["indicator_en"])
    if not same.any():
        targets.loc[len(targets)] = {c: "" for c in targets.columns}
        same = pd.Series(False, index=targets.index)
        same.iloc[-1] = True
    for field, text in fields.items():
        if text:  # an empty field keeps what the target had
            targets.loc[same, field] = text
    targets.loc[same, "source_ref"] = f"[{edit.source_id}]"
    targets.loc[same, "verified"] = "no"
    return True


def _add_source(tables: dict[str, pd.DataFrame], edit: Edit, name: str) -> None:
    sources = tables["program_sources"]
    sources.loc[len(sources)] = {
        "source_id": edit.source_id,
        "site": "",
        "title": source_label(edit.source_title, edit.source_document),
        "url": edit.source_url,
        "kind": "programme edit",
        "used_for": f"{name} by {edit.by} on {edit.at}",
    }


def _check_references(layout: RawLayout, raw: dict[str, list[tuple[int, dict[str, str]]]], report: Report) -> None:
    sources = {r["source_id"] for _, r in raw["program_sources"]}
    groups = {r["group_id"] for _, r in raw["program_groups"]}
    known_issues = set(ISSUES) | set(OTHER_ISSUES)
    for table, rows in raw.items():
        name = layout.display(layout.program(FILES[table][0]))
        for row, r in rows:
            for ref in _SOURCE_REF.findall(r.get("source_ref", "")):
                if ref not in sources:
                    report.add(
                        name,
                        row,
                        "source_ref",
                        f"source {ref} is not in sources.csv",
                        f"add {ref} to program/sources.csv or correct the reference",
                    )
            if table == "program_sources" and (problem := address_problem(r["url"])):
                report.add(name, row, "url", problem, links.FIX)
            if "verified" in r and r["verified"] not in ("yes", "no"):
                report.add(name, row, "verified", f'verified is "{r["verified"]}"', "write yes or no")
            group = r.get("group_id", r.get("pm_group_id", ""))
            if table != "program_groups" and group and group not in groups:
                report.add(name, row, "group_id", f"group {group} is not in nq148_groups.csv", "use a group id of nq148_groups.csv")
            for issue in filter(None, r.get("issues", "").split(";")):
                if issue not in known_issues:
                    report.add(name, row, "issues", f'unknown issue "{issue}"', f"use one of {', '.join(sorted(known_issues))}")


def _targets(targets: pd.DataFrame, layout: RawLayout, rows: list[tuple[int, dict[str, str]]], report: Report) -> pd.DataFrame:
    name = layout.display(layout.program("targets.csv"))
    out = targets.copy()
    out.insert(1, "target_key", [slug(t) for t in out["indicator_en"]])
    computed = [f"{slug(d)}-{y}-{k}" for d, y, k in zip(out["document"], out["year"], out["target_key"])]
    out["target_id"] = [given or made for given, made in zip(out["target_id"].fillna(""), computed)]  # the editor's new rows
    for (row, _), given in zip(rows, out["target_id"]):
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", given):
            report.add(name, row, "target_id", f'"{given}" is not a target id', "write lower-case letters, digits and dashes")
    parsed = [parse_target(t) for t in out["target"]]
    for (row, _), year, baseline in zip(rows, out["year"], out["baseline_year"]):
        if not re.fullmatch(r"(19|20)[0-9]{2}", baseline) or baseline > year:
            report.add(
                name,
                row,
                "baseline_year",
                f'"{baseline}" is not the year the target was set (a year no later than {year})',
                "give the year of the document that set the target, e.g. 2022",
            )
    for (row, _), text, text_vi in zip(rows, out["target"], out["target_vi"]):
        english, vietnamese = _target_numbers(text, "."), _target_numbers(text_vi, ",")
        if text_vi and vietnamese != english:
            report.add(
                name,
                row,
                "target_vi",
                f'the numbers of "{text_vi}" ({vietnamese}) are not those of "{text}" ({english})',
                "write the same numbers, Vietnamese style (1.000 and 1,5)",
            )
    out["target_min"] = [p[0] for p in parsed]
    out["target_max"] = [p[1] for p in parsed]
    out["qualifier"] = [p[2] for p in parsed]
    for (row, _), target_id, dup in zip(rows, out["target_id"], out["target_id"].duplicated()):
        if dup:
            report.add(name, row, "indicator_en", f"target {target_id} is listed twice for the same document and year", "keep one row")
    return out


def _indicator_links(catalogue: Catalogue, tables: dict[str, pd.DataFrame], layout: RawLayout, report: Report) -> pd.DataFrame:
    directions = set(tables["program_directions"]["direction_id"])
    target_keys = set(tables["program_targets"]["target_key"])
    name = layout.display(layout.catalogue)
    links = []
    for row, indicator in enumerate(catalogue.indicators.values(), start=2):
        for direction in indicator.directions:
            if direction not in directions:
                report.add(name, row, "directions", f'direction "{direction}" is not in program/directions.csv', "correct the direction id")
            links.append((indicator.id, "direction", direction))
        for key in indicator.targets:
            if key not in target_keys:
                report.add(
                    name,
                    row,
                    "targets",
                    f'target key "{key}" matches no row of program/targets.csv',
                    "use slug(indicator_en) of a target row",
                )
            links.append((indicator.id, "target", key))
    linked = {(key, indicator) for indicator, kind, key in links if kind == "target"}
    name = layout.display(layout.program("target_links.csv"))
    for row, (key, indicator) in enumerate(
        zip(tables["program_target_links"]["target_key"], tables["program_target_links"]["indicator"]), 2
    ):
        if (key, indicator) not in linked:
            report.add(
                name,
                row,
                "indicator",
                f"{indicator} is not linked to target {key} in the catalogue",
                "name the target in its targets column",
            )
    return pd.DataFrame(links, columns=["indicator", "item_kind", "item_id"])


def _issue_directions(directions: pd.DataFrame) -> pd.DataFrame:
    pairs = [(issue, d) for d, issues in zip(directions["direction_id"], directions["issues"]) for issue in filter(None, issues.split(";"))]
    return pd.DataFrame(sorted(pairs), columns=["issue", "direction_id"])
