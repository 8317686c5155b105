"""The intake workflow as people click it in Chromium: a contributor uploads an XLSX for their unit and sees the
preview; a publisher approves; the map and the download show the value with its submitter; history; restore."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import serve
from tests.synthetic import TIDY, value
from tests.webmap.intake_helpers import PASSWORD
from webmap import create_app
from webmap.intake import accounts


@pytest.fixture
def site(tmp_path: Path, tiny_site) -> Iterator[str]:
    raw, out, _ = tiny_site
    app = create_app({"DATA_DIR": out, "RAW_DIR": raw, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    units = set(app.extensions["urbanmap_build"].current().geography.units["2025"]["code"])
    with app.extensions["urbanmap_db"].session() as s:
        accounts.add_user(s, "hp-doc", PASSWORD, "contributor", ["31"], units, "test")
        accounts.add_user(s, "boss", PASSWORD, "publisher", [], units, "test")
    yield from serve(app)


def _sign_in(page: Page, url: str, name: str) -> None:
    page.goto(url + "/login?lang=en")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator(".um-account")).to_contain_text(f"Signed in as {name}")


def _sign_out(page: Page) -> None:
    page.click(".um-account button")
    expect(page.locator(".um-account")).to_contain_text("Sign in")


def test_upload_preview_approve_map_history_restore(page: Page, site: str, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(TIDY)
    row = value("2025", "31", "population", 2024, "4700", "thousand persons", name="Hải Phòng")
    book.active.append([row[c] for c in TIDY])
    workbook = tmp_path / "hai-phong.xlsx"
    book.save(workbook)

    _sign_in(page, site, "hp-doc")
    page.goto(site + "/submissions/new")
    page.set_input_files("#file", str(workbook))
    page.click("text=Check and preview")
    expect(page.locator("h1")).to_contain_text("Submission 1")
    expect(page.locator("body")).to_contain_text("0 new, 1 changed, 0 unchanged")
    expect(page.locator("tr.um-change-changed")).to_contain_text("4,700,000")
    unit = page.locator('#submission-map path.um-unit[data-code="31"]')  # the map: Hải Phòng changed, published beside submitted
    unit.hover()
    expect(page.locator(".um-tooltip")).to_contain_text("4,664,124 → 4,700,000")
    expect(page.locator("text=Approve and publish")).to_have_count(0)
    _sign_out(page)

    _sign_in(page, site, "boss")
    page.goto(site + "/history")
    first_build = page.locator("body").inner_text().split("The build served now: ")[1].split(".")[0]
    page.goto(site + "/submissions/1")
    page.click("text=Approve and publish")
    expect(page.locator("h1")).to_contain_text("approved (published)")
    page.goto(site + "/?boundary=2025&indicator=population&year=2024")
    expect(page.locator("#ranked-table")).to_contain_text("4,700,000")
    download = page.request.get(site + "/api/provinces.csv?codes=31&indicators=population&long=1").text()
    assert "submission 1 by hp-doc" in download
    page.goto(site + "/history")
    expect(page.locator("table").first).to_contain_text("submission 1")
    page.locator("tr", has_text=first_build).locator("text=Restore…").click()
    expect(page.locator("h1")).to_contain_text(f"Restore build {first_build}")
    expect(page.locator("body")).to_contain_text("submission 1")
    page.fill("#reason", "Số liệu cần kiểm tra lại")
    page.click("text=Restore this build")
    expect(page.locator("body")).to_contain_text(f"The build served now: {first_build}.")
    page.goto(site + "/?boundary=2025&indicator=population&year=2024")
    expect(page.locator("#ranked-table")).not_to_contain_text("4,700,000")
