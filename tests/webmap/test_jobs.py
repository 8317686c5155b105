"""Large uploads: bounded in rows and cells, and checked by a background job in a process of its own, whose page
shows the progress and comes back to the preview (or to the form, with the problems and what was typed).
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.synthetic import value
from tests.webmap.intake_helpers import PASSWORD
from tests.webmap.test_submissions import HP_2024, _client, _submit, _tidy
from webmap import create_app
from webmap.intake import accounts, jobs
from webmap.intake.db import Job, Submission


def _app(tiny_site, database_url: str, contributors: dict[str, str], **config):
    """The tiny site with ``config``, and a contributor account for each (name: 2025 unit)."""
    raw, out, _ = tiny_site
    app = create_app({"DATA_DIR": out, "RAW_DIR": raw, "TESTING": True, "DATABASE_URL": database_url, **config})
    units = set(app.extensions["urbanmap_build"].current().geography.units["2025"]["code"])
    with app.extensions["urbanmap_db"].session() as s:
        for name, unit in contributors.items():
            accounts.add_user(s, name, PASSWORD, "contributor", [unit], units, "test")
    return app


@pytest.fixture
def background(tiny_site, database_url: str):
    """(app): every upload is checked in the background (UPLOAD_INLINE_BYTES = 0)."""
    return _app(tiny_site, database_url, {"hp-doc": "31", "other": "01"}, UPLOAD_INLINE_BYTES=0)


def _until_finished(client, location: str, seconds: float = 90):
    """The job page once it no longer shows progress (the child process starts in about two seconds)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = client.get(location)
        if response.status_code != 200:
            return response
        assert 'http-equiv="refresh"' in response.get_data(as_text=True)
        time.sleep(0.3)
    raise AssertionError(f"{location} did not finish in {seconds} s")


def test_a_large_upload_is_checked_in_the_background_and_comes_back_to_the_preview(background) -> None:
    client = _client(background, "hp-doc")
    response = _submit(client, _tidy(HP_2024), lang="en")
    assert response.status_code == 303 and response.headers["Location"].endswith("/submissions/jobs/1")
    page = client.get("/submissions/jobs/1?lang=en")
    assert page.status_code in (200, 303)
    if page.status_code == 200:
        assert "Checking hp.csv" in page.get_data(as_text=True)
    assert _client(background, "other").get("/submissions/jobs/1").status_code == 404  # the owner's only
    finished = _until_finished(client, "/submissions/jobs/1")
    assert finished.status_code == 303 and finished.headers["Location"].endswith("/submissions/1")
    preview = client.get("/submissions/1?lang=en").get_data(as_text=True)
    assert "0 new, 1 changed, 0 unchanged" in preview
    assert list((Path(background.config["DATA_DIR"]) / jobs.SPOOL).iterdir()) == []  # the job deleted the file it read
    with background.extensions["urbanmap_db"].session() as s:
        job = s.scalar(select(Job))
        assert job.status == "done" and job.stage == "storing" and s.get(Submission, 1).status == "pending"


def test_a_refused_background_check_shows_the_problems_and_keeps_what_was_typed(background) -> None:
    client = _client(background, "hp-doc")
    mine = value("2025", "01", "population", 2024, "1", "thousand persons", name="Hà Nội")
    response = _submit(client, _tidy(mine), source_title="Báo cáo của Sở")
    assert response.status_code == 303
    finished = _until_finished(client, response.headers["Location"])
    body = finished.get_data(as_text=True)
    assert finished.status_code == 400 and "dòng 2, cột “province_code”: lỗi: đơn vị 01 của bộ ranh giới 2025 không thuộc" in body
    assert 'value="Báo cáo của Sở"' in body
    client.set_cookie("lang", "en")  # the stored result is told in the language of the page that shows it
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "row 2, column “province_code”: error: unit 01 of boundary set 2025 is not one of your units" in body
    with background.extensions["urbanmap_db"].session() as s:
        assert s.scalar(select(Submission)) is None


def test_a_table_beyond_the_limits_is_refused_with_the_limit(site_limits) -> None:
    client = _client(site_limits, "hp-doc")
    rows = [value("2025", "31", "population", year, "4700", "thousand persons", name="Hải Phòng") for year in range(2024, 2030)]
    response = _submit(client, _tidy(*rows))
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "bảng có hơn 5 dòng, mức tối đa của một lần tải lên" in body and "UPLOAD_MAX_ROWS" in body
    assert _submit(client, _tidy(*rows[:3])).status_code == 302  # 4 rows with the header


@pytest.fixture
def site_limits(tiny_site, database_url: str):
    """(app): a table holds at most 5 rows."""
    return _app(tiny_site, database_url, {"hp-doc": "31"}, UPLOAD_MAX_ROWS=5)


def test_a_job_whose_server_stopped_is_failed_and_the_queue_is_bounded(background, monkeypatch) -> None:
    database = background.extensions["urbanmap_db"]
    with database.session() as s:
        s.add(
            Job(
                kind="check_upload",
                user_id=1,
                status="running",
                created_at=dt.datetime(2026, 1, 1),
                heartbeat_at=dt.datetime(2026, 1, 1),
                parameters="{}",
            )
        )
    with database.session() as s:
        state = jobs.view(s.scalar(select(Job)))
    assert state.status == "failed" and state.result == {"error": "stopped"}
    monkeypatch.setattr(jobs, "QUEUE_LIMIT", 1)
    jobs.queue(database, "check_upload", 1, {})  # the stale job does not count
    with pytest.raises(jobs.Busy):
        jobs.queue(database, "check_upload", 1, {})
    client = _client(background, "hp-doc")
    response = _submit(client, _tidy(HP_2024), lang="en")
    assert response.status_code == 503 and "hãy gửi lại tệp này sau một phút" in response.get_data(as_text=True)
