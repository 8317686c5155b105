"""The social-infrastructure issue and the context indicators as planners see them: the default maps, the labels
that say what context is not, and the catalogue's notes on the values in the legend, profile, comparison, map sheet
and every export."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

BEDS_NOTE_VI = "không gồm bệnh viện trung ương"
BEDS_NOTE_EN = "central and ministry hospitals are excluded"


def _page(client, url: str, lang: str = "vi") -> BeautifulSoup:
    client.set_cookie("lang", lang)
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    return BeautifulSoup(response.data, "html.parser")


@pytest.fixture
def client(shipped_app):
    return shipped_app.test_client()


@pytest.mark.parametrize("boundary", ["2008", "2025"])
def test_the_issues_default_map_is_a_rate_every_unit_has(client, boundary: str) -> None:
    page = _page(client, f"/?issue=social_infrastructure&boundary={boundary}")
    assert page.select_one("select[name=indicator] option[selected]")["value"] == "patient_beds_per_10000"
    assert "Giường bệnh trên 10.000 dân" in page.h1.get_text()
    legend = page.select_one("#legend").get_text(" ", strip=True)
    assert "Không có số liệu: 0" in legend  # 63 of 63, 34 of 34
    assert BEDS_NOTE_VI in page.select_one("#indicator-note").get_text()
    assert "Hạ tầng xã hội" in page.select_one("select[name=issue] option[selected]").get_text()


CONTEXT = {
    "congestion": {"road_passengers_carried", "road_passengers_per_person", "road_freight_carried", "road_freight_per_person"},
    "green_space": {"forest_area", "forest_newly_planted_area", "forest_cover"},
}


@pytest.mark.parametrize("issue", sorted(CONTEXT))
@pytest.mark.parametrize("boundary", ["2008", "2025"])
def test_context_never_becomes_an_issues_default_map(client, issue: str, boundary: str) -> None:
    """The context indicators cover every unit, the issue's own ones few: the default is still one of these."""
    page = _page(client, f"/?issue={issue}&boundary={boundary}")
    chosen = page.select_one("select[name=indicator] option[selected]")["value"]
    assert chosen not in CONTEXT[issue]
    options = {o["value"]: o.get_text() for o in page.select("select[name=indicator] option")}
    assert CONTEXT[issue] <= set(options)  # offered, labelled as context
    assert all("không phải" in options[i] for i in CONTEXT[issue])


def test_context_maps_say_what_they_are_not(client) -> None:
    page = _page(client, "/?indicator=forest_cover&boundary=2008")
    assert "Độ che phủ rừng — bối cảnh, không phải cây xanh đô thị" in page.h1.get_text()
    english = _page(client, "/?indicator=road_passengers_per_person&boundary=2025", "en")
    assert "transport demand, not congestion" in english.h1.get_text()
    assert "Transport demand, not the level of congestion" in english.select_one("#indicator-note").get_text()


def test_the_profile_lists_each_note_once_with_its_mark(client) -> None:
    page = _page(client, "/province/01?boundary=2008")
    notes = [li.get_text() for li in page.select("#indicator-notes li")]
    assert sum(BEDS_NOTE_VI in n for n in notes) == 1
    number = next(i for i, n in enumerate(notes, start=1) if BEDS_NOTE_VI in n)
    marked = [a for a in page.select("#indicator-table sup.um-fn a") if a["href"] == f"#indicator-note-{number}"]
    assert len(marked) >= 10  # beds, staff, establishments, their rates


def test_the_comparison_marks_the_notes(client) -> None:
    page = _page(client, "/compare?codes=01,79", "en")
    notes = page.select_one("#indicator-notes").get_text()
    assert BEDS_NOTE_EN in notes
    row = page.select_one("tr[data-indicator=patient_beds_per_10000]")
    assert row.select_one("sup.um-fn a")


def test_exports_carry_the_note_in_both_languages(client) -> None:
    body = client.get("/api/provinces.csv?boundary=2025&indicators=patient_beds_per_10000,population&year=2016").data
    frame = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig", dtype={"code": str})
    assert len(frame) == 34 and frame["patient_beds_per_10000"].notna().all()
    assert frame["patient_beds_per_10000_note_vi"].str.contains(BEDS_NOTE_VI).all()
    assert frame["patient_beds_per_10000_note_en"].str.contains(BEDS_NOTE_EN).all()
    assert "population_note_vi" not in frame.columns  # only indicators the catalogue notes
    geojson = json.loads(client.get("/api/provinces.geojson?boundary=2008&indicators=forest_cover&year=2015").data)
    properties = geojson["features"][0]["properties"]
    assert "không phải cây xanh đô thị" in properties["forest_cover_note_vi"]
    long = pd.read_csv(
        io.BytesIO(client.get("/api/provinces.csv?boundary=2025&codes=08&long=1").data), encoding="utf-8-sig", dtype={"code": str}
    )
    beds = long[long["indicator"] == "patient_beds_per_10000"]
    assert not beds.empty and beds["note"].str.contains("of the sums of 2 members").any()
    assert beds["note"].str.contains(BEDS_NOTE_EN).all()  # the note is on the values too


def test_the_map_sheet_prints_the_note(client) -> None:
    client.set_cookie("lang", "vi")
    body = client.get("/sheet.pdf?indicator=patient_beds_per_10000&boundary=2025&year=2016").data
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages))
    assert "bệnh viện trung ương" in text


def test_a_regions_rate_is_its_summed_beds_over_its_summed_population(client) -> None:
    body = client.get(
        "/compare.csv?regions=dong_bang_song_hong,tay_nguyen&boundary=2008&indicators=patient_beds_per_10000,patient_beds,population&year=2016"
    ).data
    frame = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig").set_index(["indicator", "item"])["value"]
    for region in ("dong_bang_song_hong", "tay_nguyen"):
        rate = frame[("patient_beds_per_10000", region)]
        assert rate == pytest.approx(frame[("patient_beds", region)] / frame[("population", region)] * 10000)
