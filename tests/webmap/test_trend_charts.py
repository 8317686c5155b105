"""Trend charts drawn on the server: the target at the height its value gives, ranges as bands, preliminary points
hollow, the 2025 boundary change where a series crosses it, numbers in the page's format, texts escaped; and on the
profile, one chart per row with two or more yearly values."""

from __future__ import annotations

import gzip
import re

import pytest
from bs4 import BeautifulSoup

from webmap.render import trend_charts as tc
from webmap.render.trend_charts import Point, TargetMark, trend_svg


def _svg(markup: str) -> BeautifulSoup:
    return BeautifulSoup(str(markup), "html.parser")


def test_the_target_line_is_at_the_height_of_its_value(tiny_app) -> None:
    points = [Point(2014, 20.0), Point(2016, 22.0, preliminary=True)]
    with tiny_app.test_request_context("/?lang=vi"):
        svg = _svg(trend_svg(points, "m²/người", "Diện tích", "vi", TargetMark(28.0, None, 2030, "mục tiêu tối thiểu 28")))
    low, high = 20.0, 28.0  # 20 is more than half of 28: the axis starts at the lowest value, not at 0
    line = svg.select_one("line.um-target")
    expected = round(tc.TOP + (high - 28.0) / (high - low) * tc.HEIGHT, 1)
    assert float(line["y1"]) == float(line["y2"]) == expected
    circles = svg.select("circle")
    assert [float(c["cy"]) for c in circles] == [round(tc.TOP + (high - v) / (high - low) * tc.HEIGHT, 1) for v in (20.0, 22.0)]
    assert circles[1]["fill"] == "#ffffff" and "(sơ bộ)" in circles[1].title.get_text()  # preliminary: hollow, said
    assert circles[0].title.get_text() == "2014: 20 m²/người"
    diamond = svg.select_one("polygon")
    assert diamond.title.get_text() == "mục tiêu tối thiểu 28"
    assert float(diamond["points"].split(",")[0]) == tc.LEFT + tc.WIDTH  # at 2030, the right end of the years
    assert not svg.select("line.um-merger")  # 2014-2030 crosses 2025 only through the target: no data after it


def test_a_range_is_a_band_and_the_merger_is_marked_where_the_series_crosses_it(tiny_app) -> None:
    points = [Point(2022, 5.5), Point(2024, 6.0), Point(2026, 6.4)]
    with tiny_app.test_request_context("/?lang=en"):
        svg = _svg(trend_svg(points, "m²/person", "Green", "en", TargetMark(6.0, 8.0, 2030, "about 6-8")))
    band = svg.select_one("rect.um-target")
    scale = tc.scale_for(points, TargetMark(6.0, 8.0, 2030, ""))
    assert float(band["y"]) == scale.y(8.0) and float(band["height"]) == pytest.approx(scale.y(6.0) - scale.y(8.0), abs=0.1)
    merger = svg.select_one("line.um-merger")
    assert float(merger["x1"]) == scale.x(2025.5) and "1 July 2025" in merger.title.get_text()


def test_numbers_follow_the_page_and_text_is_escaped(tiny_app) -> None:
    points = [Point(2010, 1234.5), Point(2012, 2345.25)]
    with tiny_app.test_request_context("/?lang=vi"):
        svg = str(trend_svg(points, "<b>u</b>", '<script>alert(1)</script>"', "vi"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "<b>" not in svg
    assert "2.345,25" in svg  # the page's number format


def test_the_profile_draws_a_chart_per_series_and_stays_small(shipped_app) -> None:
    client = shipped_app.test_client()
    client.set_cookie("lang", "vi")
    body = client.get("/province/79?boundary=2008").data
    page = BeautifulSoup(body, "html.parser")
    rows = page.select("#indicator-table tbody tr")
    charts = [r for r in rows if r.select_one("svg.um-trend")]
    assert len(charts) >= 30
    population = next(r for r in rows if r.select_one("a") and r.select_one("a").get_text(strip=True) == "Dân số")
    titles = [t.get_text() for t in population.select("svg.um-trend circle title")]
    assert len(titles) >= 9 and all(re.match(r"20\d\d: [\d.]+ người", t) for t in titles)
    assert len(gzip.compress(body)) < 60_000


def test_a_comparison_overlays_its_items_series(shipped_app) -> None:
    client = shipped_app.test_client()
    client.set_cookie("lang", "vi")
    page = BeautifulSoup(client.get("/compare?codes=01,79&boundary=2008&map=population").data, "html.parser")
    chart = page.select_one("#trend-overlay svg")
    assert len(chart.select("polyline")) == 2
    titles = [t.get_text() for t in chart.select("circle title")]
    assert any(t.startswith("Hà Nội, 2016: ") for t in titles) and any(
        t.startswith("TP. Hồ Chí Minh, 2016: ") or "Hồ Chí Minh, 2016" in t for t in titles
    )
    colours = {p["stroke"] for p in chart.select("polyline")}
    assert len(colours) == 2  # each item in its own colour, as on the bars
