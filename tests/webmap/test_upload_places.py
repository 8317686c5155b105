"""Every problem of an upload is told where the user sees it in the spreadsheet: the file's own row (title rows,
blank rows and cells holding line breaks counted as a spreadsheet counts them) and the file's own column, not the
rows and columns of the tidy table made from it; in the page's language. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re

import openpyxl

from tests.synthetic import value
from tests.webmap.test_submissions import _client, _submit, _tidy, site  # noqa: F401

MAPPING = (
    'year = 2024\nboundary = "2025"\n[columns]\n"Số điểm ngập úng" = { indicator = "urban_flood_hotspots_chronic", unit = "points" }\n'
)
SOURCE = {"source_title": "Sở Xây dựng", "source_url": "https://soxaydung.haiphong.gov.vn/x"}


def _problems(response) -> list[str]:
    return [re.sub(r"&#34;", '"', p) for p in re.findall(r"<li>(.*?)</li>", response.get_data(as_text=True))]


def test_a_mapped_csv_is_told_at_its_own_rows_and_columns(site) -> None:  # noqa: F811
    app, _, _ = site
    table = 'Số điểm ngập úng năm 2024\n\n"Tỉnh"," Số điểm ngập úng"\nHải Phòng,12\n"Hà\nNội",3\n'.encode()
    client = _client(app, "hp-doc")
    response = _submit(client, table, "points.csv", mapping=MAPPING, **SOURCE)
    assert response.status_code == 400
    (problem,) = _problems(response)
    # a spreadsheet shows: 1 title, 2 blank, 3 header, 4 Hải Phòng, 5 Hà Nội (a cell with a line break is one row)
    assert problem.startswith("points.csv, dòng 5, cột “Tỉnh”: lỗi: đơn vị 01 của bộ ranh giới 2025 không thuộc các đơn vị của bạn (31,")
    assert problem.endswith("Cách sửa: chỉ gửi số liệu cho các đơn vị của bạn; người công bố có thể gửi cho đơn vị khác")
    client.set_cookie("lang", "en")  # the language a page switch remembered
    (problem,) = _problems(_submit(client, table, "points.csv", mapping=MAPPING, **SOURCE))
    assert problem.startswith("points.csv, row 5, column “Tỉnh”: error: unit 01 of boundary set 2025 is not one of your units")
    assert problem.endswith("Fix: submit values only for your units; a publisher can submit for others")


def test_a_mapped_workbook_is_told_at_its_own_rows_and_columns(site) -> None:  # noqa: F811
    app, _, _ = site
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B3"], sheet["C3"] = "Tỉnh", "Số điểm ngập úng"  # the table starts at B3, with a blank row inside
    sheet["B4"], sheet["C4"] = "Hải Phòng", 7
    sheet["B6"], sheet["C6"] = "Hà Nội", 4
    client = _client(app, "hp-doc")
    problems = _problems(_submit(client, _saved(book), "points.xlsx", mapping=MAPPING, **SOURCE))
    assert [p.split(": lỗi")[0] for p in problems] == ["points.xlsx, dòng 6, cột “Tỉnh”"], problems
    sheet["B7"], sheet["C7"] = "Hải Phòng", 8
    problems = _problems(_submit(client, _saved(book), "points.xlsx", mapping=MAPPING, **SOURCE))
    assert any(p.startswith("points.xlsx, dòng 7, cột “Số điểm ngập úng”") and "cũng có ở dòng 4" in p for p in problems), problems


def _saved(book) -> bytes:
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_a_tidy_file_is_told_at_its_rows_even_with_line_breaks_in_cells(site) -> None:  # noqa: F811
    app, _, _ = site
    note = value("2025", "31", "population", 2024, "4700", "thousand persons", name="Hải Phòng")
    formula = {**note, "note": "=1+1"}
    text = _tidy({**note, "note": "dòng một\ndòng hai"}, formula)
    response = _submit(_client(app, "hp-doc"), text, "hp.csv")
    assert "hp.csv, dòng 3, cột “note”: lỗi: “=1+1” là công thức bảng tính" in " ".join(_problems(response))
