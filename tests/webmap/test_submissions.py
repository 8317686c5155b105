"""The intake workflow through the test client, on SQLite and PostgreSQL: upload, preview, approve and publish,
history and restore; every refusal; a crash in the middle of publishing."""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import re
import signal
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from etl.store import open_build
from tests.servers import Relay
from tests.synthetic import TIDY, value
from tests.webmap.intake_helpers import PASSWORD, csrf_token, sign_in
from webmap import create_app
from webmap.intake import accounts
from webmap.intake.db import Publication, Submission


def _tidy(*rows: dict) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=TIDY, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


HP_2024 = value("2025", "31", "population", 2024, "4700", "thousand persons", name="Hải Phòng")


@pytest.fixture
def site(tiny_site, database_url: str):
    """(app, raw, out): a tiny build, its raw folder, three accounts."""
    raw, out, _ = tiny_site
    app = create_app({"DATA_DIR": out, "RAW_DIR": raw, "TESTING": True, "DATABASE_URL": database_url})
    units = set(app.extensions["urbanmap_build"].current().geography.units["2025"]["code"])
    with app.extensions["urbanmap_db"].session() as s:
        accounts.add_user(s, "hp-doc", PASSWORD, "contributor", ["31"], units, "test")
        accounts.add_user(s, "boss", PASSWORD, "publisher", [], units, "test")
        accounts.add_user(s, "admin1", PASSWORD, "admin", [], units, "test")
    return app, raw, out


def _client(app, name: str):
    client = app.test_client()
    assert sign_in(client, name).status_code == 302
    return client


def _submit(client, content: bytes, name: str = "hp.csv", **form: str):
    data = {"csrf_token": csrf_token(client, "/submissions/new"), "file": (io.BytesIO(content), name), **form}
    return client.post("/submissions/new", data=data, content_type="multipart/form-data")


def _restore(client, build_id: str, reason: str):
    token = csrf_token(client, f"/history/{build_id}/restore")
    return client.post(f"/history/{build_id}/restore", data={"csrf_token": token, "reason": reason})


def _approve(client, ident: int, comment: str = ""):
    return client.post(
        f"/submissions/{ident}/approve", data={"csrf_token": csrf_token(client, f"/submissions/{ident}"), "comment": comment}
    )


def _build_of(client) -> str:
    return client.get("/healthz").headers["X-Urbanmap-Build"]


def _count(app) -> int:
    with app.extensions["urbanmap_db"].session() as s:
        return int(s.scalar(select(func.count()).select_from(Submission)))


def _population_2024(client) -> str:
    body = client.get("/api/provinces.csv?codes=31&indicators=population&long=1").get_data(as_text=True)
    return next(line for line in body.splitlines() if ",2024," in line and ",True," in line)


def test_the_whole_flow_upload_preview_approve_history_restore(site) -> None:
    app, _, _ = site
    contributor, publisher = _client(app, "hp-doc"), _client(app, "boss")
    first_build = publisher.get("/healthz").headers["X-Urbanmap-Build"]
    assert "4664124.0" in _population_2024(publisher)
    response = _submit(contributor, _tidy(HP_2024))
    assert response.status_code == 302 and response.headers["Location"].endswith("/submissions/1")
    preview = contributor.get("/submissions/1", query_string={"lang": "en"}).get_data(as_text=True)
    assert "0 new, 1 changed, 0 unchanged" in preview and "4,664,124" in preview and "4,700,000" in preview
    assert "Approve and publish" not in preview  # a contributor cannot approve
    assert contributor.post("/submissions/1/approve", data={"csrf_token": csrf_token(contributor, "/")}).status_code == 403
    assert publisher.post("/submissions/1/approve", data={"csrf_token": csrf_token(publisher, "/submissions/1")}).status_code == 302
    new_build = publisher.get("/healthz").headers["X-Urbanmap-Build"]
    assert new_build != first_build
    line = _population_2024(publisher)
    assert "4700000.0" in line and "submission 1 by hp-doc" in line
    national = publisher.get("/?boundary=2025&indicator=population&year=2024&lang=en").get_data(as_text=True)
    assert "4,700,000" in national
    history = publisher.get("/history?lang=en").get_data(as_text=True)
    assert new_build in history and "submission 1" in history and "0 new, 1 changed, 0 unchanged" in history
    profile = publisher.get("/province/31?boundary=2025&lang=en").get_data(as_text=True)
    assert "submission 1 by hp-doc" in profile
    confirm = publisher.get(f"/history/{first_build}/restore?lang=en").get_data(as_text=True)
    assert "submission 1" in confirm and "1 values will differ" in confirm and 'name="reason"' in confirm
    assert _restore(publisher, first_build, "").status_code == 400  # no reason: nothing restored
    assert publisher.get("/healthz").headers["X-Urbanmap-Build"] == new_build
    assert _restore(publisher, first_build, "Số liệu sai").status_code == 302
    assert publisher.get("/healthz").headers["X-Urbanmap-Build"] == first_build
    assert "4664124.0" in _population_2024(publisher)
    with app.extensions["urbanmap_db"].session() as s:
        actions = [p.action for p in s.scalars(select(Publication).order_by(Publication.id))]
        assert actions == ["publish", "restore"] and s.get(Submission, 1).status == "reverted"


