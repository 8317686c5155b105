"""Text from data never becomes markup: names, sources and programme text with <script> and onerror."""

from __future__ import annotations

import csv
import io
import json
import re

import pyogrio
import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from tests.synthetic import IMG, SCRIPT
from tests.webmap.intake_helpers import PASSWORD, sign_in
from webmap.intake import accounts

PAGES = ["/", "/?lang=en", "/?indicator=population&year=2011", "/province/31", "/province/30?boundary=2008&lang=en", "/program"]
PAGES += ["/ward/00005", "/ward/00005?lang=en", "/search?q=hai+phong", "/search?q=hai+phong&lang=en"]


@pytest.mark.parametrize("url", PAGES)
def test_hostile_text_is_escaped(hostile_app, url: str) -> None:
    response = hostile_app.test_client().get(url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    assert not soup.find("img"), "an <img> from data became markup"
    for script in soup.find_all("script"):
        text = script.string or ""
        assert "<img" not in text and "<script" not in text and "</script" not in text
    assert all(not tag.get("onerror") for tag in soup.find_all(True))


def test_map_config_keeps_markup_as_plain_text(hostile_app) -> None:
    html = hostile_app.test_client().get("/?lang=en").get_data(as_text=True)
    raw = re.search(r"urbanmap\.draw\([^,]+, (\{.*\})\);", html).group(1)
    assert "<script" not in raw and "<img" not in raw  # tojson escapes < and >
    config = json.loads(raw)
    assert config["units"]["31"]["name"].endswith(SCRIPT)  # the text is kept, as text


def test_hostile_source_title_shows_as_text(hostile_app) -> None:
    soup = BeautifulSoup(hostile_app.test_client().get("/?indicator=population&year=2011").data, "html.parser")
    assert IMG in soup.get_text()


FORMULA_TITLE = '=HYPERLINK("http://evil.example/x","click")'
FORMULA_NOTE = "+cmd|' /C calc'!A0"
FORMULA_NAME = '=HYPERLINK("http://evil.example/y","x").csv'


@pytest.fixture(scope="module")
def formula_app(tmp_path_factory, tiny_build):
    """A build whose source titles, notes and one unit's English name are spreadsheet formulas."""
    from etl.build import build
    from tests.synthetic import tiny_raw
    from webmap import create_app

    root = tmp_path_factory.mktemp("formulas")
    raw = tiny_raw(root / "raw")
    values = raw / "indicators/values.csv"
    rows = list(csv.DictReader(values.open(encoding="utf-8")))
    for row in rows:
        row["source_title"], row["note"] = FORMULA_TITLE, FORMULA_NOTE
    with values.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for name in ("vn_provinces_63.geojson", "vn_provinces_34.geojson"):
        path = raw / "boundaries" / name
        layer = pyogrio.read_dataframe(path)
        layer["name_en"] = "@SUM(1+1)*cmd|' /C calc'!A0"
        pyogrio.write_dataframe(layer, path, driver="GeoJSON")
    build(raw, root / "build")
    return create_app({"DATA_DIR": root / "build", "TESTING": True})


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cells(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


def test_no_csv_download_carries_a_live_formula(formula_app) -> None:
    from webmap.intake import audit

    with formula_app.extensions["urbanmap_db"].session() as s:
        accounts.add_user(s, "admin1", PASSWORD, "admin", [], set(), "test")
        audit.record(s, "contributor", "submission_created", "submission 1", FORMULA_NAME)
    admin = formula_app.test_client()
    sign_in(admin, "admin1")
    downloads = {
        url: admin.get(url)
        for url in (
            "/api/provinces.csv?boundary=2008",
            "/api/provinces.csv?boundary=2008&long=1",
            "/api/provinces.csv?boundary=2008&wkt=1",
            "/compare.csv?boundary=2008&codes=01,31&indicators=population",
            "/audit.csv",
        )
    }
    for url, response in downloads.items():
        assert response.status_code == 200, url
        cells = _cells(response.data)
        live = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(c)]
        assert not live, (url, live[:3])
    long_cells = _cells(downloads["/api/provinces.csv?boundary=2008&long=1"].data)
    assert "'" + FORMULA_TITLE in long_cells and "'" + FORMULA_NOTE in long_cells  # the text kept, shown as text
    assert "'" + FORMULA_NAME in _cells(downloads["/audit.csv"].data)
    long_rows = list(csv.DictReader(io.StringIO(downloads["/api/provinces.csv?boundary=2008&long=1"].data.decode("utf-8-sig"))))
    assert long_rows and all(_number(r["value"]) for r in long_rows if r["value"])  # numbers untouched


@given(st.one_of(st.text(max_size=20), st.floats(allow_nan=False), st.integers()))
def test_neutralise_leaves_numbers_and_plain_text_alone(value) -> None:
    from etl.spreadsheet import neutralise

    out = neutralise(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        assert out == "'" + value
    else:
        assert out == value
