"""The comparison view: errors, known values against the store and by hand, downloads equal to the table."""

from __future__ import annotations

import csv
import io
import json

import pytest
import shapely
from bs4 import BeautifulSoup

from tests.synthetic import SHIPPED, shipped_file


def _table(client, query: str) -> dict[str, list[str]]:
    soup = BeautifulSoup(client.get(f"/compare?{query}&lang=en").data, "html.parser")
    rows = {}
    for tr in soup.select("#compare-table tr[data-indicator]"):
        rows[tr["data-indicator"]] = [
            td.find("strong").get_text(strip=True) if td.find("strong") else td.get_text(" ", strip=True) for td in tr.find_all("td")[2:-1]
        ]
    return rows


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("codes=92", 400),
        ("codes=01,31,48,79,92", 400),
        ("codes=99,31", 404),
        ("codes=31&regions=tay_nguyen", 400),
        ("codes=31,31", 400),
        ("regions=atlantis,tay_nguyen", 404),
        ("regions=tay_nguyen", 400),
        ("codes=31,92&indicators=nope", 404),
        ("codes=31,92&map=nope", 404),
        ("codes=31,92&year=soon", 400),
        ("codes=31,92&boundary=1999", 400),
        ("codes=31,92&x=1", 400),
        ("codes=30,31&boundary=2025", 404),
    ],
)
def test_invalid_selections_get_a_clear_message(client, query: str, status: int) -> None:
    response = client.get(f"/compare?{query}")
    assert response.status_code == status
    assert "um-error" in response.get_data(as_text=True)


def test_empty_selection_shows_the_pickers(client) -> None:
    soup = BeautifulSoup(client.get("/compare").data, "html.parser")
    assert len(soup.select("#unit-list input[name=codes]")) == 34 and len(soup.select("#region-list input[name=regions]")) == 6
    assert soup.select_one("input.um-filter")


def test_can_tho_against_da_nang_matches_the_store(client) -> None:
    table = _table(client, "codes=92,48")
    assert table["area"] == ["6,360.83", "11,859.59"]
    assert table["population"] == ["3,342,900", "2,533,900"]  # 2016: the latest year both have (GSO); sums of their 2008 provinces
    latest = _table(client, "codes=92,48&year=latest")
    assert latest["population"] == ["4,199,824", "3,065,628"]


def test_region_aggregate_equals_the_hand_sum(client) -> None:
    with (SHIPPED / "boundaries/province_merger_2025.csv").open(encoding="utf-8") as f:
        unit_of = {r["old_code"]: r["new_code"] for r in csv.DictReader(f)}
    layer = json.loads((SHIPPED / "boundaries/vn_provinces_34.geojson").read_text(encoding="utf-8"))
    red_river = {f["properties"]["code"] for f in layer["features"] if f["properties"]["region"] == "dong_bang_song_hong"}
    names = {
        f["properties"]["name_en"]: f["properties"]["code"]
        for f in json.loads((SHIPPED / "boundaries/vn_provinces_63.geojson").read_text(encoding="utf-8"))["features"]
    }
    lines = shipped_file("published/gso-en-2018/average-population-by-province_1995-2016.csv").read_text(encoding="utf-8-sig").splitlines()
    header = next(line for line in lines if line.startswith('"Cities')).split(";")
    column = header.index('"Total Prel. 2016"')
    printed = {
        line.split(";")[0].strip('"'): float(line.split(";")[column]) for line in lines[3:] if line.split(";")[0].strip('"') in names
    }
    assert len(printed) >= 11
    red_river_2008 = {code for name, code in names.items() if unit_of[code] in red_river}
    assert red_river_2008 <= {names[n] for n in printed}
    by_hand = sum(v * 1000 for n, v in printed.items() if names[n] in red_river_2008)
    table = _table(client, "regions=dong_bang_song_hong,tay_nguyen&indicators=population")
    assert table["population"][0] == f"{by_hand:,.0f}"


def test_a_region_with_missing_members_is_flagged_not_partial(client) -> None:
    soup = BeautifulSoup(client.get("/compare?regions=dong_bang_song_hong,dong_bang_song_cuu_long&lang=en").data, "html.parser")
    text = soup.select_one("#compare-table").get_text(" ", strip=True)
    assert "incomplete: 1 of 6 units reported; missing: " in text