def test_an_xlsx_and_a_mapped_table_are_accepted(site) -> None:
    app, _, _ = site
    contributor = _client(app, "hp-doc")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(TIDY)
    sheet.append([HP_2024[c] for c in TIDY])
    data = io.BytesIO()
    book.save(data)
    assert _submit(contributor, data.getvalue(), "hp.xlsx").status_code == 302
    table = "Số điểm ngập úng năm 2024\nTỉnh,Số điểm ngập úng\nHải Phòng,12\n".encode()
    first = _submit(contributor, table, "points.csv").get_data(as_text=True)  # no mapping: one is suggested
    assert "points.csv: lỗi: bảng không phải tệp dạng chuẩn: cần có ánh xạ" in first and "year = 2024" in first
    assert "&#34;Số điểm ngập úng&#34; = { indicator = &#34;urban_flood_hotspots_chronic&#34;" in first
    assert "# Đề xuất từ bảng và danh mục chỉ tiêu" in first and "# 2008: 63 tỉnh; 2025: 34 đơn vị" in first  # the mapping's comments
    contributor.set_cookie("lang", "en")
    english = _submit(contributor, table, "points.csv").get_data(as_text=True)
    assert "points.csv: error: the table is not a tidy file: it needs a mapping" in english
    assert "# Suggested from the table and the catalogue" in english and "# 2008: the 63 provinces" in english
    contributor.set_cookie("lang", "vi")
    mapping = (
        'year = 2024\nboundary = "2025"\n[columns]\n"Số điểm ngập úng" = { indicator = "urban_flood_hotspots_chronic", unit = "points" }\n'
    )
    refused = _submit(contributor, table, "points.csv", mapping=mapping)
    assert refused.status_code == 400 and "nguồn chưa được ghi đủ rõ: nguồn không có tên" in refused.get_data(as_text=True)
    accepted = _submit(
        contributor,
        table,
        "points.csv",
        mapping=mapping,
        source_title="Sở Xây dựng Hải Phòng",
        source_url="https://soxaydung.haiphong.gov.vn/x",
    )
    assert accepted.status_code == 302, accepted.get_data(as_text=True)[-2000:]
    assert _count(app) == 2
    by_number = _submit(
        contributor, table, "points.csv", mapping=mapping, source_title="Báo cáo của Sở Xây dựng Hải Phòng", source_document="245/BC-SXD"
    )
    assert by_number.status_code == 302  # an official document's number stands for a web address
    publisher = _client(app, "boss")
    assert publisher.post("/submissions/3/approve", data={"csrf_token": csrf_token(publisher, "/submissions/3")}).status_code == 302
    body = publisher.get("/api/provinces.csv?codes=31&indicators=urban_flood_hotspots_chronic&long=1").get_data(as_text=True)
    assert "Báo cáo của Sở Xây dựng Hải Phòng (số 245/BC-SXD)" in body


