"""Submissions: decisions, publishing, history and restore. No Flask here.

Publishing builds ``raw`` + every approved submission (oldest first, each superseding older values of the same
key) + every published programme edit, and makes it current only after the database has recorded it, with what it
changed (:mod:`webmap.intake.changes`, :mod:`etl.publish`). A restore returns the whole site to a kept build: the
submissions and edits that build does not hold become ``reverted`` and stay out of every later build, those it
holds that were reverted come back (:func:`restore`); a reverted submission may be submitted again.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from etl.indicators import TIDY_COLUMNS
from etl.problems import InputError, Problem
from etl.program import EDIT_INPUT, Edit
from etl.publish import build_unswitched
from etl.store import StoreError, open_build, resolve_build, switch_current
from webmap.intake import audit, changes
from webmap.intake.db import ProgrammeEdit, Publication, Submission, User, utcnow
from webmap.intake.uploads import Checked, Upload
from webmap.read.values import preferred_values

STATUSES = ("pending", "approved", "rejected", "withdrawn", "reverted")
SUBMITTERS = ("contributor", "publisher")  # the roles that submit figures
REVIEWERS = ("publisher",)  # the roles that approve, reject and restore
SUBMISSION_INPUT = "submission "  # + id: a submission's name among a build's inputs (its manifest)


# --- decisions and publishing ---------------------------------------------------------------------


CHECKED_COLUMNS = ["boundary", "code", "indicator", "year", "period", "value", "preferred"]


def checked_values(submission: Submission) -> pd.DataFrame | None:
    """The values the submission's check produced, as stored (None for a submission stored before they were)."""
    if not submission.checked:
        return None
    text = io.StringIO(submission.checked)
    frame = pd.read_csv(
        text, dtype={c: str for c in ("boundary", "code", "indicator", "period")}, keep_default_na=False, na_values={"value": [""]}
    )
    return frame.astype({"year": int, "value": float, "preferred": bool})


def store(session: Session, user: User, upload: Upload, checked: Checked, address: str, resubmits: int | None = None) -> int:
    """Store a checked upload as a pending submission of ``user`` (``resubmits``: the reverted submission it repeats),
    with its audit record; its id."""
    submission = Submission(
        user_id=user.id,
        file_name=upload.file_name,
        file_type=checked.kind,
        content=upload.content,
        mapping=upload.mapping,
        source_title=upload.source_title,
        source_url=upload.source_url,
        source_document=upload.source_document,
        rows=checked.text,
        resubmits=resubmits,
        checked=checked.values[CHECKED_COLUMNS].to_csv(index=False, lineterminator="\n"),
    )
    session.add(submission)
    session.flush()
    detail = upload.file_name[:200] + (f"; resubmits submission {resubmits}" if resubmits else "")
    audit.record(session, user.name, "submission_created", f"submission {submission.id}", detail, address)
    return submission.id


class PublishError(Exception):
    """The new build could not be made: the report says why; nothing was recorded or switched."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:3]))
        self.problems = problems


def approved_inputs(session: Session, extra: Submission | None = None) -> list[tuple[str, str]]:
    """(name, tidy CSV text) of every approved submission, oldest approval first, then ``extra``; each row's note
    says who submitted and approved it, and when. Reverted submissions are not approved: they stay out."""
    approved = list(
        session.scalars(select(Submission).where(Submission.status == "approved").order_by(Submission.decided_at, Submission.id))
    )
    out = []
    for s in approved + ([extra] if extra is not None else []):
        submitter = session.get(User, s.user_id)
        note = f"submission {s.id} by {submitter.name if submitter else '?'} on {s.created_at:%Y-%m-%d}"
        out.append((f"{SUBMISSION_INPUT}{s.id}", _annotated(s.rows, note)))
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
    """Every published programme edit (not reverted), oldest first, then ``extra``, as the build reads them."""
    query = select(ProgrammeEdit).where(ProgrammeEdit.build_id != "", ProgrammeEdit.status == "published").order_by(ProgrammeEdit.id)
    out = []
    for e in list(session.scalars(query)) + ([extra] if extra is not None else []):
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


def held(manifest: dict) -> tuple[set[int], set[int]]:
    """(submission ids, programme edit ids) a build was made of, from its manifest's inputs."""
    inputs = manifest.get("inputs", {})
    ids = {
        prefix: {int(n.removeprefix(prefix)) for n in inputs if n.startswith(prefix) and n.removeprefix(prefix).isdigit()}
        for prefix in (SUBMISSION_INPUT, EDIT_INPUT)
    }
    return ids[SUBMISSION_INPUT], ids[EDIT_INPUT]


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
    out: Path,
    what: Submission | ProgrammeEdit,
    address: str,
    values: pd.DataFrame | None = None,
    comment: str = "",
) -> str:
    """Record the publication of build ``manifest`` (not yet current) with what it changed against the current one."""
    build_id = str(manifest["build_id"])
    found = changes.record(preferred_values(out), preferred_values(out / "builds" / build_id), values)
    submission = what if isinstance(what, Submission) else None
    edit = what if isinstance(what, ProgrammeEdit) else None
    summary = {
        "values": manifest["counts"]["values"],
        "submission": submission.id if submission else None,
        "edit": edit.id if edit else None,
        "changes": changes.count(found.submitted),
        "other": changes.count(found.other),
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
            comment=comment,
            record=found.to_json(),
        )
    )
    name = f"submission {submission.id}" if submission else f"programme edit {edit.id}" if edit else ""
    audit.record(session, publisher.name, "build_published", build_id, name, address)
    return build_id


