"""Submissions: the preview of a checked upload (:mod:`webmap.intake.uploads`) against the published build;
decisions, publishing, history and restore. No Flask here.

Publishing builds ``raw`` + every approved submission (oldest first,
each superseding older values of the same key) and makes it current only after the database has
recorded it (:mod:`etl.publish`).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from etl.indicators import KEY, TIDY_COLUMNS
from etl.problems import InputError, Problem
from etl.program import Edit
from etl.publish import build_unswitched
from etl.store import StoreError, resolve_build, switch_current
from webmap.intake import audit
from webmap.intake.db import ProgrammeEdit, Publication, Submission, User, utcnow
from webmap.read.store import Store

STATUSES = ("pending", "approved", "rejected", "withdrawn")


# --- the preview ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    boundary: str
    code: str
    indicator: str
    year: int
    period: str
    old: float | None
    new: float
    status: str  # new, changed, unchanged


def count_changes(found: list[Change]) -> dict[str, int]:
    return {k: sum(c.status == k for c in found) for k in ("new", "changed", "unchanged")}


def changes(store: Store, values: pd.DataFrame) -> list[Change]:
    """Each submitted preferred value against the published preferred value of the same key."""
    published = store.values.frame[store.values.frame["preferred"]].set_index(KEY)["value"]
    published = published[~published.index.duplicated()]
    out = []
    for r in values[values["preferred"]].itertuples(index=False):
        key = (r.boundary, r.code, r.indicator, int(r.year), r.period)
        old = published.get(key)
        old_value = None if old is None or pd.isna(old) else float(old)
        status = (
            "new" if old_value is None else "unchanged" if abs(old_value - float(r.value)) <= 1e-9 * max(1.0, abs(old_value)) else "changed"
        )
        out.append(Change(r.boundary, r.code, r.indicator, int(r.year), r.period, old_value, float(r.value), status))
    return sorted(out, key=lambda c: (c.indicator, c.boundary, c.year, c.code))


def coverage(store: Store, found: list[Change]) -> list[dict]:
    """Per indicator, boundary set and year submitted: units with a value before and after."""
    rows = []
    for (indicator, boundary, year), group in pd.DataFrame([c.__dict__ for c in found]).groupby(["indicator", "boundary", "year"]):
        before = (
            int(store.values.snapshot(indicator, boundary, int(year))["value"].notna().sum()) if boundary in store.geography.units else 0
        )
        added = int((group["status"] == "new").sum())
        total = len(store.geography.units[boundary]) if boundary in store.geography.units else None
        rows.append(
            {"indicator": indicator, "boundary": boundary, "year": int(year), "before": before, "after": before + added, "total": total}
        )
    return rows


# --- decisions and publishing ---------------------------------------------------------------------


class PublishError(Exception):
    """The new build could not be made: the report says why; nothing was recorded or switched."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:3]))
        self.problems = problems


def approved_inputs(session: Session, extra: Submission | None = None) -> list[tuple[str, str]]:
    """(name, tidy CSV text) of every approved submission, oldest approval first, then ``extra``; each row's note
    says who submitted and approved it, and when."""
    approved = list(
        session.scalars(select(Submission).where(Submission.status == "approved").order_by(Submission.decided_at, Submission.id))
    )
    out = []
    for s in approved + ([extra] if extra is not None else []):
        submitter = session.get(User, s.user_id)
        note = f"submission {s.id} by {submitter.name if submitter else '?'} on {s.created_at:%Y-%m-%d}"
        out.append((f"submission {s.id}", _annotated(s.rows, note)))
    return out


def _annotated(text: str, note: str) -> str:
    rows = list(csv.DictReader(io.StringIO(text)))
    for r in rows:
        r["note"] = f"{r.get('note', '')} ({note})".strip()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else TIDY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def programme_edits(session: Session, extra: ProgrammeEdit | None = None) -> list[Edit]:
    """Every programme edit made so far, oldest first, then ``extra``, as the build reads them."""
    edits = list(session.scalars(select(ProgrammeEdit).where(ProgrammeEdit.build_id != "").order_by(ProgrammeEdit.id)))
    out = []
    for e in edits + ([extra] if extra is not None else []):
        user = session.get(User, e.user_id)
        out.append(
            Edit(
                e.id,
                e.kind,
                json.loads(e.fields),
                e.source_title,
                e.source_url,
                user.name if user else "?",
                f"{e.created_at:%Y-%m-%d}",
                e.source_document,
            )
        )
    return out


def _build(session: Session, raw: Path, out: Path, submission: Submission | None = None, edit: ProgrammeEdit | None = None) -> dict:
    """A new build of raw + approved submissions (+ ``submission``) + programme edits (+ ``edit``), not yet current."""
    try:
        return build_unswitched(raw, out, approved_inputs(session, submission), programme_edits(session, edit))
    except InputError as exc:
        raise PublishError(exc.problems) from exc


