"""Every problem of an upload is told where the user sees it in the spreadsheet: the file's own row (title rows,
blank rows and cells holding line breaks counted as a spreadsheet counts them) and the file's own column, not the
rows and columns of the tidy table made from it. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re

import openpyxl

from tests.synthetic import value
from tests.webmap.test_submissions import _client, _submit, _tidy, site  # noqa: F401

MAPPING = (
    'year = 2024\nboundary = "2025"\n[columns]\n"Số điểm ngập úng" = { indicator = "urban_flood_hotspots_chronic", unit = "points" }\n'
)
SOURCE = {"source_title": "Sở Xây dựng", "source_url": "https://soxaydung.haiphong.gov.vn/x", "lang": "en"}


def _problems(response) -> list[str]:
    return [re.sub(r"&#34;", '"', p) for p in re.findall(r"<li>(.*?)</li>", response.get_data(as_text=True))]


def test_a_mapped_csv_is_told_at_its_own_rows_and_columns(site) -> None:  # noqa: F811
    app, _, _ = site
    table = 'Số điểm ngập úng năm 2024\n\n"Tỉnh"," Số điểm ngập úng"\nHải Phòng,12\n"Hà\nNội",3\n'.encode()
    response = _submit(_client(app, "hp-doc"), table, "points.csv", mapping=MAPPING, **SOURCE)
    assert response.status_code == 400
    (problem,) = _problems(response)
    # a spreadsheet shows: 1 title, 2 blank, 3 header, 4 Hải Phòng, 5 Hà Nội (a cell with a line break is one row)
    assert problem.startswith('points.csv, row 5, column "Tỉnh": error: unit 01 of boundary set 2025 is not one of your units')


def test_a_mapped_workbook_is_told_at_its_own_rows_and_columns(site) -> None:  # noqa: F811
    app, _, _ = site
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B3"], sheet["C3"] = "Tỉnh", "Số điểm ngập úng"  # the table starts at B3, with a blank row inside
    sheet["B4"], sheet["C4"] = "Hải Phòng", 7
    sheet["B6"], sheet["C6"] = "Hà Nội", 4
    client = _client(app, "hp-doc")
    problems = _problems(_submit(client, _saved(book), "points.xlsx", mapping=MAPPING, **SOURCE))
    assert [p.split(": error")[0] for p in problems] == ['points.xlsx, row 6, column "Tỉnh"'], problems
    sheet["B7"], sheet["C7"] = "Hải Phòng", 8
    problems = _problems(_submit(client, _saved(book), "points.xlsx", mapping=MAPPING, **SOURCE))
    assert any(p.startswith('points.xlsx, row 7, column "Số điểm ngập úng"') and "also in row 4" in p for p in problems), problems


def _saved(book) -> bytes:
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_a_tidy_file_is_told_at_its_rows_even_with_line_breaks_in_cells(site) -> None:  # noqa: F811
    app, _, _ = site
    note = value("2025", "31", "population", 2024, "4700", "thousand persons", name="Hải Phòng")
    formula = {**note, "note": "=1+1"}
    text = _tidy({**note, "note": "dòng một\ndòng hai"}, formula)
    response = _submit(_client(app, "hp-doc"), text, "hp.csv", lang="en")
    assert 'hp.csv, row 3, column "note": error: "=1+1" is a spreadsheet formula' in " ".join(_problems(response))
