"""The submissions store: accounts, submissions, published builds (history) and the audit log.

Through SQLAlchemy: a SQLite file ``DATA_DIR/urbanmap.sqlite`` by default (nothing to install),
PostgreSQL when ``DATABASE_URL`` is set (``postgresql+psycopg://user:password@host/db``). The
schema is made and changed only by the Alembic migrations in ``webmap/migrations/``:
:func:`upgrade` applies them (``urbanmap db upgrade``), :func:`open_database` creates a new
database at the current schema and refuses one that is behind the code. No Flask here.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    create_engine,
    event,
    inspect,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_NAME = "urbanmap.sqlite"
ROLES = ("contributor", "publisher", "admin")


class DatabaseError(RuntimeError):
    """The database is behind the code's schema, or cannot be opened; the message says what to run."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class User(Base):
    """An account. ``units``: the 2025 unit codes a contributor belongs to (``31,01``); empty for other roles."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    units: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # sessions carry the generation they were opened in: signing out, a new password or disabling the account
    # increments it, which ends every session of the account on every instance
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def unit_codes(self) -> list[str]:
        return [c for c in self.units.split(",") if c]


class AuditEvent(Base):
    """One sign-in, failed sign-in, submission, decision, publication, restore or account change."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))  # account name, or "cli:<system user>"
    address: Mapped[str] = mapped_column(String(64), default="")  # client address, "" from the command line
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(128), default="")
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_audit_action_actor_at", "action", "actor", "at"),
        Index("ix_audit_action_address_at", "action", "address", "at"),
    )


class SignInCounter(Base):
    """Failed sign-ins counted since ``since``, for one (address, account) pair (``pair:ADDRESS|NAME``), one account
    (``account:NAME``) or one address (``address:ADDRESS``); changed only by atomic upserts (:mod:`webmap.intake.limits`)."""

    __tablename__ = "sign_in_counters"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    account: Mapped[str] = mapped_column(String(64), index=True)  # "" for an address's counter
    failures: Mapped[int] = mapped_column(Integer)
    since: Mapped[dt.datetime] = mapped_column(DateTime)


class Submission(Base):
    """A table submitted in the browser: the file as uploaded, how it was read, and what became of it."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, approved, rejected, withdrawn, reverted
    file_name: Mapped[str] = mapped_column(String(255))
    file_type: Mapped[str] = mapped_column(String(8))  # csv, xlsx
    # the three large columns (a file of 150,000 rows: 9 MB, 25 MB, 10 MB) are read only where they are used
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    mapping: Mapped[str] = mapped_column(Text, default="")  # TOML of the import mapping; "" for a tidy CSV
    source_title: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(Text, default="")
    source_document: Mapped[str] = mapped_column(Text, default="")  # an official document's number, where there is no address
    rows: Mapped[str] = mapped_column(Text, deferred=True)  # the tidy CSV the check produced: what a publish builds from
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    build_id: Mapped[str] = mapped_column(String(32), default="")  # the build that first published it
    reverted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    reverted_by: Mapped[int | None] = mapped_column(Integer, nullable=True)  # a users.id (no constraint: see migration 0005)
    reverted_in: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the restore's publication id
    resubmits: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the reverted submission this one repeats
    checked: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)  # CSV of its checked values ("" before 0006)


class ProgrammeEdit(Base):
    """A programme task added or changed, or a task's implementation status, by a publisher; published at once."""

    __tablename__ = "programme_edits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))  # task, status
    fields: Mapped[str] = mapped_column(Text)  # JSON object of the form's fields
    source_title: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str] = mapped_column(Text)
    source_document: Mapped[str] = mapped_column(Text, default="")
    build_id: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(16), default="published", server_default="published")  # published, reverted
    reverted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    reverted_by: Mapped[int | None] = mapped_column(Integer, nullable=True)  # a users.id (no constraint: see migration 0005)
    reverted_in: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the restore's publication id


class Publication(Base):
    """One build made current: by a publish (approval or programme edit) or a restore. A restore returns the whole
    site to its build: the approved submissions and programme edits that build does not hold become ``reverted``
    (``reverted_in`` this publication), those it holds and that were reverted are published again."""

    __tablename__ = "publications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    build_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(16))  # publish, restore
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), nullable=True)
    edit_id: Mapped[int | None] = mapped_column(ForeignKey("programme_edits.id"), nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")  # JSON: counts; for a restore, what it reverted and reinstated
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")  # the approval's comment, the restore's reason
    # JSON, written when it is published and never recomputed: each value it changed, before and after
    # (webmap.intake.changes.Record); "" for publications recorded before schema 0005
    record: Mapped[str] = mapped_column(Text, default="", server_default="")


class Job(Base):
    """Work run outside the serving process (:mod:`webmap.intake.jobs`): its kind, who asked, what it was given
    (``parameters``: JSON; a file it reads is named there), how far it is and what came of it (``result``: JSON)."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # check_upload
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued, running, done, failed
    stage: Mapped[str] = mapped_column(String(32), default="")  # reading, checking, storing
    done: Mapped[int] = mapped_column(Integer, default=0)  # rows done of the stage
    total: Mapped[int] = mapped_column(Integer, default=0)  # rows of the stage, 0 while unknown
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)  # last sign of life of its process
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    parameters: Mapped[str] = mapped_column(Text, default="{}")
    result: Mapped[str] = mapped_column(Text, default="")


def database_url(data_dir: Path) -> str:
    """``DATABASE_URL`` when set, else the SQLite file in ``data_dir``."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{(data_dir / SQLITE_NAME).resolve()}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for a writer; two processes may share the file
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return str(ScriptDirectory.from_config(_alembic_config(None)).get_current_head())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Apply every migration the database lacks (a new database gets the whole schema)."""
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")


@dataclass
class Database:
    """An open, current database: the engine and a session factory."""

    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed at the end of the block, rolled back on an exception."""
        with self.sessions.begin() as session:
            yield session


def open_database(url: str, create: bool = True) -> Database:
    """The database at ``url``: created at the current schema when it has no tables (and ``create``);
    DatabaseError when it is behind the code's schema (or ahead of it)."""
    engine = make_engine(url)
    try:
        empty = not inspect(engine).get_table_names()
    except Exception as exc:  # the driver's own errors: no server, wrong password, unreadable file
        raise DatabaseError(f"cannot open the database {engine.url!r}: {exc}") from exc
    if empty and create:
        upgrade(engine)
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise DatabaseError(
            f"the database {engine.url!r} is at schema {current or 'none'}, this code needs {head}: run `urbanmap db upgrade`"
            + (" with the matching --data or DATABASE_URL" if current else "")
        )
    return Database(engine, sessionmaker(engine, expire_on_commit=False))
