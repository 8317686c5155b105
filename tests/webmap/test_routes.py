"""Every route and parameter through the Flask test client, including the errors."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re

import pytest
from bs4 import BeautifulSoup

OK_PAGES = [
    "/",
    "/?lang=en",
    "/?issue=flooding",
    "/?issue=congestion",
    "/?issue=housing",
    "/?issue=green_space",
    "/?issue=context",
    "/?boundary=2008",
    "/?boundary=2008&indicator=population&year=2011",
    "/?indicator=population&year=2011&method=jenks&classes=7",
    "/?indicator=population&year=2011&method=equal&classes=3",
    "/?boundary=2008&indicator=urban_population_share&year=2019&mode=gap",
    "/province/31",
    "/province/31?boundary=2025&lang=en",
    "/province/30?boundary=2008",
    "/province/01?boundary=2008",
    "/program",
    "/program?lang=en",
]
ERRORS = [
    ("/?foo=1", 400, "foo"),
    ("/?boundary=1999", 400, "1999"),
    ("/?issue=fire", 400, "fire"),
    ("/?indicator=nope", 404, "nope"),
    ("/?indicator=population&year=1990", 404, "1990"),
    ("/?indicator=population&year=abc", 400, "abc"),
    ("/?method=kmeans", 400, "kmeans"),
    ("/?classes=2", 400, "3"),
    ("/?classes=x", 400, "x"),
    ("/?mode=gap&indicator=population&lang=en", 400, "target"),
    ("/?mode=weird", 400, "weird"),
    ("/?issue=housing&indicator=population", 400, "population"),
    ("/?lang=fr", 400, "vi"),
    ("/province/99", 404, "99"),
    ("/province/31?boundary=1990", 400, "1990"),
    ("/province/31?x=1", 400, "x"),
    ("/program?x=1", 400, "x"),
    ("/nowhere", 404, ""),
    ("/geometry/provinces_1999.geojson", 404, "1999"),
    ("/geometry/rivers.geojson", 404, "rivers"),
]


@pytest.mark.parametrize("url", OK_PAGES)
def test_pages_answer(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.data[:500]
    assert response.mimetype == "text/html"


@pytest.mark.parametrize(("url", "status", "mentions"), ERRORS)
def test_errors_say_what_is_valid(client, url: str, status: int, mentions: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert mentions in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/", "/province/92?boundary=2025", "/compare?codes=31,92", "/nope"])
def test_security_headers_allow_exactly_the_pages_inline_code(client, url: str) -> None:
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "nonce" not in csp
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    soup = BeautifulSoup(response.data, "html.parser")
    for tag, directive in (("script", "script-src"), ("style", "style-src")):
        inline = [t.string or "" for t in soup.find_all(tag) if not t.get("src")]
        hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'" for code in inline}
        assert set(re.findall(r"'sha256-[^']+'", directives[directive])) == hashes
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_shared_page_is_the_same_bytes_each_time_and_gzipped_once(client) -> None:
    first = client.get("/?indicator=area", headers={"Accept-Encoding": "gzip"})
    second = client.get("/?indicator=area", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip" and first.data == second.data
    assert first.headers["Content-Security-Policy"] == second.headers["Content-Security-Policy"]
    assert gzip.decompress(first.data) == client.get("/?indicator=area").data


@pytest.mark.parametrize("url", ["/", "/province/31", "/program"])
def test_every_asset_is_served_by_the_app(client, url: str) -> None:
    soup = BeautifulSoup(client.get(url).data, "html.parser")
    refs = [t.get("src") for t in soup.find_all("script") if t.get("src")] + [t.get("href") for t in soup.find_all("link")]
    assert refs and all(r.startswith("/") for r in refs), refs
    for ref in refs:
        assert client.get(ref).status_code == 200, ref


def test_national_map_page_content(client) -> None:
    html = client.get("/?indicator=storm_flood_damage_yagi_2024&year=2024&lang=vi").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    rows = soup.select("#ranked-table tbody tr")
    assert len(rows) == 16
    first = [td.get_text(strip=True) for td in rows[0].find_all("td")]
    assert first[1:4] == ["1", "Quảng Ninh", "28.034 tỷ đồng"]
    assert rows[0].find("input", attrs={"name": "codes", "value": "22"})  # pick for comparison
    assert any("≥ 12.803" in r.get_text() for r in rows)  # Lào Cai: a sum with a lower bound stays a bound
    legend = soup.select_one("#legend").get_text(" ", strip=True)
    assert "Không có số liệu: 18 đơn vị" in legend
    assert "urbanmap.draw(" in html and "/geometry/provinces_2025.geojson" in html
    assert "Lưu ý giải quyết các yêu cầu thực tiễn bức xúc như ... ngập úng đô thị" in soup.get_text()


def test_english_formats_numbers_the_english_way(client) -> None:
    soup = BeautifulSoup(client.get("/?indicator=storm_flood_damage_yagi_2024&year=2024&lang=en").data, "html.parser")
    first = [td.get_text(strip=True) for td in soup.select("#ranked-table tbody tr")[0].find_all("td")]
    assert first[1:4] == ["1", "Quang Ninh", "28,034 billion VND"]
    assert soup.html["lang"] == "en"


def test_language_is_remembered(shipped_app) -> None:
    client = shipped_app.test_client()
    response = client.get("/program?lang=en")
    assert "lang=en" in response.headers["Set-Cookie"]
    assert BeautifulSoup(client.get("/program").data, "html.parser").html["lang"] == "en"


def test_map_config_carries_every_unit_with_its_link(client) -> None:
    html = client.get("/?boundary=2008&indicator=population&year=2011").get_data(as_text=True)
    config = json.loads(re.search(r"urbanmap\.draw\([^,]+, (\{.*\})\);", html).group(1))
    assert len(config["units"]) == 63
    assert config["units"]["30"]["href"] == "/province/30?boundary=2008"
    assert config["units"]["30"]["colour"].startswith("#")


def test_missing_values_give_the_reason(client) -> None:
    html = client.get("/?indicator=urban_population_share&year=2019&lang=en").get_data(as_text=True)
    config = json.loads(re.search(r"urbanmap\.draw\([^,]+, (\{.*\})\);", html).group(1))
    lao_cai = config["units"]["15"]
    assert lao_cai["colour"] is None and lao_cai["detail"] == "1 of 2 units reported; missing: Yên Bái."


def test_gap_mode_uses_the_national_target(client) -> None:
    soup = BeautifulSoup(client.get("/?boundary=2008&indicator=urban_population_share&year=2019&mode=gap&lang=en").data, "html.parser")
    legend = soup.select_one("#legend").get_text(" ", strip=True)
    assert "at least 45" in legend and "2025" in legend
    assert all(cell.get_text(strip=True)[0] in "+−" for cell in soup.select("#ranked-table tbody tr td:nth-of-type(4)"))


def test_province_page(client) -> None:
    soup = BeautifulSoup(client.get("/province/31?lang=en").data, "html.parser")
    members = soup.select_one("#member-table").get_text(" ", strip=True)
    assert "Hải Dương" in members and "Hải Phòng" in members
    table = soup.select_one("#indicator-table").get_text(" ", strip=True)
    assert "3,609,600" in table  # 2011 population of the merged city (GSO: 1,879.8 + 1,729.8 thousand), in its history
    assert soup.find("a", href="/province/30?boundary=2008")


def test_2008_province_names_the_unit_it_belongs_to_now(client) -> None:
    soup = BeautifulSoup(client.get("/province/30?boundary=2008&lang=vi").data, "html.parser")
    assert soup.find("a", href="/province/31?boundary=2025").get_text(strip=True) == "Hải Phòng"


def test_program_page_links_issues_to_maps(client) -> None:
    soup = BeautifulSoup(client.get("/program?lang=vi").data, "html.parser")
    assert len(soup.select("section[id^=group-]")) == 5
    hrefs = {a["href"] for a in soup.find_all("a", href=True)}
    assert {"/?issue=flooding", "/?issue=congestion", "/?issue=housing", "/?issue=green_space"} <= hrefs
    for href in sorted(h for h in hrefs if h.startswith("/?")):
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize("boundary", ["2025", "2008"])
def test_geometry_is_sent_compressed_with_an_etag(client, boundary: str) -> None:
    response = client.get(f"/geometry/provinces_{boundary}.geojson", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    data = json.loads(gzip.decompress(response.data))
    assert len(data["features"]) == (34 if boundary == "2025" else 63)
    again = client.get(f"/geometry/provinces_{boundary}.geojson", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_pages_are_gzipped(client) -> None:
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"urbanmap.draw(" in gzip.decompress(response.data)


def test_healthz_names_the_build(client, shipped_build) -> None:
    assert client.get("/healthz").get_json()["build_id"] == shipped_build[1]["build_id"]


def test_tiny_build_serves_too(tiny_app) -> None:
    client = tiny_app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/province/92").status_code == 200


def test_leaflet_is_served_compressed_and_only_from_its_package(client) -> None:
    response = client.get("/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip" and b"Leaflet" in gzip.decompress(response.data)[:2000]
    assert client.get("/vendor/leaflet/leaflet.js", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get("/vendor/leaflet/../../../../etc/passwd").status_code == 404


def test_error_pages_show_names_in_the_page_font(client) -> None:
    """A monospace font breaks Vietnamese stacked diacritics ("Băć Ninh"): the values an error lists use the page's."""
    page = client.get("/province/99?boundary=2025").get_data(as_text=True)
    assert "<code>01 Hà Nội</code>" in page
    css = client.get("/static/urbanmap.css").get_data(as_text=True)
    rule = re.search(r"\.um-error code\s*\{([^}]*)\}", css)
    assert rule is not None and "font-family: inherit" in rule.group(1)


