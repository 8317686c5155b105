"""Drilling down to the wards in a real browser: a province's wards, zooming in on the national map, a ward page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

LEAFLET_MAP = "window[Object.keys(window).find((k) => k.startsWith('map_') && window[k] && window[k].setView)]"


def test_the_province_page_draws_its_wards_and_a_click_opens_one(page: Page, base_url: str) -> None:
    page.goto(base_url + "/province/92?boundary=2025")
    container = page.locator(".folium-map")
    expect(container).to_have_attribute("data-wards-drawn", "103", timeout=10_000)
    page.evaluate(f"void {LEAFLET_MAP}.setView([10.035, 105.78], 13, {{animate: false}})")  # central Cần Thơ: the finer outlines
    ward = page.locator('path.um-ward[data-ward="31120"]').first
    ward.click(force=True)
    page.wait_for_url("**/ward/31120")
    expect(page.locator("h1")).to_contain_text("Phường Cái Khế")
    # the ward's neighbours, those across the province border too, are drawn around it
    expect(page.locator('path.um-ward[data-ward="31120"]')).to_be_attached(timeout=10_000)
    assert page.locator('path.um-ward[data-ward="31120"]').first.get_attribute("stroke-width") == "3"


def test_the_national_map_loads_wards_only_when_zoomed_in(page: Page, base_url: str) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url) if "/geometry/wards_2025/" in r.url else None)
    page.goto(base_url + "/")
    container = page.locator(".folium-map")
    expect(container).to_have_attribute("data-units-drawn", "34", timeout=10_000)
    assert page.locator("path.um-ward").count() == 0 and requested == []
    # void: not the map object back (its serialisation takes seconds)
    page.evaluate(f"void {LEAFLET_MAP}.setView([10.05, 105.75], 9, {{animate: false}})")
    try:
        expect(page.locator('path.um-ward[data-ward="31120"]')).to_be_attached(timeout=20_000)  # a ward of Cần Thơ
    except AssertionError as exc:
        view = page.evaluate(f"(() => {{ const m = {LEAFLET_MAP}; return [m.getZoom(), m.getCenter().lat, m.getCenter().lng]; }})()")
        raise AssertionError(f"no wards drawn at zoom, lat, lng {view}; ward requests: {requested}") from exc
    assert any("/geometry/wards_2025/92/coarse.geojson" in url for url in requested), requested
    page.evaluate(f"void {LEAFLET_MAP}.setView([16.0, 106.0], 5, {{animate: false}})")
    expect(page.locator("path.um-ward")).to_have_count(0, timeout=10_000)
