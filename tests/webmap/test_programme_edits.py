"""Programme items in the browser: publishers add a task and set its implementation status, each with a source;
the edit is published as a build, shown on the programme page and the maps of the issues it addresses, listed in
history and audit, and undone by a restore. SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.webmap.intake_helpers import csrf_token
from tests.webmap.test_submissions import _client, site  # noqa: F401  (fixture)
from webmap.intake.db import AuditEvent, ProgrammeEdit

SOURCE = {"source_title": "Báo cáo của Bộ Xây dựng 10/2026", "source_url": "https://moc.gov.vn/bao-cao"}
TASK = {
    "task_id": "30",
    "group_id": "5",
    "title_vi": "Xây dựng cơ chế chống ngập đô thị",
    "title_en": "Mechanisms against urban flooding",
    "lead_agency_vi": "Bộ Xây dựng",
    "lead_agency_en": "Ministry of Construction",
    "deadline": "2023 - 2025",
}
TARGET = {
    "indicator_vi": "Tỷ lệ đô thị hóa",
    "indicator_en": "Urbanisation",
    "target": "over 50",
    "unit": "%",
    "year": "2030",
    "document": "148/NQ-CP",
}
STATUS = {"task_id": "30", "status": "under_way", "status_date": "2026-10-01", "status_evidence": "https://moc.gov.vn/tien-do"}


def _post(client, path: str, fields: dict):
    return client.post(path, data={**fields, "csrf_token": csrf_token(client, "/program/edit")})


def _edits(app) -> int:
    with app.extensions["urbanmap_db"].session() as s:
        return int(s.scalar(select(func.count()).select_from(ProgrammeEdit)))


def test_a_task_and_its_status_are_published_shown_and_restorable(site) -> None:  # noqa: F811
    app, _, _ = site
    publisher = _client(app, "boss")
    before = publisher.get("/healthz").headers["X-Urbanmap-Build"]
    assert _post(publisher, "/program/tasks", {**TASK, **SOURCE}).status_code == 302
    by_number = {"source_title": "Công văn của Bộ Xây dựng", "source_url": "", "source_document": "1234/BXD-PTĐT"}
    assert _post(publisher, "/program/status", {**STATUS, **by_number}).status_code == 302
    programme = publisher.get("/program?lang=vi").get_data(as_text=True)
    assert "Xây dựng cơ chế chống ngập đô thị" in programme and "4 trong 33" in programme
    assert "đang thực hiện" in programme and 'href="https://moc.gov.vn/tien-do"' in programme
    assert "Báo cáo của Bộ Xây dựng 10/2026" in programme  # the task's source
    assert "Công văn của Bộ Xây dựng (số 1234/BXD-PTĐT)" in programme  # the status's source: a document number
    flooding = app.test_client().get("/?issue=flooding&lang=en").get_data(as_text=True)
    assert "Mechanisms against urban flooding" in flooding and "under way" in flooding and "as of 2026-10-01" in flooding
    history = publisher.get("/history?lang=en").get_data(as_text=True)
    assert history.count("published") >= 2
    with app.extensions["urbanmap_db"].session() as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("programme_%")).order_by(AuditEvent.id)))
    assert actions == ["programme_task_edited", "programme_status_edited"]
    token = csrf_token(publisher, f"/history/{before}/restore")
    assert publisher.post(f"/history/{before}/restore", data={"csrf_token": token, "reason": "sai nguồn"}).status_code == 302
    assert "Mechanisms against urban flooding" not in app.test_client().get("/?issue=flooding&lang=en").get_data(as_text=True)
    with app.extensions["urbanmap_db"].session() as s:
        assert [e.status for e in s.scalars(select(ProgrammeEdit).order_by(ProgrammeEdit.id))] == ["reverted", "reverted"]
    history = publisher.get("/history?lang=en").get_data(as_text=True)
    assert "reverted programme edit 1 programme edit 2" in " ".join(history.split()) and "Reason: sai nguồn" in history
    # a later edit does not bring the reverted ones back; publishing one again does
    assert _post(publisher, "/program/targets", {**TARGET, **SOURCE}).status_code == 302
    assert "Mechanisms against urban flooding" not in app.test_client().get("/?issue=flooding&lang=en").get_data(as_text=True)
    assert publisher.post("/program/edits/3/again", data={"csrf_token": csrf_token(publisher, "/history")}).status_code == 409
    assert publisher.post("/program/edits/1/again", data={"csrf_token": csrf_token(publisher, "/history")}).status_code == 302
    assert "Mechanisms against urban flooding" in app.test_client().get("/?issue=flooding&lang=en").get_data(as_text=True)
    assert publisher.post("/program/edits/99/again", data={"csrf_token": csrf_token(publisher, "/history")}).status_code == 404


def test_a_national_target_is_added_and_changed(site) -> None:  # noqa: F811
    app, _, _ = site
    publisher = _client(app, "boss")
    target = {
        "indicator_vi": "Tỷ lệ đô thị hóa toàn quốc",
        "indicator_en": "National urbanisation rate",
        "target": "over 50",
        "unit": "%",
        "year": "2030",
        "document": "148/NQ-CP",
        **SOURCE,
    }
    assert _post(publisher, "/program/targets", target).status_code == 302
    assert _post(publisher, "/program/targets", {**target, "target": "at least 50"}).status_code == 302
    page = app.test_client().get("/program?lang=en").get_data(as_text=True)
    assert page.count("at least 50") == 1 and "over 50" not in page
    refused = _post(publisher, "/program/targets", {**target, "year": "sau 2030"})
    assert refused.status_code == 400 and "không phải là năm" in refused.get_data(as_text=True)


def test_a_bad_edit_is_refused_and_nothing_is_stored(site) -> None:  # noqa: F811
    app, _, _ = site
    publisher = _client(app, "boss")
    for fields, message in (
        (
            {**STATUS, "task_id": "99", **SOURCE},
            "thay đổi chương trình 1, cột “task_id”: lỗi: không có nhiệm vụ 99 Cách sửa: hãy thêm nhiệm vụ trước",
        ),
        ({**STATUS, "task_id": "1", "status": "finished", **SOURCE}, "trạng thái “finished” không hợp lệ"),
        ({**STATUS, "task_id": "1", "status_date": "1/10/2026", **SOURCE}, "“1/10/2026” không phải ngày dạng YYYY-MM-DD"),
        (
            {**STATUS, "task_id": "1", "status_evidence": "javascript:alert(1)", **SOURCE},
            "“javascript:alert(1)” không phải địa chỉ http:// hoặc https://",
        ),
        ({**STATUS, "task_id": "1", "source_title": "x", "source_url": ""}, "cần có nguồn"),
        ({**STATUS, "task_id": "1", "source_title": "x", "source_url": "ftp://x.example/y"}, "cần có nguồn"),
    ):
        response = _post(publisher, "/program/status", fields)
        assert response.status_code == 400 and message in response.get_data(as_text=True), message
    response = _post(publisher, "/program/tasks", {**TASK, "group_id": "9", **SOURCE})
    assert response.status_code == 400 and "nhóm “9” không hợp lệ" in response.get_data(as_text=True)
    assert _edits(app) == 0


def test_only_publishers_edit_the_programme(site) -> None:  # noqa: F811
    app, _, _ = site
    for name in ("hp-doc", "admin1"):
        client = _client(app, name)
        assert client.get("/program/edit").status_code == 403
        assert _post(client, "/program/status", {**STATUS, "task_id": "1", **SOURCE}).status_code == 403
    publisher = _client(app, "boss")
    assert publisher.post("/program/status", data={**STATUS, "task_id": "1", **SOURCE}).status_code == 400  # no CSRF token
    assert _edits(app) == 0