def test_tables_name_sources_by_title_with_the_full_title_on_hover(client, shipped_app) -> None:
    store = shipped_app.extensions["urbanmap_build"].current()
    ids, titles = set(store.sources.frame["source_id"]), set(store.sources.frame["title"])
    soup = BeautifulSoup(client.get("/?indicator=population&lang=en").data, "html.parser")
    cells = [row.find_all("td")[-1] for row in soup.select("#ranked-table tbody tr")]
    assert cells and all(c.get_text(strip=True) for c in cells)
    for cell in cells:
        for part in cell.find_all(["a", "span"], lang=False):  # a <span lang> marks a part in the other language
            text = part.get_text()
            assert text not in ids
            assert (text in titles and not part.get("title")) or (text.endswith("…") and part.get("title") in titles)


def test_ranks_and_medians_need_five_units_with_a_value(client, shipped_app) -> None:
    """'1/1' or '+0 vs median' says nothing: among fewer than 5 units with a value, no rank and no median."""
    from webmap.read.profile import MIN_RANKED, indicator_rows

    store = shipped_app.extensions["urbanmap_build"].current()
    sparse = dense = None
    for code in store.geography.units["2025"]["code"]:
        for row in indicator_rows(store, "2025", code):
            if row["ranked"] < MIN_RANKED and sparse is None:
                sparse = (code, row)
            if row["ranked"] >= MIN_RANKED and dense is None:
                dense = (code, row)
    assert sparse is not None and dense is not None
    assert sparse[1]["rank"] is None and sparse[1]["median"] is None
    assert dense[1]["rank"] is not None and dense[1]["median"] is not None
    soup = BeautifulSoup(client.get(f"/province/{sparse[0]}?boundary=2025&lang=en").data, "html.parser")
    link = soup.select_one(f'#indicator-table a[href*="indicator={sparse[1]["indicator"]}"]')
    cells = link.find_parent("tr").find_all("td")
    assert cells[3].get_text(strip=True) == "—" and cells[4].get_text(strip=True) == "—"
    partner = "79" if sparse[0] != "79" else "01"
    table = BeautifulSoup(client.get(f"/compare?boundary=2025&codes={sparse[0]},{partner}&lang=en").data, "html.parser")
    row = table.select_one(f'#compare-table tr[data-indicator="{sparse[1]["indicator"]}"]')
    assert row is not None and "rank" not in row.get_text() and "vs median" not in row.get_text()