def _record(
    session: Session,
    manifest: dict,
    publisher: User,
    submission: Submission | None,
    edit: ProgrammeEdit | None,
    address: str,
    changed: dict[str, int] | None = None,
) -> str:
    build_id = str(manifest["build_id"])
    summary = {
        "values": manifest["counts"]["values"],
        "submission": submission.id if submission else None,
        "edit": edit.id if edit else None,
        "changes": changed or {},
    }
    session.add(
        Publication(
            at=utcnow(),
            build_id=build_id,
            user_id=publisher.id,
            action="publish",
            submission_id=submission.id if submission else None,
            edit_id=edit.id if edit else None,
            summary=json.dumps(summary),
        )
    )
    what = f"submission {submission.id}" if submission else f"programme edit {edit.id}" if edit else ""
    audit.record(session, publisher.name, "build_published", build_id, what, address)
    return build_id


def publish(
    session: Session, submission: Submission, publisher: User, raw: Path, out: Path, address: str, changed: dict[str, int] | None = None
) -> str:
    """Approve ``submission`` and publish: build raw + approved submissions + this one, record it, make it current.
    Returns the new build id; PublishError (nothing recorded, the previous build current) when the build fails.
    The caller commits ``session`` and then calls :func:`make_current` (see :mod:`etl.publish`). ``changed``:
    how many values are new, changed and unchanged against the build it replaces (for the history)."""
    manifest = _build(session, raw, out, submission=submission)
    submission.status, submission.decided_by, submission.decided_at = "approved", publisher.id, utcnow()
    submission.build_id = str(manifest["build_id"])
    audit.record(session, publisher.name, "submission_approved", f"submission {submission.id}", f"build {manifest['build_id']}", address)
    return _record(session, manifest, publisher, submission, None, address, changed)


def publish_edit(
    session: Session, kind: str, fields: dict[str, str], source: tuple[str, str, str], publisher: User, raw: Path, out: Path, address: str
) -> str:
    """Record a programme edit (a task, or a task's status) and publish it like an approval; PublishError when the
    build refuses it (an unknown task or group, a bad status, date or link): nothing is then stored."""
    title, url, document = source
    edit = ProgrammeEdit(
        user_id=publisher.id,
        kind=kind,
        fields=json.dumps(fields, ensure_ascii=False),
        source_title=title,
        source_url=url,
        source_document=document,
    )
    session.add(edit)
    session.flush()
    manifest = _build(session, raw, out, edit=edit)
    edit.build_id = str(manifest["build_id"])
    audit.record(
        session,
        publisher.name,
        f"programme_{kind}_edited",
        fields.get("task_id", ""),
        json.dumps(fields, ensure_ascii=False)[:500],
        address,
    )
    return _record(session, manifest, publisher, None, edit, address)


def restore(session: Session, build_id: str, publisher: User, out: Path, address: str) -> None:
    """Record the restore of kept build ``build_id`` (StoreError when it is not intact); the caller commits, then switches."""
    from etl.store import open_build

    open_build(out / "builds" / build_id)
    session.add(Publication(at=utcnow(), build_id=build_id, user_id=publisher.id, action="restore", summary="{}"))
    audit.record(session, publisher.name, "build_restored", build_id, "", address)


def make_current(out: Path, build_id: str) -> None:
    switch_current(out, build_id)


def reconcile(session: Session, out: Path) -> str | None:
    """Make ``current`` the last recorded publication's build when a crash left them apart; return the build switched to."""
    last = session.scalar(select(Publication).order_by(Publication.id.desc()).limit(1))
    if last is None:
        return None
    try:
        if resolve_build(out).name == last.build_id:
            return None
        switch_current(out, last.build_id)
    except StoreError:
        return None
    return last.build_id


def decide(session: Session, submission: Submission, user: User, status: str, comment: str, address: str) -> None:
    """Reject (a publisher, with a comment) or withdraw (its submitter) a pending submission."""
    submission.status, submission.decided_by, submission.decided_at, submission.comment = status, user.id, utcnow(), comment
    audit.record(session, user.name, f"submission_{status}", f"submission {submission.id}", comment[:500], address)


def history(session: Session) -> list[dict]:
    """Every publication, newest first, with who made it and the submission it published."""
    out = []
    for p in session.scalars(select(Publication).order_by(Publication.id.desc())):
        user = session.get(User, p.user_id) if p.user_id else None
        out.append({"publication": p, "user": user.name if user else "", "summary": json.loads(p.summary or "{}")})
    return out
