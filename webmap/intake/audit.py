"""The audit log: who did what, when, from where. Written in the same transaction as the change it records.

Actions: ``sign_in``, ``sign_in_failed``, ``sign_in_refused`` (too many attempts), ``sign_out``,
``account_created``, ``account_disabled``, ``password_changed``, ``account_unlocked``, ``submission_created``, ``submission_refused``,
``submission_approved``, ``submission_rejected``, ``submission_withdrawn``, ``build_published``,
``build_restored``. No Flask here.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etl.spreadsheet import rows_csv
from webmap.intake.db import AuditEvent, utcnow

CSV_COLUMNS = ["id", "at", "actor", "address", "action", "target", "detail"]


def record(session: Session, actor: str, action: str, target: str = "", detail: str = "", address: str = "") -> AuditEvent:
    event = AuditEvent(at=utcnow(), actor=actor[:64], address=address[:64], action=action, target=target[:128], detail=detail)
    session.add(event)
    return event


def latest(session: Session, limit: int, offset: int = 0) -> list[AuditEvent]:
    """Events, newest first."""
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)))


def total(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def to_csv(events: list[AuditEvent]) -> bytes:
    """UTF-8 CSV with BOM (Excel reads Vietnamese correctly), one row per event, times in UTC (ISO 8601); text that a
    spreadsheet would run as a formula (an uploaded file's name) neutralised (:mod:`etl.spreadsheet`)."""
    return rows_csv(
        CSV_COLUMNS, ([e.id, e.at.isoformat(timespec="seconds") + "Z", e.actor, e.address, e.action, e.target, e.detail] for e in events)
    )
