"""Every screen and every input: no page scrolls sideways on a phone or a laptop, tables reflow with labelled
cells, and a keyboard user moves through a select without being sent to a new page at every step."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

PAGES = [
    "/",
    "/?boundary=2008&indicator=population",
    "/province/79?boundary=2025",
    "/province/01?boundary=2008",
    "/ward/31120",
    "/compare?codes=01,79,48,92",
    "/compare",
    "/program",
    "/search?q=can+tho",
    "/login",
    "/ogc",
]


@pytest.mark.parametrize("width", [390, 1366])
def test_no_page_scrolls_sideways(page: Page, base_url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    for path in PAGES:
        page.goto(base_url + path)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{path} at {width} px: {scroll} px wide"


def test_tables_reflow_on_a_phone_with_each_cell_labelled(page: Page, base_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base_url + "/province/79?boundary=2025&lang=en")
    cell = page.locator("#indicator-table tbody tr").first.locator("td").nth(1)
    expect(cell).to_have_attribute("data-label", "Value")
    assert cell.evaluate("c => getComputedStyle(c).display") == "block"
    label = cell.evaluate("c => getComputedStyle(c, '::before').content")
    assert label == '"Value: "'


def test_a_select_changes_with_the_keyboard_only_on_enter(page: Page, base_url: str) -> None:
    page.goto(base_url + "/?indicator=population&lang=en")
    select = page.locator("select[name=method]")
    select.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)
    assert "method=" not in page.url  # still on the page: moving through options is not a choice
    page.keyboard.press("Enter")
    page.wait_for_url("**method=*")
    assert "method=equal" in page.url


def test_a_mouse_pick_still_shows_the_new_map_at_once(page: Page, base_url: str) -> None:
    page.goto(base_url + "/?indicator=population&lang=en")
    page.select_option("select[name=method]", "jenks")
    page.wait_for_url("**method=jenks*")


MAINLAND = "[23.39, 8.56]"  # the latitudes of Lũng Cú and Mũi Cà Mau, the mainland's ends


@pytest.mark.parametrize("width", [390, 1366])
def test_the_mainland_fills_the_map_height_with_the_archipelagos_in_insets(page: Page, base_url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(base_url + "/?indicator=population")
    drawn = page.locator(".folium-map[data-units-drawn='34'][data-insets-drawn='2']")
    expect(drawn).to_be_visible()
    top, bottom, height = drawn.evaluate(
        f"""el => {{ const map = window[el.id], h = map.getSize().y;
        const [n, s] = {MAINLAND}.map(lat => map.latLngToContainerPoint([lat, 105.5]).y); return [n, s, h]; }}"""
    )
    assert 0 <= top < bottom <= height
    assert (bottom - top) / height >= 0.85  # the mainland fills the height, not a quarter of it
    insets = page.locator(".um-inset")
    expect(insets).to_have_count(2)
    expect(insets.nth(0)).to_contain_text("Hoàng Sa")
    expect(insets.nth(1)).to_contain_text("Trường Sa")
    insets.nth(1).click()  # the inset takes the map to the archipelago
    page.wait_for_function(f"() => window['{drawn.get_attribute('id')}'].getCenter().lng > 111")
    if width == 1366:
        assert int(drawn.get_attribute("data-labels-drawn") or 0) >= 15  # names where they fit


def test_the_map_is_one_tab_stop_and_enter_opens_the_focused_unit(page: Page, base_url: str) -> None:
    page.goto(base_url + "/?indicator=population&lang=en")
    expect(page.locator(".folium-map[data-units-drawn='34']")).to_be_visible()
    assert page.locator("path.um-unit[tabindex='0']").count() == 1  # the others are reached with the arrow keys
    page.locator("path.um-unit[tabindex='0']").focus()
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("document.activeElement.getAttribute('data-code')")
    assert focused and page.evaluate("document.activeElement.getAttribute('tabindex')") == "0"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/province/{focused}*")
