"""The reported implementation status of the programme's tasks: ``program/task_status.csv`` of the raw directory.

Each row is the latest dated evidence of one task's status, as a source states it: the status (one of
:data:`STATUSES`), the date the evidence gives it (a decision's date, a report's), the evidence's address, the
statement quoted as the source prints it (``statement_en`` or ``statement_vi``; the other language is urbanmap's
translation where ``translated_vi`` names it) and the programme sources (``[S#]``) that report it. The file is
optional (a raw directory without it has no reported status); a status set in the browser replaces it
(:func:`etl.program.apply_edit`).

Columns in: :data:`COLUMNS`. Columns set on the tasks table: :data:`STATUS_COLUMNS`; ``translated_vi`` of the
task gains ``status_statement_vi`` where the row lists ``statement_vi``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from etl import links
from etl.csv_rows import read_csv
from etl.messages import Message
from etl.problems import Report
from etl.sources import RawLayout

FILE = "task_status.csv"
COLUMNS = [
    "task_id",
    "status",
    "status_date",
    "status_evidence",
    "statement_en",
    "statement_vi",
    "source_ref",
    "verified",
    "note",
    "translated_vi",
]
STATUSES = ("not_started", "under_way", "done", "overdue")
STATUS_COLUMNS = ["status", "status_date", "status_evidence", "status_source", "status_statement_en", "status_statement_vi"]
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def apply_statuses(layout: RawLayout, tasks: pd.DataFrame, sources: set[str], report: Report) -> None:
    """Set :data:`STATUS_COLUMNS` of ``tasks`` from the status file; a row naming an unknown task, status or
    source, a date not YYYY-MM-DD, an address that is not http(s), or a second row of one task is an error."""
    path = layout.program(FILE)
    if not path.exists():
        return
    name = layout.display(path)
    seen: dict[str, int] = {}
    for row, r in read_csv(path, COLUMNS, report, name):
        if _problems(name, row, r, tasks, sources, seen, report):
            continue
        seen[r["task_id"]] = row
        known = tasks["task_id"] == r["task_id"]
        ref = " ".join(dict.fromkeys(re.findall(r"\bS\d+\b", r["source_ref"])))
        tasks.loc[known, STATUS_COLUMNS] = [r["status"], r["status_date"], r["status_evidence"], ref, r["statement_en"], r["statement_vi"]]
        if "statement_vi" in r["translated_vi"].split(";"):
            tasks.loc[known, "translated_vi"] = (tasks.loc[known, "translated_vi"] + ";status_statement_vi").str.strip(";")


def _problems(name: str, row: int, r: dict[str, str], tasks: pd.DataFrame, sources: set[str], seen: dict[str, int], report: Report) -> bool:
    """Report what is wrong with one status row; whether anything is."""
    found: list[tuple[str, str, str]] = []
    if r["task_id"] not in set(tasks["task_id"]):
        found.append(("task_id", Message("there is no task {task}", task=r["task_id"]), Message("add the task first")))
    elif r["task_id"] in seen:
        found.append(
            (
                "task_id",
                Message("task {task} has a status in row {row} already", task=r["task_id"], row=str(seen[r["task_id"]])),
                Message("keep one row per task: the latest evidence"),
            )
        )
    if r["status"] not in STATUSES:
        found.append(
            (
                "status",
                Message('unknown status "{status}"', status=r["status"]),
                Message("use one of {statuses}", statuses=", ".join(STATUSES)),
            )
        )
    if not _DATE.fullmatch(r["status_date"]):
        found.append(
            (
                "status_date",
                Message('"{date}" is not a date YYYY-MM-DD', date=r["status_date"]),
                Message("give the date the status was reported"),
            )
        )
    if r["status_evidence"] and (problem := links.address_problem(r["status_evidence"])):
        found.append(("status_evidence", problem, links.FIX))
    cited = re.findall(r"\bS\d+\b", r["source_ref"])
    if not cited or any(s not in sources for s in cited):
        found.append(
            ("source_ref", Message('"{ref}" cites no source of sources.csv', ref=r["source_ref"]), Message("cite the sources as [S#]"))
        )
    if not (r["statement_en"] or r["statement_vi"]):
        found.append(
            ("statement_en", Message("the statement of the evidence is empty"), Message("quote the source as it prints the status"))
        )
    for column, message, fix in found:
        report.add(name, row, column, message, fix)
    return bool(found)


@dataclass(frozen=True)
class Schedule:
    """The status a page shows for a task on a given day: the one reported (with its evidence) where there is one --
    ``done_late`` where it was done after the end of its duration --, else ``overdue`` once its duration has
    ended; ``since`` is the date it holds from (ISO), ``basis`` ``reported`` or ``computed`` ("" for no status)."""

    status: str
    since: str
    basis: str
    due: str  # the last day of the task's duration (ISO), "" where it has none


def duration_end(deadline_iso: str) -> dt.date | None:
    """The last day of a task's duration as the appendix gives it ("2022/2023" -> 31/12/2023; a date is itself)."""
    dates = _DATE.findall(deadline_iso or "")
    if dates:
        return dt.date.fromisoformat(dates[-1])
    years = re.findall(r"(?<!\d)(\d{4})(?!\d)", deadline_iso or "")
    return dt.date(int(years[-1]), 12, 31) if years else None


def schedule(status: str, status_date: str, deadline_iso: str, today: dt.date) -> Schedule:
    """What the page shows for a task with reported ``status`` (or "") of ``status_date``, due by ``deadline_iso``."""
    end = duration_end(deadline_iso)
    due = end.isoformat() if end else ""
    if status == "done" and end is not None and _DATE.fullmatch(status_date or "") and dt.date.fromisoformat(status_date) > end:
        return Schedule("done_late", status_date, "reported", due)
    if status:
        return Schedule(status, status_date, "reported", due)
    if end is not None and today > end:
        return Schedule("overdue", (end + dt.timedelta(days=1)).isoformat(), "computed", due)
    return Schedule("", "", "", due)
