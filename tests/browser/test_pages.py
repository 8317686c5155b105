"""What people click, in a real browser: the national map, a unit, the language switch, the programme."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def _drawn(page: Page, units: int) -> None:
    map_container = page.locator(".folium-map")
    expect(map_container).to_have_attribute("data-units-drawn", str(units), timeout=10_000)
    expect(map_container).to_have_attribute("data-islands-drawn", "2")


def test_national_map_draws_every_unit_a_legend_and_the_archipelagos(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    _drawn(page, 34)
    assert page.locator("path.um-unit").count() == 34
    expect(page.locator("#legend")).to_contain_text("Chú giải")
    expect(page.locator("#legend li")).to_have_count(6)
    expect(page.locator(".um-island-label").first).to_contain_text("Quần đảo Hoàng Sa")
    expect(page.locator(".um-island-label").nth(1)).to_contain_text("Quần đảo Trường Sa")


def test_hovering_shows_the_value_and_clicking_opens_the_unit(page: Page, base_url: str) -> None:
    page.goto(base_url + "/?indicator=storm_flood_damage_yagi_2024&year=2024")
    _drawn(page, 34)
    unit = page.locator('path.um-unit[data-code="22"]')
    unit.hover()
    expect(page.locator(".um-tooltip")).to_contain_text("28.034 tỷ đồng")
    unit.click()
    page.wait_for_url("**/province/22?boundary=2025")
    expect(page.locator("h1")).to_contain_text("Quảng Ninh")
    _drawn(page, 34)


def test_language_switch_changes_the_labels_and_is_remembered(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    expect(page.locator("nav.um-nav")).to_contain_text("Bản đồ")
    page.click("a[data-lang=en]")
    expect(page.locator("nav.um-nav")).to_contain_text("Map")
    expect(page.locator("#legend h2")).to_have_text("Legend")
    page.goto(base_url + "/program")
    expect(page.locator("h1")).to_have_text("The Government action programme on urban development")


def test_choosing_the_boundary_set_redraws_the_63_provinces(page: Page, base_url: str) -> None:
    page.goto(base_url + "/?issue=context")
    _drawn(page, 34)
    page.select_option("select[name=boundary]", "2008")
    page.wait_for_url("**boundary=2008**")
    _drawn(page, 63)


def test_programme_page_links_to_the_issue_maps(page: Page, base_url: str) -> None:
    page.goto(base_url + "/program")
    page.locator("a[href='/?issue=flooding']").first.click()
    page.wait_for_url("**/?issue=flooding")
    _drawn(page, 34)
    expect(page.locator("select[name=issue]")).to_have_value("flooding")


def test_hostile_texts_do_not_execute(page: Page, hostile_url: str) -> None:
    for path in ("/", "/?lang=en", "/province/31", "/province/30?boundary=2008", "/program"):
        page.goto(hostile_url + path)
        if path != "/program":
            _drawn(page, 3 if "2008" not in path else 6)
            page.locator('path.um-unit[data-code="31"]').hover()
        assert page.evaluate("window.__pwned") is None, path
        assert page.locator("main img").count() == 0
