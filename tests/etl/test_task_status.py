"""The reported status of the programme's tasks (program/task_status.csv): shipped for task 1 as its evidence
says (done, 22/08/2024, quoted and linked); a bad row is an error naming its row and column."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyogrio
import pytest
from bs4 import BeautifulSoup

from etl.cli import main
from etl.task_status import COLUMNS, schedule


def test_task_1_is_shipped_done_with_its_evidence(shipped_build) -> None:
    tasks = pyogrio.read_dataframe(shipped_build[0] / "current" / "urban.gpkg", layer="program_tasks").set_index("task_id")
    task = tasks.loc["1"]
    assert (task["status"], task["status_date"], task["status_source"]) == ("done", "2024-08-22", "S24 S25")
    assert task["status_evidence"].startswith("https://bacninh.gov.vn/") and "891/QD-TTg" in task["status_statement_en"]
    assert "891/QĐ-TTg" in task["status_statement_vi"] and "status_statement_vi" in task["translated_vi"].split(";")
    assert tasks.loc["2", "status"] == ""  # no evidence, no status


def test_the_programme_page_quotes_the_evidence_in_each_language(client) -> None:
    page = client.get("/program?lang=vi").get_data(as_text=True)
    assert "hoàn thành muộn" in page and "Quyết định số 891/QĐ-TTg ngày 22/8/2024" in page and "bacninh.gov.vn" in page
    english = client.get("/program?lang=en").get_data(as_text=True)
    assert "announced Decision No. 891/QD-TTg dated August 22, 2024" in english


def _rows(raw: Path) -> list[dict[str, str]]:
    with (raw / "program/task_status.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _write(raw: Path, rows: list[dict[str, str]]) -> None:
    with (raw / "program/task_status.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_a_bad_status_row_is_an_error_naming_its_row_and_column(raw: Path, capsys) -> None:
    good = _rows(raw)[0]
    _write(
        raw,
        [
            good,
            {**good, "status": "finished"},  # row 3: a second row of task 1, and an unknown status
            {**good, "task_id": "99", "status_date": "22/08/2024", "status_evidence": "javascript:alert(1)", "source_ref": "[S999]"},
        ],
    )
    assert main(["check", "--raw", str(raw)]) == 1
    err = capsys.readouterr().err
    assert 'task_status.csv, row 3, column "task_id": error: task 1 has a status in row 2 already' in err
    assert 'row 3, column "status": error: unknown status "finished"' in err
    assert 'row 4, column "task_id": error: there is no task 99' in err
    assert 'row 4, column "status_date": error: "22/08/2024" is not a date YYYY-MM-DD' in err
    assert 'row 4, column "status_evidence"' in err and 'row 4, column "source_ref"' in err


@pytest.mark.parametrize(
    ("status", "date", "deadline", "today", "shown"),
    [
        ("", "", "2022/2025", "2025-12-31", ("", "", "")),  # the duration has not ended
        ("", "", "2022/2025", "2026-01-01", ("overdue", "2026-01-01", "computed")),
        ("", "", "", "2030-01-01", ("", "", "")),  # no duration given: nothing computed
        ("done", "2024-08-22", "2022/2023", "2026-12-08", ("done_late", "2024-08-22", "reported")),
        ("done", "2023-06-30", "2022/2023", "2026-12-08", ("done", "2023-06-30", "reported")),
        ("under_way", "2025-03-01", "2022/2023", "2026-12-08", ("under_way", "2025-03-01", "reported")),  # evidence wins
        ("", "", "2024-06-30", "2024-07-01", ("overdue", "2024-07-01", "computed")),  # a date as the deadline
    ],
)
def test_the_status_shown_is_the_reported_one_else_computed_from_the_duration(status, date, deadline, today, shown) -> None:
    result = schedule(status, date, deadline, dt.date.fromisoformat(today))
    assert (result.status, result.since, result.basis) == shown
    assert result.due == (
        "" if not deadline else "2025-12-31" if deadline == "2022/2025" else "2023-12-31" if deadline == "2022/2023" else deadline
    )


def test_the_programme_page_says_which_status_it_shows(shipped_app) -> None:
    client = shipped_app.test_client()
    client.set_cookie("lang", "vi")
    page = BeautifulSoup(client.get("/program").data, "html.parser")
    reported = page.select_one(".um-task-status[data-basis=reported]").get_text(" ", strip=True)
    assert "hoàn thành muộn" in reported and "22/08/2024" in reported and "31/12/2023" in reported
    computed = page.select(".um-task-status[data-basis=computed]")
    assert all("quá hạn" in c.get_text() and "01/01/2026" in c.get_text() for c in computed) and computed  # task 2, 2022-2025