def test_ward_figures_of_the_contributors_province_are_published_to_the_ward_page(site) -> None:
    app, _, _ = site
    contributor, publisher = _client(app, "hp-doc"), _client(app, "boss")
    other = _submit(contributor, _tidy(value("wards_2025", "00001", "population", 2025, "31000", "persons", name="Phường Ba Đình")))
    assert other.status_code == 400 and "không thuộc các đơn vị của bạn" in other.get_data(as_text=True)  # a ward of Hà Nội
    mine = value("wards_2025", "00005", "population", 2025, "12.5", "thousand persons", name="Phường Hải Phòng 1")
    assert _submit(contributor, _tidy(mine)).status_code == 302
    preview = contributor.get("/submissions/1?lang=en").get_data(as_text=True)
    assert "1 new, 0 changed, 0 unchanged" in preview
    assert publisher.post("/submissions/1/approve", data={"csrf_token": csrf_token(publisher, "/submissions/1")}).status_code == 302
    page = publisher.get("/ward/00005?lang=en").get_data(as_text=True)
    assert 'id="indicator-table"' in page and "12,500" in page and "fewer than 5 wards have a value" in page


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (_tidy({**HP_2024, "value": "nhiều"}), "bad.csv", "bad.csv, dòng 2, cột “value”: lỗi: giá trị “nhiều” không phải là số"),
        (
            _tidy(value("2025", "01", "population", 2024, "1", "thousand persons", name="Hà Nội")),
            "hn.csv",
            "không thuộc các đơn vị của bạn",
        ),
        (
            _tidy(value("2008", "01", "population", 2016, "1", "thousand persons", name="Hà Nội")),
            "hn.csv",
            "không thuộc các đơn vị của bạn",
        ),
        (b"\x00\x01binary", "x.csv", "không phải văn bản CSV cũng không phải sổ tính Excel"),
        (b"PK\x03\x04not really a zip", "x.xlsx", "không mở được"),
        ("Tỉnh,Số\nHải Phòng,1\n".encode(), "t.csv", "cần có ánh xạ"),
        (_tidy({**HP_2024, "note": '=HYPERLINK("http://evil.example","click")'}), "hp.csv", "là công thức bảng tính"),
        (_tidy({**HP_2024, "source_title": "@SUM(1+1)"}), "hp.csv", "là công thức bảng tính"),
        (_tidy(HP_2024), '=HYPERLINK("http://evil.example","x").csv', "là công thức bảng tính"),
    ],
)
def test_a_bad_submission_is_refused_with_its_report_and_nothing_is_stored(site, content: bytes, name: str, message: str) -> None:
    app, _, _ = site
    response = _submit(_client(app, "hp-doc"), content, name)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _count(app) == 0


def test_a_workbook_with_macros_or_a_bomb_is_refused(site) -> None:
    app, _, _ = site
    client = _client(app, "hp-doc")
    for entries, message in (
        ({"xl/workbook.xml": "<x/>", "xl/vbaProject.bin": "macro"}, "chứa macro"),
        ({"xl/workbook.xml": "<x/>", "xl/worksheets/sheet1.xml": "0" * 50_000_000}, "khi giải nén sẽ chiếm"),
    ):
        data = io.BytesIO()
        with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
            for entry, text in entries.items():
                archive.writestr(entry, text)
        response = _submit(client, data.getvalue(), "book.xlsx")
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _count(app) == 0


def test_an_oversized_file_is_413(site, tmp_path: Path, database_url: str) -> None:
    app, raw, out = site
    small = create_app({"DATA_DIR": out, "RAW_DIR": raw, "TESTING": True, "DATABASE_URL": database_url, "MAX_CONTENT_LENGTH": 10_000})
    client = _client(small, "hp-doc")
    response = _submit(client, _tidy(*[HP_2024] * 200))
    assert response.status_code == 413 and "MB" in response.get_data(as_text=True)


def test_uploads_are_limited_to_20_mb_by_default_and_need_raw_inputs(site, tmp_path: Path, database_url: str) -> None:
    app, _, out = site
    assert app.config["MAX_CONTENT_LENGTH"] == 20 * 2**20
    response = _submit(_client(app, "hp-doc"), b"x" * (20 * 2**20 + 1), "big.csv")
    assert response.status_code == 413
    no_raw = create_app({"DATA_DIR": out, "RAW_DIR": None, "TESTING": True, "DATABASE_URL": database_url})
    no_raw.config["RAW_DIR"] = None
    response = _submit(_client(no_raw, "hp-doc"), _tidy(HP_2024))
    assert response.status_code == 503 and "--raw" in response.get_data(as_text=True)


