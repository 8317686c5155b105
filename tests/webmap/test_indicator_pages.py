"""``/indicator/<id>``: definition, coverage per boundary set, rule, sources, targets with progress and the national
trend; every page that names an indicator links to it."""

from __future__ import annotations

import os

import pytest
from bs4 import BeautifulSoup

from etl.build import build
from tests.synthetic import tiny_raw
from webmap import create_app


@pytest.fixture
def client(shipped_app):
    client = shipped_app.test_client()
    client.set_cookie("lang", "vi")
    return client


def _soup(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, response.data[-300:]
    return BeautifulSoup(response.data, "html.parser")


def test_an_indicator_page_says_what_it_is_and_what_covers_it(client) -> None:
    page = _soup(client, "/indicator/patient_beds_per_10000")
    facts = page.select_one("#indicator-facts").get_text(" ", strip=True)
    assert "giường bệnh trên 10.000 dân" in facts and "patient_beds / population × 10000" in facts
    assert "không bao giờ là bình quân các tỷ lệ" in facts  # the ratio rule, said
    assert "không gồm bệnh viện trung ương" in page.select_one("#indicator-note").get_text()
    coverage = page.select_one("#indicator-coverage").get_text(" ", strip=True)
    assert "2016: 63/63" in coverage and "2016: 34/34" in coverage
    assert "Number of patient beds under provincial departments of health" in page.select_one("#indicator-sources").get_text()


def test_the_national_trend_is_the_sum_of_the_provinces_where_there_is_no_national_series(client) -> None:
    page = _soup(client, "/indicator/patient_beds")
    trend = page.select_one("#national-trend")
    titles = [t.get_text() for t in trend.select("circle title")]
    assert "2016: 273.066 giường bệnh" in titles and "Tổng của 63 tỉnh" in trend.get_text()


def test_targets_are_listed_with_the_progress_of_the_34_units(client) -> None:
    page = _soup(client, "/indicator/urban_population_share")
    targets = page.select("#indicator-targets li")
    assert len(targets) == 4 and all(t.select_one("a[href*='mode=progress']") for t in targets)


def test_pages_that_name_an_indicator_link_to_it(client) -> None:
    assert _soup(client, "/?indicator=population").select_one("#about-indicator")["href"] == "/indicator/population"
    profile = _soup(client, "/province/01?boundary=2008")
    assert profile.select_one("#indicator-table a.um-about[href='/indicator/patient_beds_per_10000']")
    compare = _soup(client, "/compare?codes=01,79")
    assert compare.select_one("tr[data-indicator=population] a[href='/indicator/population']")


@pytest.mark.parametrize(("url", "status"), [("/indicator/nope", 404), ("/indicator/population?year=2016", 400)])
def test_unknown_indicators_and_parameters_are_refused(client, url: str, status: int) -> None:
    assert client.get(url).status_code == status


def test_the_page_says_since_which_kept_build_the_values_are_the_same(tmp_path) -> None:
    raw, out = tiny_raw(tmp_path / "raw"), tmp_path / "build"
    before = build(raw, out)
    first = before["build_id"]
    os.utime(out / "builds" / first, (1_700_000_000, 1_700_000_000))  # made current on 15/11/2023
    values = raw / "indicators/values.csv"
    text = values.read_text(encoding="utf-8")
    values.write_text(text.replace("2008,01,,population,2011,,6699.6", "2008,01,,population,2011,,6700.1"), encoding="utf-8")
    after = build(raw, out)
    second = after["build_id"]
    assert first != second
    kept = [i for i, d in after["indicator_digests"].items() if before["indicator_digests"].get(i) == d]
    assert "population" not in kept and kept
    client = create_app({"DATA_DIR": out, "TESTING": True}).test_client()
    client.set_cookie("lang", "vi")
    changed = _soup(client, "/indicator/population").select_one("#unchanged-since").get_text()
    assert second in changed and first not in changed
    same = _soup(client, f"/indicator/{kept[0]}").select_one("#unchanged-since").get_text()
    assert first in same and "15/11/2023" in same
