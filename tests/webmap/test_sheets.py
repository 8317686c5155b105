"""Map sheets: what a report needs is on the page (read back from the PDF), at the paper's size, in the page's
language, with the page's classes; bad parameters are refused; a sheet is drawn once."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PdfReader

from webmap.render.sheets import DPI, Page

NATIONAL = "/sheet.pdf?indicator=population&boundary=2025&method=quantiles&classes=5"


def _text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 1
    return re.sub(r"\s+", " ", reader.pages[0].extract_text())


@pytest.fixture(scope="module")
def national_pdf(shipped_app) -> bytes:
    response = shipped_app.test_client().get(NATIONAL + "&lang=vi")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return response.data


def test_a_national_sheet_says_what_a_report_needs(national_pdf, client, shipped_app) -> None:
    text = _text(national_pdf)
    store = shipped_app.extensions["urbanmap_build"].current()
    for needed in (
        "Dân số · 2025",
        "Quần đảo Hoàng Sa",
        "Quần đảo Trường Sa",
        "Nguồn:",
        store.build_id,
        "Hoàng Sa và Trường Sa là một phần lãnh thổ Việt Nam",
    ):
        assert needed in text, needed
    page = BeautifulSoup(client.get("/?indicator=population&boundary=2025&method=quantiles&classes=5&lang=vi").data, "html.parser")
    bounds = [li.get_text(" ", strip=True) for li in page.select("#legend ol li")][:-1]  # the classes, not "no data"
    assert len(bounds) >= 3
    assert all(b in text for b in bounds), (bounds, text)  # the page's classes, in the page's number format
    assert "Dân số (người), 2025" in text  # the legend's unit
    width, height = (float(v) for v in PdfReader(io.BytesIO(national_pdf)).pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def test_a_sheet_speaks_the_page_language(client) -> None:
    text = _text(client.get(NATIONAL + "&lang=en&size=a3&orientation=landscape").data)
    assert "Population · 2025" in text and "Source:" in text and "No data" in text
    assert "Nguồn" not in text


@pytest.mark.parametrize(("size", "orientation"), [("a4", "portrait"), ("a3", "landscape")])
def test_png_sheets_are_300_dpi_at_the_paper_size(client, size: str, orientation: str) -> None:
    response = client.get(f"/province/79/sheet.png?boundary=2025&size={size}&orientation={orientation}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    width_mm, height_mm = (297, 420) if size == "a3" else (210, 297)
    if orientation == "landscape":
        width_mm, height_mm = height_mm, width_mm
    assert image.size == (round(width_mm / 25.4 * DPI), round(height_mm / 25.4 * DPI)) == Page(size, orientation).pixels


def test_a_province_sheet_has_its_name_and_indicator_table(client, shipped_app) -> None:
    text = _text(client.get("/province/79/sheet.pdf?boundary=2025&lang=vi").data)
    assert "Hồ Chí Minh" in text and "Chỉ tiêu" in text and "Quần đảo Trường Sa" in text
    english = _text(client.get("/province/79/sheet.pdf?boundary=2025&lang=en").data)
    assert "Ho Chi Minh City" in english and "dong_nam_bo" not in english  # a region by its name, never its id
    svg = client.get("/province/79/sheet.svg?boundary=2025&orientation=landscape")
    assert svg.mimetype == "image/svg+xml"
    root = ET.fromstring(svg.data)
    assert root.tag.endswith("svg") and root.get("width", "").startswith("841.")  # A4 landscape in points


def test_a_comparison_sheet_names_the_units_and_refuses_what_the_page_refuses(client) -> None:
    text = _text(client.get("/compare/sheet.pdf?codes=01,79&boundary=2025&lang=vi").data)
    assert "So sánh: Hà Nội, Hồ Chí Minh" in text
    assert client.get("/compare/sheet.pdf?codes=01&boundary=2025").status_code == 400


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/sheet.pdf?indicator=population&size=a5", 400),
        ("/sheet.pdf?indicator=population&orientation=sideways", 400),
        ("/sheet.pdf?indicator=population&dpi=600", 400),
        ("/sheet.gif?indicator=population", 404),
        ("/province/zz/sheet.pdf", 404),
        ("/province/79/sheet.pdf?boundary=2025&indicator=population", 400),
        ("/compare/sheet.svg?codes=01,79&colour=red", 400),
    ],
)
def test_bad_sheet_parameters_are_refused(client, url: str, status: int) -> None:
    assert client.get(url).status_code == status


def test_a_sheet_is_drawn_once_and_revalidated(client, national_pdf, monkeypatch) -> None:
    from webmap.render import sheets

    monkeypatch.setattr(sheets, "render", lambda *a: pytest.fail("drawn again"))
    again = client.get(NATIONAL + "&lang=vi")
    assert again.data == national_pdf
    assert client.get(NATIONAL + "&lang=vi", headers={"If-None-Match": again.headers["ETag"]}).status_code == 304


def test_every_page_links_its_sheets(client) -> None:
    for url, start in (
        ("/?indicator=population", "/sheet.pdf?"),
        ("/province/79?boundary=2025", "/province/79/sheet.pdf?"),
        ("/compare?codes=01,79", "/compare/sheet.pdf?"),
    ):
        links = [a["href"] for a in BeautifulSoup(client.get(url).data, "html.parser").select("#sheets a")]
        assert len(links) == 12 and any(h.startswith(start) for h in links), url