def test_roles_csrf_and_visibility(site) -> None:
    app, _, _ = site
    anonymous = app.test_client()
    assert anonymous.get("/submissions/new").status_code == 302
    assert anonymous.post("/submissions/new", data={"csrf_token": csrf_token(anonymous)}).status_code == 401
    admin = _client(app, "admin1")
    assert admin.get("/submissions/new").status_code == 403
    contributor = _client(app, "hp-doc")
    assert contributor.post("/submissions/new", data={"file": (io.BytesIO(_tidy(HP_2024)), "hp.csv")}).status_code == 400  # no CSRF token
    assert _submit(contributor, _tidy(HP_2024)).status_code == 302
    publisher = _client(app, "boss")
    assert publisher.post("/submissions/1/reject", data={"csrf_token": csrf_token(publisher, "/")}).status_code == 400  # no reason
    assert publisher.post("/submissions/1/withdraw", data={"csrf_token": csrf_token(publisher, "/")}).status_code == 403
    assert (
        publisher.post(
            "/submissions/1/reject", data={"csrf_token": csrf_token(publisher, "/"), "comment": "số liệu chưa có nguồn"}
        ).status_code
        == 302
    )
    assert "số liệu chưa có nguồn" in contributor.get("/submissions/1").get_data(as_text=True)
    assert publisher.post("/submissions/1/approve", data={"csrf_token": csrf_token(publisher, "/")}).status_code == 409
    assert _submit(contributor, _tidy(HP_2024)).status_code == 302
    assert contributor.post("/submissions/2/withdraw", data={"csrf_token": csrf_token(contributor, "/")}).status_code == 302
    with app.extensions["urbanmap_db"].session() as s:
        assert [s.get(Submission, i).status for i in (1, 2)] == ["rejected", "withdrawn"]
    other = app.test_client()
    with app.extensions["urbanmap_db"].session() as s:
        accounts.add_user(s, "cantho-doc", PASSWORD, "contributor", ["92"], {"92"}, "test")
    sign_in(other, "cantho-doc")
    assert other.get("/submissions/1").status_code == 404  # another unit's submission is not shown


def _approve_and_die(out: Path, raw: Path, database_url: str) -> None:
    """Approve submission 1 in this (forked) process and die by SIGKILL as the new build is renamed into place."""
    app = create_app({"DATA_DIR": out, "RAW_DIR": raw, "TESTING": True, "DATABASE_URL": database_url})
    client = _client(app, "boss")
    token = csrf_token(client, "/submissions/1")
    original = os.rename

    def die(source, target, *args, **kwargs):
        if "builds" in str(target):
            os.kill(os.getpid(), signal.SIGKILL)
        return original(source, target, *args, **kwargs)

    os.rename = die
    client.post("/submissions/1/approve", data={"csrf_token": token})


def test_a_crash_while_publishing_leaves_the_previous_build_and_the_submission_pending(site, database_url: str) -> None:
    app, raw, out = site
    before = open_build(out).build_id
    assert _submit(_client(app, "hp-doc"), _tidy(HP_2024)).status_code == 302
    app.extensions["urbanmap_db"].engine.dispose()  # no connection shared with the child
    child = multiprocessing.get_context("fork").Process(target=_approve_and_die, args=(out, raw, database_url))
    child.start()
    child.join(120)
    assert child.exitcode == -signal.SIGKILL
    again = create_app({"DATA_DIR": out, "RAW_DIR": raw, "TESTING": True, "DATABASE_URL": database_url})
    assert again.test_client().get("/healthz").headers["X-Urbanmap-Build"] == before
    with again.extensions["urbanmap_db"].session() as s:
        assert s.get(Submission, 1).status == "pending" and s.scalar(select(func.count()).select_from(Publication)) == 0
    publisher = _client(again, "boss")  # and it can still be approved
    assert publisher.post("/submissions/1/approve", data={"csrf_token": csrf_token(publisher, "/submissions/1")}).status_code == 302
    assert publisher.get("/healthz").headers["X-Urbanmap-Build"] != before