def publish(
    session: Session,
    submission: Submission,
    values: pd.DataFrame,
    publisher: User,
    raw: Path,
    out: Path,
    address: str,
    comment: str = "",
) -> str:
    """Approve ``submission`` (its checked ``values``) and publish: build raw + approved submissions + this one, record
    it with what it changed and the optional ``comment``. Returns the new build id; PublishError (nothing recorded,
    the previous build current) when the build fails. The caller commits ``session`` and then calls
    :func:`make_current` (see :mod:`etl.publish`)."""
    manifest = _build(session, raw, out, submission=submission)
    submission.status, submission.decided_by, submission.decided_at = "approved", publisher.id, utcnow()
    submission.build_id, submission.comment = str(manifest["build_id"]), comment
    detail = f"build {manifest['build_id']}" + (f"; comment: {comment}" if comment else "")
    audit.record(session, publisher.name, "submission_approved", f"submission {submission.id}", detail[:2000], address)
    return _record(session, manifest, publisher, out, submission, address, values, comment)


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
        status="published",
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
    return _record(session, manifest, publisher, out, edit, address)


def restore_plan(session: Session, manifest: dict) -> dict[str, list]:
    """What restoring the build of ``manifest`` would do: the approved submissions and published programme edits it
    does not hold (``revert_submissions``, ``revert_edits``) and the reverted ones it holds (``reinstate_…``)."""
    subs, edits = held(manifest)
    submissions = list(session.scalars(select(Submission).where(Submission.status.in_(("approved", "reverted"))).order_by(Submission.id)))
    programme = list(
        session.scalars(
            select(ProgrammeEdit)
            .where(ProgrammeEdit.build_id != "", ProgrammeEdit.status.in_(("published", "reverted")))
            .order_by(ProgrammeEdit.id)
        )
    )
    return {
        "revert_submissions": [s for s in submissions if s.status == "approved" and s.id not in subs],
        "reinstate_submissions": [s for s in submissions if s.status == "reverted" and s.id in subs],
        "revert_edits": [e for e in programme if e.status == "published" and e.id not in edits],
        "reinstate_edits": [e for e in programme if e.status == "reverted" and e.id in edits],
    }


def restore(session: Session, build_id: str, publisher: User, out: Path, address: str, reason: str) -> Publication:
    """Record the restore of kept build ``build_id`` (StoreError when it is not intact) with its ``reason``: the
    whole site returns to that build. Submissions and programme edits published since, which it does not hold,
    become ``reverted`` by this restore (who, when); reverted ones it holds are published again. The record holds
    every value the restore changes. The caller commits, then switches."""
    target = open_build(out / "builds" / build_id)
    plan = restore_plan(session, target.manifest)
    now = utcnow()
    found = changes.Record(changes.empty(), changes.between(preferred_values(out), preferred_values(target.folder)))
    publication = Publication(at=now, build_id=build_id, user_id=publisher.id, action="restore", comment=reason, record=found.to_json())
    session.add(publication)
    session.flush()
    for item in plan["revert_submissions"] + plan["revert_edits"]:
        item.status, item.reverted_at, item.reverted_by, item.reverted_in = "reverted", now, publisher.id, publication.id
    for item in plan["reinstate_submissions"] + plan["reinstate_edits"]:
        item.status = "approved" if isinstance(item, Submission) else "published"
        item.reverted_at = item.reverted_by = item.reverted_in = None
    ids = {key: [item.id for item in items] for key, items in plan.items()}
    publication.summary = json.dumps({"values": target.manifest["counts"]["values"], "other": changes.count(found.other), **ids})
    detail = f"reason: {reason}; " + "; ".join(f"{key.replace('_', ' ')}: {', '.join(map(str, v))}" for key, v in ids.items() if v)
    audit.record(session, publisher.name, "build_restored", build_id, detail.rstrip("; ")[:2000], address)
    return publication


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


def publication_of(session: Session, submission: Submission) -> Publication | None:
    """The publication that published ``submission`` (None while it is not published)."""
    query = select(Publication).where(Publication.submission_id == submission.id, Publication.action == "publish")
    return session.scalar(query.order_by(Publication.id).limit(1))


def history(session: Session) -> list[dict]:
    """Every publication, newest first, with who made it, what it published, and (for a programme edit) whether a
    restore has reverted it since."""
    out = []
    for p in session.scalars(select(Publication).order_by(Publication.id.desc()).limit(1000)):
        user = session.get(User, p.user_id) if p.user_id else None
        edit = session.get(ProgrammeEdit, p.edit_id) if p.edit_id else None
        submission = session.get(Submission, p.submission_id) if p.submission_id else None
        out.append(
            {
                "publication": p,
                "user": user.name if user else "",
                "summary": json.loads(p.summary or "{}"),
                "edit": edit,
                "submission": submission,
            }
        )
    return out
