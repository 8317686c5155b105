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
            if path == "/province/31":  # its wards lie over it: hover one (their names carry markup too)
                page.locator('path.um-ward[data-ward="00005"]').hover()
                expect(page.locator(".leaflet-tooltip:not(.um-island-label):not(.um-unit-label)")).to_contain_text(
                    'Hải Phòng 1 Ward"><img'
                )  # as text
            else:
                page.locator('path.um-unit[data-code="31"]').hover()
        assert page.evaluate("window.__pwned") is None, path
        assert page.locator("main img").count() == 0


def test_pick_two_units_on_the_map_and_compare_them(page: Page, base_url: str, tmp_path) -> None:
    page.goto(base_url + "/?issue=context")
    _drawn(page, 34)
    page.check("#um-pick")
    page.locator('path.um-unit[data-code="92"]').click()
    page.locator('path.um-unit[data-code="01"]').click()
    expect(page.locator("#um-picked")).to_have_text("2")
    assert page.url.endswith("/?issue=context")  # picking does not navigate
    page.click("#compare-form button[type=submit]")
    page.wait_for_url("**/compare?**")
    expect(page.locator("h1")).to_contain_text("Cần Thơ")
    expect(page.locator("h1")).to_contain_text("Hà Nội")
    panes = page.locator(".um-pane .folium-map")
    expect(panes).to_have_count(2)
    for i in range(2):
        expect(panes.nth(i)).to_have_attribute("data-units-drawn", "34", timeout=10_000)
    fills = [panes.nth(i).locator("path.um-unit").evaluate_all("ps => ps.map(p => p.getAttribute('fill'))") for i in range(2)]
    assert fills[0] == fills[1] and len(set(fills[0])) > 2  # the units are sent once, and both panes colour them
    expect(page.locator("#legend")).to_have_count(1)
    with page.expect_download() as info:
        page.click("#downloads a[href^='/compare.csv']")
    path = tmp_path / "compare.csv"
    info.value.save_as(path)
    text = path.read_text(encoding="utf-8-sig")
    assert "Cần Thơ" in text and "Hà Nội" in text and text.startswith("indicator,issue,item")


def test_searchable_list_ignores_diacritics(page: Page, base_url: str) -> None:
    page.goto(base_url + "/compare")
    page.fill("input.um-filter", "can tho")
    visible = page.locator("#unit-list label:not([hidden])")
    expect(visible).to_have_count(1)
    expect(visible.first).to_contain_text("Cần Thơ")


def test_the_floating_compare_control_picks_units_and_compares_them(page: Page, base_url: str) -> None:
    page.goto(base_url + "/?issue=context&lang=en")
    _drawn(page, 34)
    go = page.locator(".um-compare-go")
    expect(go).to_have_text("Compare (0)")
    expect(go).to_be_disabled()
    page.click(".um-pick-toggle")  # the control turns picking on, as the form's box does
    expect(page.locator("#um-pick")).to_be_checked()
    page.locator('path.um-unit[data-code="92"]').click()
    page.locator('path.um-unit[data-code="01"]').click()
    expect(go).to_have_text("Compare (2)")
    go.click()
    page.wait_for_url("**/compare?**")
    expect(page.locator("h1")).to_contain_text("Can Tho")


def test_choosing_social_infrastructure_maps_a_rate_for_every_unit_with_its_note(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    _drawn(page, 34)
    page.select_option("select[name=issue]", "social_infrastructure")
    page.wait_for_url("**issue=social_infrastructure**")
    _drawn(page, 34)
    expect(page.locator("select[name=indicator]")).to_have_value("patient_beds_per_10000")
    expect(page.locator("#legend")).to_contain_text("Không có số liệu: 0")
    expect(page.locator("#indicator-note")).to_contain_text("không gồm bệnh viện trung ương")
    unit = page.locator('path.um-unit[data-code="01"]')
    unit.hover()
    expect(page.locator(".um-tooltip")).to_contain_text("giường bệnh trên 10.000 dân")


def test_the_progress_map_draws_each_category_as_its_legend_counts(page: Page, base_url: str) -> None:
    page.goto(base_url + "/?mode=progress&target=148-nq-cp-2025-national-urbanisation-rate&boundary=2008")
    _drawn(page, 63)
    colours = {"#542788", "#998ec3", "#fee0b6", "#f1a340", "#b35806"}
    fills = page.locator("path.um-unit").evaluate_all("paths => paths.map(p => p.getAttribute('fill'))")
    legend = page.locator("#legend ol li").all_inner_texts()
    counted = sum(int(text.rsplit("(", 1)[1].rstrip(")")) for text in legend[:5])
    assert sum(1 for f in fills if f in colours) == counted > 0
    expect(page.locator("select[name=target]")).to_have_value("148-nq-cp-2025-national-urbanisation-rate")


def test_choosing_another_indicator_on_a_progress_map_opens_its_value_map(page: Page, base_url: str) -> None:
    page.goto(base_url + "/?mode=progress&target=148-nq-cp-2025-national-urbanisation-rate&boundary=2008")
    _drawn(page, 63)
    page.select_option("select[name=indicator]", "population")
    page.wait_for_url("**indicator=population**")
    _drawn(page, 63)
    assert "target=" not in page.url and "mode=" not in page.url
    page.select_option("select[name=mode]", "change")
    page.wait_for_url("**mode=change**")
    expect(page.locator("h1")).to_contain_text("→")