def test_with_the_database_stopped_pages_are_read_and_writes_refused(tiny_site, database_url: str) -> None:
    """PostgreSQL stopped during a signed-in session (SQLite has no server to stop)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server that can stop")
    url = make_url(database_url)
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    raw, out, _ = tiny_site
    relayed = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    app = create_app({"DATA_DIR": out, "RAW_DIR": raw, "TESTING": True, "DATABASE_URL": relayed})
    with app.extensions["urbanmap_db"].session() as s:
        accounts.add_user(s, "boss", PASSWORD, "publisher", [], {"31"}, "test")
        accounts.add_user(s, "hp-doc", PASSWORD, "contributor", ["31"], {"31"}, "test")
    contributor, publisher = _client(app, "hp-doc"), _client(app, "boss")
    assert _submit(contributor, _tidy(HP_2024), source_title="T").status_code == 302
    token, visitor = csrf_token(publisher, "/submissions/1"), app.test_client()
    visitor_token = csrf_token(visitor)
    relay.stop()
    for path in ("/", "/province/31", "/api/provinces.geojson"):
        page = publisher.get(path)
        assert page.status_code == 200, path
    assert "account service is unavailable" in publisher.get("/?lang=en").get_data(as_text=True)
    assert "Dịch vụ tài khoản đang không hoạt động" in publisher.get("/?lang=vi").get_data(as_text=True)
    for response in (
        publisher.get("/submissions"),
        publisher.post("/submissions/1/approve", data={"csrf_token": token}),
        publisher.post("/logout", data={"csrf_token": token}),
        visitor.post("/login", data={"username": "boss", "password": PASSWORD, "csrf_token": visitor_token}),
    ):
        assert response.status_code == 503 and "Retry-After" in response.headers
    assert open_build(out).manifest["build_id"] == app.extensions["urbanmap_build"].current().build_id  # nothing published
    app.extensions["urbanmap_db"].engine.dispose()


def _workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _altered(content: bytes, change) -> bytes:
    """The workbook ``content`` with its parts passed through ``change(parts: dict[name, bytes])``."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    change(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


TIDY_ROWS = [TIDY, [HP_2024[c] for c in TIDY]]
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
VBA_TYPE = "application/vnd.ms-office.vbaProject"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


def _declared_in_content_types(parts: dict) -> None:
    parts["xl/project.dat"] = b"not even a program"
    override = f'<Override PartName="/xl/project.dat" ContentType="{VBA_TYPE}"/>'.encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", override + b"</Types>")


def _declared_in_a_relationship(parts: dict) -> None:
    parts["xl/project.dat"] = b"not even a program"
    rel = f'<Relationship Id="rIdVba" Type="{VBA_REL}" Target="project.dat"/>'.encode()
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", rel + b"</Relationships>")


def _a_program_under_another_name(parts: dict) -> None:
    parts["xl/media/image1.png"] = OLE


def _no_worksheet(parts: dict) -> None:
    for name in [n for n in parts if n.startswith("xl/worksheets/")]:
        del parts[name]


def _a_missing_shared_string(parts: dict) -> None:
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = re.sub(r'<c r="A2"[^>]*>.*?</c>', '<c r="A2" t="s"><v>999</v></c>', sheet, count=1).encode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_declared_in_content_types, "chứa macro"),
        (_declared_in_a_relationship, "chứa macro"),
        (_a_program_under_another_name, "chứa macro"),
        (_no_worksheet, "book.xlsx: lỗi: sổ tính"),
        (_a_missing_shared_string, "sổ tính bị hỏng"),
    ],
)
def test_a_workbook_with_renamed_macros_or_damaged_parts_is_400(site, change, message: str) -> None:
    app, _, _ = site
    content = _altered(_workbook(TIDY_ROWS), change)
    response = _submit(_client(app, "hp-doc"), content, "book.xlsx")
    assert response.status_code == 400 and message in response.get_data(as_text=True), re.findall(
        "<li>.*?</li>", response.get_data(as_text=True)
    )
    assert _count(app) == 0


def test_the_same_workbook_unaltered_is_taken(site) -> None:
    app, _, _ = site
    response = _submit(_client(app, "hp-doc"), _altered(_workbook(TIDY_ROWS), lambda parts: None), "book.xlsx")
    assert response.status_code == 302 and _count(app) == 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_csv_is_taken_like_the_importer_takes_it(site, encoding: str) -> None:
    app, _, _ = site
    text = _tidy(HP_2024).decode("utf-8")
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding]
    response = _submit(_client(app, "hp-doc"), bom + text.encode(encoding), "hp.csv")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def test_the_review_shows_every_digit_with_labels_units_and_names(site) -> None:
    app, _, _ = site
    client = _client(app, "hp-doc")
    exact = value("2025", "31", "population", 2024, "4664124.375", "persons", name="Hải Phòng")
    assert _submit(client, _tidy(exact), source_title="T").status_code == 302
    vi = client.get("/submissions/1?lang=vi").get_data(as_text=True)
    assert "4.664.124,375" in vi and "4.664.124,38" not in vi  # every submitted digit, in the Vietnamese format
    assert "Hải Phòng (31)" in vi and "Dân số (người)" in vi
    en = client.get("/submissions/1?lang=en").get_data(as_text=True)
    assert "4,664,124.375" in en and "Population (persons)" in en
