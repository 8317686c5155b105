"""The check of a large upload in the background (job kind ``check_upload``, :mod:`webmap.intake.jobs`): the file
read and checked as in a request (:func:`webmap.intake.uploads.check_upload`), then stored as a pending submission,
or refused with its problems. No Flask here.

Parameters (JSON): the form's fields, the raw directory, the units the submitter may submit for (None: any), the
limits, the submitter's address and the spooled file (:func:`webmap.intake.jobs.spool`), which the job deletes. Result: ``{"submission": id}``, or ``{"problems":
[...], "omitted": [...], "suggestion": TOML}`` (problems and lines with their messages' templates, to be told in
the language of the page that shows them).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from etl.importer.tables import Limits
from etl.messages import Message, from_json, told_json
from etl.problems import ERROR, Problem
from webmap.intake import submissions
from webmap.intake.db import Database, Job, User
from webmap.intake.uploads import Upload, check_upload
from webmap.render.problems import teller
from webmap.render.text import DEFAULT

FORM_FIELDS = ("source_title", "source_url", "mapping", "source_document")


def parameters(
    upload: Upload,
    file: Path,
    raw: Path,
    allowed: set[tuple[str, str]] | None,
    limits: Limits,
    address: str,
    resubmits: int | None = None,
    language: str = DEFAULT,
) -> dict:
    """The parameters of a ``check_upload`` job of ``upload`` (its form; its content spooled in ``file``;
    ``resubmits``: the reverted submission it repeats; ``language``: of the page that sent it, for the comments
    of a suggested mapping)."""
    return {
        "file": str(file),
        "file_name": upload.file_name,
        **{k: getattr(upload, k) for k in FORM_FIELDS},
        "raw": str(raw),
        "allowed": sorted(allowed) if allowed is not None else None,
        "limits": [limits.rows, limits.cells],
        "address": address,
        "resubmits": resubmits,
        "language": language,
    }


def form(job: Job) -> dict[str, str]:
    """What was typed in the form that sent the job's file."""
    given = json.loads(job.parameters)
    return {k: given.get(k, "") for k in FORM_FIELDS}


def problems(result: dict) -> list[Problem]:
    """The problems a refused check reported, as :class:`Problem` again."""
    return [Problem.from_json(p) for p in result.get("problems", [])]


def omitted(result: dict) -> list[str]:
    """The lines of a refused check that count the problems it did not list."""
    return [from_json(line) for line in result.get("omitted", [])]  # type: ignore[misc]


def run(database: Database, job: Job, progress: Callable[[str, int, int], None]) -> dict:
    """Check the job's file; store it as a pending submission of the job's user, or return its problems."""
    given = json.loads(job.parameters)
    file = Path(given["file"])
    try:
        content = file.read_bytes()
    finally:
        file.unlink(missing_ok=True)
    upload = Upload(given["file_name"], content, *(given[k] for k in FORM_FIELDS))
    allowed = {tuple(unit) for unit in given["allowed"]} if given["allowed"] is not None else None
    tell = teller(given.get("language", DEFAULT))
    checked = check_upload(upload, Path(given["raw"]), allowed, Limits(*given["limits"]), progress, tell)  # type: ignore[arg-type]
    errors = [p for p in checked.report.problems if p.severity == ERROR]
    if errors or not checked.text:
        return {
            "problems": [p.to_json() for p in errors],
            "omitted": [told_json(line) for line in checked.report.omitted(ERROR)],
            "suggestion": checked.suggestion,
        }
    progress("storing", 0, 0)
    with database.session() as s:
        user = s.get(User, job.user_id)
        if user is None or not user.active:
            return {"problems": [Problem(upload.file_name, None, None, Message("the account is disabled")).to_json()]}
        return {"submission": submissions.store(s, user, upload, checked, given["address"], given.get("resubmits"))}