def test_an_unmerged_province_is_not_called_merged(client) -> None:
    text = client.get("/province/01?boundary=2025&lang=en").get_data(as_text=True)
    assert "not merged" in text and "formed from 1 provinces" not in text and 'id="members"' not in text
    assert "formed from 3 provinces" in client.get("/province/79?boundary=2025&lang=en").get_data(as_text=True)


@pytest.mark.parametrize("method", ["quantiles", "jenks", "equal", "headtail", "box"])
def test_every_classification_maps_and_says_how_many_classes_it_used(client, method: str) -> None:
    soup = BeautifulSoup(client.get(f"/?indicator=population&boundary=2008&method={method}&classes=7&lang=en").data, "html.parser")
    bounds = [li.get_text(strip=True) for li in soup.select("#legend ol li")][:-1]  # the last: no data
    assert len(bounds) == len(set(bounds)) >= 2
    used = soup.select_one("#classes-used").get_text(strip=True)
    assert used.startswith(f"{len(bounds)} classes")


def test_a_gap_to_target_from_before_the_target_was_set_says_so(client) -> None:
    """A 2016 value against a target set in 2022 is where a unit stood, not its progress: the legend, the tooltips
    and the profile say so; a 2024 value needs no such note."""
    old = client.get("/?indicator=urban_population_share&boundary=2025&year=2016&mode=gap&lang=en").get_data(as_text=True)
    soup = BeautifulSoup(old, "html.parser")
    assert "older than the target, set in 2022" in soup.select_one("#before-baseline").get_text()
    assert "value older than the target (set in 2022)" in old  # each unit's tooltip
    recent = BeautifulSoup(client.get("/?indicator=urban_population_share&boundary=2025&year=2024&mode=gap&lang=en").data, "html.parser")
    assert recent.select_one("#before-baseline") is None
    profile = BeautifulSoup(client.get("/province/79?boundary=2025&lang=vi").data, "html.parser")
    notes = [n.get_text() for n in profile.select("#indicator-table .um-before")]
    assert notes and all("đặt năm 2022" in n for n in notes)
