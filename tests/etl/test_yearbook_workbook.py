"""A yearbook workbook as statistics offices lay it out: a bilingual title and unit row, the whole country and each
region in two languages ("Đồng bằng sông Hồng - Red River Delta") with subtotals computed by formulas
(``=SUM(B8:B18)``, the country as the sum of the regions) between the province blocks. It imports whole in one run;
the region and country rows are never provinces, and their subtotals are checked against the provinces: the value
the file saved with the formula where it has one, else the sum the formula names."""

from __future__ import annotations

import csv
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from etl.cli import main
from etl.importer.spec import load_spec
from etl.importer.table_import import import_table
from etl.importer.tables import read_grid
from etl.importer.xlsx_formulas import evaluate
from etl.problems import Report
from etl.totals import check_totals, own_figures
from tests.etl.test_published_tables import CATALOGUE, RESOLVER
from tests.synthetic import shipped_file

REGIONS = {  # GSO's region rows in its English table -> the yearbook's Vietnamese name
    "Red River Delta": "Đồng bằng sông Hồng",
    "Northern midlands and mountain areas": "Trung du và miền núi phía Bắc",
    "Northern Central area and Central coastal area": "Bắc Trung Bộ và Duyên hải miền Trung",
    "Central Highlands": "Tây Nguyên",
    "South East": "Đông Nam Bộ",
    "Mekong River Delta": "Đồng bằng sông Cửu Long",
}
MAPPING = 'source_title = "Niên giám thống kê (thử)"\nsource_url = "https://example.invalid/nien-giam"\n[columns]\n"Dân số trung bình" = { indicator = "population" }\n'


def _blocks() -> list[tuple[str, list[tuple[str, Decimal, Decimal]]]]:
    """The 63 provinces' average population 2015-2016 (thousand persons) by region, from GSO's own table."""
    raw = shipped_file("published/gso-en-2018/average-population-by-province_1995-2016.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(raw.splitlines(), delimiter=";"))
    a, b = rows[2].index("Total 2015"), rows[2].index("Total Prel. 2016")
    blocks: list[tuple[str, list[tuple[str, Decimal, Decimal]]]] = []
    for row in rows[3:]:
        name = " ".join(row[0].split()) if row else ""
        if name in REGIONS:
            blocks.append((name, []))
        elif blocks and name and name != "Ha Tay":
            blocks[-1][1].append((name, Decimal(row[a]), Decimal(row[b])))
    return blocks


def yearbook(path: Path, tamper: str | None = None) -> dict[str, int]:
    """Write the workbook (a province's 2016 figure raised by 50 where ``tamper`` names it); return the row of each
    region and of the country."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Dân số trung bình phân theo địa phương - Average population by province"])
    ws.append(["Nghìn người - Thous. persons"])
    ws.append(["", "Dân số trung bình 2015", "Dân số trung bình Sơ bộ 2016"])
    ws.append(["CẢ NƯỚC - WHOLE COUNTRY"])
    places, region_rows = {"country": ws.max_row}, []
    for english, provinces in _blocks():
        ws.append([f"{REGIONS[english]} - {english}"])
        top = ws.max_row
        region_rows.append(top)
        places[english] = top
        for name, y2015, y2016 in provinces:
            ws.append([name, float(y2015), float(y2016 + (50 if name == tamper else 0))])
        for column in "BC":
            ws[f"{column}{top}"] = f"=SUM({column}{top + 1}:{column}{ws.max_row})"
    for column in "BC":
        ws[f"{column}{places['country']}"] = "=" + "+".join(f"{column}{r}" for r in region_rows)
    wb.save(path)
    return places


def _import(path: Path, tmp_path: Path):
    mapping = tmp_path / "yearbook.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return import_table(read_grid(path), load_spec(mapping), RESOLVER, CATALOGUE, str(path))


def _checked(result, name: str) -> tuple[int, Report]:
    own = own_figures(result.rows)
    report = Report()
    return check_totals(result.totals, {name: own}, own, {}, CATALOGUE, report, 63), report


def test_the_workbook_imports_whole_in_one_run_and_its_subtotals_check(tmp_path: Path) -> None:
    path = tmp_path / "nien-giam.xlsx"
    yearbook(path)
    result = _import(path, tmp_path)
    assert {r["year"] for r in result.rows} == {"2015", "2016"}
    assert len({r["province_code"] for r in result.rows}) == 63  # every block, no region or country row
    hanoi = next(r for r in result.rows if r["province_code"] == "01" and r["year"] == "2016")
    assert (hanoi["value"], hanoi["preliminary"]) == ("7328400", "yes")
    assert not any("were not imported" in note for note in result.notes)
    assert any(note.startswith("cells B4, C4, B5, C5") and "computed from the cells they name" in note for note in result.notes)
    assert any('"Đồng bằng sông Hồng" is a region row' in note for note in result.notes)
    checked, report = _checked(result, str(path))
    assert checked == 14 and not report.warnings  # 6 regions and the country, two years


def _save_value(path: Path, ref: str, value: Decimal) -> None:
    """Give the formula of cell ``ref`` a saved value, as a spreadsheet program keeps it (here: from before an edit)."""
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    sheet, found = re.subn(rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)<v\s*/>', rf"\g<1><v>{value}</v>", sheet)
    assert found == 1
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _region_sum(english: str) -> Decimal:
    return sum((p[2] for e, ps in _blocks() if e == english for p in ps), Decimal(0))


def test_a_province_off_its_regions_saved_subtotal_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nien-giam.xlsx"
    places = yearbook(path, tamper="Can Tho")
    mekong = places["Mekong River Delta"]
    _save_value(path, f"C{mekong}", _region_sum("Mekong River Delta"))  # saved before Cần Thơ's figure was raised
    result = _import(path, tmp_path)
    assert f"C{mekong}" not in next(n for n in result.notes if n.startswith("cells "))  # its saved value is used
    _, report = _checked(result, str(path))
    region, country = sorted(report.warnings, key=lambda w: w.row != mekong)
    assert region.row == mekong and 'under "Đồng bằng sông Cửu Long - Mekong River Delta"' in region.message
    assert f"the table prints {float(_region_sum('Mekong River Delta') * 1000):,.6g}" in region.message  # in persons
    assert country.row == places["country"]  # the country's sum of the regions, the Mekong's as saved, is off too


def test_the_import_command_checks_the_subtotals(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "nien-giam.xlsx"
    places = yearbook(path, tamper="Ha Noi")
    _save_value(path, f"C{places['Red River Delta']}", _region_sum("Red River Delta"))
    mapping = tmp_path / "yearbook.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    assert main(["import", str(path), "--map", str(mapping), "--out", str(tmp_path / "out.csv")]) == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(f"row {places['Red River Delta']}" in w and "Red River Delta" in w for w in warnings)
    assert len({r["province_code"] for r in csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8"))}) == 63


@pytest.mark.parametrize(
    ("formula", "expected"),
    [("SUM(A1:A3)", "6"), ("A1+A2", "3"), ("=SUM($A$1:A2)+A3", "6"), ("SUM(A1,A3)", "4"), ("A1*2", None), ("SUM(A1:A3)+B1", None)],
)
def test_only_sums_of_cells_are_computed(formula: str, expected: str | None) -> None:
    cells = {(0, 0): Decimal(1), (1, 0): Decimal(2), (2, 0): Decimal(3)}
    got = evaluate({(0, 5): formula}, lambda r, c: cells.get((r, c)))
    assert got.get((0, 5)) == (Decimal(expected) if expected else None)
