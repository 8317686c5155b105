"""The reported status of the programme's tasks (program/task_status.csv): shipped for task 1 as its evidence
says (done, 22/08/2024, quoted and linked); a bad row is an error naming its row and column."""

from __future__ import annotations

import csv
from pathlib import Path

import pyogrio

from etl.cli import main
from etl.task_status import COLUMNS


def test_task_1_is_shipped_done_with_its_evidence(shipped_build) -> None:
    tasks = pyogrio.read_dataframe(shipped_build[0] / "current" / "urban.gpkg", layer="program_tasks").set_index("task_id")
    task = tasks.loc["1"]
    assert (task["status"], task["status_date"], task["status_source"]) == ("done", "2024-08-22", "S24 S25")
    assert task["status_evidence"].startswith("https://bacninh.gov.vn/") and "891/QD-TTg" in task["status_statement_en"]
    assert "891/QĐ-TTg" in task["status_statement_vi"] and "status_statement_vi" in task["translated_vi"].split(";")
    assert tasks.loc["2", "status"] == ""  # no evidence, no status


def test_the_programme_page_quotes_the_evidence_in_each_language(client) -> None:
    page = client.get("/program?lang=vi").get_data(as_text=True)
    assert "đã hoàn thành" in page and "Quyết định số 891/QĐ-TTg ngày 22/8/2024" in page and "bacninh.gov.vn" in page
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