def test_page_has_one_legend_a_pane_per_unit_charts_and_downloads(client) -> None:
    soup = BeautifulSoup(client.get("/compare?codes=92,48,01&lang=en").data, "html.parser")
    assert len(soup.select(".um-pane .folium-map")) == 3 and len(soup.select("#legend")) == 1
    sections = soup.select("#compare-table details.um-issue")
    assert sections and all(d.select_one("summary h3") for d in sections) and sections[0].has_attr("open")  # they fold
    chart = soup.select_one("#chart-context svg")  # bars with their values, and an axis with the scale's ends
    bars = chart.select("rect")
    assert bars and all(b.select_one("title").get_text().split(": ")[0] in ("Can Tho", "Da Nang", "Ha Noi") for b in bars)
    written = [t.get_text() for t in chart.select("text")]
    assert any(t.endswith("persons") for t in written) and "0" in written
    assert len([s for s in soup.find_all("script") if s.get("src") and "leaflet.js" in s["src"]]) == 1
    hrefs = [a["href"] for a in soup.select("#downloads a")]
    assert any(h.startswith("/compare.csv?") for h in hrefs) and any(h.startswith("/compare.geojson?") for h in hrefs)


def test_csv_download_holds_exactly_the_table(client) -> None:
    table = _table(client, "codes=92,48")
    body = client.get("/compare.csv?codes=92,48").data
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert {r["indicator"] for r in rows} == set(table)
    area = {r["item"]: float(r["value"]) for r in rows if r["indicator"] == "area"}
    assert area == {"92": 6360.83, "48": 11859.59}
    assert all(r["source"] and r["source"] != r["source_id"] for r in rows if r["source_id"])  # sources by title
    sources = client.get("/compare.geojson?codes=92,48").get_json()["urbanmap"]["sources"]
    assert {i for r in rows for i in r["source_id"].split(";") if i} == set(sources)


def test_geojson_download_has_one_feature_per_region(client) -> None:
    data = client.get("/compare.geojson?regions=dong_bang_song_hong,tay_nguyen").get_json()
    assert [f["id"] for f in data["features"]] == ["dong_bang_song_hong", "tay_nguyen"] and "crs" not in data
    shape = shapely.geometry.shape(data["features"][0]["geometry"])
    assert shape.is_valid and all(p.exterior.is_ccw for p in getattr(shape, "geoms", [shape]))
    assert data["features"][0]["properties"]["population_year"] == 2016


def test_entry_points_from_the_national_map_and_a_province(client) -> None:
    national = BeautifulSoup(client.get("/").data, "html.parser")
    form = national.select_one("#compare-form")
    assert form["action"] == "/compare" and len(form.select("input[name=codes]")) == 34
    province = BeautifulSoup(client.get("/province/92").data, "html.parser")
    assert province.select_one("#compare-with input[name=codes]")["value"] == "92"


def test_a_region_of_one_unit_carries_that_units_values(tiny_app) -> None:
    """A one-member region (Cần Thơ alone in the tiny 2025 set) takes its unit's values as they are (it used to
    fail on a column the store does not keep)."""
    client = tiny_app.test_client()
    regions = _table(client, "boundary=2025&regions=dong_bang_song_hong,dong_bang_song_cuu_long")
    units = _table(client, "boundary=2025&codes=01,92")
    assert regions["population"][1] == units["population"][1]
    assert units["population"][1] not in ("", "no data")


@pytest.mark.parametrize(
    ("query", "checked", "message"),
    [
        ("codes=92", {"92"}, "Select from 2 to 4 to compare; 1 selected."),
        ("codes=01,31,48,79,92", {"01", "31", "48", "79", "92"}, "Select from 2 to 4 to compare; 5 selected."),
        ("regions=tay_nguyen", {"tay_nguyen"}, "Select from 2 to 6 to compare; 1 selected."),
        ("codes=31&regions=tay_nguyen", {"31", "tay_nguyen"}, "Compare units or regions, not both."),
    ],
)
def test_a_refused_selection_comes_back_kept_with_the_reason_beside_it(client, query: str, checked: set[str], message: str) -> None:
    response = client.get(f"/compare?{query}&lang=en")
    assert response.status_code == 400
    soup = BeautifulSoup(response.data, "html.parser")
    assert {i["value"] for i in soup.select("#compare-select input[checked]")} == checked
    assert soup.select_one("#compare-select #compare-refused").get_text(strip=True) == message
