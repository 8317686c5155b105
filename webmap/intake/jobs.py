"""Background jobs: work that does not fit in a request (checking a large upload; publishing will be one), run in a
process of its own. No Flask here.

A job is a row of ``jobs`` (:class:`webmap.intake.db.Job`). The request that asks for one stores it (:func:`queue`)
and hands it to the serving process's :class:`Runner`, which runs it in a *spawned* child process: the child shares
nothing with the server's threads, and when it ends every byte it used goes back to the system (a check of 150,000
rows peaks at about 400 MB; the server's memory does not move). A file the job reads is streamed by the request into
the spool folder (:func:`spool`), never held whole in the server's memory, and deleted by the job. The child records the job's stage and rows done
and its result in the row, so that any instance shows them (:func:`view`). While it runs, the runner's thread beats
the job's heartbeat every :data:`BEAT` seconds; a job without a beat for :data:`STALE` seconds (its server stopped)
or running longer than :data:`TIMEOUT` (it is stopped) is failed. At most ``workers`` jobs run at once per
serving process and :data:`QUEUE_LIMIT` wait, across instances: beyond, :func:`queue` refuses (the caller says "try
again in a minute").

Kinds: :data:`KINDS` names, for each kind, the function the child runs: ``run(database, job, progress) -> result``
(a JSON-able dict), with ``progress(stage, done, total)``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import json
import logging
import multiprocessing
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from webmap.intake.db import Database, Job, open_database, utcnow

log = logging.getLogger(__name__)

KINDS = {"check_upload": "webmap.intake.upload_job:run"}
BEAT = 2.0  # seconds between heartbeats of a job that waits or runs
STALE = dt.timedelta(seconds=60)  # a job without a heartbeat this long has lost its server
TIMEOUT = 600.0  # seconds a job may run before it is stopped
QUEUE_LIMIT = 8  # jobs queued or running at once, across instances
_SPAWN = multiprocessing.get_context("spawn")


class Busy(Exception):
    """Too many jobs are queued or running: try again later."""


@dataclass(frozen=True)
class View:
    """What a page says of a job: its status (queued, running, done, failed), stage, rows done and in all,
    seconds since it was asked for, and its result (for done and failed jobs)."""

    status: str
    stage: str
    done: int
    total: int
    seconds: int
    result: dict


def queue(database: Database, kind: str, user_id: int, parameters: dict) -> int:
    """Store a new job of ``kind`` for ``user_id``; its id. Busy when :data:`QUEUE_LIMIT` jobs are waiting or running."""
    if kind not in KINDS:
        raise ValueError(f"no job kind {kind!r}")
    with database.session() as s:
        waiting = s.scalar(
            select(func.count()).select_from(Job).where(Job.status.in_(("queued", "running")), Job.heartbeat_at >= utcnow() - STALE)
        )
        if int(waiting or 0) >= QUEUE_LIMIT:
            raise Busy(kind)
        now = utcnow()
        job = Job(
            kind=kind,
            user_id=user_id,
            status="queued",
            created_at=now,
            heartbeat_at=now,
            parameters=json.dumps(parameters),
        )
        s.add(job)
        s.flush()
        return job.id


SPOOL = "spool"  # DATA_DIR/spool: the files waiting for their job


def spool(data_dir: Path, write: Callable[[Path], object]) -> Path:
    """A new file in ``DATA_DIR/spool`` (readable by its owner only), filled by ``write(path)``; its path. Files
    left there by a job that never ran are removed after a day (:func:`sweep`)."""
    folder = data_dir / SPOOL
    folder.mkdir(mode=0o700, exist_ok=True)
    sweep(folder)
    path = folder / f"{secrets.token_hex(16)}.upload"
    path.touch(mode=0o600)
    try:
        write(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def sweep(folder: Path, age: float = 86_400) -> None:
    """Remove the spooled files older than ``age`` seconds (their jobs failed or were never run)."""
    limit = time.time() - age
    for path in folder.glob("*.upload"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


def view(job: Job, now: dt.datetime | None = None) -> View:
    """What to show of ``job``: a queued or running job whose heartbeat stopped is failed ("stopped")."""
    now = now or utcnow()
    status, result = job.status, json.loads(job.result or "{}")
    if status in ("queued", "running") and now - job.heartbeat_at > STALE:
        status, result = "failed", {"error": "stopped"}
    return View(status, job.stage, job.done, job.total, int((now - job.created_at).total_seconds()), result)


def _set(database: Database, job_id: int, **values: object) -> None:
    with database.session() as s:
        s.execute(update(Job).where(Job.id == job_id).values(**values))


class Runner:
    """Runs the jobs one serving process queues, each in a spawned child, ``workers`` at a time."""

    def __init__(self, database: Database, url: str, workers: int = 1) -> None:
        self.database, self.url = database, url
        self._slots = threading.BoundedSemaphore(workers)

    def start(self, job_id: int) -> threading.Thread:
        """Run job ``job_id`` in the background; the thread that waits for it (tests join it)."""
        thread = threading.Thread(target=self._run, args=(job_id,), name=f"urbanmap-job-{job_id}", daemon=True)
        thread.start()
        return thread

    def _run(self, job_id: int) -> None:
        while not self._slots.acquire(timeout=BEAT):  # waiting for a slot: still alive
            self._beat(job_id)
        try:
            child = _SPAWN.Process(target=run_in_child, args=(self.url, job_id), name=f"urbanmap-job-{job_id}", daemon=True)
            child.start()
            deadline = time.monotonic() + TIMEOUT
            while True:
                child.join(BEAT)
                if not child.is_alive():
                    break
                if time.monotonic() > deadline:
                    child.terminate()
                    child.join(5)
                    _finish(self.database, job_id, "failed", {"error": "timeout"})
                    return
                self._beat(job_id)
            if child.exitcode != 0:
                log.error("job %s: its process ended with exit code %s", job_id, child.exitcode)
                _finish(self.database, job_id, "failed", {"error": "crashed"}, only_unfinished=True)
        except Exception:  # the database gone, no process to spawn: the job is failed where it can be
            log.exception("job %s could not be run", job_id)
            with contextlib.suppress(SQLAlchemyError):
                _finish(self.database, job_id, "failed", {"error": "crashed"}, only_unfinished=True)
        finally:
            self._slots.release()

    def _beat(self, job_id: int) -> None:
        try:
            _set(self.database, job_id, heartbeat_at=utcnow())
        except SQLAlchemyError as exc:  # the database away for a moment: the next beat tries again
            log.warning("job %s: no heartbeat recorded (%s)", job_id, type(exc).__name__)


def _finish(database: Database, job_id: int, status: str, result: dict, only_unfinished: bool = False) -> None:
    with database.session() as s:
        query = update(Job).where(Job.id == job_id)
        if only_unfinished:
            query = query.where(Job.status.in_(("queued", "running")))
        s.execute(query.values(status=status, result=json.dumps(result, ensure_ascii=False), finished_at=utcnow()))


def run_in_child(url: str, job_id: int) -> None:
    """The child process: run job ``job_id`` of the database at ``url`` and record its result (or its failure)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: job %(process)d: %(message)s")
    database = open_database(url, create=False)
    try:
        with database.session() as s:
            job = s.get(Job, job_id)
            if job is None or job.status != "queued":
                return
            job.status = "running"
        module, name = KINDS[job.kind].split(":")
        run: Callable = getattr(importlib.import_module(module), name)

        def progress(stage: str, done: int, total: int) -> None:
            _set(database, job_id, stage=stage, done=done, total=total)

        result = run(database, job, progress)
        _finish(database, job_id, "done", result)
    except Exception as exc:
        log.exception("job %s failed", job_id)
        _finish(database, job_id, "failed", {"error": "crashed", "detail": f"{type(exc).__name__}: {str(exc)[:300]}"})
    finally:
        database.engine.dispose()
