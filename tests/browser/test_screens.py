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
