"""The monitor's pages: the progress map (categories, legend counts, the target in the title, the approximation
note), its parameters, the methods page and the progress downloads, read back with GDAL."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from bs4 import BeautifulSoup

URBAN_2025 = "148-nq-cp-2025-national-urbanisation-rate"
HOUSING_2030 = "148-nq-cp-2030-housing-floor-area-per-capita-in-urban-areas"
WORDS = {
    "achieved": "đã đạt",
    "on_track": "đúng tiến độ",
    "accelerate": "cần tăng tốc",
    "slow": "chậm tiến độ",
    "regressing": "đi ngược hướng",
}


@pytest.fixture
def client(shipped_app):
    client = shipped_app.test_client()
    client.set_cookie("lang", "vi")
    return client


@pytest.fixture(scope="module")
def progress(shipped_build) -> pd.DataFrame:
    return pyogrio.read_dataframe(shipped_build[0] / "current" / "urban.gpkg", layer="progress", read_geometry=False)


def _soup(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, response.data[-400:]
    return BeautifulSoup(response.data, "html.parser")


@pytest.mark.parametrize(("boundary", "units"), [("2008", 63), ("2025", 34)])
def test_the_progress_map_counts_each_category_as_the_build_computed_it(client, progress, boundary: str, units: int) -> None:
    page = _soup(client, f"/?mode=progress&target={URBAN_2025}&boundary={boundary}")
    assert page.select_one("select[name=indicator] option[selected]")["value"] == "urban_population_share"  # the best measure
    h1 = page.h1.get_text(" ", strip=True)
    assert "tối thiểu 45" in h1 and "2025" in h1 and "148/NQ-CP" in h1
    rows = progress[(progress.target_id == URBAN_2025) & (progress.indicator == "urban_population_share") & (progress.boundary == boundary)]
    expected = rows["status"].value_counts().to_dict()
    legend = [li.get_text(" ", strip=True) for li in page.select("#legend ol li")]
    for status, words in WORDS.items():
        assert f"{words} ({expected.get(status, 0)})" in legend
    shown = sum(expected.get(s, 0) for s in WORDS)
    assert f"Không có số liệu: {units - shown}" in " ".join(legend)
    assert len(page.select("#ranked-table tbody tr")) == shown
    assert "Tổng cục Thống kê" in page.select_one("#progress-approximation").get_text()  # how the series differs
    assert page.select_one("#legend a[href='/methods/progress']")
    assert page.select_one(
        f"#downloads ~ * a[href*='sheet.pdf'][href*='target={URBAN_2025}'], a[href*='sheet.pdf'][href*='target={URBAN_2025}']"
    )


def test_a_units_row_gives_baseline_latest_and_both_paces(client, progress) -> None:
    page = _soup(client, f"/?indicator=dwelling_area_per_capita&mode=progress&target={HOUSING_2030}&boundary=2008")
    row = next(tr for tr in page.select("#ranked-table tbody tr") if "TP. Hồ Chí Minh" in tr.get_text() or "Hồ Chí Minh" in tr.get_text())
    text = row.get_text(" ", strip=True)
    mine = progress[(progress.target_id == HOUSING_2030) & (progress.boundary == "2008") & (progress.code == "79")].iloc[0]
    assert WORDS[mine.status] in text and "2014:" in text and "2016:" in text and "mỗi năm" in text
    assert "(năm gốc 2016)" in text


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/?mode=progress&target=no-such-target", 404),
        (f"/?indicator=urban_population_share&mode=progress&target={HOUSING_2030}", 404),
        (f"/?indicator=urban_population_share&target={URBAN_2025}&mode=value", 400),
        ("/?indicator=population&mode=progress", 400),
        ("/?mode=trend", 400),
    ],
)
def test_progress_parameters_that_do_not_fit_are_refused(client, url: str, status: int) -> None:
    assert client.get(url).status_code == status


def test_the_map_menu_offers_progress_where_a_target_is_measured(client) -> None:
    page = _soup(client, "/?indicator=dwelling_area_per_capita&boundary=2025")
    assert page.select_one("select[name=mode] option[value=progress]")
    assert not _soup(client, "/?indicator=population").select_one("select[name=mode] option[value=progress]")


@pytest.mark.parametrize(
    ("lang", "words"), [("vi", "Cách đo tiến độ thực hiện mục tiêu"), ("en", "How progress toward a target is measured")]
)
def test_the_methods_page_states_the_thresholds(shipped_app, lang: str, words: str) -> None:
    client = shipped_app.test_client()
    client.set_cookie("lang", lang)
    page = _soup(client, "/methods/progress")
    assert words in page.h1.get_text()
    table = page.select_one("#method-statuses").get_text(" ", strip=True)
    assert ("0,95" if lang == "vi" else "0.95") in table and ("0,6" if lang == "vi" else "0.6") in table
    assert client.get("/methods/progress?x=1").status_code == 400


def test_progress_downloads_read_back_with_gdal(client, progress, tmp_path: Path) -> None:
    body = client.get(f"/api/progress.csv?boundary=2008&target={URBAN_2025}").data
    table = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig", dtype={"code": str})
    mine = progress[(progress.target_id == URBAN_2025) & (progress.boundary == "2008")]
    assert len(table) == len(mine) and set(table["status"]) <= {"achieved", "on_track", "accelerate", "slow", "regressing", "insufficient"}
    assert {"baseline_value", "baseline_year", "latest_value", "observed_pace", "needed_pace", "method_version", "note"} <= set(
        table.columns
    )
    path = tmp_path / "progress.geojson"
    path.write_bytes(client.get(f"/api/progress.geojson?boundary=2025&target={URBAN_2025}").data)
    frame = pyogrio.read_dataframe(path)
    assert len(frame) == len(progress[(progress.target_id == URBAN_2025) & (progress.boundary == "2025")]) and frame.crs.to_epsg() == 4326
    assert json.loads(path.read_text(encoding="utf-8"))["urbanmap"]["build_id"]
    assert client.get("/api/progress.csv?target=nope").status_code == 404
    assert client.get("/api/progress.pdf").status_code == 404
    assert client.get("/api/progress.csv?boundary=1999").status_code in (400, 404)


def test_the_programme_page_counts_tasks_and_units_by_status(client, progress) -> None:
    page = _soup(client, "/program")
    assert "hoàn thành muộn 1" in page.select_one("#group-2 .um-task-counts").get_text(" ", strip=True)
    line = page.select_one(f"#targets a[href*='target={URBAN_2025}']").find_parent("div")
    mine = progress[(progress.target_id == URBAN_2025) & (progress.boundary == "2025") & (progress.indicator == "urban_population_share")]
    text = " ".join(line.get_text(" ", strip=True).split())
    for status, n in mine["status"].value_counts().items():
        assert f"{ {**WORDS, 'insufficient': 'không đủ số liệu'}[status] } {n}" in text
    housing = page.select_one("#group-5 .um-measured") or page.select_one(".um-measured")
    assert housing is not None and "progress" in housing.select_one("a")["href"]


def test_the_change_map_gives_both_years_and_ranks_by_change(client, shipped_build) -> None:
    page = _soup(client, "/?indicator=population&boundary=2008&from=2010&year=2016")
    assert "2010 → 2016" in page.h1.get_text()
    values = pyogrio.read_dataframe(shipped_build[0] / "current" / "urban.gpkg", layer="indicator_values", read_geometry=False)
    population = values[(values.indicator == "population") & (values.boundary == "2008") & values.preferred & values.value.notna()]
    by_year = {y: dict(zip(g.code, g.value)) for y, g in population[population.year.isin([2010, 2016])].groupby("year")}
    change = {c: by_year[2016][c] - by_year[2010][c] for c in by_year[2016] if c in by_year[2010]}
    first = page.select_one("#ranked-table tbody tr").get_text(" ", strip=True)
    top = max(change, key=change.get)
    assert top == "79" and "Hồ Chí Minh" in first
    percent = change[top] / by_year[2010][top] * 100
    assert f"(+{percent:.2f} %)".replace(".", ",") in first and "2010: 7.346.600 → 2016: 8.297.500" in first
    assert len(page.select("#ranked-table tbody tr")) == len(change)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/?indicator=population&from=2030", 404),
        ("/?indicator=population&from=2010&mode=value", 400),
        ("/?indicator=storm_flood_damage_yagi_2024&mode=change", 400),
    ],
)
def test_change_parameters_that_do_not_fit_are_refused(client, url: str, status: int) -> None:
    assert client.get(url).status_code == status


def test_the_dashboard_lists_each_quantitative_target_with_its_units_progress(client, progress) -> None:
    page = _soup(client, "/program/progress")
    rows = {tr["data-target"]: tr for tr in page.select("#dashboard tbody tr")}
    assert URBAN_2025 in rows and HOUSING_2030 in rows
    mine = progress[
        (progress.target_id == HOUSING_2030) & (progress.boundary == "2025") & (progress.indicator == "dwelling_area_per_capita")
    ]
    text = " ".join(rows[HOUSING_2030].get_text(" ", strip=True).split())
    for status, n in mine["status"].value_counts().items():
        assert f"{ {**WORDS, 'insufficient': 'không đủ số liệu'}[status] } {n}" in text
    assert rows[HOUSING_2030].select_one("a[href*='mode=progress']")
    assert "mọi hộ gia đình" in rows[HOUSING_2030].select_one(".um-approx").get_text()  # how the series differs, said
    assert _soup(client, "/program").select_one("#to-dashboard")["href"] == "/program/progress"
    assert client.get("/program/progress?x=1").status_code == 400
